"""Keyframe image checks: exists, is a file, is a whole decodable image."""

from __future__ import annotations

import stat
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_KEYFRAME_BYTES = 10 * 1024 * 1024  # Luma's safe limit for keyframe images


MAX_KEYFRAME_PIXELS = 40_000_000  # 8K is 33 Mpx; more is a decompression bomb, not a keyframe


def image_problem(path: Path) -> str | None:
    """Why `path` is not a usable keyframe image, or None when it is one."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return f"keyframe file not found: {path}"
    except OSError as exc:
        return f"keyframe cannot be read ({exc.strerror}): {path}"
    if stat.S_ISDIR(st.st_mode):
        return f"keyframe is a directory, not an image: {path}"
    if not stat.S_ISREG(st.st_mode):
        return f"keyframe is not a regular file (a FIFO or device is not an image): {path}"
    if st.st_size > MAX_KEYFRAME_BYTES:
        return f"keyframe is too large ({st.st_size // (1024 * 1024)} MB; Luma takes at most {MAX_KEYFRAME_BYTES // (1024 * 1024)} MB): {path}"
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_KEYFRAME_PIXELS:
                return f"keyframe is too large ({img.width}x{img.height} pixels): {path}"
            img.load()  # decodes every byte: a truncated file fails here, not later in ffmpeg
            if img.width < 16 or img.height < 16:
                return f"keyframe is too small ({img.width}x{img.height}): {path}"
    except Image.DecompressionBombError:
        return f"keyframe is too large (more pixels than any keyframe has): {path}"
    except UnidentifiedImageError:
        return f"keyframe is not an image (PNG/JPEG/WebP expected): {path}"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"keyframe image is damaged or truncated ({exc}): {path}"
    return None


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file."""
    with Image.open(path) as img:
        return img.size
