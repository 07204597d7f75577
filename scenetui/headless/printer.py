"""Headless printers: rich bars on a terminal, plain lines in a pipe, JSON lines for scripts. They only render events."""

from __future__ import annotations

import sys
from typing import IO, Protocol

from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from scenetui.domain.text import clean
from scenetui.headless.jsonout import emit
from scenetui.domain.units import usd
from scenetui.domain.board import film_sound
from scenetui.domain.events import (
    AssemblyFinished, AssemblyProgress, AssemblySkipped, AssemblyStarted, Event, LogLine, RenderFinished,
    RenderStarted, SceneCancelled, SceneCompleted, SceneFailed, SceneProgress, SceneSkipped, SceneStage, SpendChanged,
)


class Printer(Protocol):
    def __call__(self, event: Event) -> None: ...

    def close(self) -> None: ...


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def spend_text(e: SpendChanged) -> str:
    """`$1.20 spent` or `$1.20 of $5.00 cap spent` — the same words on every screen."""
    return usd(e.spent_cents) + (f" of {usd(e.cap_cents)} cap" if e.cap_cents is not None else "") + " spent"


class JsonPrinter:
    """One JSON object per event, one per line, flushed at once."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        emit(event.to_json(), self.out)

    def close(self) -> None:
        pass


class PlainPrinter:
    """Human lines for logs and pipes: stage changes and outcomes, progress only in 25% steps."""

    def __init__(self, out: IO[str] | None = None, labels: dict[int, str] | None = None) -> None:
        self.out = out or sys.stdout
        self.labels = labels or {}
        self._quarter: dict[int, int] = {}

    def _label(self, i: int) -> str:
        return self.labels.get(i, f"scene {i}")

    def _say(self, text: str) -> None:
        self.out.write(clean(text) + "\n")  # server messages and titles never reach the terminal as sequences
        self.out.flush()

    def __call__(self, e: Event) -> None:
        match e:
            case RenderStarted():
                self._say(f"Rendering {len(e.scenes)} scene(s) of {e.script_id} with {e.backend}"
                          + (f"; {len(e.skipped)} already done" if e.skipped else ""))
            case SceneSkipped():
                self._say(f"{self._label(e.scene_index)}: {e.reason}")
            case SceneStage() if e.stage not in ("starting",):
                self._say(f"{self._label(e.scene_index)}: {e.stage}" + (f" — {e.message}" if e.message else ""))
            case SceneProgress() if e.fraction is not None:
                q = int(e.fraction * 4)
                if 0 < q < 4 and q > self._quarter.get(e.scene_index, 0):
                    self._quarter[e.scene_index] = q
                    self._say(f"{self._label(e.scene_index)}: {q * 25}%")
            case SceneCompleted() if not e.chosen:
                self._say(f"{self._label(e.scene_index)}: take {e.take} made in {e.elapsed:.1f}s ({e.duration:.1f}s "
                          f"{e.resolution}, {_mb(e.size)}) — not the scene's clip: `takes choose` makes it so")
            case SceneCompleted():
                took = f" as take {e.take}" if e.take else ""
                self._say(f"{self._label(e.scene_index)}: done in {e.elapsed:.1f}s{took} — {e.clip} ({e.duration:.1f}s {e.resolution}, {_mb(e.size)})")
            case SceneFailed():
                self._say(f"{self._label(e.scene_index)}: FAILED — {e.error}" + (f". {e.hint}" if e.hint else ""))
            case SceneCancelled():
                self._say(f"{self._label(e.scene_index)}: cancelled")
            case AssemblyStarted():
                self._say(f"Assembling {e.clips} clips")
            case AssemblySkipped():
                self._say(f"Assembly skipped: {e.reason}")
            case AssemblyFinished():
                sound = film_sound(e)
                self._say(f"Assembled {e.duration:.1f}s in {e.elapsed:.2f}s ({e.method})" + (f"; {sound}" if sound else ""))
            case SpendChanged():
                self._say(f"Spend: {spend_text(e)}")
            case LogLine():
                self._say(f"{e.level}: {e.message}")
            case RenderFinished():
                self._say(_finish_line(e))

    def close(self) -> None:
        pass


def _finish_line(e: RenderFinished) -> str:
    parts = [f"{len(e.completed)} rendered", f"{len(e.skipped)} already done"]
    if e.failed:
        parts.append(f"{len(e.failed)} failed ({', '.join(map(str, e.failed))})")
    if e.cancelled:
        parts.append(f"{len(e.cancelled)} cancelled — run the same command again to resume")
    head = f"Finished in {e.elapsed:.1f}s: " + ", ".join(parts)
    return head + (f"\nFinal film: {e.final}" if e.final else "")


class RichPrinter:
    """Live bars per scene and overall on an interactive terminal; outcomes printed above the bars."""

    def __init__(self, console: Console | None = None, labels: dict[int, str] | None = None) -> None:
        self.console = console or Console()
        self.labels = labels or {}
        self.progress = Progress(
            TextColumn("{task.description}", justify="left", markup=False), BarColumn(bar_width=None),
            TextColumn("{task.percentage:>5.1f}%"), TextColumn("{task.fields[stage]}"), TimeElapsedColumn(),
            console=self.console, transient=False,
        )
        self._tasks: dict[int | str, TaskID] = {}
        self._total = 0
        self._done = 0.0
        self._fractions: dict[int, float] = {}

    def _print(self, text: str, style: str = "") -> None:
        """A line above the bars, as plain text: brackets in titles ([beat]) are words, not markup."""
        self.console.print(Text(clean(text), style=style))

    def _task(self, key: int | str, description: str) -> TaskID:
        if key not in self._tasks:
            self._tasks[key] = self.progress.add_task(description, total=1.0, stage="waiting")
        return self._tasks[key]

    def _overall(self) -> None:
        if "all" in self._tasks and self._total:
            done = sum(1 for f in self._fractions.values() if f >= 1.0)
            self.progress.update(self._tasks["all"], completed=sum(self._fractions.values()) / self._total,
                                 stage=f"{done}/{self._total} scenes")

    def __call__(self, e: Event) -> None:
        label = self.labels.get(getattr(e, "scene_index", -1), f"scene {getattr(e, 'scene_index', '')}")
        match e:
            case RenderStarted():
                self.progress.start()
                self._total = len(e.scenes)
                self._print(f"Rendering {len(e.scenes)} scene(s) of {e.script_id} with {e.backend}"
                                   + (f"; {len(e.skipped)} already done" if e.skipped else ""))
                if e.scenes:
                    self._task("all", "[b]overall[/b]")
                for i in e.scenes:
                    self._task(i, self.labels.get(i, f"scene {i}"))
                    self._fractions[i] = 0.0
            case SceneSkipped():
                self._print(f"{label}: {e.reason}")
            case SceneStage():
                self.progress.update(self._task(e.scene_index, label), stage=e.stage)
            case SceneProgress() if e.fraction is not None:
                self._fractions[e.scene_index] = e.fraction
                self.progress.update(self._task(e.scene_index, label), completed=e.fraction)
                self._overall()
            case SceneCompleted():
                self._fractions[e.scene_index] = 1.0
                self.progress.update(self._task(e.scene_index, label), completed=1.0, stage="[green]done")
                self._overall()
            case SceneFailed():
                self._fractions[e.scene_index] = 1.0
                self.progress.update(self._task(e.scene_index, label), stage="[red]failed")
                self._print(f"{label}: {e.error}" + (f" — {e.hint}" if e.hint else ""), "red")
                self._overall()
            case SceneCancelled():
                self.progress.update(self._task(e.scene_index, label), stage="[yellow]cancelled")
            case AssemblyStarted():
                self._task("assembly", "[b]assembly[/b]")
            case AssemblyProgress():
                self.progress.update(self._task("assembly", "assembly"), completed=e.fraction, stage="joining")
            case AssemblyFinished():
                self.progress.update(self._task("assembly", "assembly"), completed=1.0, stage="[green]done")
            case AssemblySkipped():
                self._print(f"Assembly skipped: {e.reason}")
            case SpendChanged():
                if "all" in self._tasks:
                    self.progress.update(self._tasks["all"], description=f"[b]overall[/b] {spend_text(e)}")
            case LogLine():
                self._print(f"{e.level}: {e.message}")
            case RenderFinished():
                self.progress.stop()
                self._print(_finish_line(e))

    def close(self) -> None:
        self.progress.stop()


def make_printer(*, json_mode: bool, labels: dict[int, str], out: IO[str] | None = None) -> Printer:
    """JSON lines when asked, rich bars on a terminal, plain lines otherwise."""
    stream = out or sys.stdout
    if json_mode:
        return JsonPrinter(stream)
    if stream.isatty():
        return RichPrinter(Console(file=stream), labels)
    return PlainPrinter(stream, labels)
