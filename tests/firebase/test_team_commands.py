"""The team's queue commands are stamped by Firestore's clock at both ends (a render's start, a command's sending):
a sender whose clock is far behind the render box's is still obeyed, and what was sent before a render began is
not replayed to it. The render box says in scripts/{id}/boxes that it renders, and takes it back when it stops."""

from __future__ import annotations

import threading
import types
from pathlib import Path
from typing import Any

import pytest

from scenetui.storage.firebase import commands
from tests.firebase.conftest import firestore_script


def test_commands_follow_firestores_clock_not_the_boxes(admin, fb_env, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=1)
    conn: Any = types.SimpleNamespace(db=admin.db)
    commands.send(conn, script_id, "pause", "box-b:1:aa")  # meant for a render before this one
    heard: list[tuple[str, dict[str, Any]]] = []
    arrived = threading.Event()

    def obey(verb: str, args: dict[str, Any]) -> None:
        heard.append((verb, args))
        arrived.set()

    stop = commands.watch(conn, script_id, "box-a:7:bb", obey)
    boxes = admin.db.collection("scripts").document(script_id).collection("boxes")
    try:
        assert [d.id for d in boxes.stream()] == ["box-a:7:bb"]
        # the sender's clock says 1970: a filter on the boxes' own clocks would drop what it sends
        monkeypatch.setattr(commands, "time", types.SimpleNamespace(time=lambda: 0.0), raising=False)
        commands.send(conn, script_id, "drain", "box-b:1:aa")
        assert arrived.wait(30), "the drain never reached the render"
    finally:
        stop()
    assert heard == [("drain", {})]
    assert list(boxes.stream()) == []  # the render said it stopped
