"""The Luma backend against the fake server over real HTTP on loopback: never pay twice, never lose a clip."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scenetui.media.probe import probe
from tests.conftest import LUMA_KEY, json_lines, luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def render(script: Path, ws: Path, fake: FakeLuma, *extra: str, env: dict[str, str] | None = None):
    return run_cli("render", str(script), "--workspace", str(ws), "--json", *luma_args(fake, *extra),
                   env={**luma_env(), **(env or {})})


def clips(ws: Path, n: int) -> list[Path]:
    return [ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4" for i in range(n)]


def assert_no_secret(ws: Path, *outputs: str, key: str = LUMA_KEY) -> None:
    for text in outputs:
        assert key not in text
    for f in ws.rglob("*"):
        if f.is_file():
            assert key.encode() not in f.read_bytes(), f"API key found in {f}"


def test_happy_path(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 3)
    ws = tmp_path / "ws"
    r = render(script, ws, fake_luma)
    assert r.returncode == 0, r.stderr
    events = json_lines(r.stdout)
    assert events[0]["type"] == "estimate" and events[0]["estimateCents"] == 300 and events[0]["newGenerations"] == 3
    summary = events[-1]
    assert summary["exitCode"] == 0 and len(summary["ledger"]) == 3 and summary["spentThisRunCents"] == 300
    spends = [e["spent_cents"] for e in events if e["type"] == "spend_changed"]
    assert spends[-1] == 300 and spends == sorted(spends)  # shown live as each create is paid
    for clip in clips(ws, 3):
        info = probe(clip, decode=True)
        assert info.resolution == "1280x720" and abs(info.duration - 5.0) < 0.1
    assert probe(Path(summary["final"])).duration == pytest.approx(15.0, abs=0.2)
    creates = fake_luma.creates()
    assert len(creates) == 3 and fake_luma.duplicate_creates() == 0
    body = next(c.request for c in creates if "a view 0" in c.request["prompt"])  # creates run concurrently
    assert {k: body[k] for k in ("model", "resolution", "duration", "aspect_ratio")} == {
        "model": "ray-2", "resolution": "720p", "duration": "5s", "aspect_ratio": "16:9"}
    assert body["keyframes"]["frame0"] == {"type": "image", "url": fake_luma.static_url("kf/0-a.png")}
    assert body["keyframes"]["frame1"] == {"type": "image", "url": fake_luma.static_url("kf/0-b.png")}
    assert body["concepts"] == [{"key": "push_in"}] and "a view 0" in body["prompt"] and "flat colours" in body["prompt"]
    assert fake_luma.balance == 100_000 - 3 * fake_luma.price
    assert_no_secret(ws, r.stdout, r.stderr)
    # a rerun spends nothing
    again = render(script, ws, fake_luma)
    assert again.returncode == 0 and len(fake_luma.creates()) == 3
    status = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)
    assert [s["remoteId"] for s in status["scenes"]] == [c.id for c in sorted(creates, key=lambda c: c.request["prompt"])]
    assert status["spentCents"] == 300


@pytest.mark.parametrize("fault", ["create_5xx_before", "create_5xx_after", "create_drop_before", "create_drop_after"])
def test_ambiguous_create_faults_never_duplicate(tmp_path: Path, fake_luma: FakeLuma, fault: str) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    setattr(fake_luma.faults, fault, 2)
    r = render(script, ws, fake_luma)
    assert r.returncode == 0, r.stderr
    assert fake_luma.duplicate_creates() == 0
    assert len(fake_luma.creates()) == 2
    if fault.endswith("after"):
        assert any(e["type"] == "scene_stage" and e["stage"] == "reconciled" for e in json_lines(r.stdout))
    for clip in clips(ws, 2):
        assert probe(clip).frames > 0


def test_create_timeout_is_reconciled(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.create_stall_after = 1
    fake_luma.faults.stall_seconds = 3
    r = render(script, tmp_path / "ws", fake_luma, env={"SCENETUI_LUMA_TIMEOUT": "1"})
    assert r.returncode == 0, r.stderr
    assert len(fake_luma.creates()) == 1 and fake_luma.duplicate_creates() == 0


def test_list_failing_during_reconcile(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.create_5xx_after = 1
    fake_luma.faults.list_500 = 2  # the client retries the listing itself
    r = render(script, tmp_path / "ws", fake_luma)
    assert r.returncode == 0, r.stderr
    assert len(fake_luma.creates()) == 1


def test_list_down_means_stop_not_pay(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    fake_luma.faults.create_5xx_after = 1
    fake_luma.faults.list_500 = 10_000
    r = render(script, ws, fake_luma)
    assert r.returncode == 1
    failed = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert "could not confirm" in failed[0]["error"]
    assert len(fake_luma.creates()) == 1
    fake_luma.faults.list_500 = 0
    again = render(script, ws, fake_luma)  # the next run reconciles and adopts the stored generation
    assert again.returncode == 0, again.stderr
    assert len(fake_luma.creates()) == 1 and clips(ws, 1)[0].is_file()


@pytest.mark.parametrize("retry_after", [None, 0.5])
def test_429_bursts_are_waited_out(tmp_path: Path, fake_luma: FakeLuma, retry_after: float | None) -> None:
    script = write_script(tmp_path / "script", 2)
    fake_luma.faults.rate_limit_burst = 3
    fake_luma.faults.retry_after = retry_after
    r = render(script, tmp_path / "ws", fake_luma)
    assert r.returncode == 0, r.stderr
    assert len(fake_luma.creates()) == 2 and fake_luma.duplicate_creates() == 0


def test_in_flight_limit_429(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", 4)
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, max_in_flight=2,
                  dreaming_s=1.0) as fake:
        fake.faults.retry_after = 0.3
        r = render(script, tmp_path / "ws", fake, "--concurrency", "4")
        assert r.returncode == 0, r.stderr
        assert len(fake.creates()) == 4 and fake.duplicate_creates() == 0


@pytest.mark.parametrize(("reason", "words"), [
    ("Failed to read user input frames", "could not download the keyframe"),
    ("Frame moderation failed", "moderation rejected a keyframe"),
    ("Advanced prompt moderation failed", "moderation rejected the prompt"),
    ("Contains blacklisted words", "words Luma does not allow"),
])
def test_permanent_failures_are_explained_not_retried(tmp_path: Path, fake_luma: FakeLuma, reason: str, words: str) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    fake_luma.faults.fail_reasons = [reason]
    r = render(script, ws, fake_luma)
    assert r.returncode == 1
    (failed,) = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert words in failed["error"] and failed["hint"]
    assert len(fake_luma.creates()) == 1 and fake_luma.creates()[0].refunded
    summary = json_lines(r.stdout)[-1]
    assert summary["ledger"][0]["refunded"] is True and summary["spentThisRunCents"] == 0


@pytest.mark.parametrize("reason", ["Job failed", "Error dispatching job"])
def test_transient_failures_are_retried_once(tmp_path: Path, fake_luma: FakeLuma, reason: str) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.fail_reasons = [reason]
    r = render(script, tmp_path / "ws", fake_luma)
    assert r.returncode == 0, r.stderr
    creates = fake_luma.creates()
    assert len(creates) == 2 and creates[0].refunded and not creates[1].refunded
    assert fake_luma.duplicate_creates() == 0


def test_truncated_download_resumes_with_range(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    fake_luma.faults.truncate_asset = 2
    r = render(script, ws, fake_luma)
    assert r.returncode == 0, r.stderr
    assert fake_luma.hits["asset"] == 3
    assert probe(clips(ws, 1)[0], decode=True).frames == 120


def test_status_polls_survive_5xx(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_luma.faults.get_5xx = 3
    r = render(script, tmp_path / "ws", fake_luma)
    assert r.returncode == 0, r.stderr


def test_wrong_key_is_one_line(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), *luma_args(fake_luma),
                env={"LUMAAI_API_KEY": "wrong-key-123456"})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("scenetui: error: Luma refused the API key")
    assert "LUMAAI_API_KEY" in r.stderr and "wrong-key-123456" not in r.stderr and not fake_luma.creates()


def test_missing_key_writes_nothing(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), *luma_args(fake_luma), env={"LUMAAI_API_KEY": ""})
    assert r.returncode == 2 and "LUMAAI_API_KEY is not set" in r.stderr
    assert not ws.exists() and not fake_luma.hits


def test_keyframe_404_is_refused_before_any_create(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 2)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--backend", "luma", "--luma-base-url",
                fake_luma.base_url, "--keyframe-base-url", fake_luma.url + "/nowhere/", "--yes", env=luma_env())
    assert r.returncode == 2 and "keyframe not reachable by Luma" in r.stderr and "404" in r.stderr
    assert not fake_luma.creates() and "create" not in fake_luma.hits


def test_local_keyframes_without_host_explain_what_to_configure(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--backend", "luma", "--luma-base-url",
                fake_luma.base_url, "--yes", env=luma_env())
    assert r.returncode == 2 and "--keyframe-base-url" in r.stderr and not fake_luma.creates()


def test_balance_below_estimate_refused(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", 3)
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, balance_cents=150) as fake:
        r = render(script, tmp_path / "ws", fake)
        assert r.returncode == 2 and "below the estimate" in r.stderr and not fake.creates()


def test_max_spend_is_a_hard_cap(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 3)
    r = render(script, tmp_path / "ws", fake_luma, "--max-spend", "2.50", "--concurrency", "3")
    assert r.returncode == 1
    assert len(fake_luma.creates()) == 2
    failed = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert len(failed) == 1 and "--max-spend" in failed[0]["error"]


def test_no_yes_without_a_terminal_refuses(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    args = [a for a in luma_args(fake_luma) if a != "--yes"]
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), *args, env=luma_env())
    assert r.returncode == 2 and "pass --yes" in r.stderr and not fake_luma.creates()


def test_unsupported_settings_rejected_before_any_request(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1, extra={"video": {"resolution": "8k"}})
    r = render(script, tmp_path / "ws", fake_luma)
    assert r.returncode == 2 and "video.resolution" in r.stderr and not fake_luma.hits
    r2 = render(write_script(tmp_path / "s2", 1), tmp_path / "ws2", fake_luma, "--duration", "7s")
    assert r2.returncode == 2 and not fake_luma.hits


def test_flash_9s_1080p_selectable(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    r = render(script, ws, fake_luma, "--model", "ray-flash-2", "--duration", "9s", "--resolution", "540p")
    assert r.returncode == 0, r.stderr
    body = fake_luma.creates()[0].request
    assert (body["model"], body["duration"], body["resolution"]) == ("ray-flash-2", "9s", "540p")
    info = probe(clips(ws, 1)[0])
    assert info.resolution == "960x540" and info.duration == pytest.approx(9.0, abs=0.1)
    assert json_lines(r.stdout)[0]["priceCents"] == 31


def test_journal_holds_ids_and_no_secrets(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    assert render(script, ws, fake_luma).returncode == 0
    db = sqlite3.connect(ws / ".scenetui" / "journal.db")
    rows = db.execute("SELECT scene_index, state, remote_id, cost_cents FROM attempts ORDER BY scene_index").fetchall()
    assert [(r[0], r[1], r[3]) for r in rows] == [(0, "completed", 100), (1, "completed", 100)]
    assert {r[2] for r in rows} == {c.id for c in fake_luma.creates()}
    dump = "\n".join(db.iterdump())
    assert LUMA_KEY not in dump and "Bearer" not in dump
