"""The main screen: scene tree (left), details (right), overall progress and spend (top), log (toggle)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree

from scenetui.domain.board import ACTIVE, DONE, DOUBT, FAILED
from scenetui.errors import UserError
from scenetui.tui.frames import install_frame_timer
from scenetui.tui.messages import BoardChanged
from scenetui.tui.screens.dialogs import ConfirmScreen
from scenetui.tui.screens.export import ExportScreen
from scenetui.tui.screens.preview import PreviewScreen, preview_film
from scenetui.tui.widgets.details import SceneDetails
from scenetui.tui.widgets.log_panel import LogPanel
from scenetui.tui.widgets.overall import OverallBar
from scenetui.tui.widgets.scene_tree import NodeRef, SceneTree

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller

MIN_WIDTH, MIN_HEIGHT = 80, 24


class MainScreen(Screen[None]):
    """Every action is a controller call; the screen only redraws what the board says changed."""

    BINDINGS = [
        Binding("f1", "app.help", "Help"),  # first, so an 80-column footer still shows it (and ^p at the right)
        Binding("g", "generate_all", "Create videos", tooltip="create video from keyframes for every scene not done yet"),
        Binding("r", "generate_selected", "Generate", tooltip="generate the marked scenes, or the selected one"),
        Binding("f", "retry_failed", "Retry failed", show=False),
        Binding("R", "regenerate", "Regenerate", tooltip="make a new clip for a finished scene (asks first; states the cost)"),
        Binding("b", "background", "In background", tooltip="render in a process of its own: it keeps going after you quit"),
        Binding("c", "cancel_selected", "Cancel"),
        Binding("C", "cancel_all", "Cancel all", show=False),
        Binding("m", "mark", "Mark", show=False, tooltip="mark scenes to act on several at once"),
        Binding("k", "draw_keyframes", "Keyframes", show=False,
                tooltip="draw storyboard keyframes (offline, free) for the marked scenes, or every scene lacking them"),
        Binding("K", "set_keyframe", "Set keyframe", show=False,
                tooltip="replace a keyframe: a picture file, the neighbouring clip's edge frame, or a card"),
        Binding("E", "edit_scene", "Edit scene", show=False,
                tooltip="the scene's words in $EDITOR; saved to the script, then regenerate if you like"),
        Binding("p", "preview", "Preview", tooltip="play, step through frames, keep or delete the selected clip"),
        Binding("t", "takes", "Takes", show=False, tooltip="every clip the scene got: choose which one is its clip"),
        Binding("T", "more_takes", "More takes", show=False, tooltip="make more takes of the scene to choose from (asks how many, with the cost)"),
        Binding("a", "approve", "Approve draft", show=False, tooltip="approve the scene's draft: render --final makes its final take"),
        Binding("question_mark", "show_request", "Request", show=False, key_display="?",
                tooltip="see before paying: the exact request generating the scene would send, and its price"),
        Binding("v", "preview_final", "Final film", show=False),
        Binding("e", "export", "Export", tooltip="assemble the final film"),
        Binding("l", "toggle_log", "Log"),
        Binding("S", "stats", "Stats", show=False, tooltip="what renders took, failed and cost (from the journal)"),
        Binding("greater_than_sign", "at_once(1)", "More at once", show=False, key_display=">",
                tooltip="one more scene worked on at once in the running render"),
        Binding("less_than_sign", "at_once(-1)", "Fewer at once", show=False, key_display="<",
                tooltip="one scene fewer at once (nothing in flight is cancelled)"),
        Binding("P", "pause_queue", "Pause/resume", show=False, tooltip="start nothing new until P again"),
        Binding("D", "drain", "Drain", show=False, tooltip="finish what is in flight, start nothing new"),
        Binding("plus", "first", "First", show=False, key_display="+",
                tooltip="the marked scenes, or the selected one, go next in the queue"),
    ]

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller
        self._team_seen = 0  # the team's claims version last drawn

    def compose(self) -> ComposeResult:
        c = self.controller
        yield OverallBar(c.board, c.loaded.script.title or c.script_id, c.mode, id="overall")
        yield Static("", id="size-note")
        with Horizontal(id="body"):
            details = SceneDetails(c, id="details")
            yield SceneTree(c.loaded.script, c.board, on_cursor=details.show, id="tree")
            yield details
        yield LogPanel(id="log")
        yield Footer()

    def on_mount(self) -> None:
        install_frame_timer(self)  # a changed frame drawn within 1/60 s, not on Textual's grid
        self.query_one(LogPanel).display = False
        self.query_one(LogPanel).follow(self.controller.board)
        self.query_one(SceneTree).focus()
        self.query_one(SceneDetails).show(0 if self.controller.board.scenes else None)
        self.set_interval(1.0, self._tick)
        self.set_interval(1.0, self._script_changed)
        self._fit(self.size.width, self.size.height)

    # redraws ------------------------------------------------------------------------------------------
    def on_board_changed(self, message: BoardChanged) -> None:
        if self.query_one(SceneTree).script is not self.controller.loaded.script:  # reloaded meanwhile (keyframes)
            self._script_reloaded()
        self.flush(message.changed)

    def flush(self, changed: set[int]) -> None:
        """Apply a batch of board changes to the widgets."""
        tree = self.query_one(SceneTree)
        tree.refresh_scenes({i for i in changed if i >= 0})
        self.query_one(OverallBar).redraw()
        details = self.query_one(SceneDetails)
        if details.index in changed or (details.index is None and changed):
            details.redraw()
        self.query_one(LogPanel).follow(self.controller.board)

    def _tick(self) -> None:
        """Elapsed clocks move every second even when no event arrives; so do the team's claims (their ages, and
        whatever the claims listener delivered)."""
        active = {s.index for s in self.controller.board.scenes if s.status == ACTIVE}
        if active:
            self.flush(active)
        self._follow_team()

    def _follow_team(self) -> None:
        team = self.controller.team
        if not team.started:
            self.run_worker(team.start(), group="team", exclusive=True)  # once; nothing for a local script
            return
        if not team.following:
            return
        if team.version != self._team_seen:
            self._team_seen = team.version
            tree = self.query_one(SceneTree)
            before, tree.boxes = tree.boxes, team.others()
            tree.refresh_scenes({i for i in before.keys() | tree.boxes.keys() if before.get(i) != tree.boxes.get(i)})
            self.query_one(SceneDetails).redraw(relayout=True)
        elif team.claims:
            self.query_one(SceneDetails).redraw()  # the ages move

    @work(exclusive=True, group="script-watch")
    async def _script_changed(self) -> None:
        """A change to the script file made outside the app is picked up; scenes it affects are marked stale."""
        message = await self.controller.edits.reload_if_changed()
        if message:
            self._script_reloaded()
            self.notify(message, timeout=10)

    def _script_reloaded(self) -> None:
        tree = self.query_one(SceneTree)
        tree.reload(self.controller.loaded.script)
        details = self.query_one(SceneDetails)
        details.index = None  # redraw the selected scene's words and pictures
        details.show(tree.current_index)
        self.query_one(OverallBar).redraw()

    @work(group="actions")
    async def action_set_keyframe(self) -> None:
        from scenetui.tui.screens.keyframe import choose_and_set_keyframe

        index = self.query_one(SceneTree).current_index
        if index is not None and await choose_and_set_keyframe(self, self.controller, index):
            self._script_reloaded()

    @work(group="actions")
    async def action_show_request(self) -> None:
        from scenetui.tui.screens.request import RequestScreen

        index = self.query_one(SceneTree).current_index
        if index is None:
            self.notify("select a scene to see what it would send", severity="warning")
            return
        try:
            text = await self.controller.request_text(index)
        except UserError as exc:
            self.notify(exc.line(), severity="error", timeout=10)
            return
        self.app.push_screen(RequestScreen(index, text))

    @work(group="actions")
    async def action_takes(self) -> None:
        from scenetui.tui.screens.takes import choose_take

        index = self.query_one(SceneTree).current_index
        if index is None:
            self.notify("select a scene to see its takes", severity="warning")
        elif await choose_take(self, self.controller, index):
            self._script_reloaded()

    @work(group="actions")
    async def action_more_takes(self) -> None:
        from scenetui.tui.screens.takes import ask_more_takes

        index = self.query_one(SceneTree).current_index
        if index is None:
            self.notify("select a scene to make more takes of", severity="warning")
        else:
            await ask_more_takes(self, self.controller, index)

    @work(group="actions")
    async def action_approve(self) -> None:
        from scenetui.tui.screens.takes import approve_draft

        index = self.query_one(SceneTree).current_index
        if index is not None:
            await approve_draft(self, self.controller, index)

    @work(group="actions")
    async def action_edit_scene(self) -> None:
        from scenetui.tui.screens.edit_flow import edit_scene

        index = self.query_one(SceneTree).current_index
        if index is None:
            return
        if await edit_scene(self, self.controller, index):
            self._script_reloaded()

    def on_resize(self, event: object) -> None:
        self._fit(self.size.width, self.size.height)

    def _fit(self, width: int, height: int) -> None:
        compact = width < 100 or height < 30
        tiny = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(compact, "compact")
        self.set_class(tiny, "tiny")
        self.query_one(OverallBar).set_compact(width < 120)
        note = self.query_one("#size-note", Static)
        if tiny:
            note.update(f"small terminal ({width}×{height}): details hidden — {MIN_WIDTH}×{MIN_HEIGHT} or more shows everything")
            note.display = True
        else:
            note.display = False
        tree = self.query_one(SceneTree)
        if tree.wide == compact:
            tree.wide = not compact
            tree.refresh_scenes(range(len(self.controller.board.scenes)))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[NodeRef]) -> None:
        ref = event.node.data
        if ref is not None and ref.part == "video":
            self.action_preview()

    # helpers ------------------------------------------------------------------------------------------
    def _targets(self) -> list[int]:
        tree = self.query_one(SceneTree)
        if tree.marked:
            return sorted(tree.marked)
        return [] if tree.current_index is None else [tree.current_index]

    def _clear_marks(self) -> None:
        tree = self.query_one(SceneTree)
        marked, tree.marked = tree.marked, set()
        tree.refresh_scenes(marked)

    @work(exclusive=False, group="actions")
    async def _run(self, what: str, indices: list[int] | None, *, force: bool = False, ask: bool = False,
                   background: bool = False) -> None:
        """Ask when it costs money or replaces a clip, then hand the action to the controller."""
        c = self.controller
        est = c.estimate(indices, force=force)
        if not est.scenes:
            self.notify("nothing to generate: those scenes are done (R regenerates)", severity="warning")
            return
        doubt = c.in_doubt(est.scenes)
        if ask or est.paid or doubt:
            question = f"{what}: {len(est.scenes)} scene(s)?"
            detail = await c.cost_text(est)
            if doubt:  # Luma's current API cannot look these up: paying again is the person's call, said plainly
                detail = (f"Scene(s) {', '.join(map(str, doubt))} may already have been accepted by Luma (the answer "
                          "was lost; check your Luma usage page): going ahead pays for them again. " + detail)
            if not await self.app.push_screen_wait(ConfirmScreen(question, detail, yes=what)):
                self.notify("nothing was started")
                return
        chosen = est.scenes if indices is not None else None
        try:
            if background:
                self.notify(await c.render_in_background(chosen, force=force, resubmit=bool(doubt)), timeout=8)
            else:
                self.notify(await c.generate(chosen, force=force, resubmit=bool(doubt)))
        except UserError as exc:
            self.notify(exc.line(), severity="error", timeout=8)
        self._clear_marks()

    # actions ------------------------------------------------------------------------------------------
    def action_generate_all(self) -> None:
        missing = self.controller.missing_keyframes()
        if missing:
            listing = "; ".join(f"scene {i} lacks {' and '.join(w)}" for i, w in sorted(missing.items())[:5])
            more = f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
            self.notify(f"Cannot create videos from keyframes yet: {listing}{more} — press k to draw storyboard "
                        "keyframes for them (offline, free)", severity="error", timeout=10)
            return
        self._run("Create videos", None)

    @work(group="actions")
    async def action_draw_keyframes(self) -> None:
        from scenetui.tui.screens.keyframe import make_missing_keyframes

        tree = self.query_one(SceneTree)
        targets = sorted(tree.marked) if tree.marked else None
        if await make_missing_keyframes(self, self.controller, targets):
            self._script_reloaded()
            self._clear_marks()

    def action_background(self) -> None:
        missing = self.controller.missing_keyframes()
        targets = self._targets() if self.query_one(SceneTree).marked else None
        if missing and targets is None:
            self.notify(f"scenes {', '.join(map(str, sorted(missing)))} lack keyframes; mark the others (m) first",
                        severity="error", timeout=8)
            return
        self._run("Render in background", targets, ask=True, background=True)

    def action_generate_selected(self) -> None:
        targets = self._targets()
        if not targets:
            return
        if all(self.controller.board.scenes[i].status == DONE for i in targets):
            self.notify("already done — press R to regenerate (asks first)", severity="warning")
            return
        self._run("Generate", targets)

    def action_retry_failed(self) -> None:
        failed = [s.index for s in self.controller.board.scenes if s.status in (FAILED, DOUBT)]
        if not failed:
            self.notify("no failed scenes")
            return
        self._run("Retry", failed)

    def action_regenerate(self) -> None:
        targets = [i for i in self._targets() if self.controller.board.scenes[i].status == DONE]
        if not targets:
            self.notify("regenerate is for finished scenes; r generates the others", severity="warning")
            return
        self._run("Regenerate", targets, force=True, ask=True)

    def action_at_once(self, delta: int) -> None:
        self.notify(self.controller.queue.more(delta))

    def action_pause_queue(self) -> None:
        self.notify(self.controller.queue.pause_or_resume())

    def action_drain(self) -> None:
        self.notify(self.controller.queue.drain())

    def action_first(self) -> None:
        if targets := self._targets():
            self.notify(self.controller.queue.first(targets))
        self._clear_marks()

    async def action_cancel_selected(self) -> None:
        for i in self._targets() or []:
            self.notify(await self.controller.cancel(i))
        self._clear_marks()

    @work(group="actions")
    async def action_cancel_all(self) -> None:
        if not self.controller.running:
            self.notify("nothing is rendering")
            return
        if await self.app.push_screen_wait(ConfirmScreen("Cancel every running scene?",
                                                         "Finished clips are kept; a later render resumes the rest.",
                                                         yes="Cancel all")):
            self.notify(await self.controller.cancel(None))

    def action_mark(self) -> None:
        tree = self.query_one(SceneTree)
        if tree.current_index is not None:
            tree.toggle_mark(tree.current_index)
            tree.action_cursor_down()

    def action_preview(self) -> None:
        index = self.query_one(SceneTree).current_index
        if index is None:
            return
        if self.controller.board.scenes[index].status != DONE:
            self.notify(f"scene {index} has no clip yet", severity="warning")
            return
        self.app.push_screen(PreviewScreen(self.controller, index))

    def action_delete_selected(self) -> None:
        """The preview's delete (it asks first and states what a new clip would cost)."""
        self.action_preview()
        if isinstance(self.app.screen, PreviewScreen):
            self.app.call_after_refresh(self.app.screen.action_delete)

    def action_stats(self) -> None:
        from scenetui.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.controller))

    def action_open_folder(self) -> None:
        """Open the clips folder on a desktop; over SSH, say where it is."""
        self.notify(self.controller.view.open_folder(), timeout=10)

    def action_preview_final(self) -> None:
        preview_film(self, self.controller, "press e")

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.controller))

    def action_toggle_log(self) -> None:
        log = self.query_one(LogPanel)
        log.display = not log.display
