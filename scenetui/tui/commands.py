"""Command palette entries: every action of the main screen, found by the words people use, with its key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class PaletteAction:
    """One action: its title, the main screen's action, the other words people search with, and how to reach it
    by keys when no single binding does (`via`); otherwise the key is the main screen's binding for it."""

    title: str
    action: str
    words: tuple[str, ...] = ()
    via: str = ""

    @property
    def key(self) -> str:
        from textual.binding import Binding

        from scenetui.tui.screens.main import MainScreen

        bound = [b.key_display or b.key for b in MainScreen.BINDINGS if isinstance(b, Binding) and b.action == self.action]
        return bound[0] if bound else self.via


ACTIONS = [
    PaletteAction("Create video from keyframes (all scenes)", "generate_all",
                  ("generate all", "render everything", "render all", "create videos", "make videos", "start")),
    PaletteAction("Generate the selected or marked scenes", "generate_selected",
                  ("generate this", "render selected", "render scene", "make this clip")),
    PaletteAction("Render in the background (keeps going after quitting)", "background",
                  ("background render", "detach", "keep going after quit")),
    PaletteAction("Retry failed scenes", "retry_failed", ("retry", "try again", "failed scenes")),
    PaletteAction("Regenerate the selected finished scene", "regenerate",
                  ("redo", "regenerate", "new take", "make again", "reroll")),
    PaletteAction("Cancel the selected scene", "cancel_selected", ("stop scene", "abort")),
    PaletteAction("Cancel every running scene", "cancel_all", ("stop all", "cancel all", "abort everything")),
    PaletteAction("Edit the selected scene's words in $EDITOR", "edit_scene",
                  ("edit scene", "reword", "change prompt", "fix prompt", "rewrite description")),
    PaletteAction("Set or replace a keyframe of the selected scene", "set_keyframe",
                  ("replace keyframe", "set keyframe", "change picture", "use last frame", "continuity")),
    PaletteAction("Preview the selected clip", "preview", ("play", "watch clip", "view clip", "open clip")),
    PaletteAction("See the request the selected scene would send, and its price", "show_request",
                  ("dry run", "see before paying", "request", "prompt", "what will be sent", "price")),
    PaletteAction("Takes: every clip the selected scene got — choose its clip", "takes",
                  ("takes", "choose take", "older clip", "previous version", "undo regenerate")),
    PaletteAction("More takes of the selected scene, to choose from", "more_takes",
                  ("variants", "more takes", "several versions", "alternatives", "options")),
    PaletteAction("Approve the selected scene's draft for the final pass", "approve",
                  ("approve", "draft", "accept draft", "final pass", "master")),
    PaletteAction("Delete the selected scene's clip", "delete_selected",
                  ("delete clip", "remove clip", "discard", "throw away"), via="p d"),
    PaletteAction("Preview the final film", "preview_final", ("play film", "watch film", "play movie")),
    PaletteAction("Export: assemble the final film", "export",
                  ("export film", "assemble", "make film", "final cut", "music", "transitions")),
    PaletteAction("Draw storyboard keyframes for scenes that lack them", "draw_keyframes",
                  ("keyframes", "draw keyframes", "sketch", "storyboard", "missing keyframes")),
    PaletteAction("Open the clips folder", "open_folder", ("open folder", "show files", "where are the clips")),
    PaletteAction("Statistics: time, failures and spend", "stats",
                  ("stats", "analytics", "how long", "spend", "cost", "failures")),
    PaletteAction("Toggle the log panel", "toggle_log", ("log", "messages", "history")),
    PaletteAction("One scene more at once in the running render", "at_once(1)",
                  ("more at once", "faster", "concurrency up", "parallel")),
    PaletteAction("One scene fewer at once (nothing in flight is cancelled)", "at_once(-1)",
                  ("fewer at once", "less at once", "slower", "concurrency down")),
    PaletteAction("Pause or resume the queue: start nothing new", "pause_queue", ("pause", "resume", "hold")),
    PaletteAction("Drain: finish what is in flight, start nothing new", "drain",
                  ("drain", "wind down", "finish and stop", "stop after these")),
    PaletteAction("The marked or selected scenes go next in the queue", "first",
                  ("first", "priority", "front of the queue", "jump the queue", "do this next")),
]


def best_score(matcher, action: PaletteAction) -> tuple[float, str]:  # noqa: ANN001 (Textual's Matcher)
    """The better match of the title and each of the other words; the text that matched."""
    best, text = matcher.match(action.title), action.title
    for words in action.words:
        score = matcher.match(words)
        if score > best:
            best, text = score, words
    return best, text


class SceneCommands(Provider):
    """Runs the same actions as the main screen's keys."""

    def _run(self, action: str) -> None:
        from scenetui.tui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                self.app.call_later(screen.run_action, action)
                return

    @staticmethod
    def _help(action: PaletteAction) -> str:
        return f"key: {action.key}" if action.key else ""

    async def discover(self) -> Hits:
        for a in ACTIONS:
            yield DiscoveryHit(a.title, partial(self._run, a.action), help=self._help(a))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a in ACTIONS:
            score, text = best_score(matcher, a)
            if score > 0:
                shown = matcher.highlight(a.title) if text == a.title else f"{a.title}  ({text})"
                yield Hit(score, shown, partial(self._run, a.action), text=a.title, help=self._help(a))
