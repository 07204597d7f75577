"""A render that ends in the app rings the terminal's bell and raises a desktop notification (OSC 9 and OSC 777,
wrapped for tmux inside tmux); nothing a script or server wrote can end the sequence early."""

from __future__ import annotations

from pathlib import Path

from scenetui.tui.notices import desktop_notice
from tests.conftest import write_script
from tests.tui.fake_terminal import FakeTerminal


def test_the_real_app_rings_and_notifies_when_its_render_ends(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    term = FakeTerminal("plain")
    term.start("open", str(script), "--workspace", str(ws), cwd=tmp_path, env={"TMUX": ""})
    try:
        term.wait_for("0/2 done", timeout=60)
        mark = len(term.output)
        term.type("g")  # create every video (the offline generator: free, nothing to confirm)
        told = term.wait_for("\x1b]777;notify;scenetui test;2 rendered", since=mark, timeout=120)
        assert "\x1b]9;scenetui test: 2 rendered, the film is assembled\x07" in told
        assert "\x07" in told[:told.index("\x1b]9;")]  # the bell first
        mark = len(term.output)
        term.type("e")  # an export on its own is told too, once
        term.wait_for("Assemble", since=mark, timeout=30)
        term.type("a")
        told = term.wait_for("\x1b]777;notify;scenetui test;the film is assembled (10.0 s)", since=mark, timeout=120)
        assert told.count("\x1b]9;") == 1 and "rendered" not in told[told.index("\x1b]9;"):]
        mark = len(term.output)
        term.type("q")  # back to the scenes, then quit
        term.wait_for("2/2 done", since=mark, timeout=30)
        term.type("q")
        assert term.proc is not None and term.proc.wait(20) == 0, term.crash_report()
    finally:
        term.close()


def test_a_notice_cannot_be_ended_early_and_is_wrapped_for_tmux() -> None:
    plain = desktop_notice("scenetui x\x07\x1b]52;c;evil\x07", "done; 1 failed\x1b[2J", in_tmux=False)
    assert plain.count("\x07") == 2 and plain.count("\x1b") == 2  # only the two sequences' own
    assert plain.startswith("\x1b]9;scenetui x  ]52,c,evil : done, 1 failed [2J\x07")
    wrapped = desktop_notice("scenetui", "done", in_tmux=True)
    assert wrapped == ("\x1bPtmux;\x1b\x1b]9;scenetui: done\x07\x1b\\"
                       "\x1bPtmux;\x1b\x1b]777;notify;scenetui;done\x07\x1b\\")
