"""docs/json.md and the code in step: the engine's events field for field, every `--json` command documented, and
what the commands really print (here, and in every `run_cli --json` of the suite) of documented types and fields."""

from __future__ import annotations

import argparse
import io
from dataclasses import fields

from scenetui.cli.parsers import build_parser
from scenetui.domain.events import EVENT_TYPES, LogLine, SceneStage
from scenetui.headless.jsonout import JSON_VERSION
from scenetui.headless.printer import JsonPrinter
from tests.json_contract import EVENTS, allowed, check_lines, contract


def test_every_event_is_documented_field_for_field() -> None:
    documented = contract()[EVENTS]
    assert set(documented) == set(EVENT_TYPES), "docs/json.md's events and domain.events.EVENT_TYPES differ"
    for kind, cls in EVENT_TYPES.items():
        assert documented[kind] - {"v", "type"} == {f.name for f in fields(cls)}, kind


def test_every_command_with_json_has_a_section() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    with_json = set()
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        for cmd, q in ([(f"{name} {n}", q) for n, q in nested[0].choices.items()] if nested else [(name, p)]):
            if any("--json" in a.option_strings for a in q._actions):
                with_json.add(cmd)
    assert with_json, "no command takes --json?"
    missing = sorted(c for c in with_json if c not in contract())
    assert not missing, f"commands with --json that docs/json.md does not describe: {missing}"


def test_the_printer_versions_every_event_and_the_check_catches_what_is_not_documented() -> None:
    out = io.StringIO()
    printer = JsonPrinter(out)
    printer(SceneStage(0, "queued", remote_id="g-1"))
    printer(LogLine("info", "hello"))
    seen = check_lines("render", out.getvalue())
    assert [o["type"] for o in seen] == ["scene_stage", "log"] and all(o["v"] == JSON_VERSION for o in seen)
    for bad in ('{"type": "scene_stage"}', '{"v": 1, "type": "no_such_thing"}', '{"v": 1, "type": "log", "extra": 1}'):
        try:
            check_lines("render", bad)
        except AssertionError:
            continue
        raise AssertionError(f"the contract check let {bad} through")
    assert "validation" not in allowed("render") and "summary" in allowed("render")


def test_a_usage_error_under_json_is_the_contracts_error_line(capsys) -> None:
    from scenetui.cli.main import main

    assert main(["render", "--json"]) == 2  # SCRIPT missing: argparse's complaint, as one error object
    out, err = capsys.readouterr()
    [line] = check_lines("render", out)
    assert line["type"] == "error" and "SCRIPT" in line["message"] and line["exitCode"] == 2
    assert err.startswith("scenetui: error:") and "Traceback" not in err
    assert main(["render"]) == 2 and capsys.readouterr().out == ""  # without --json stdout stays empty
