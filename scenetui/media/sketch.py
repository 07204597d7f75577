"""Storyboard cards drawn offline from a scene's words: enough to render the animatic and judge the cut for free.

A card is a colour field picked from the scene's text (so scenes differ and a re-run draws the same card), a
horizon and a subject mark that move between the start and the end card (so the animatic has motion), and the
scene's title, visual description, camera and characters written on it.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from scenetui.domain.script import AIScript, StoryScene

ASPECTS = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (960, 960), "4:3": (1024, 768), "3:4": (768, 1024),
           "21:9": (1344, 576), "9:21": (576, 1344)}


def card_size(script: AIScript) -> tuple[int, int]:
    """The card in the script's aspect ratio (the animatic and Luma scale from it)."""
    return ASPECTS.get(script.video.aspect_ratio, (1280, 720))


def _palette(text: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    h = hashlib.sha256(text.encode()).digest()
    base = (40 + h[0] % 120, 40 + h[1] % 120, 40 + h[2] % 120)
    deep = tuple(max(0, c - 35) for c in base)
    mark = (200 + h[3] % 55, 170 + h[4] % 85, 90 + h[5] % 120)
    return base, deep, mark  # type: ignore[return-value]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # an old Pillow or no FreeType: the small bitmap font still draws
        return ImageFont.load_default()


def draw_card(script: AIScript, index: int, which: str, dest: Path) -> Path:
    """Draw scene `index`'s `which` ("start" or "end") card as a PNG at `dest` (written whole or not at all)."""
    scene: StoryScene = script.scenes[index]
    w, h = card_size(script)
    base, deep, mark = _palette(f"{script.id}|{index}|{scene.title}|{scene.visual_description}")
    img = Image.new("RGB", (w, h), base)
    draw = ImageDraw.Draw(img)
    t = 0.0 if which == "start" else 1.0
    horizon = int(h * (0.62 - 0.08 * t))
    for y in range(horizon, h):  # the ground, darker toward the viewer
        k = (y - horizon) / max(1, h - horizon)
        draw.line([(0, y), (w, y)], fill=tuple(int(d * (1 - 0.4 * k)) for d in deep))
    cx = int(w * (0.3 + 0.4 * t))  # the subject moves across the frame from start to end
    r = int(min(w, h) * (0.08 + 0.04 * t))
    draw.ellipse([cx - r, horizon - 2 * r, cx + r, horizon], fill=mark)
    margin = int(min(w, h) * 0.05)
    big, small = _font(max(18, h // 14)), _font(max(14, h // 30))
    title = scene.title or f"Scene {index}"
    draw.text((margin, margin), f"{index:02d} · {title}"[:80], font=big, fill=(250, 250, 245))
    y = margin + int(h / 14 * 1.6)
    words = scene.visual_description or scene.description or ""
    for line in textwrap.wrap(words, width=max(20, w // max(8, h // 50)))[:5]:
        draw.text((margin, y), line, font=small, fill=(235, 235, 225))
        y += int(h / 30 * 1.5)
    facts = [f"{which.upper()} KEYFRAME", f"camera: {scene.camera}" if scene.camera else "",
             f"with: {', '.join(scene.characters)}" if scene.characters else "", script.style]
    draw.text((margin, h - margin - int(h / 30 * 1.4)), "   ".join(f for f in facts if f)[:160], font=small,
              fill=(250, 250, 245))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    img.save(tmp, format="PNG", optimize=True)
    tmp.replace(dest)
    return dest
