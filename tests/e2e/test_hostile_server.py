"""A server that answers badly — garbage, a new shape, an endless body, a state nobody named, an asset address aimed
at this box's network, a redirect there, a clip without end, escape sequences in its words — gets nowhere: the scene
completes once the server behaves, or fails with its reason explained; never a traceback, never paid twice."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from scenetui.backends.luma.download import asset_url_problem
from tests.conftest import json_lines, luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def render(script: Path, ws: Path, fake: FakeLuma, *, json: bool = True, **env: str):
    return run_cli("render", str(script), "--workspace", str(ws), "--no-assemble", *(["--json"] if json else []),
                   *luma_args(fake), env=luma_env(**env))


def clean(r) -> None:
    text = r.stdout + r.stderr
    assert "Traceback" not in text and "\x1b" not in text, text[-2000:]


@pytest.mark.parametrize("fault", ["get_garbage", "get_wrong_shape", "get_huge", "unknown_state", "create_garbage_after"])
def test_garbled_answers_are_waited_out_and_never_paid_twice(tmp_path: Path, fake_luma: FakeLuma, fault: str) -> None:
    script = write_script(tmp_path / "script", 1)
    setattr(fake_luma.faults, fault, 1 if fault in ("create_garbage_after", "unknown_state") else 2)
    r = render(script, tmp_path / "ws", fake_luma, json=False)
    clean(r)
    assert r.returncode == 0, r.stderr[-2000:]
    assert getattr(fake_luma.faults, fault) == 0, "the fault was never met"
    assert len(fake_luma.creates()) == 1 and fake_luma.duplicate_creates() == 0
    assert (tmp_path / "ws" / "videos" / "scripts" / "test" / "scenes" / "0.mp4").stat().st_size > 10_000


@pytest.mark.parametrize(("asset", "words"), [  # end to end, one of each kind; the rule itself is tested below
    ("file:///etc/passwd", "not https"),
    ("https://169.254.169.254/latest/meta-data/", "private or local"),
    ("https://localhost:9/x.mp4", "this machine"),
])
def test_asset_addresses_aimed_at_this_network_are_refused(tmp_path: Path, fake_luma: FakeLuma, asset: str,
                                                           words: str) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.asset_url = asset
    r = render(script, tmp_path / "ws", fake_luma)
    clean(r)
    assert r.returncode == 1
    (failed,) = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert "refused to fetch the asset" in failed["error"] and words in failed["error"], failed
    assert "not paid again" in failed["hint"]


def test_a_redirect_off_the_api_is_refused_and_the_rerun_downloads_without_paying(tmp_path: Path,
                                                                                  fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    fake_luma.faults.asset_redirect = "http://127.0.0.2:9/steal"
    r = render(script, ws, fake_luma)
    clean(r)
    (failed,) = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert r.returncode == 1 and "refused to fetch the asset" in failed["error"]
    fake_luma.faults.asset_redirect = None
    again = render(script, ws, fake_luma)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(fake_luma.creates()) == 1 and fake_luma.duplicate_creates() == 0


def test_an_endless_clip_stops_at_the_limit(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    fake_luma.faults.asset_endless = 2  # the first address and the fresh one asked for after it
    r = render(script, ws, fake_luma, SCENETUI_LUMA_MAX_ASSET_MB="20")
    clean(r)
    (failed,) = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert r.returncode == 1 and "past the 20 MB limit" in failed["error"], failed
    assert not any(p.stat().st_size > 21 * 2**20 for p in ws.rglob("*") if p.is_file())
    again = render(script, ws, fake_luma)
    assert again.returncode == 0 and len(fake_luma.creates()) == 1


def test_escape_sequences_in_a_failure_reason_reach_the_terminal_as_text(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.fail_reasons = ["Advanced prompt moderation failed \x1b]0;pwned\x07\x1b[2J"] * 3
    r = render(script, tmp_path / "ws", fake_luma, json=False)
    clean(r)
    assert r.returncode == 1 and "moderation" in r.stdout + r.stderr


def test_the_asset_rule() -> None:
    api = "https://api.lumalabs.ai/dream-machine/v1"
    assert asset_url_problem("https://storage.cdn-luma.com/a/b.mp4", api) is None
    assert asset_url_problem("https://8.8.8.8/x.mp4", api) is None
    assert asset_url_problem("http://127.0.0.1:8000/assets/x.mp4", "http://127.0.0.1:8000/dream-machine/v1") is None
    assert asset_url_problem("http://127.0.0.1:8001/assets/x.mp4", "http://127.0.0.1:8000/dream-machine/v1")
    assert asset_url_problem(httpx.URL("https://192.168.1.1/x"), api)
    assert asset_url_problem("https://[fe80::1]/x", api) and asset_url_problem("https://100.64.0.1/x", api)
    assert asset_url_problem("https://sub.localhost/x", api) and asset_url_problem("nonsense", api)
    for url, words in (("http://127.0.0.2:9/x.mp4", "not https"), ("https://127.0.0.1:9/x.mp4", "private or local"),
                       ("https://[::1]:9/x.mp4", "private or local"), ("https://10.1.2.3/clip.mp4", "private or local"),
                       ("ftp://example.com/x.mp4", "not https")):
        assert words in (asset_url_problem(url, api) or ""), url
