"""The Protocols the engine drives; backends, storage and media implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from scenetui.domain import SceneVideo, StoryScene, VideoMetadata, VideoSettings
from scenetui.domain.video import StoredCopy


@dataclass(frozen=True)
class GenerationJob:
    """Everything a backend needs to make one scene's clip."""

    script_id: str
    scene_index: int
    scene: StoryScene
    settings: VideoSettings
    prompt: str
    start_keyframe: str | Path | None
    end_keyframe: str | Path | None
    continue_from: str | None = None  # continuity: start from this earlier generation instead of the start keyframe
    upscale_of: str | None = None  # a final from an approved draft: upscale this generation (same motion)
    audio_of: str | None = None  # scene sound: this generation again with Luma's audio added (`render --audio`)


@dataclass(frozen=True)
class GenerationResult:
    """What a backend reports once the clip is at `dest`."""

    remote_id: str | None = None
    cost_cents: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class GenerationSession(Protocol):
    """The engine's side of one generation: progress reports, and the journal and budget hooks a paid backend
    must call around every create (intent before the request leaves, the id the moment it is known)."""

    previous_remote_id: str | None  # a generation an earlier run already paid for: poll it, never re-create
    previous_request: dict[str, Any] | None  # with previous_state "intent": the request that may have reached the server
    previous_state: str | None
    previous_intent_ts: float | None

    def stage(self, stage: str, message: str = "") -> None: ...

    def progress(self, fraction: float | None = None, *, done_bytes: int | None = None, total_bytes: int | None = None) -> None: ...

    def known_remote_ids(self) -> set[str]: ...

    async def before_create(self, request: dict[str, Any]) -> None: ...

    async def created(self, remote_id: str) -> None: ...

    async def not_created(self) -> None: ...

    async def refunded(self) -> None: ...

    def finished_remotely(self, seconds: float) -> None: ...


@runtime_checkable
class VideoBackend(Protocol):
    """A generator of scene clips: the offline animatic, Luma, ... One with a limit of its own (a Luma account's
    generations in flight) says so in an `at_once` attribute: the most scenes a render works on at once."""

    name: str
    paid: bool
    # Whether a create whose answer was lost can be looked up at the server (Ray 2 lists generations; Luma's
    # current API cannot): when not, such a scene waits for the person (`--resubmit`) instead of paying again.
    finds_lost_creates: bool

    async def prepare(self, jobs: list[GenerationJob]) -> None:
        """Checks before anything is spent (keyframes reachable, settings supported); raise UserError to stop."""
        ...

    async def generate(self, job: GenerationJob, dest: Path, session: GenerationSession) -> GenerationResult: ...

    async def describe_requests(self, jobs: list[GenerationJob]) -> list[dict[str, Any]]:
        """What would be sent for each job (`render --dry-run`), sending and publishing nothing; no secret in it."""
        ...

    async def cancel_remote(self, remote_id: str) -> None:
        """Delete a remote generation (when the user asks for it on cancel)."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ClipStore(Protocol):
    """Where clips and their metadata live (local disk, Firebase)."""

    root: Path  # the workspace: local copies of every clip live under it
    uploads: bool  # clips also go to remote storage (saving reports upload progress)
    user_id: str | None  # whose clips these are, where the storage keeps owners (Firebase), else None

    def staging_path(self, script_id: str, name: str) -> Path: ...

    def clip_path(self, script_id: str, scene_index: int) -> Path:
        """Where the scene's local clip is (or would be)."""
        ...

    def final_path(self, script_id: str) -> Path:
        """Where the local copy of the assembled film is (or would be)."""
        ...

    def remote_copies(self, script_id: str) -> dict[int, StoredCopy] | None:
        """What remote storage holds of each scene's clip; None for a store with nothing remote."""
        ...

    async def mark_kept(self, script_id: str, scene_index: int, exported_to: str | None) -> None: ...

    async def prepare(self, script_id: str) -> None: ...

    async def save_clip(self, script_id: str, scene_index: int, staged: Path, metadata: VideoMetadata,
                        progress: Callable[[int, int], None] | None = None, *, replace: bool = True,
                        extra: dict[str, Any] | None = None) -> SceneVideo: ...

    def stored_clips(self, script_id: str) -> dict[int, str]:
        """Scenes that have a stored clip, and where (a local path or a remote URI)."""
        ...

    async def get_clip(self, script_id: str, scene_index: int) -> SceneVideo | None: ...

    async def local_clip(self, script_id: str, scene_index: int) -> Path | None: ...

    async def delete_clip(self, script_id: str, scene_index: int) -> None: ...

    def takes(self, script_id: str, scene_index: int) -> list[Any]:
        """Every take of the scene kept (storage.takes.Take), oldest first; the chosen one is the scene's clip."""
        ...

    async def choose_take(self, script_id: str, scene_index: int, number: int) -> SceneVideo: ...

    async def approve_take(self, script_id: str, scene_index: int, number: int | None = None) -> Any:
        """Approve a draft take for `render --final` (storage.takes.Take)."""
        ...

    async def save_final(self, script_id: str, staged: Path, metadata: VideoMetadata) -> SceneVideo: ...

    async def save_film_captions(self, script_id: str, texts: dict[str, str]) -> None:
        """The film's caption files by suffix (".srt", ".vtt"), kept beside the film wherever it is kept."""
        ...

    async def mark_scene(self, script_id: str, scene_index: int, status: str, error: str | None = None) -> None: ...


class ClaimedBy(Protocol):
    """Who holds a scene's claim, and the generation paid for it (if any)."""

    @property
    def owner(self) -> str: ...

    @property
    def generation_id(self) -> str | None: ...


class ClaimAnswer(Protocol):
    """taken (work on it), held (another box works on it) or done (another box stored its clip: `clip`)."""

    @property
    def state(self) -> str: ...

    @property
    def claim(self) -> ClaimedBy | None: ...

    @property
    def clip(self) -> str | None: ...


@runtime_checkable
class SharedClipStore(ClipStore, Protocol):
    """A store several render boxes share (Firebase): a scene is worked on only while this box holds its claim."""

    lease: float  # seconds a claim lasts unless renewed

    async def claim_scene(self, script_id: str, index: int) -> ClaimAnswer: ...

    async def renew_claim(self, script_id: str, index: int, stage: tuple[str, float] | None = None) -> bool:
        """Extend the lease, saying what this box does with the scene (stage, since when: epoch seconds)."""
        ...

    async def note_generation(self, script_id: str, index: int, generation_id: str) -> None: ...

    async def release_claim(self, script_id: str, index: int, *, done: bool) -> None: ...
