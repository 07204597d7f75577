"""The operator's commands for real: doctor against real ffmpeg and the fake Luma, config sources and the key's
file permissions, logs in human form, rotation, and --verbose."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from scenetui.errors import EXIT_USAGE
from tests.conftest import LUMA_KEY, json_lines, luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    r = run_cli("doctor", "--json", *args, env=env)
    assert "Traceback" not in r.stderr
    return r.returncode, json.loads(r.stdout), r.stderr


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_doctor_passes_on_a_healthy_machine(tmp_path: Path) -> None:
    code, report, _ = doctor("--workspace", str(tmp_path / "ws"))
    checks = by_name(report)
    assert code == 0 and report["ok"] is True
    assert {"python", "config", "ffmpeg", "pyav", "player", "workspace", "journal"} <= set(checks)
    assert "libx264 yes" in checks["ffmpeg"]["detail"] and checks["workspace"]["ok"]
    assert not (tmp_path / "ws").exists()  # looking writes nothing
    human = run_cli("doctor", "--workspace", str(tmp_path / "ws"))
    assert human.returncode == 0 and "✓ ffmpeg" in human.stdout and "ready" in human.stdout


def test_doctor_says_when_the_terminal_will_get_16_colours(tmp_path: Path) -> None:
    """xterm's and PuTTY's defaults (TERM=xterm, no COLORTERM) make Textual draw in 16 colours: doctor says so and
    what to set; it is advice, not a failure."""
    plain = {"TERM": "xterm", "COLORTERM": "", "TEXTUAL_COLOR_SYSTEM": "auto"}
    code, report, _ = doctor("--workspace", str(tmp_path / "ws"), env=plain)
    colours = by_name(report)["colours"]
    assert code == 0 and not colours["ok"] and "16 colours" in colours["detail"]
    assert "COLORTERM=truecolor" in colours["fix"]
    _, report, _ = doctor("--workspace", str(tmp_path / "ws"), env={**plain, "COLORTERM": "truecolor"})
    assert by_name(report)["colours"]["ok"] and "24-bit" in by_name(report)["colours"]["detail"]


def test_doctor_reports_a_broken_machine_without_crashing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".scenetui").mkdir(parents=True)
    (ws / ".scenetui" / "journal.db").write_bytes(b"this is not a database" * 100)
    code, report, _ = doctor("--workspace", str(ws), env={"SCENETUI_FFMPEG": str(tmp_path / "no-ffmpeg")})
    checks = by_name(report)
    assert code == 1 and report["ok"] is False
    assert not checks["ffmpeg"]["ok"] and "SCENETUI_FFMPEG" in checks["ffmpeg"]["detail"] and checks["ffmpeg"]["fix"]
    assert not checks["journal"]["ok"] and "move it aside" in checks["journal"]["fix"]
    human = run_cli("doctor", "--workspace", str(ws), env={"SCENETUI_FFMPEG": str(tmp_path / "no-ffmpeg")})
    assert human.returncode == 1 and "✗ ffmpeg" in human.stdout and "fix:" in human.stdout
    assert "Traceback" not in human.stderr


def test_doctor_checks_luma_without_spending(tmp_path: Path, fake_luma: FakeLuma) -> None:
    code, report, _ = doctor("--workspace", str(tmp_path / "ws"), "--backend", "luma", "--luma-base-url",
                             fake_luma.base_url, env=luma_env())
    luma = by_name(report)["luma"]
    assert code == 0 and luma["ok"] and "key is accepted" in luma["detail"]
    assert fake_luma.creates() == []
    code, report, err = doctor("--workspace", str(tmp_path / "ws"), "--backend", "luma", "--luma-base-url",
                               fake_luma.base_url, env=luma_env(LUMAAI_API_KEY="wrong-key-0123456789"))
    luma = by_name(report)["luma"]
    assert code == 1 and not luma["ok"] and luma["fix"]
    assert "wrong-key-0123456789" not in json.dumps(report) + err
    env = {k: v for k, v in os.environ.items() if k != "LUMAAI_API_KEY"}
    r = run_cli("doctor", "--json", "--workspace", str(tmp_path / "ws"), "--backend", "luma", env=env)
    assert r.returncode == 1 and "LUMAAI_API_KEY is not set" in r.stdout


def test_doctor_checks_an_unreachable_luma(tmp_path: Path) -> None:
    code, report, _ = doctor("--workspace", str(tmp_path / "ws"), "--backend", "luma", "--luma-base-url",
                             "http://127.0.0.1:9/v1", env=luma_env())
    assert code == 1 and not by_name(report)["luma"]["ok"]


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_config_show_names_each_source_and_masks_the_key(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.toml", 'log_level = "DEBUG"\nluma_creates_per_minute = 7\n')
    env = {"SCENETUI_CONFIG": str(cfg), "SCENETUI_CONCURRENCY": "3", "LUMAAI_API_KEY": LUMA_KEY}
    r = run_cli("config", "show", "--json", env=env)
    assert r.returncode == 0, r.stderr
    settings = json.loads(r.stdout)["settings"]
    assert settings["concurrency"] == {"value": "3", "source": "environment (SCENETUI_CONCURRENCY)"}
    assert settings["log_level"] == {"value": "DEBUG", "source": "file"}
    assert settings["luma_creates_per_minute"]["value"] == "7"
    assert settings["luma_timeout"]["source"] == "default"
    assert settings["luma_api_key"]["source"] == "environment (LUMAAI_API_KEY)"
    human = run_cli("config", "show", env=env)
    assert LUMA_KEY not in r.stdout + human.stdout + human.stderr and "****" in human.stdout
    assert run_cli("config", "path", env=env).stdout.strip() == str(cfg)


def test_a_key_in_a_readable_config_file_is_refused(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    cfg = write_config(tmp_path / "config.toml", f'luma_api_key = "{LUMA_KEY}"\n', 0o644)
    env = {"SCENETUI_CONFIG": str(cfg)}
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), env=env)
    assert r.returncode == EXIT_USAGE and f"chmod 600 {cfg}" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert LUMA_KEY not in r.stderr and not (tmp_path / "ws").exists()
    code, report, _ = doctor("--workspace", str(tmp_path / "ws"), env=env)
    assert code == 1 and "chmod 600" in by_name(report)["config"]["fix"]
    bad = write_config(tmp_path / "bad.toml", "concurrency = = 3\n")
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), env={"SCENETUI_CONFIG": str(bad)})
    assert r.returncode == EXIT_USAGE and "not valid TOML" in r.stderr and "Traceback" not in r.stderr


def test_the_key_may_come_from_a_command(tmp_path: Path, fake_luma: FakeLuma) -> None:
    printer = tmp_path / "print-key.py"
    printer.write_text(f"print({LUMA_KEY!r})\n")
    cfg = write_config(tmp_path / "config.toml", f'luma_api_key_command = "{sys.executable} {printer}"\n')
    env = {**luma_env(), "SCENETUI_CONFIG": str(cfg)}
    env.pop("LUMAAI_API_KEY")
    clean_env = {k: v for k, v in os.environ.items() if k != "LUMAAI_API_KEY"}
    script = write_script(tmp_path / "script", 1)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--json", *luma_args(fake_luma),
                env={**clean_env, **env})
    assert r.returncode == 0, r.stderr
    assert len(fake_luma.creates()) == 1
    failing = write_config(tmp_path / "fail.toml", f'luma_api_key_command = "{sys.executable} -c \'raise SystemExit(3)\'"\n')
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws2"), *luma_args(fake_luma),
                env={**clean_env, **env, "SCENETUI_CONFIG": str(failing)})
    assert r.returncode == EXIT_USAGE and "printed no key (exit 3)" in r.stderr


def test_logs_in_human_form_private_and_verbose(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--verbose")
    assert r.returncode == 0, r.stderr
    assert " DEBUG " in r.stderr or " INFO " in r.stderr  # log lines on stderr with --verbose
    log = ws / "logs" / "scenetui.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((ws / ".scenetui" / "journal.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((ws / ".scenetui").stat().st_mode) == 0o700
    shown = run_cli("logs", str(ws))
    assert shown.returncode == 0 and shown.stdout.strip()
    first = shown.stdout.splitlines()[0]
    assert not first.startswith("{") and (" INFO " in first or " DEBUG " in first)
    errors_only = run_cli("logs", str(ws), "--level", "error")
    assert errors_only.returncode == 0 and " INFO " not in errors_only.stdout
    by_script = run_cli("logs", str(script))  # a script means its default workspace
    assert by_script.returncode == EXIT_USAGE and "no log at" in by_script.stderr
    missing = run_cli("logs", str(tmp_path / "nowhere"))
    assert missing.returncode == EXIT_USAGE and len(missing.stderr.strip().splitlines()) == 1


def test_the_log_rotates_and_logs_reads_across_parts(tmp_path: Path, monkeypatch) -> None:
    import logging

    from scenetui import logsetup
    from scenetui.ops.logview import log_files, tail

    monkeypatch.setattr(logsetup, "LOG_MAX_BYTES", 2000)
    log = tmp_path / "logs" / "scenetui.log"
    logsetup.setup_logging(log, "INFO", [LUMA_KEY])
    try:
        for i in range(200):
            logging.getLogger("scenetui.test").info("record %d with the key %s", i, LUMA_KEY)
    finally:
        for h in list(logging.getLogger("scenetui").handlers):
            h.close()
            logging.getLogger("scenetui").removeHandler(h)
    parts = log_files(log)
    assert len(parts) == logsetup.LOG_BACKUPS + 1 and all(p.stat().st_size <= 2200 for p in parts)
    lines = tail(log, 1000)
    assert lines[-1].endswith("record 199 with the key «redacted»")
    numbers = [int(l.split("record ")[1].split()[0]) for l in lines]
    assert numbers == sorted(numbers) and len(numbers) > 20  # oldest part first, nothing out of order
    assert not any(LUMA_KEY in p.read_text() for p in parts)


def test_verbose_json_render_keeps_stdout_json(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--json", "--verbose")
    assert r.returncode == 0 and json_lines(r.stdout) and all(l.startswith("{") for l in r.stdout.splitlines() if l)
