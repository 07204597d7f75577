"""What the offline commands print with `--json` is docs/json.md's contract: each command run for real, each line
checked (run_cli holds every `--json` line of the suite to the document), each documented type of theirs seen."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_script
from tests.json_contract import check_lines


def test_what_the_offline_commands_print_is_the_contract(tmp_path: Path) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    where = ["--workspace", str(ws)]
    seen: dict[str, set[str]] = {}

    def run(*args: str, ok: bool = True) -> None:
        done = run_cli(*args, "--json")  # run_cli holds each line to docs/json.md
        assert (done.returncode == 0) == ok, (args, done.returncode, done.stderr[-1500:])
        command = "config show" if args[0] == "config" else args[0]
        seen.setdefault(command, set()).update(o["type"] for o in check_lines(command, done.stdout))

    run("validate", str(script))
    run("render", str(script), *where, "--dry-run")
    run("render", str(script), *where)
    run("status", str(script), *where)
    run("takes", "list", str(script), *where)
    run("takes", "choose", str(script), "0", "1", *where)
    run("export", str(script), *where, "--transition", "fade", "--loudness", "off")
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    run("compress", str(final), "--quality", "small", "--output", str(tmp_path / "small.mp4"))
    run("cancel", str(script), *where, ok=False)  # no render running: refused, one error line
    run("queue", str(script), *where, "--pause", ok=False)
    run("keyframes", str(script))
    run("stats", *where)
    run("config", "show")
    run("validate", str(tmp_path / "nowhere.json"), ok=False)  # a missing file is a problem of the validation
    missing = check_lines("validate", run_cli("validate", str(tmp_path / "nowhere.json"), "--json").stdout)
    assert missing[-1]["valid"] is False and "file not found" in missing[-1]["problems"][0]["message"]
    run("render", str(tmp_path / "nowhere.json"), *where, ok=False)  # elsewhere it is the one error line
    assert seen["render"] >= {"dryRun", "dryRunSummary", "render_started", "scene_completed", "render_finished", "summary"}
    assert seen["export"] >= {"assembly_started", "assembly_finished", "summary"}
    assert seen["status"] == {"status"} and seen["takes"] == {"takes", "chosen"} and seen["compress"] == {"assembly_progress", "summary"}
    assert seen["validate"] == {"validation"} and "error" in seen["render"] and seen["keyframes"] == {"summary"}
    assert seen["cancel"] == {"error"} and seen["queue"] == {"error"}
    assert seen["stats"] == {"stats"} and seen["config show"] == {"config"}
