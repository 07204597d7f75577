"""The constraints firebase/storage.rules enforce, checked on the client before any upload.

Storage rules cannot be evaluated on these machines (their emulator downloads a runtime at first use), so the
same limits are kept here, tested, and applied to every object scenetui writes.
"""

from __future__ import annotations

import re

from scenetui.errors import UserError

MAX_VIDEO_BYTES = 1024 * 1024 * 1024  # storage.rules: request.resource.size < 1 GiB
MAX_KEYFRAME_BYTES = 10 * 1024 * 1024  # storage.rules: < 10 MiB (Luma's safe keyframe size too)
VIDEO_NAME = re.compile(r"^videos/scripts/[A-Za-z0-9_-]{1,64}/(scenes/[0-9]+\.mp4|takes/[0-9]+/[0-9]+\.mp4|final\.mp4)$")
CAPTION_NAME = re.compile(r"^videos/scripts/[A-Za-z0-9_-]{1,64}/final\.(srt|vtt)$")
CAPTION_TYPES = {".srt": "application/x-subrip", ".vtt": "text/vtt"}
MAX_CAPTION_BYTES = 1024 * 1024
KEYFRAME_NAME = re.compile(r"^keyframes/[A-Za-z0-9_-]{1,128}/[0-9a-f]{64}\.(png|jpg)$")
KEYFRAME_TYPES = {"png": "image/png", "jpg": "image/jpeg"}


def clip_name(script_id: str, scene_index: int | None) -> str:
    """The seed's object names: scenes/{index}.mp4, or final.mp4 for the film."""
    leaf = "final.mp4" if scene_index is None else f"scenes/{scene_index}.mp4"
    return f"videos/scripts/{script_id}/{leaf}"


def take_name(script_id: str, scene_index: int, number: int) -> str:
    """Every take kept beside the scene's clip: takes/{index}/{n}.mp4 (the phone app never looks there)."""
    return f"videos/scripts/{script_id}/takes/{scene_index}/{number}.mp4"


def _owner(metadata: dict[str, str], user_id: str) -> None:
    if not user_id or metadata.get("userId") != user_id:
        raise UserError("an upload must carry its owner's user id", hint="set userId on the script or pass --user-id")


def check_video_upload(name: str, content_type: str, size: int, metadata: dict[str, str], user_id: str) -> None:
    """What storage.rules require of a clip or film; a violation is refused here instead of by the server."""
    if not VIDEO_NAME.fullmatch(name):
        raise UserError(f"refusing to upload {name!r}: clips are videos/scripts/ID/scenes/N.mp4, …/takes/N/T.mp4 "
                        "or …/final.mp4")
    if content_type != "video/mp4":
        raise UserError(f"refusing to upload {name}: content type {content_type!r} is not video/mp4")
    if size > MAX_VIDEO_BYTES:
        raise UserError(f"refusing to upload {name}: {size} bytes is over the 1 GiB limit of the storage rules")
    _owner(metadata, user_id)


def check_caption_upload(name: str, content_type: str, size: int, metadata: dict[str, str], user_id: str) -> None:
    """What storage.rules require of the film's captions: final.srt or final.vtt beside it, text under 1 MiB."""
    m = CAPTION_NAME.fullmatch(name)
    if not m or CAPTION_TYPES["." + m.group(1)] != content_type:
        raise UserError(f"refusing to upload {name!r}: captions are videos/scripts/ID/final.srt|vtt as "
                        "application/x-subrip|text/vtt")
    if size > MAX_CAPTION_BYTES:
        raise UserError(f"refusing to upload {name}: {size} bytes is over the 1 MiB limit for captions")
    _owner(metadata, user_id)


def check_keyframe_upload(name: str, content_type: str, size: int, metadata: dict[str, str], user_id: str) -> None:
    """What storage.rules require of a hosted keyframe."""
    m = KEYFRAME_NAME.fullmatch(name)
    if not m or KEYFRAME_TYPES[m.group(1)] != content_type:
        raise UserError(f"refusing to upload {name!r}: keyframes are keyframes/UID/SHA256.png|jpg as image/png|image/jpeg")
    if size > MAX_KEYFRAME_BYTES:
        raise UserError(f"refusing to upload {name}: keyframes must be under 10 MB for Luma", hint="save it smaller")
    if name.split("/")[1] != user_id:
        raise UserError(f"refusing to upload {name}: keyframes live under their owner's user id")
    _owner(metadata, user_id)
