"""The generator of commands that make no clips (export): it refuses to generate and costs nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenetui.engine.ports import GenerationJob, GenerationResult, GenerationSession
from scenetui.errors import UserError


class IdleBackend:
    """Used where a context needs a backend but nothing may be generated."""

    name = "none"
    paid = False
    finds_lost_creates = True

    async def prepare(self, jobs: list[GenerationJob]) -> None:
        return None

    async def generate(self, job: GenerationJob, dest: Path, session: GenerationSession) -> GenerationResult:
        raise UserError("this command does not generate clips", hint="use scenetui render")

    async def describe_requests(self, jobs: list[GenerationJob]) -> list[dict[str, Any]]:
        return [{"generator": "none"} for _ in jobs]

    async def cancel_remote(self, remote_id: str) -> None:
        return None

    async def aclose(self) -> None:
        return None
