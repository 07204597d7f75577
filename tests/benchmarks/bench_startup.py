"""Benchmark: start-up cost of the commands a person types most, against bare Python in the same run.

Run:  python tests/benchmarks/bench_startup.py [--repeat 10]
CPU (user+sys) of each command, the median over the repeats, read from wait4's rusage of that child.
Targets (issue 10): `--version` within 3x the CPU of `python -c pass`; `validate` of a small script (two scenes,
small keyframes) under 150 ms of CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def cost(cmd: list[str]) -> float:
    """CPU seconds of one run of `cmd`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


def small_script(folder: Path) -> Path:
    from tests.conftest import write_script

    return write_script(folder, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        script = small_script(Path(tmp) / "s")
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "python -c 'import argparse'": [py, "-c", "import argparse"],
            "scenetui --version": [py, "-m", "scenetui", "--version"],
            "scenetui --help": [py, "-m", "scenetui", "--help"],
            "scenetui validate (2 scenes)": [py, "-m", "scenetui", "validate", str(script)],
        }
        results = {}
        for name, cmd in cases.items():
            results[name] = statistics.median(cost(cmd) for _ in range(args.repeat))
    base = results["python -c pass"]
    print(f"{'command':<32} {'CPU ms':>8} {'× pass':>7}")
    for name, cpu in results.items():
        print(f"{name:<32} {cpu * 1000:8.1f} {cpu / base:7.1f}")
    version = results["scenetui --version"] / base
    validate = results["scenetui validate (2 scenes)"]
    print(f"\n--version: {version:.1f}x python -c pass (target <= 3x) -> {'ok' if version <= 3 else 'MISSED'}")
    print(f"validate:  {validate * 1000:.0f} ms CPU (target < 150 ms) -> {'ok' if validate < 0.150 else 'MISSED'}")


if __name__ == "__main__":
    main()
