"""Command palette entries: every action of the main screen, found by the words people use, with its key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class PaletteAction:
    """One action: its title, the main screen's action, its key, and other words people search with."""

    title: str
    action: str
    key: str
    words: tuple[str, ...] = ()


ACTIONS = [
    PaletteAction("Create video from keyframes (all scenes)", "generate_all", "g",
                  ("generate all", "render everything", "render all", "create videos", "make videos", "start")),
    PaletteAction("Generate the selected or marked scenes", "generate_selected", "r",
                  ("generate this", "render selected", "render scene", "make this clip")),
    PaletteAction("Render in the background (keeps going after quitting)", "background", "b",
                  ("background render", "detach", "keep going after quit")),
    PaletteAction("Retry failed scenes", "retry_failed", "f", ("retry", "try again", "failed scenes")),
    PaletteAction("Regenerate the selected finished scene", "regenerate", "R",
                  ("redo", "regenerate", "new take", "make again", "reroll")),
    PaletteAction("Cancel the selected scene", "cancel_selected", "c", ("stop scene", "abort")),
    PaletteAction("Cancel every running scene", "cancel_all", "C", ("stop all", "cancel all", "abort everything")),
    PaletteAction("Preview the selected clip", "preview", "p", ("play", "watch clip", "view clip", "open clip")),
    PaletteAction("Delete the selected scene's clip", "delete_selected", "p d",
                  ("delete clip", "remove clip", "discard", "throw away")),
    PaletteAction("Preview the final film", "preview_final", "v", ("play film", "watch film", "play movie")),
    PaletteAction("Export: assemble the final film", "export", "e",
                  ("export film", "assemble", "make film", "final cut", "music", "transitions")),
    PaletteAction("Draw storyboard keyframes for scenes that lack them", "draw_keyframes", "k",
                  ("keyframes", "draw keyframes", "sketch", "storyboard", "missing keyframes")),
    PaletteAction("Open the clips folder", "open_folder", "", ("open folder", "show files", "where are the clips")),
    PaletteAction("Statistics: time, failures and spend", "stats", "S",
                  ("stats", "analytics", "how long", "spend", "cost", "failures")),
    PaletteAction("Toggle the log panel", "toggle_log", "l", ("log", "messages", "history")),
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
