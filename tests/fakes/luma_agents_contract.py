"""The official `luma-agents` SDK's types as the contract: the fake's answers must parse with its response
models (strictly, from JSON) and every create scenetui sends must fit its request types (no unknown keys)."""

from __future__ import annotations

import json
from typing import Any

from luma_agents.types import CreateFileResponse, File, FileList, Generation
from luma_agents.types import generation_create_params, image_ref_param, video_options_param
from pydantic import ConfigDict, TypeAdapter, ValidationError

RESPONSES = {"Generation": Generation, "File": File, "FileList": FileList, "CreateFileResponse": CreateFileResponse}

for _typed in (generation_create_params.GenerationCreateParams, video_options_param.VideoOptionsParam,
               image_ref_param.ImageRefParam):
    _typed.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
_CREATE = TypeAdapter(generation_create_params.GenerationCreateParams)


def response_problem(model: str, body: Any) -> str | None:
    """Why `body` is not a `model` answer as the SDK reads it, or None."""
    try:
        RESPONSES[model].model_validate_json(json.dumps(body), strict=True)
    except ValidationError as exc:
        return str(exc).splitlines()[0] + ": " + "; ".join(e["msg"] + f" at {e['loc']}" for e in exc.errors()[:3])
    return None


def request_problem(body: dict[str, Any]) -> str | None:
    """Why a create body does not fit the SDK's GenerationCreateParams, or None (lazy iterables are forced)."""
    try:
        checked = _CREATE.validate_python(body)
        if checked.get("image_ref") is not None:
            list(checked["image_ref"])
        video = checked.get("video") or {}
        for key in ("keyframes", "keyframe_indexes"):
            if video.get(key) is not None:
                list(video[key])
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
    return None
