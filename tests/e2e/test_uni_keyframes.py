"""`scenetui keyframes --backend luma` with uni-1 on Luma's current API, against its fake over loopback: the
characters' reference pictures and the start picture sent inline or uploaded (nothing hosted), each picture paid
once, a lost answer left in doubt until --resubmit, bad input refused before anything is spent."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import os
from pathlib import Path

from tests.conftest import AGENTS_KEY, agents_env, json_lines, run_cli
from tests.e2e.test_luma import assert_no_secret
from tests.e2e.test_photon import story as photon_story
from tests.fakes.luma_agents_server import FakeLumaAgents


def story(folder: Path, refs: int = 2, *, ratio: str = "16:9", model: str = "ray-3.2") -> Path:
    return photon_story(folder, refs, video={"model": model, "aspectRatio": ratio}, script_id="uni")


def keyframes(script: Path, fake: FakeLumaAgents, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scenetui", "keyframes", str(script), "--backend", "luma", "--json",
                           "--luma-base-url", fake.base_url, "--workspace", str(script.parent / "ws"), *extra],
                          capture_output=True, text=True, env={**os.environ, **agents_env()}, timeout=180)


def journal(script: Path) -> list[tuple[str, str | None, dict]]:
    db = sqlite3.connect(script.parent / "ws" / ".scenetui" / "journal.db")
    try:
        return [(r[0], r[1], json.loads(r[2])) for r in
                db.execute("SELECT state, remote_id, request FROM attempts WHERE backend='luma-uni' ORDER BY id")]
    finally:
        db.close()


def test_uni1_pictures_with_references_and_nothing_hosted(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = story(tmp_path / "script")
    refused = keyframes(script, fake_agents)
    assert refused.returncode == 2 and "--yes" in refused.stderr and fake_agents.creates() == []
    r = keyframes(script, fake_agents, "--yes")
    assert r.returncode == 0, r.stderr
    estimate = json_lines(r.stdout)[0]
    assert estimate["type"] == "estimate" and estimate["pictures"] == 4 and estimate["estimateCents"] == 16
    creates = fake_agents.creates()
    assert len(creates) == 4 and {(c.body["type"], c.body["model"]) for c in creates} == {("image", "uni-1")}
    assert fake_agents.duplicate_creates() == 0
    mara = [c.body for c in creates if "Mara" in c.body["prompt"]]
    # Mara's two pictures serve two requests: uploaded once each, referenced by file id
    assert len(mara) == 2 and all([set(ref) for ref in b["image_ref"][:2]] == [{"file_id"}] * 2 for b in mara)
    assert len({ref["file_id"] for b in mara for ref in b["image_ref"][:2]}) == 2 and fake_agents.hits["upload"] == 2
    ends = [c.body for c in creates if "closing frame" in c.body["prompt"]]
    assert len(ends) == 2 and all(b["image_ref"][-1]["media_type"] == "image/png" for b in ends)  # the start, inline
    assert all(c.request_id for c in creates)
    assert {c.request_id for c in creates} == {req["request_id"] for _, _, req in journal(script)}
    assert all("data" not in json.dumps(req).replace("data_", "") for _, _, req in journal(script))
    assert_no_secret(script.parent / "ws", r.stdout, r.stderr, key=AGENTS_KEY)
    again = keyframes(script, fake_agents, "--yes")
    assert again.returncode == 0 and len(fake_agents.creates()) == 4  # a re-run creates nothing
    data = json.loads(script.read_text())
    assert data["scenes"][0]["appField"] == "kept"
    assert all(s["startKeyframe"].startswith("keyframes/") and s["endKeyframe"] for s in data["scenes"])
    assert run_cli("validate", str(script)).returncode == 0
    stats = json.loads(run_cli("stats", str(script), "--workspace", str(script.parent / "ws"), "--json").stdout)
    assert stats["spendCents"]["byModel"] == {"uni-1": 16}


def test_a_lost_answer_is_in_doubt_until_resubmit(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = story(tmp_path / "script", refs=1)
    fake_agents.faults.create_drop_after = 1
    r = keyframes(script, fake_agents, "--yes", "--scenes", "1")
    assert r.returncode == 2 and "may have been accepted" in r.stderr and "Traceback" not in r.stderr
    first = fake_agents.creates()[0]
    # the end keyframe waits for its start (it references it): nothing more was sent for the scene
    assert first.request_id in r.stderr and len(fake_agents.creates()) == 1
    states = [s for s, _, _ in journal(script)]
    assert "intent" in states
    again = keyframes(script, fake_agents, "--yes", "--scenes", "1")
    assert again.returncode == 2 and first.request_id in again.stderr and len(fake_agents.creates()) == 1
    assert json_lines(again.stdout)[0]["inDoubt"] == [1]
    paid = keyframes(script, fake_agents, "--yes", "--scenes", "1", "--resubmit")
    assert paid.returncode == 0, paid.stderr
    assert len(fake_agents.creates()) == 3
    assert [s for s, _, _ in journal(script)].count("unconfirmed") == 1  # kept in the ledger, as may-have-been-paid
    assert json.loads(script.read_text())["scenes"][1]["startKeyframe"].startswith("keyframes/001-start-")


def test_failures_are_retried_once_and_expired_addresses_refreshed(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script = story(tmp_path / "script", refs=1)
    f = fake_agents.faults
    f.fail_codes = ["generation_failed"]
    f.expired_output = 1
    f.rate_limit, f.retry_after = 2, 0.1
    r = keyframes(script, fake_agents, "--yes")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "trying once more" in r.stderr and len(fake_agents.creates()) == 5 and f.expired_output == 0
    states = [s for s, _, _ in journal(script)]
    assert states.count("completed") == 4 and states.count("failed") >= 1
    stats = json.loads(run_cli("stats", str(script), "--workspace", str(script.parent / "ws"), "--json").stdout)
    assert stats["spendCents"]["total"] == 20  # the failed picture is kept in the ledger: no refund is assumed


def test_moderated_picture_is_the_scenes_failure_with_what_to_change(tmp_path: Path,
                                                                     fake_agents: FakeLumaAgents) -> None:
    script = story(tmp_path / "script", refs=0)
    fake_agents.faults.fail_codes = ["content_moderated"]
    r = keyframes(script, fake_agents, "--yes", "--scenes", "1", "--model", "uni-1")
    assert r.returncode == 2 and "moderation" in r.stderr and "Traceback" not in r.stderr


def test_bad_input_is_refused_before_anything_is_spent(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    cases = [(story(tmp_path / "many", refs=10), [], "at most 9"),
             (story(tmp_path / "ratio", refs=0, ratio="9:21", model="ray-2"), ["--model", "uni-1"], "9:21"),
             (story(tmp_path / "max", refs=0), ["--model", "uni-1-max"], "--price-table")]
    for script, extra, said in cases:
        before = script.read_bytes()
        r = keyframes(script, fake_agents, "--yes", *extra)
        assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) <= 2, r.stderr
        assert script.read_bytes() == before
    # a reference picture Luma's ingest refuses: said before any picture is paid
    script = story(tmp_path / "ingest", refs=1)
    fake_agents.faults.ingest_fail = 1
    r = keyframes(script, fake_agents, "--yes")
    assert r.returncode == 2 and "refused" in r.stderr and "moderation" in r.stderr, r.stderr
    assert fake_agents.creates() == []
    wrong = subprocess.run([sys.executable, "-m", "scenetui", "keyframes", str(script), "--backend", "luma", "--yes",
                            "--luma-base-url", fake_agents.base_url, "--workspace", str(tmp_path / "ws2")],
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, **agents_env(LUMA_AGENTS_API_KEY="wrong-key-zzzzzzzzzzzz")})
    assert wrong.returncode == 2 and "LUMA_AGENTS_API_KEY" in wrong.stderr and "wrong-key" not in wrong.stderr
    assert fake_agents.creates() == []



def test_a_kill_mid_run_never_pays_twice(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    """Killed after Luma's id was journaled: the rerun polls it. Killed between the answer and the journal: the
    picture is in doubt (this API cannot look it up) and is paid again only when asked."""
    def run(script: Path, scenes: str, *extra: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **agents_env(), **({"SCENETUI_CRASH_AT": crash} if crash else {})}
        return subprocess.run([sys.executable, "-m", "scenetui", "keyframes", str(script), "--backend", "luma", "--yes",
                               "--luma-base-url", fake_agents.base_url, "--workspace", str(script.parent / "ws"),
                               "--scenes", scenes, *extra], capture_output=True, text=True, timeout=120, env=env)

    def sent(words: str) -> int:
        return sum(1 for c in fake_agents.creates() if words in c.body["prompt"])

    script = story(tmp_path / "script", refs=1)
    killed = run(script, "0", crash="luma create: answered, id not yet written#2")
    assert killed.returncode == -9, killed.stderr
    assert len(fake_agents.creates()) == 2 and [s for s, _, _ in journal(script)] == ["completed", "intent"]
    doubt = run(script, "0")
    assert doubt.returncode == 2 and "may have been accepted" in doubt.stderr and len(fake_agents.creates()) == 2
    assert run(script, "0", "--resubmit").returncode == 0 and len(fake_agents.creates()) == 3
    assert [s for s, _, _ in journal(script)] == ["completed", "unconfirmed", "completed"]
    other = story(tmp_path / "other", refs=0)
    for target in ("journal#4", "journal#5"):  # just after an id is journaled (the start, then the end)
        killed = run(other, "1", crash=target)
        assert killed.returncode == -9, (target, killed.stderr)
    done = run(other, "1")
    assert done.returncode == 0, done.stderr
    assert sent("the empty sea") == 2  # its start and its end, each paid once across two kills
    assert all(json.loads(other.read_text())["scenes"][1].get(k) for k in ("startKeyframe", "endKeyframe"))
