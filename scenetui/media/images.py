"""Keyframe image checks: exists, is a file, is a whole decodable image."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_KEYFRAME_BYTES = 10 * 1024 * 1024  # Luma's safe limit for keyframe images


def image_problem(path: Path) -> str | None:
    """Why `path` is not a usable keyframe image, or None when it is one."""
    if not path.exists():
        return f"keyframe file not found: {path}"
    if path.is_dir():
        return f"keyframe is a directory, not an image: {path}"
    try:
        with Image.open(path) as img:
            img.load()  # decodes every byte: a truncated file fails here, not later in ffmpeg
            if img.width < 16 or img.height < 16:
                return f"keyframe is too small ({img.width}x{img.height}): {path}"
    except UnidentifiedImageError:
        return f"keyframe is not an image (PNG/JPEG/WebP expected): {path}"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"keyframe image is damaged or truncated ({exc}): {path}"
    return None


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file."""
    with Image.open(path) as img:
        return img.size
