"""Benchmark: the app with N scenes all updating several times a second — key press to screen, and CPU.

Run:  python tests/benchmarks/bench_tui.py [--scenes 500] [--rate 4] [--boxes 5] [--presses 150] [--rounds 3]
Events go through the same controller path the engine uses (coalesced, then applied to changed rows only).
Reports key-to-screen latency p50/p95 with no load (the baseline, measured in the same run), under that load, and
under that load on a script shared by several render boxes (their claims delivered as the Firestore listener
delivers them, renewed and handed on as boxes finish scenes); and the CPU the app used per second of wall time.
Targets: idle p95 ≤ 33 ms (two frames at 60 Hz), loaded p95 ≤ 1.2× idle, CPU ≤ 0.3 s per s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image  # noqa: E402
from textual import events  # noqa: E402

from scenetui.domain.events import RenderStarted, SceneProgress, SceneStage  # noqa: E402
from scenetui.storage.firebase.claims import Claim, SceneClaim  # noqa: E402
from scenetui.tui.widgets.details import SceneDetails  # noqa: E402
from scenetui.tui.widgets.scene_tree import SceneTree  # noqa: E402
from tests.tui.helpers import make_app  # noqa: E402


def write_big_script(folder: Path, scenes: int) -> Path:
    kf = folder / "kf"
    kf.mkdir(parents=True)
    Image.new("RGB", (64, 36), (200, 60, 40)).save(kf / "a.png")
    Image.new("RGB", (64, 36), (40, 60, 200)).save(kf / "b.png")
    items = [{"title": f"Scene number {i}", "visualDescription": f"view {i}", "startKeyframe": "kf/a.png",
              "endKeyframe": "kf/b.png"} for i in range(scenes)]
    path = folder / "big.json"
    path.write_text(json.dumps({"id": "big", "title": "Big", "scenes": items}))
    return path


async def load(controller, scenes: int, rate: float, stop: asyncio.Event) -> int:  # noqa: ANN001
    """Every scene gets `rate` progress events per second, spread evenly; returns how many were sent."""
    controller.emit(RenderStarted("big", "bench", list(range(scenes)), [], "ws"))
    for i in range(scenes):
        controller.emit(SceneStage(i, "dreaming", "Luma is generating"))
    sent, tick = 0, 0.05
    per_tick = scenes * rate * tick
    carry, fraction = 0.0, {i: 0.0 for i in range(scenes)}
    order = list(range(scenes))
    pos = 0
    while not stop.is_set():
        carry += per_tick
        n, carry = int(carry), carry - int(carry)
        for _ in range(n):
            i = order[pos % scenes]
            pos += 1
            fraction[i] = min(0.99, fraction[i] + random.uniform(0.001, 0.01))
            controller.emit(SceneProgress(i, fraction[i], done_bytes=int(fraction[i] * 9e6), total_bytes=9_000_000))
            sent += 1
        await asyncio.sleep(tick)
    return sent


def boxes_at_work(team, scenes: int, boxes: int, stop: threading.Event, per_box: int = 10) -> int:  # noqa: ANN001
    """Claims of `boxes` other render boxes, each holding `per_box` scenes, renewed and handed on twice a second —
    delivered to the team from another thread, as the Firestore listener does. Returns how many deliveries."""
    team.started = team.following = True
    held = {b: list(range(b * per_box, (b + 1) * per_box)) for b in range(boxes)}
    since = {i: time.time() for scenes_of in held.values() for i in scenes_of}
    deliveries, next_scene = 0, boxes * per_box
    while not stop.wait(0.5):
        now = time.time()
        b = deliveries % boxes  # one box finishes a scene and takes the next free one
        done = held[b].pop(0)
        since.pop(done, None)
        held[b].append(next_scene % scenes)
        since[next_scene % scenes] = now
        next_scene += 1
        team._seen([SceneClaim(i, Claim(f"box-{b}:{4000 + b}:ab{b}", now + 60, f"gen-{i}", since[i], now))
                    for b, scenes_of in held.items() for i in scenes_of])
        deliveries += 1
    return deliveries


def watch_paints(app) -> list[float]:  # noqa: ANN001
    """Timestamps of every frame the app writes to its terminal (the moment a change is visible)."""
    paints: list[float] = []
    original = app._display

    def display(screen, renderable):  # noqa: ANN001, ANN202
        paints.append(time.perf_counter())
        return original(screen, renderable)

    app._display = display
    return paints


def main_screen(app):  # noqa: ANN001, ANN201
    """The main screen itself, not whatever is on top (a toast or dialog made `app.screen.query_one` miss: NoMatches)."""
    from scenetui.tui.screens.main import MainScreen

    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


async def key_latencies(app, paints: list[float], presses: int) -> list[float]:  # noqa: ANN001
    """Post key events as the terminal driver does; time until a frame showing the new selection is written."""
    tree = main_screen(app).query_one(SceneTree)
    details = main_screen(app).query_one(SceneDetails)
    out = []
    for k in range(presses):
        key = "down" if (k // 20) % 2 == 0 else "up"  # wander up and down the list
        expected = (tree.current_index or 0) + (1 if key == "down" else -1)
        start = time.perf_counter()
        app.post_message(events.Key(key, None))
        while details.index != expected:
            await asyncio.sleep(0.0005)
        changed = time.perf_counter()
        while not paints or paints[-1] < changed:
            await asyncio.sleep(0.0005)
        out.append(paints[-1] - start)
        await asyncio.sleep(random.uniform(0.02, 0.06))  # a person's key rate, not a flood
    return out


async def run(scenes: int, rate: float, presses: int, boxes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script = write_big_script(Path(tmp) / "s", scenes)
        app = make_app(script, Path(tmp) / "ws")
        app.steady_gc = True  # as on a real terminal (a test's headless app keeps Python's defaults)
        async with app.run_test(size=(160, 48)) as pilot:
            from scenetui.tui.screens.main import MainScreen

            while not any(isinstance(s, MainScreen) for s in app.screen_stack):
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            main_screen(app).query_one(SceneTree).select_scene(scenes // 2)
            await pilot.pause(0.2)
            paints = watch_paints(app)
            idle = await key_latencies(app, paints, presses)
            stop = asyncio.Event()
            loader = asyncio.create_task(load(app.controller, scenes, rate, stop))
            load_start = time.perf_counter()
            await asyncio.sleep(1.0)  # let the load reach a steady state
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(3.0)  # the render's live rows alone, nobody at the keys
            rows_cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            loaded = await key_latencies(app, paints, presses)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            shared: list[float] = []
            if boxes:
                halt = threading.Event()
                team = asyncio.create_task(asyncio.to_thread(boxes_at_work, app.controller.team, scenes, boxes, halt))
                await asyncio.sleep(1.5)  # the claims reached the tree and the details
                shared = await key_latencies(app, paints, presses)
                halt.set()
                await team
            stop.set()
            sent = await loader
            load_wall = time.perf_counter() - load_start
    q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1] * 1000 if xs else float("nan")  # noqa: E731
    return {"idle_p50": q(idle, 50), "idle_p95": q(idle, 95), "load_p50": q(loaded, 50), "load_p95": q(loaded, 95),
            "team_p50": q(shared, 50), "team_p95": q(shared, 95),
            "rows_cpu_per_s": rows_cpu, "cpu_per_s": cpu / wall, "events_per_s": sent / load_wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=500)
    ap.add_argument("--rate", type=float, default=4.0, help="progress events per scene per second")
    ap.add_argument("--boxes", type=int, default=5, help="other render boxes sharing the script (0: no such case)")
    ap.add_argument("--presses", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3, help="runs; the median of each figure is printed")
    ap.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)  # a round's figures as JSON
    args = ap.parse_args()
    if args.one_round:
        print(json.dumps(asyncio.run(run(args.scenes, args.rate, args.presses, args.boxes))))
        return 0
    # Each round in a process of its own, as the app runs: the app sets the process's garbage collection for one
    # steady run (gc.freeze), which later apps in the same process would inherit with the earlier apps' objects.
    argv = [sys.executable, __file__, "--one-round", "--scenes", str(args.scenes), "--rate", str(args.rate),
            "--boxes", str(args.boxes), "--presses", str(args.presses)]
    rounds = [json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
              for _ in range(args.rounds)]
    r = {k: statistics.median(x[k] for x in rounds) for k in rounds[0]}
    spread = ", ".join(f"{x['idle_p95']:.0f}/{x['load_p95']:.0f}" for x in rounds)
    print(f"scenes {args.scenes}, {args.rate:g} updates/scene/s → {r['events_per_s']:.0f} events/s into the app")
    print(f"key → screen, idle (baseline)  p50 {r['idle_p50']:6.1f} ms   p95 {r['idle_p95']:6.1f} ms"
          "   target p95 ≤ 33 ms")
    print(f"key → screen, under load       p50 {r['load_p50']:6.1f} ms   p95 {r['load_p95']:6.1f} ms"
          f"   ({r['load_p95'] / r['idle_p95']:.2f}× baseline, target ≤ 1.20×)")
    if args.boxes:
        print(f"  … and {args.boxes} boxes' claims    p50 {r['team_p50']:6.1f} ms   p95 {r['team_p95']:6.1f} ms"
              f"   ({r['team_p95'] / r['idle_p95']:.2f}× baseline)")
    print(f"CPU under load, no key pressed {r['rows_cpu_per_s']:.2f} s per s (one core = 1.00; target ≤ 0.30)")
    print(f"CPU under load, keys pressed   {r['cpu_per_s']:.2f} s per s (a key every 20–60 ms, each drawn)")
    print(f"medians of {args.rounds} rounds of {args.presses} presses; p95 idle/loaded per round: {spread} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
