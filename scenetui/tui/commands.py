"""Command palette entries: every action of the main screen, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS = [
    ("Create video from keyframes (all scenes)", "generate_all"),
    ("Generate the selected or marked scenes", "generate_selected"),
    ("Render in the background (keeps going after quitting)", "background"),
    ("Retry failed scenes", "retry_failed"),
    ("Regenerate the selected finished scene", "regenerate"),
    ("Cancel the selected scene", "cancel_selected"),
    ("Cancel every running scene", "cancel_all"),
    ("Preview the selected clip", "preview"),
    ("Preview the final film", "preview_final"),
    ("Export: assemble the final film", "export"),
    ("Toggle the log panel", "toggle_log"),
]


class SceneCommands(Provider):
    """Runs the same actions as the main screen's keys."""

    def _run(self, action: str) -> None:
        from scenetui.tui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                self.app.call_later(screen.run_action, action)
                return

    async def discover(self) -> Hits:
        for title, action in ACTIONS:
            yield DiscoveryHit(title, partial(self._run, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action))
