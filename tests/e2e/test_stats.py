"""`scenetui stats` over a real journal: a Luma render on the fake with a refused prompt and a retried failure."""

from __future__ import annotations

import json
from pathlib import Path

from scenetui.engine.costs import ledger, total_spent
from scenetui.engine.journal import Journal
from tests.conftest import luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def test_stats_from_a_luma_render(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 4)
    ws = tmp_path / "ws"
    fake_luma.faults.fail_reasons = ["Advanced prompt moderation failed", "Job failed"]
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", "--retries", "1", *luma_args(fake_luma),
                env=luma_env())
    assert r.returncode in (0, 1), r.stderr
    journal_file = ws / ".scenetui" / "journal.db"
    before = journal_file.read_bytes()
    s = run_cli("stats", str(ws), "--json")
    assert s.returncode == 0, s.stderr
    data = json.loads(s.stdout)
    assert journal_file.read_bytes() == before  # read-only: looking never changes the journal
    journal = Journal(journal_file)
    try:
        attempts = journal.attempts("test")
        spent = total_spent(ledger(attempts))
    finally:
        journal.close()
    assert data["scripts"] == ["test"] and data["runs"] == 1 and data["attempts"] == len(attempts) == 5
    assert data["retries"] == 1  # the failed job is tried again; the moderation refusal is not
    assert sum(data["failures"].values()) == 2
    assert any("moderation" in k for k in data["failures"])
    assert data["spendCents"]["total"] == spent == sum(data["spendCents"]["byModel"].values())
    assert list(data["spendCents"]["byModel"]) == ["ray-2 720p 5s"]
    gen = data["timings"]["generating"]
    assert gen["count"] >= 3 and 0.9 <= gen["median"] <= 10  # the fake queues 0.2 s, dreams 0.8 s
    assert data["timings"]["downloading"]["count"] >= 3 and data["timings"]["total"]["count"] == 4
    human = run_cli("stats", str(script), "--workspace", str(ws))
    assert human.returncode == 0 and "generation time (s)" in human.stdout and "┤" in human.stdout
    assert "Failures by reason:" in human.stdout and "\x1b[" not in human.stdout
    assert "ray-2 720p 5s" in human.stdout
    bare = run_cli("stats", str(ws), "--no-plots")
    assert bare.returncode == 0 and "┤" not in bare.stdout and "median" in bare.stdout


def test_stats_without_a_journal_says_so(tmp_path: Path) -> None:
    r = run_cli("stats", str(tmp_path))
    assert r.returncode == 2 and "no journal" in r.stderr and len(r.stderr.strip().splitlines()) == 1
