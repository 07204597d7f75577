"""The parts of Luma's current API that scenetui reads (generations and files), read leniently: a field the
contract adds later is kept, not refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Output(_Open):
    type: str
    url: str


class Generation(_Open):
    """A generation: its state, its failure (a code and a sentence), and its outputs once completed."""

    id: str
    # Any string: a state the contract does not name yet (queued, processing, completed, failed) is shown and
    # polled on, not a crash.
    state: str
    model: str | None = None
    type: str | None = None
    created_at: str | None = None
    failure_code: str | None = None
    failure_reason: str | None = None
    output: list[Output] | None = None

    def output_url(self, kind: str) -> str | None:
        """The first output of `kind` (video, image): a presigned address that expires in an hour."""
        return next((o.url for o in self.output or [] if o.type == kind), None)

    def video_url(self) -> str | None:
        return self.output_url("video")


class FileRecord(_Open):
    """An uploaded file: `ready` once Luma's ingest (moderation included) took it."""

    id: str
    state: str
    mime_type: str | None = None
    size_bytes: int | None = None
    failure_reason: str | None = None


class PresignedUpload(_Open):
    url: str
    method: str = "PUT"
    headers: dict[str, str] | None = None


class CreatedFile(_Open):
    """POST /files: the file, and for the presigned flow where to PUT its bytes."""

    id: str
    state: str
    file: FileRecord
    upload: PresignedUpload | None = None
