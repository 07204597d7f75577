"""Ray 3.2 on Luma's current API, against its fake over real HTTP on loopback: nothing hosted, never paid twice."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from scenetui.media.probe import probe
from tests.conftest import AGENTS_KEY, agents_args, agents_env, json_lines, run_cli, write_script
from tests.e2e.test_luma import assert_no_secret
from tests.fakes.luma_agents_server import FakeLumaAgents


def render(script: Path, ws: Path, fake: FakeLumaAgents, *extra: str, env: dict[str, str] | None = None):
    return run_cli("render", str(script), "--workspace", str(ws), "--json", *agents_args(fake, *extra),
                   env={**agents_env(), **(env or {})})


def clip(ws: Path, i: int) -> Path:
    return ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4"


def status(script: Path, ws: Path) -> dict:
    r = run_cli("status", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def journal_requests(ws: Path) -> list[dict]:
    db = sqlite3.connect(ws / ".scenetui" / "journal.db")
    try:
        return [json.loads(r[0]) for r in db.execute("SELECT request FROM attempts WHERE request IS NOT NULL ORDER BY id")]
    finally:
        db.close()


def test_four_scenes_with_local_keyframes_and_nothing_hosted(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 4)
    ws = tmp_path / "ws"
    r = render(script, ws, fake_agents)
    assert r.returncode == 0, r.stderr
    events = json_lines(r.stdout)
    assert events[0]["type"] == "estimate" and events[0]["estimateCents"] == 120 and events[0]["newGenerations"] == 4
    assert events[-1]["spentThisRunCents"] == 120 and len(events[-1]["ledger"]) == 4
    creates = fake_agents.creates()
    assert len(creates) == 4 and fake_agents.duplicate_creates() == 0
    body = next(c.body for c in creates if "a view 0" in c.body["prompt"])
    assert {k: body[k] for k in ("type", "model", "aspect_ratio")} == {"type": "video", "model": "ray-3.2", "aspect_ratio": "16:9"}
    video = body["video"]
    assert video["duration"] == "5s" and video["resolution"] == "720p"
    sent = base64.b64decode(video["start_frame"]["data"])
    assert video["start_frame"]["media_type"] == "image/png"
    assert sent == (tmp_path / "script" / "kf" / "0-a.png").read_bytes()  # the picture itself, inline
    assert base64.b64decode(video["end_frame"]["data"]) == (tmp_path / "script" / "kf" / "0-b.png").read_bytes()
    for i in range(4):
        info = probe(clip(ws, i), decode=True)
        assert info.resolution == "1280x720" and abs(info.duration - 5.0) < 0.1
    assert probe(Path(events[-1]["final"])).duration == pytest.approx(20.0, abs=0.2)
    # every create carried our own request id, journaled before it left
    ids = {c.request_id for c in creates}
    assert None not in ids and ids == {req["request_id"] for req in journal_requests(ws)}
    assert all("data" not in json.dumps(req["video"]).replace("data_", "") for req in journal_requests(ws))
    st = status(script, ws)
    assert all(s["metadata"]["model"] == "ray-3.2" for s in st["scenes"]) and st["spentCents"] == 120
    assert_no_secret(ws, r.stdout, r.stderr, key=AGENTS_KEY)
    again = render(script, ws, fake_agents)
    assert again.returncode == 0 and len(fake_agents.creates()) == 4


def test_a_shared_or_big_keyframe_is_uploaded_once_and_reused_across_runs(tmp_path: Path,
                                                                         fake_agents: FakeLumaAgents) -> None:
    # scene 1 starts where scene 0 ends: the same picture twice, so it is uploaded once and referenced by file id
    script = write_script(tmp_path / "script", 2, scene_overrides={1: {"startKeyframe": "kf/0-b.png"}})
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    noise.save(tmp_path / "script" / "kf" / "1-b.png")  # ~5.9 MB: over the multipart size, sent by presigned PUT
    ws = tmp_path / "ws"
    r = render(script, ws, fake_agents)
    assert r.returncode == 0, r.stderr
    bodies = {c.body["prompt"]: c.body["video"] for c in fake_agents.creates()}
    v0 = next(v for p, v in bodies.items() if "a view 0" in p)
    v1 = next(v for p, v in bodies.items() if "a view 1" in p)
    assert v0["end_frame"] == v1["start_frame"] and set(v1["start_frame"]) == {"file_id"}
    assert set(v1["end_frame"]) == {"file_id"} and "data" in v0["start_frame"]
    assert fake_agents.hits["upload"] == 2 and len(fake_agents.files) == 2
    assert all(f.state == "ready" for f in fake_agents.files.values())
    big = fake_agents.files[v1["end_frame"]["file_id"]]
    assert big.data == (tmp_path / "script" / "kf" / "1-b.png").read_bytes()  # arrived whole by the presigned PUT
    again = render(script, ws, fake_agents, "--force")
    assert again.returncode == 0, again.stderr
    assert fake_agents.hits["upload"] == 2 and len(fake_agents.creates()) == 4  # reused by content hash


def test_a_keyframe_luma_refuses_at_ingest_is_said_before_anything_is_paid(tmp_path: Path,
                                                                          fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 2, scene_overrides={1: {"startKeyframe": "kf/0-b.png"}})
    fake_agents.faults.ingest_fail = 1
    r = render(script, tmp_path / "ws", fake_agents)
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-2 if "hint" in r.stderr.splitlines()[-1] else -1]
    assert "Luma refused keyframe" in r.stderr and "moderation" in r.stderr and "Traceback" not in r.stderr, last
    assert fake_agents.creates() == []


@pytest.mark.parametrize("fault", ["create_5xx_after", "create_drop_after", "create_garbage_after"])
def test_an_ambiguous_create_is_never_sent_again_on_its_own(tmp_path: Path, fake_agents: FakeLumaAgents,
                                                            fault: str) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    setattr(fake_agents.faults, fault, 1)
    r = render(script, ws, fake_agents)
    assert r.returncode != 0
    assert len(fake_agents.creates()) == 2  # one each: the ambiguous one was not re-sent
    doubted = next(c for c in fake_agents.creates() if not clip(ws, 0 if "a view 0" in c.body["prompt"] else 1).exists())
    index = 0 if "a view 0" in doubted.body["prompt"] else 1
    failed = [e for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert [e["scene_index"] for e in failed] == [index] and failed[0]["in_doubt"]
    assert doubted.request_id in failed[0]["error"] and f"--resubmit {index}" in failed[0]["hint"]
    st = status(script, ws)
    assert st["scenes"][index]["status"] == "in doubt" and doubted.request_id in st["scenes"][index]["error"]
    # a plain rerun does not pay for it again, and says why
    again = render(script, ws, fake_agents)
    assert again.returncode != 0 and len(fake_agents.creates()) == 2
    estimate = json_lines(again.stdout)[0]
    assert estimate["newGenerations"] == 0 and estimate["inDoubt"] == [index]
    # the person checked their usage page and says so for that scene: one new create, and both in the ledger
    resent = render(script, ws, fake_agents, "--resubmit", str(index))
    assert resent.returncode == 0, resent.stderr
    assert len(fake_agents.creates()) == 3 and clip(ws, index).is_file()
    ledger = json_lines(resent.stdout)[-1]["ledger"]
    outcomes = sorted(line["outcome"] for line in ledger if line["scene_index"] == index)
    assert outcomes == ["completed", "unconfirmed"]
    assert status(script, ws)["scenes"][index]["status"] == "completed"


def test_busy_and_rate_limited_creates_wait_and_send_nothing_twice(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 2)
    fake_agents.faults.create_503 = 2
    fake_agents.faults.rate_limit = 2
    r = render(script, tmp_path / "ws", fake_agents)
    assert r.returncode == 0, r.stderr
    assert len(fake_agents.creates()) == 2 and fake_agents.duplicate_creates() == 0
    assert fake_agents.hits["create"] == 6
    assert any(e.get("stage") == "waiting" for e in json_lines(r.stdout) if e["type"] == "scene_stage")


def test_a_failed_generation_is_retried_within_the_budget_and_both_are_in_the_ledger(
        tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_agents.faults.fail_codes = ["generation_failed"]
    r = render(script, tmp_path / "ws", fake_agents, "--retries", "1")
    assert r.returncode == 0, r.stderr
    assert len(fake_agents.creates()) == 2
    ledger = json_lines(r.stdout)[-1]["ledger"]
    assert sorted(line["outcome"] for line in ledger) == ["completed", "failed"]
    # with a cap that covers one create only, the retry is not sent
    fake_agents.faults.fail_codes = ["generation_failed"]
    capped = render(script, tmp_path / "ws2", fake_agents, "--retries", "1", "--max-spend", "0.30")
    assert capped.returncode != 0 and len(fake_agents.creates()) == 3
    assert "max-spend" in capped.stdout + capped.stderr


def test_moderation_is_the_scene_s_failure_with_what_to_change(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_agents.faults.fail_codes = ["content_moderated"]
    r = render(script, tmp_path / "ws", fake_agents, "--retries", "2")
    assert r.returncode != 0 and len(fake_agents.creates()) == 1  # not retried: the same request would fail again
    failed = next(e for e in json_lines(r.stdout) if e["type"] == "scene_failed")
    assert "moderation" in failed["error"] and "reword" in failed["hint"]


def test_a_low_balance_stops_new_creates(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 3)
    fake_agents.balance = 40  # one 720p clip
    r = render(script, tmp_path / "ws", fake_agents, "--concurrency", "1")
    assert r.returncode != 0
    assert len(fake_agents.creates()) == 1 and fake_agents.hits["create"] == 2  # after the 402, nothing more is sent
    errors = [e["error"] for e in json_lines(r.stdout) if e["type"] == "scene_failed"]
    assert len(errors) == 2 and all("balance" in e for e in errors)


def test_an_expired_output_address_is_minted_again_by_a_poll(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    fake_agents.faults.expired_output = 1
    r = render(script, tmp_path / "ws", fake_agents)
    assert r.returncode == 0, r.stderr
    assert len(fake_agents.creates()) == 1 and probe(clip(tmp_path / "ws", 0), decode=True).frames > 0


def test_ten_seconds_pins_the_keyframes_at_their_positions(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    r = render(script, tmp_path / "ws", fake_agents, "--duration", "10s", "--resolution", "360p")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["estimateCents"] == 18
    video = fake_agents.creates()[0].body["video"]
    assert video["keyframe_indexes"] == [0, 240] and len(video["keyframes"]) == 2 and "start_frame" not in video
    info = probe(clip(tmp_path / "ws", 0), decode=True)
    assert info.resolution == "640x360" and abs(info.duration - 10.0) < 0.1


def test_continuity_extends_the_previous_generation(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 2)
    r = render(script, tmp_path / "ws", fake_agents, "--continuity")
    assert r.returncode == 0, r.stderr
    first, second = fake_agents.creates()
    assert second.body["video"]["start_frame"] == {"generation_id": first.id}
    # Luma extends 5 s clips only: refused before anything is written, on a fresh workspace too
    ten = render(script, tmp_path / "ws10", fake_agents, "--continuity", "--duration", "10s")
    assert ten.returncode == 2 and "--continuity cannot be used with 10s" in ten.stderr
    assert not (tmp_path / "ws10").exists() and len(fake_agents.creates()) == 2


@pytest.mark.parametrize("extra, words", [
    (["--resolution", "4k"], "ray-3.2 has no resolution 4k"),
    (["--duration", "9s"], "ray-3.2 has no duration 9s"),
    (["--aspect-ratio", "9:21"], "ray-3.2 has no aspect ratio 9:21"),
])
def test_settings_luma_refuses_are_refused_before_anything_is_written(tmp_path: Path, fake_agents: FakeLumaAgents,
                                                                      extra: list[str], words: str) -> None:
    script = write_script(tmp_path / "script", 1)
    r = render(script, tmp_path / "ws", fake_agents, *extra)
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "ws").exists() and fake_agents.hits == {}


def test_a_script_asking_for_a_loop_with_an_end_frame_fails_validate(tmp_path: Path) -> None:
    script = write_script(tmp_path / "script", 1, extra={"video": {"model": "ray-3.2", "loop": True}})
    r = run_cli("validate", str(script))
    assert r.returncode == 2 and "loop cannot be used with an end keyframe" in r.stdout + r.stderr
    ok = write_script(tmp_path / "ok", 1, extra={"video": {"model": "ray-3.2", "resolution": "360p", "duration": "10s"}})
    assert run_cli("validate", str(ok)).returncode == 0


def test_a_keyframe_over_the_size_luma_takes_is_refused_before_spending(tmp_path: Path,
                                                                        fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    noise = Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))
    noise.save(tmp_path / "script" / "kf" / "0-a.png")  # ~12 MB
    r = render(script, tmp_path / "ws", fake_agents)
    assert r.returncode == 2 and "Luma takes at most 10 MB" in r.stderr and "0-a.png" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert fake_agents.creates() == [] and fake_agents.hits.get("upload") is None


def test_a_missing_or_wrong_key_names_the_variable(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = write_script(tmp_path / "script", 1)
    missing = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), *agents_args(fake_agents),
                      env={"LUMA_AGENTS_API_KEY": ""})
    assert missing.returncode == 2 and "LUMA_AGENTS_API_KEY is not set" in missing.stderr
    wrong = render(script, tmp_path / "ws", fake_agents, env={"LUMA_AGENTS_API_KEY": "nope-wrong-key"})
    said = [line for line in wrong.stderr.splitlines() if line.startswith("scenetui: error:")]
    assert wrong.returncode == 2 and len(said) == 1 and "LUMA_AGENTS_API_KEY" in said[0], wrong.stderr
    assert "nope-wrong-key" not in wrong.stdout + wrong.stderr
    assert "Traceback" not in wrong.stderr and fake_agents.creates() == []


def test_doctor_checks_the_current_api_spending_nothing(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    args = ["doctor", "--backend", "luma", "--model", "ray-3.2", "--luma-base-url", fake_agents.base_url, "--json",
            "--workspace", str(tmp_path / "ws")]
    ok = run_cli(*args, env=agents_env())
    check = next(c for c in json.loads(ok.stdout)["checks"] if c["name"] == "luma-3.2")
    assert check["ok"], check
    bad = run_cli(*args, env=agents_env(LUMA_AGENTS_API_KEY="nope-wrong-key"))
    check = next(c for c in json.loads(bad.stdout)["checks"] if c["name"] == "luma-3.2")
    assert bad.returncode == 1 and not check["ok"] and "LUMA_AGENTS_API_KEY" in check["detail"] + check["fix"]
    assert fake_agents.creates() == []
