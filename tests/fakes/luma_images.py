"""The fake Luma's image endpoint (`POST /generations/image`, Photon): the published request contract, every
reference URL fetched anonymously, and a real PNG or JPEG as the asset."""

from __future__ import annotations

import io
from typing import Any

IMAGE_MODELS = {"photon-1", "photon-flash-1"}
IMAGE_PRICE = 2  # cents, the fake's own figure
SIZES = {"16:9": (1344, 756), "9:16": (756, 1344), "1:1": (1024, 1024), "4:3": (1184, 888), "3:4": (888, 1184),
         "21:9": (1536, 658), "9:21": (658, 1536)}


def reference_urls(body: dict[str, Any]) -> list[str]:
    """Every URL the request asks Luma to read."""
    urls = [r.get("url") for r in (body.get("image_ref") or []) + (body.get("style_ref") or []) if isinstance(r, dict)]
    identity = ((body.get("character_ref") or {}).get("identity0") or {}).get("images") or []
    urls += list(identity)
    if isinstance(body.get("modify_image_ref"), dict):
        urls.append(body["modify_image_ref"].get("url"))
    return [u for u in urls if u]


def validate_image(body: Any, ratios: set[str]) -> str | None:
    if not isinstance(body, dict):
        return "Invalid request body"
    if body.get("model") not in IMAGE_MODELS:
        return f"Invalid model: {body.get('model')}"
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or len(prompt) < 3:
        return "Prompt is too short, minimum length is 3 characters"
    if body.get("aspect_ratio", "16:9") not in ratios:
        return f"Invalid aspect ratio: {body.get('aspect_ratio')}"
    if body.get("format", "jpg") not in ("jpg", "png"):
        return f"Invalid format: {body.get('format')}"
    if len(body.get("image_ref") or []) > 4:
        return "image_ref: at most 4 references"
    if len(body.get("style_ref") or []) > 1:
        return "style_ref: at most 1 reference"
    identity = ((body.get("character_ref") or {}).get("identity0") or {}).get("images") or []
    if len(identity) > 4:
        return "character_ref: at most 4 images per identity"
    for url in reference_urls(body):
        if not str(url).startswith(("http://", "https://")):
            return f"Invalid reference URL: {url}"
    return None


def image_bytes(body: dict[str, Any], seed: int) -> tuple[bytes, str]:
    """A picture of the requested aspect ratio and format (different per generation), and its content type."""
    from PIL import Image, ImageDraw

    w, h = SIZES.get(body.get("aspect_ratio", "16:9"), SIZES["16:9"])
    img = Image.new("RGB", (w, h), (40 + seed % 150, 60 + seed * 7 % 150, 90 + seed * 13 % 150))
    ImageDraw.Draw(img).ellipse([w // 3, h // 3, w // 3 + h // 3, 2 * h // 3], fill=(240, 220, 160))
    out = io.BytesIO()
    fmt = body.get("format", "jpg")
    img.save(out, format="PNG" if fmt == "png" else "JPEG", quality=85)
    return out.getvalue(), "image/png" if fmt == "png" else "image/jpeg"
