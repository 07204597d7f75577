"""What every scene pipeline of one render shares."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from scenetui.domain.script import draft_settings
from scenetui.domain.events import LogLine
from scenetui.engine.bus import EventBus
from scenetui.engine.costs import Budget, PriceTable
from scenetui.engine.gate import MAX_AT_ONCE
from scenetui.engine import journal as J
from scenetui.engine.journal import Journal
from scenetui.engine.ports import ClipStore, VideoBackend
from scenetui.script.file import LoadedScript


@dataclass(frozen=True)
class Variants:
    """The takes of one scene this render makes for a variants request (`render --takes N`)."""

    batch: int
    count: int
    slots: tuple[int, ...]  # which of the request's takes (1..count) are still to make
    replace: bool = False  # the scene's clip becomes the newest take (else only a scene without a clip gets one)
    kind: str = "takes"  # takes | draft | final | audio
    upscale_of: str | None = None  # final on ray-2: the approved draft's generation, upscaled (the same motion)
    audio_of: str | None = None  # audio: the generation Luma adds sound to
    source: int | None = None  # final: the approved draft take it is made from; audio: the take given sound
    source_model: str | None = None  # that draft's model


@dataclass
class RenderContext:
    """The loaded script plus the backend, store, journal and bus a render runs with."""

    loaded: LoadedScript
    backend: VideoBackend
    store: ClipStore
    journal: Journal
    bus: EventBus
    prices: PriceTable = field(default_factory=lambda: PriceTable.load(None))
    budget: Budget = field(default_factory=lambda: Budget(None))
    retries: int = 1  # extra tries for a retryable failure; each paid one counts against the budget
    delete_on_cancel: set[int] = field(default_factory=set)
    prepare_for_film: bool = True  # normalise downloaded clips to the film's profile as they arrive
    continuity: bool = False  # each scene starts from the previous scene's generation (paid backends; in order)
    resubmit: set[int] = field(default_factory=set)  # scenes whose unconfirmed create the person chose to pay again
    variants: dict[int, Variants] = field(default_factory=dict)  # scenes made as several takes, by index
    drafting: bool = False  # `render --draft`: the script's video settings are the cheap draft ones
    made_batches: set[int] = field(default_factory=set)  # requests whose every take this run has made

    def use_draft_settings(self) -> None:
        """Render with the draft pass's settings (ray-3.2 360p, ray-flash-2 540p): prices, requests and checks follow."""
        if not self.drafting:
            script = self.loaded.script
            draft = draft_settings(script.video)
            self.loaded = dataclasses.replace(self.loaded, script=script.model_copy(update={"video": draft}))
            self.drafting = True

    def open_attempt(self, index: int, batch: int | None = None, slot: int = 0) -> J.Attempt | None:
        """The scene's (or one of its requested takes') attempt that may still have a paid generation behind it
        (paid backends only)."""
        return self.journal.open_attempt(self.script_id, index, batch, slot) if self.backend.paid else None

    def in_doubt(self, attempt: J.Attempt | None) -> bool:
        """An open create that may have been accepted and that this backend cannot look up."""
        return (attempt is not None and not self.backend.finds_lost_creates and attempt.state == J.INTENT
                and attempt.remote_id is None)

    @property
    def script_id(self) -> str:
        return self.loaded.script.id

    @property
    def at_once(self) -> int:
        """The most scenes this render works on at once, whatever a queue command asks: the backend's own limit."""
        return min(MAX_AT_ONCE, getattr(self.backend, "at_once", None) or MAX_AT_ONCE)

    def command_arguments(self, verb: str, index: int | None, args: dict[str, object]) -> None:
        """What a command sent to the running render asks beyond its verb: a cancel may ask for the remote
        generation to be deleted too; a retry may pay again for a create in doubt (the person was asked)."""
        asked = args.get("n")
        at_once = f"now {asked} scene(s) at once" if not isinstance(asked, int) or asked <= self.at_once else \
            f"now {self.at_once} scene(s) at once, the most this account works on (asked for {asked})"
        said = {"concurrency": at_once, "pause": "paused: nothing new is started",
                "resume": "resumed", "drain": "draining: what is in flight finishes, nothing new starts",
                "first": f"scene(s) {', '.join(map(str, args.get('scenes') or []))} go next"}
        if verb in said:
            self.bus.emit(LogLine("info", f"queue: {said[verb]}"))
        targets = range(len(self.loaded.script.scenes)) if index is None else (index,)
        if verb == "cancel" and args.get("delete_remote"):
            self.delete_on_cancel.update(targets)
        if verb == "retry" and args.get("resubmit"):
            self.resubmit.update(targets)
