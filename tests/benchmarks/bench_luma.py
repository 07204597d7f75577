"""Benchmark: N scenes on the fake Luma with 10 in flight and a fixed generation time L.

Run:  python tests/benchmarks/bench_luma.py [--scenes 50] [--seconds 20]
Reports the real render's wall time against the ideal ceil(N/10)·L (target ≤ 1.10×) and the status
requests per generation per 2 s of generation time (target ≤ 1.0). Everything runs over loopback HTTP with the
real `scenetui render` process, keyframe checks, downloads and clip validation included.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conftest import LUMA_KEY, write_script  # noqa: E402
from tests.fakes.luma_server import FakeLuma  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=50)
    ap.add_argument("--in-flight", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=20.0, help="generation time L at the fake (queued + dreaming)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        script = write_script(d / "script", args.scenes)
        queued = min(1.0, args.seconds / 4)
        with FakeLuma(api_key=LUMA_KEY, static_root=d / "script", asset_cache=d / "assets", queued_s=queued,
                      dreaming_s=args.seconds - queued, max_in_flight=args.in_flight,
                      creates_per_window=10_000) as fake:
            fake.asset_file_for(1280, 720, 5)  # build the fake's one asset before the clock starts
            env = {**os.environ, "LUMAAI_API_KEY": LUMA_KEY, "SCENETUI_LUMA_MAX_IN_FLIGHT": str(args.in_flight),
                   "SCENETUI_LUMA_CREATES_PER_MINUTE": "1000"}
            cmd = [sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(d / "ws"), "--json",
                   "--no-assemble", "--backend", "luma", "--luma-base-url", fake.base_url,
                   "--keyframe-base-url", fake.static_url(), "--yes"]
            started, started_wall = time.monotonic(), time.time()
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
            wall = time.monotonic() - started
            if r.returncode != 0:
                print(r.stderr, file=sys.stderr)
                return 1
            events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
            creates = sorted(c.created - started for c in fake.creates())
            done_at_fake = sorted(t + args.seconds for t in creates)
            ts = {e["type"]: e["ts"] - started_wall for e in reversed(events) if "ts" in e}
            gets = fake.hits.get("get", 0)
            duplicates = fake.duplicate_creates()
    ideal = math.ceil(args.scenes / args.in_flight) * args.seconds
    per_gen = gets / args.scenes
    rate = per_gen / (args.seconds / 2)
    print(f"scenes {args.scenes}, in flight {args.in_flight}, L = {args.seconds:.1f}s")
    print(f"wall time            {wall:8.2f} s   (first create at {creates[0]:.2f} s, last generation done at the"
          f" fake {done_at_fake[-1]:.2f} s, so {wall - done_at_fake[-1]:.2f} s to notice, download and validate it)")
    print(f"  estimate shown at {ts.get('estimate', float('nan')):.2f} s, render started at "
          f"{ts.get('render_started', float('nan')):.2f} s")
    print(f"ideal ceil(N/10)·L   {ideal:8.2f} s")
    print(f"ratio                {wall / ideal:8.3f}×   target ≤ 1.10×")
    print(f"status requests      {gets} total, {per_gen:.2f} per generation = {rate:.2f} per 2 s of generation"
          "   target ≤ 1.00")
    print(f"duplicate creates    {duplicates}   completed {sum(1 for e in events if e['type'] == 'scene_completed')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
