"""Analytics from the journal, nothing sent anywhere: how long generations take, where time goes, what failed, what
was spent. The journal is opened read-only: looking never changes it."""

from __future__ import annotations

import json
import re
import sqlite3
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenetui.engine.journal_open import connect_read_only, opening_error
from scenetui.errors import UserError


@dataclass
class SceneTiming:
    """One scene's pass through one run: seconds waiting for a Luma slot, at Luma in all (queued + dreaming; the
    animatic's drawing), downloading, and from first stage to the end."""

    script_id: str
    run_id: int
    scene: int
    backend: str
    queued: float | None = None
    generating: float | None = None
    downloading: float | None = None
    total: float | None = None
    ok: bool = False


@dataclass
class Stats:
    """Everything `scenetui stats` shows."""

    scripts: list[str] = field(default_factory=list)
    runs: int = 0
    timings: list[SceneTiming] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    attempts: int = 0
    retries: int = 0
    spend_by_model: dict[str, int] = field(default_factory=dict)  # "ray-2 720p 5s" -> cents
    spend_by_script: dict[str, int] = field(default_factory=dict)
    spend_by_day: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD -> cents

    def distribution(self, what: str) -> dict[str, float] | None:
        values = sorted(v for t in self.timings if (v := getattr(t, what)) is not None)
        if not values:
            return None
        p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
        return {"count": len(values), "min": values[0], "median": statistics.median(values), "p90": p90,
                "max": values[-1], "mean": statistics.fmean(values)}

    def as_json(self) -> dict[str, Any]:
        return {
            "scripts": self.scripts, "runs": self.runs, "attempts": self.attempts, "retries": self.retries,
            "timings": {w: self.distribution(w) for w in ("queued", "generating", "downloading", "total")},
            "failures": dict(self.failures.most_common()),
            "spendCents": {"total": sum(self.spend_by_script.values()), "byModel": self.spend_by_model,
                           "byScript": self.spend_by_script, "byDay": self.spend_by_day},
        }


_VOLATILE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27,}\b|\d+(\.\d+)?")


def failure_kind(reason: str) -> str:
    """A failure reason with its ids and numbers taken out, so the same failure counts once."""
    head = reason.split(" — ")[0].strip()
    return _VOLATILE.sub("…", head)[:120] or "unknown"


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise UserError(f"no journal at {path}", hint="stats come from a workspace a render has used; pass it (or the script)")
    try:
        db = connect_read_only(path)
        db.execute("SELECT 1 FROM runs LIMIT 1")
        return db
    except sqlite3.DatabaseError as exc:
        raise opening_error(path, exc) from None


def collect(journal_path: Path, script_id: str | None = None) -> Stats:
    """Read runs, attempts and stage events; `script_id` None means every script in the workspace."""
    db = _open_read_only(journal_path)
    try:
        return _collect(db, script_id)
    finally:
        db.close()


def _collect(db: sqlite3.Connection, script_id: str | None) -> Stats:
    # a script's bridges and Photon keyframes are journaled under derived ids; they are its spend too
    where, args = (("WHERE script_id IN (?, ?, ?)", (script_id, f"{script_id}-bridges", f"{script_id}-keyframes"))
                   if script_id else ("", ()))
    stats = Stats()
    stats.scripts = [r[0] for r in db.execute(f"SELECT DISTINCT script_id FROM runs {where} ORDER BY script_id", args)]
    stats.runs = db.execute(f"SELECT COUNT(*) FROM runs {where}", args).fetchone()[0]
    backends = dict(db.execute(f"SELECT id, backend FROM runs {where}", args).fetchall())
    per_scene: dict[tuple[str, int], int] = Counter()
    for sid, scene, state, request, cost, refunded, reason, remote, created in db.execute(
            "SELECT script_id, scene_index, state, request, cost_cents, refunded, failure_reason, remote_id, created_at "
            f"FROM attempts {where} ORDER BY id", args):
        stats.attempts += 1
        per_scene[(sid, scene)] += 1
        if state == "failed" and reason:
            stats.failures[failure_kind(reason)] += 1
        if remote and cost and not refunded:
            req = _json(request)
            key = " ".join(str(req[k]) for k in ("model", "resolution", "duration") if k in req) or "?"
            day = time.strftime("%Y-%m-%d", time.localtime(created))
            for table, k in ((stats.spend_by_model, key), (stats.spend_by_script, sid), (stats.spend_by_day, day)):
                table[k] = table.get(k, 0) + int(cost)
    stats.retries = sum(n - 1 for n in per_scene.values() if n > 1)
    stages: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
    ends: dict[tuple[int, int], tuple[float, bool]] = {}
    sids: dict[tuple[int, int], str] = {}
    for run_id, sid, scene, ts, kind, payload in db.execute(
            "SELECT run_id, script_id, scene_index, ts, type, payload FROM events "
            f"WHERE run_id IS NOT NULL AND scene_index IS NOT NULL {'AND script_id IN (?, ?, ?)' if script_id else ''} "
            "AND type IN ('scene_stage', 'scene_completed', 'scene_failed') ORDER BY seq", args):
        key = (run_id, scene)
        sids[key] = sid
        if kind == "scene_stage":
            stages[key].append((ts, str(_json(payload).get("stage", ""))))
        else:
            ends[key] = (ts, kind == "scene_completed")
    for key, marks in stages.items():
        if backends.get(key[0]) in (None, "assembly", "export"):
            continue
        timing = SceneTiming(sids[key], key[0], key[1], backends.get(key[0], "?"))
        first = {}
        for ts, stage in marks:
            first.setdefault(stage, ts)
        # Polls may never see "dreaming" when a generation is quick; the time at Luma runs from queued to its end.
        timing.queued = _between(first, "queued", ("dreaming",))
        timing.generating = (_between(first, "queued", ("completed", "downloading", "failed"))
                             or _between(first, "dreaming", ("completed", "downloading", "failed"))
                             or _between(first, "rendering", ("validating",)))
        timing.downloading = _between(first, "downloading", ("validating",))
        if key in ends:
            timing.total = round(ends[key][0] - marks[0][0], 3)
            timing.ok = ends[key][1]
        stats.timings.append(timing)
    return stats


def _between(first: dict[str, float], start: str, ends: tuple[str, ...]) -> float | None:
    if start not in first:
        return None
    later = [first[e] for e in ends if e in first and first[e] >= first[start]]
    return round(min(later) - first[start], 3) if later else None


def _json(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
