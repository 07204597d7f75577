"""`scenetui completion`: scripts for bash, zsh and fish from the grammar itself; bash's is exercised for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli

ASK = """
source "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
      COMPREPLY=(); _shtab_scenetui; echo "${COMPREPLY[*]}"; }
t scenetui ren
t scenetui render s.json --backend ""
t scenetui export s.json --quality ""
t scenetui validate ""
t scenetui mcp --max
t scenetui render story.json --scenes ""
t scenetui takes list story.json --scenes 0,
t scenetui render notes.txt --scenes ""
"""


def test_bash_completes_commands_flags_choices_and_script_files(tmp_path: Path) -> None:
    made = run_cli("completion", "bash")
    assert made.returncode == 0, made.stderr
    script = tmp_path / "scenetui.bash"
    script.write_text(made.stdout)
    for name in ("other.toml", "notes.txt"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "story.json").write_text('{"id": "s", "scenes": [{"title": "a"}, {"title": "b"}, {"title": "c"}]}')
    (tmp_path / "shots").mkdir()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # this venv's scenetui answers
    ran = subprocess.run(["bash", "-c", ASK, "ask", str(script)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=30, env={**os.environ, "PATH": path})
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "render"
    assert lines[1].split() == ["animatic", "luma"] and lines[2].split() == ["high", "balanced", "small"]
    assert sorted(lines[3].split()) == ["other.toml", "shots/", "story.json"]  # scripts and folders, not notes.txt
    assert lines[4] == "--max-spend"
    assert lines[5].split() == ["0", "1", "2"]  # the script's own scene numbers, read by scenetui itself
    assert lines[6].split() == ["0,0", "0,1", "0,2"] and lines[7] == ""


def test_zsh_and_fish_scripts_name_every_command() -> None:
    from scenetui.cli.parsers import COMMANDS

    for shell, check in (("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])):
        made = run_cli("completion", shell)
        assert made.returncode == 0, made.stderr
        assert all(command in made.stdout for command in COMMANDS)
        if shutil.which(check[0]):  # the grammar is checked by the shell itself where it is installed
            ran = subprocess.run([*check], input=made.stdout, capture_output=True, text=True, timeout=30)
            assert ran.returncode == 0, ran.stderr
    bad = run_cli("completion", "tcsh")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr and "Traceback" not in bad.stderr
