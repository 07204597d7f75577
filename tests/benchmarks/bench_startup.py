"""Benchmark: start-up cost of the commands a person types most, against bare Python in the same run.

Run:  python tests/benchmarks/bench_startup.py [--repeat 10]
CPU (user+sys) of each command, the median over the repeats, read from wait4's rusage of that child.
Targets (issues 10 and 17), measured the way a user runs it — the installed `scenetui` console script, from a folder
that is not the checkout: `--version` within 3x the CPU of `python -c pass`; `validate` of a small script (two
scenes, small keyframes) under 150 ms of CPU. `completion bash` (issue 23) is shown beside them: shtab is imported by
that command only, so `--help` and `--version` must not move when it is installed.

Also shown, to explain figures taken otherwise: `python -m scenetui` from the checkout imports the source tree, and
with PYTHONDONTWRITEBYTECODE=1 (this environment sets it) nothing there is ever cached, so every run compiles every
module it imports; the same with a bytecode cache, for comparison. pip compiles an installed package when it
installs it, so the console script is not affected.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cost(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    """CPU seconds of one run of `cmd`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return usage.ru_utime + usage.ru_stime


def small_script(folder: Path) -> Path:
    """Two scenes with small real keyframes (written here: the benchmark runs without the test extras)."""
    import json

    from PIL import Image

    (folder / "kf").mkdir(parents=True)
    scenes = []
    for i in range(2):
        for end, colour in (("a", (200, 40, 40)), ("b", (40, 40, 200))):
            Image.new("RGB", (640, 360), colour).save(folder / "kf" / f"{i}-{end}.png")
        scenes.append({"title": f"Scene {i}", "description": f"things happen {i}", "visualDescription": f"a view {i}",
                       "startKeyframe": f"kf/{i}-a.png", "endKeyframe": f"kf/{i}-b.png", "camera": "push_in"})
    path = folder / "bench.json"
    path.write_text(json.dumps({"id": "bench", "title": "Bench", "style": "flat", "scenes": scenes}))
    return path


def installed_script() -> str | None:
    """The console script beside this Python (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "scenetui"
    return str(beside) if beside.exists() else shutil.which("scenetui")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    py = sys.executable
    console = installed_script()
    env = dict(os.environ)
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        elsewhere = Path(tmp)
        script = small_script(elsewhere / "s")
        cases: dict[str, tuple[list[str], Path, dict[str, str]]] = {
            "python -c pass": ([py, "-c", "pass"], elsewhere, env),
        }
        if console:
            cases["scenetui --version (installed)"] = ([console, "--version"], elsewhere, env)
            cases["scenetui --help (installed)"] = ([console, "--help"], elsewhere, env)
            cases["scenetui validate (installed)"] = ([console, "validate", str(script)], elsewhere, env)
            cases["scenetui completion bash (installed)"] = ([console, "completion", "bash"], elsewhere, env)
        source = "PYTHONDONTWRITEBYTECODE" in env
        label = "no bytecode cache" if source else "as this shell has it"
        cases[f"-m --version (checkout, {label})"] = ([py, "-m", "scenetui", "--version"], ROOT, env)
        cases[f"-m validate (checkout, {label})"] = ([py, "-m", "scenetui", "validate", str(script)], ROOT, env)
        cases["-m validate (checkout, cached)"] = ([py, "-m", "scenetui", "validate", str(script)], ROOT, cached)
        results = {}
        for name, (cmd, cwd, environ) in cases.items():
            cost(cmd, cwd=cwd, env=environ)  # warm: the page cache, and the bytecode cache where one is kept
            results[name] = statistics.median(cost(cmd, cwd=cwd, env=environ) for _ in range(args.repeat))
    base = results["python -c pass"]
    print(f"{'command':<44} {'CPU ms':>8} {'x pass':>7}")
    for name, cpu in results.items():
        print(f"{name:<44} {cpu * 1000:8.1f} {cpu / base:7.1f}")
    if not console:
        print("\nno installed console script here: pip install . into a venv and run this with its python")
        return
    version = results["scenetui --version (installed)"] / base
    validate = results["scenetui validate (installed)"]
    print(f"\n--version: {version:.1f}x python -c pass (target <= 3x) -> {'ok' if version <= 3 else 'MISSED'}")
    print(f"validate:  {validate * 1000:.0f} ms CPU (target < 150 ms) -> {'ok' if validate < 0.150 else 'MISSED'}")


if __name__ == "__main__":
    main()
