"""The right pane: everything about the selected scene — words, keyframe pictures, the clip, what went wrong."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static

from scenetui.domain.board import ACTIVE, DONE, FAILED, PAID
from scenetui.domain.text import clean
from scenetui.tui.format import clock, money, scene_detail, size
from scenetui.tui.graphics import Graphics
from scenetui.tui.widgets.video import FRAMES, GraphicFrame

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller

THUMB_W, THUMB_H = 28, 8
PICTURE_DELAY = 0.12  # seconds the selection must rest before keyframe pictures are drawn


class SceneDetails(VerticalScroll):
    """Shows one scene; redrawn only when that scene changes or another is selected."""

    can_focus = False

    def __init__(self, controller: Controller, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.controller = controller
        self.index: int | None = None
        self._status: str | None = None
        self.pictures_of: int | None = None  # the scene whose keyframe pictures are both drawn (tests wait on it)

    @property
    def graphics(self) -> Graphics:
        return self.app.graphics  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        yield Static(id="details-text")
        with Horizontal(id="thumbs"):
            if self.graphics == "halfblock":
                yield Static(id="thumb-start", classes="thumb")
                yield Static(id="thumb-end", classes="thumb")
            else:  # the picture through the terminal's protocol, its caption beneath
                for which in ("start", "end"):
                    with Vertical(classes="thumb"):
                        yield FRAMES[self.graphics](id=f"pic-{which}", classes="pic")
                        yield Static(id=f"thumb-{which}")
        yield Static(id="details-video")

    def show(self, index: int | None) -> None:
        if not self.is_mounted:  # the tree's cursor can move before this pane is composed: the screen shows it
            return
        changed = index != self.index
        self.index = index
        self.redraw(relayout=changed)
        if changed:
            self.pictures_of = None
            self.load_pictures(index)

    def on_resize(self) -> None:
        """The pictures were sized for the old pane: drawn again for the new one (a sixel picture keeps its pixel
        size and would overlap the pane's border)."""
        if self.index is None:
            return
        if self.graphics != "halfblock":
            for frame in self.query(GraphicFrame):
                frame.display = False
        self.pictures_of = None
        self.load_pictures(self.index)

    def redraw(self, relayout: bool = False) -> None:
        """Refresh the words; a new layout only when the scene or its state changed (heights may differ)."""
        text = self.query_one("#details-text", Static)
        video = self.query_one("#details-video", Static)
        if self.index is None:
            text.update(script_summary(self.controller))
            video.update("")
            self.query_one("#thumbs").display = False
            return
        self.query_one("#thumbs").display = True
        status = self.controller.board.scenes[self.index].status
        relayout = relayout or status != self._status
        self._status = status
        replace(text, scene_text(self.controller, self.index), relayout)
        replace(video, video_text(self.controller, self.index), relayout)

    @work(exclusive=True, group="thumbs")
    async def load_pictures(self, index: int | None) -> None:
        if index is None:
            return
        # Exclusive: a newer selection cancels this one, so scrolling through scenes costs no pictures.
        await asyncio.sleep(PICTURE_DELAY)
        try:
            await self._load_pictures(index)
        except NoMatches:  # the pane was taken down meanwhile (the screen closed, the app is quitting)
            return

    async def _load_pictures(self, index: int) -> None:
        width = min(self.query_one(f"#thumb-{w}", Static).size.width for w in ("start", "end")) - 1
        width = min(width, THUMB_W * 2) if width >= 8 else THUMB_W
        height = max(3, min(THUMB_H, width // 3))
        if self.graphics != "halfblock":
            await self._load_stills(index, width, height)
            if self.index == index:
                self.pictures_of = index
            return
        # Always a new layout for the pictures: skipping it when their size matched the last ones can leave the
        # pane laid out for thumbnails never drawn (a load cut short) — the likely cause of a snapshot whose
        # scrollbar said the pane was shorter. It costs one layout per resting selection, not per key.
        for which in ("start", "end"):
            picture = await self.controller.view.keyframe_picture(index, which, width, height)
            if self.index == index:
                caption = Text(f"\n{which} keyframe", style="dim")
                self.query_one(f"#thumb-{which}", Static).update(Group(picture, caption))
        if self.index == index:
            self.pictures_of = index

    async def _load_stills(self, index: int, cols: int, rows: int) -> None:
        """Both keyframes through the terminal's protocol, encoded off the UI thread as the preview's frames are."""
        encode = self.app.pictures.encoder  # type: ignore[attr-defined]
        assert encode is not None  # only a terminal with a graphics protocol has stills
        for which in ("start", "end"):
            still = await self.controller.view.keyframe_still(index, which)
            graphic = None if isinstance(still, Text) else await asyncio.to_thread(encode, still, cols, rows, False)
            if self.index != index:
                return
            frame = self.query_one(f"#pic-{which}", GraphicFrame)
            caption = self.query_one(f"#thumb-{which}", Static)
            frame.display = graphic is not None
            if graphic is None:
                caption.update(still)
                continue
            data, width, height = graphic
            frame.styles.width, frame.styles.height = width, height
            frame.show(data, (width, height))
            caption.update(Text(f"{which} keyframe", style="dim"))

def replace(static: Static, content: Table | Text, relayout: bool) -> None:
    """New words for a Static; a new layout only when their height changed. A layout arranges the whole screen
    (about 10 ms with hundreds of scenes): one per key press made moving the selection miss a frame."""
    width, height = static.content_size
    static.update(content, layout=False)
    # The skipped layout leaves Textual's cached content height as it was: right, since it is the same height.
    if relayout and (not width or static.visual.get_height(static.styles, width) != height):
        static.refresh(layout=True)


def script_summary(controller: Controller) -> Table:
    script = controller.loaded.script
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Script", Text(f"{script.title or script.id}  ({script.id})"))
    grid.add_row("Style", Text(script.style or "—"))
    v = script.video
    grid.add_row("Video", f"{v.model} · {v.resolution} · {v.duration} · {v.aspect_ratio}")
    grid.add_row("Scenes", str(len(script.scenes)))
    grid.add_row("Characters", Text(", ".join(c.name for c in script.characters) or "—"))
    missing = controller.missing_keyframes()
    if missing:
        lines = "; ".join(f"scene {i}: {' and '.join(w)}" for i, w in sorted(missing.items())[:6])
        grid.add_row(Text("Missing", style="red"), lines)
    grid.add_row("Workspace", Text(str(controller.workspace.root)))
    boxes = controller.team.summary()
    if boxes is not None:  # every render box on a shared (firestore:) script, from their claims
        grid.add_row("Boxes", Text(clean(boxes)))
    return grid


def scene_text(controller: Controller, index: int) -> Table:
    script = controller.loaded.script
    scene = script.scenes[index]
    s = controller.board.scenes[index]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("Scene", Text(f"{index}  {scene.title or '(untitled)'}"))
    grid.add_row("Story", Text(scene.description or "—"))
    grid.add_row("Visual", Text(scene.visual_description or "—"))
    chars = [c for c in script.characters if c.name in scene.characters]
    grid.add_row("Characters", Text("; ".join(f"{c.name}: {c.description}" if c.description else c.name for c in chars)
                                     or (", ".join(scene.characters) or "—")))
    grid.add_row("Camera", Text(scene.camera or "—"))
    state = Text(s.status, style={DONE: "green", FAILED: "red", ACTIVE: "yellow", PAID: "yellow"}.get(s.status, ""))
    detail = scene_detail(s, controller.board.expected_seconds)
    if detail and s.status != FAILED:
        state.append(f"  {detail}", style="dim")
    grid.add_row("State", state)
    box = controller.team.scene_line(index)
    if box is not None:  # a shared (firestore:) script: which render box holds the scene's claim
        grid.add_row(Text("Box", style="red" if "free for another box" in box else ""), Text(clean(box)))
    if s.stale:
        grid.add_row(Text("Stale", style="yellow"), Text("the scene changed since its clip was made; the clip is kept "
                                                         "— R regenerates it, E edits the words"))
    if s.remote_id:
        grid.add_row("Generation", Text(s.remote_id))
    if s.status == FAILED:
        grid.add_row(Text("Failed", style="red"), Text(clean(s.error or "unknown reason")))
        grid.add_row(Text("What to do", style="red"), Text(clean(s.hint or "press r to try again")))
    return grid


def video_text(controller: Controller, index: int) -> Table | Text:
    s = controller.board.scenes[index]
    if s.status != DONE:
        return Text("")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Video", f"{s.duration or 0:.1f}s · {s.resolution or '?'} · {size(s.size)}")
    if s.created:
        grid.add_row("Created", s.created)
    if s.elapsed:
        grid.add_row("Took", clock(s.elapsed))
    if s.cost_cents:
        grid.add_row("Cost", money(s.cost_cents))
    grid.add_row("Kept", "yes" if s.kept else "not yet — press p to preview, then s to keep")
    return grid
