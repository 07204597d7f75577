"""`?` in the app: see before paying — the exact request the selected scene would send, and its price."""

from __future__ import annotations

from pathlib import Path


from scenetui.build import BuildOptions
from scenetui.tui.screens.request import RequestScreen
from tests.conftest import AGENTS_KEY, write_script
from tests.fakes.luma_agents_server import FakeLumaAgents
from tests.tui.helpers import make_app, screen_text, screen_words, wait_for


async def test_question_mark_shows_the_ray32_body_and_sends_nothing(tmp_path: Path, fake_agents: FakeLumaAgents,
                                                                    agents_keys: None) -> None:
    script = write_script(tmp_path / "s", 2)
    opts = BuildOptions(backend="luma", luma_base_url=fake_agents.base_url, video={"model": "ray-3.2"})
    app = make_app(script, tmp_path / "ws", opts=opts)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestScreen), what="the request")
        text = app.screen.text
        assert text.startswith("create · $0.30") and '"model": "ray-3.2"' in text and "a view 0" in text
        assert "0-a.png" in text and AGENTS_KEY not in text
        assert "what generating it would send" in screen_words(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestScreen), what="closed")
    assert fake_agents.creates() == [] and fake_agents.hits == {}
