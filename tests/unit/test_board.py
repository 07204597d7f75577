"""The board folds engine events into what the screens show; only changed rows are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.domain.board import ASSEMBLY, Board
from scenetui.domain.events import (
    AssemblyFinished, AssemblyStarted, RenderFinished, RenderStarted, SceneCancelled, SceneCompleted, SceneFailed,
    QueueChanged, SceneKept, SceneProgress, SceneReset, SceneStage, SpendChanged,
)
from scenetui.errors import UserError
from scenetui.tui.format import overall, scene_detail


def test_a_render_told_as_events() -> None:
    b = Board.empty(3)
    assert b.apply(RenderStarted("s", "luma", [0, 1, 2], [], "ws", ts=100.0)) == {0, 1, 2}
    assert b.apply(SceneStage(0, "dreaming", "Luma is generating", "gen-a", ts=101.0)) == {0}
    assert b.scenes[0].status == "active" and b.scenes[0].started == 101.0 and b.scenes[0].remote_id == "gen-a"
    assert b.apply(SceneProgress(0, 0.5)) == {0}
    assert b.fraction == pytest.approx(0.5 / 3)
    assert b.apply(SpendChanged(160, 1000)) == set() and b.spent_cents == 160
    b.apply(SceneCompleted(0, "c0.mp4", 5.0, "1280x720", 1000, 40.0, "gen-a", 160, ts=141.0))
    b.apply(SceneFailed(1, "moderation refused it", "reword it", ts=150.0))
    b.apply(SceneCancelled(2, ts=151.0))
    assert [s.status for s in b.scenes] == ["done", "failed", "cancelled"]
    assert b.scenes[1].hint == "reword it" and b.expected_seconds == 40.0
    assert b.apply(AssemblyStarted(3, "concat")) == {ASSEMBLY}
    b.apply(AssemblyFinished("final.mp4", 15.0, "concat", 0.1))
    assert b.final == "final.mp4" and b.assembly == "done"
    b.apply(SceneKept(0, "/tmp/x.mp4"))
    assert b.scenes[0].kept
    b.apply(SceneReset(0, "clip deleted"))
    assert b.scenes[0].status == "pending" and b.scenes[0].clip is None
    assert b.log_count == len(b.log) and "Scene 1 failed: moderation refused it" in b.log


def test_a_stopped_render_leaves_nothing_spinning() -> None:
    b = Board.empty(2)
    b.apply(RenderStarted("s", "animatic", [0, 1], [], "ws"))
    b.apply(SceneStage(0, "rendering"))
    b.apply(RenderFinished("s", [], [], [], [0, 1], None, 1.0, 130))
    assert [s.status for s in b.scenes] == ["cancelled", "cancelled"] and not b.running


def test_words_for_rows_and_header() -> None:
    b = Board.empty(2)
    b.apply(RenderStarted("s", "luma", [0, 1], [], "ws"))
    b.apply(SceneStage(0, "downloading", ts=0.0))
    b.apply(SceneProgress(0, 0.25, done_bytes=2_000_000, total_bytes=8_000_000))
    assert scene_detail(b.scenes[0], 60.0, now=75.0) == "downloading ██░░░░░░░░ 1:15/1:00 2.0 MB/8.0 MB"
    b.apply(SpendChanged(320, 1000))
    assert "spent $3.20 this run of $10.00 cap" in overall(b, "T")
    assert overall(b, "T", compact=True).endswith("$3.20/$10.00")


def test_the_header_says_how_the_running_render_was_steered() -> None:
    b = Board.empty(2)
    b.apply(RenderStarted("s", "luma", [0, 1], [], "ws", ts=100.0))
    assert "at once" not in overall(b, "T") and "PAUSED" not in overall(b, "T")  # not steered: nothing said
    b.apply(QueueChanged(1, True, False))
    assert "PAUSED, 1 at once" in overall(b, "T") and "PAUSED, 1 at once" in overall(b, "T", compact=True)
    b.apply(QueueChanged(3, False, False))
    assert "3 at once" in overall(b, "T") and "PAUSED" not in overall(b, "T")
    b.apply(QueueChanged(3, False, True))
    assert "DRAINING" in overall(b, "T")
    b.apply(RenderFinished("s", [0], [], [], [1], None, 1.0, 130))
    assert "DRAINING" not in overall(b, "T") and not b.draining  # an ended render is steered no more
    b.apply(QueueChanged(2, True, False))
    b.apply(RenderStarted("s", "luma", [1], [0], "ws"))
    assert not b.paused and b.queue_limit is None  # a new run starts with its own queue


def test_a_corrupt_journal_is_one_clear_message(tmp_path: Path) -> None:
    from scenetui.cli.interactive import build_app
    from scenetui.storage.workspace import Workspace
    from tests.conftest import write_script

    script = write_script(tmp_path / "s", 1)
    ws = Workspace(tmp_path / "ws")
    ws.state_dir.mkdir(parents=True)
    ws.journal_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError) as err:
        build_app(script, ws)
    assert "unreadable" in err.value.line() and "move it aside" in err.value.line()
