"""`status` (each scene's state, the ledger) and `cancel` (ask a running render, through the journal)."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from scenetui.build import make_store, resolve_workspace
from scenetui.cli.common import build_options, print_ledger, settings as _settings
from scenetui.cli.selection import parse_scenes
from scenetui.control.snapshot import board_from_disk
from scenetui.control.team import ago
from scenetui.domain.board import CANCELLED, DONE, DOUBT, FAILED, PAID
from scenetui.domain.units import human_size, usd
from scenetui.engine.costs import ledger, total_spent
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.gate import MAX_AT_ONCE
from scenetui.errors import EXIT_OK, UserError
from scenetui.headless.text import clean
from scenetui.media.probe import film_clip_problem
from scenetui.script.sources import load_ref
from scenetui.headless.jsonout import emit


# The board's words for a scene, as `status --json` has always spelled them (the app's videoStatus names).
WIRE_STATUS = {DONE: "completed", PAID: "paid, pending", FAILED: "failed", CANCELLED: "cancelled", DOUBT: "in doubt"}


def status(args: argparse.Namespace) -> int:
    settings = _settings()
    opts = build_options(args)
    loaded = load_ref(args.script, settings, opts.bucket)
    workspace = resolve_workspace(args.script, args.workspace, settings)
    script = loaded.script
    store = make_store(loaded, workspace, opts, settings)
    doc = store.read_doc(script.id) if workspace.root.exists() else {"scenes": {}}
    journal = Journal.open_existing(workspace.journal_path)
    rows: list[dict[str, Any]] = []
    all_attempts = journal.attempts(script.id) if journal else []
    board = board_from_disk(loaded, store, journal)  # the same reading of the disk the app shows
    remote = store.remote_copies(script.id)
    for i, scene in enumerate(script.scenes):
        entry = doc.get("scenes", {}).get(str(i), {})
        attempts = [a for a in all_attempts if a.scene_index == i]
        last = attempts[-1] if attempts else None
        st = board.scenes[i]
        row = {
            "index": i, "title": scene.title, "status": WIRE_STATUS.get(st.status) or entry.get("videoStatus", "notStarted"),
            "clip": st.clip, "attempts": len(attempts), "remoteId": last.remote_id if last else None,
            "elapsed": round(last.updated_at - last.created_at, 1) if last else None,
            "error": entry.get("error") or (last.failure_reason if last else None),
            "metadata": entry.get("videoMetadata"),
        }
        takes = store.takes(script.id, i) if workspace.root.exists() else []
        row["takes"], row["takesBytes"] = len(takes), sum(t.size for t in takes)
        row["take"] = next((t.number for t in takes if t.chosen), None)
        row["drafts"] = sum(1 for t in takes if t.draft)
        row["approved"] = next((t.number for t in takes if t.approved), None)
        chosen = next((t for t in takes if t.chosen), None)
        row["clipIsDraft"] = bool(chosen and chosen.draft)
        # what this scene cost, every take and attempt of it (the ledger's lines that were paid and not refunded)
        row["spentCents"] = total_spent(ledger(attempts))
        if row["status"] == "completed" and st.clip and Path(st.clip).is_file():
            # A clip cut short on disk (a failed copy, a full disk, a tamperer) is not a scene done.
            problem = film_clip_problem(Path(st.clip), seconds=script.video.seconds)
            if problem is not None:
                row["status"], row["error"] = "damaged", f"{problem} — render it again with --force"
        if remote is not None:
            copy = remote.get(i)
            row["storage"] = {"object": copy.uri, "size": copy.size, "md5": copy.md5} if copy else None
        rows.append(row)
    final = store.final_path(script.id)
    claims = _claims(store, script.id)
    lines = ledger(all_attempts)
    rendering = RenderLock.held(workspace.lock_path(script.id))
    steered = journal.last_event(script.id, "queue_changed") if journal and rendering else None
    queue = {"limit": steered["limit"], "paused": steered["paused"], "draining": steered["draining"]} if steered else None
    if journal:
        journal.close()
    if args.json:
        emit({"type": "status", "scriptId": script.id, "workspace": str(workspace.root), "scenes": rows,
              "final": str(final) if final.is_file() else None,
              "rendering": rendering, "queue": queue, "claims": claims,
              "ledger": [line.__dict__ for line in lines], "spentCents": total_spent(lines)})
        return EXIT_OK
    print(clean(f"{script.id} — {script.title}  (workspace {workspace.root})"))
    for r in rows:
        extra = f"  — {r['error']}" if r["status"] == "damaged" else (
            f"  {r['clip']}" if r["clip"] else (f"  — {r['error']}" if r["error"] else ""))
        gen = f"  gen {r['remoteId']}" if r["remoteId"] else ""
        kept = f"  takes {r['takes']} ({human_size(r['takesBytes'])})" if r["takes"] > 1 else ""
        if r["drafts"]:
            kept += (f"  drafts {r['drafts']}" + (f", take {r['approved']} approved" if r["approved"] else "")
                     + (", the clip is a draft" if r["clipIsDraft"] else ""))
        if r["spentCents"]:
            kept += f"  spent {usd(r['spentCents'])}"
        print(clean(f"  [{r['index']:>3}] {r['status']:<13} {r['title'][:30]:<30} attempts {r['attempts']}{gen}{kept}{extra}"))
        if remote is not None:
            obj = r["storage"]
            print(f"        Storage: {obj['object']} ({human_size(obj['size'])})" if obj else "        Storage: not uploaded")
    if queue is not None:
        print("rendering now: " + ("draining — what is in flight finishes, nothing new starts" if queue["draining"] else
                                   ("paused, " if queue["paused"] else "") + f"{queue['limit']} scene(s) at once"))
    elif rendering:
        print("rendering now")
    if claims is not None:
        print_claims(claims)
    print(f"final film: {final}" if final.is_file() else "final film: not assembled yet")
    print_ledger(lines)
    return EXIT_OK


def _claims(store: Any, script_id: str) -> list[dict[str, Any]] | None:
    """The boxes' claims on the scenes (a Firestore script), as status prints them; None for a local one."""
    found = store.scene_claims(script_id)
    if found is None:
        return None
    now = time.time()
    return [{"scene": c.scene, "box": c.claim.box, "host": c.claim.host, "owner": c.claim.owner,
             "since": c.claim.since, "renewedAt": c.claim.renewed_at, "leaseUntil": c.claim.lease_until,
             "alive": c.claim.alive(now), "generationId": c.claim.generation_id,
             "stage": c.claim.stage, "stageAt": c.claim.stage_at} for c in found]


def print_claims(claims: list[dict[str, Any]]) -> None:
    """`boxes working on it`: which box holds which scene, since when, and the ones whose lease ran out."""
    if not claims:
        print("boxes working on it: none (no scene is claimed)")
        return
    now = time.time()
    print("boxes working on it (claims in Firestore):")
    for c in claims:
        if c["alive"]:
            stage = f"{c['stage']}" + (f" for {ago(now - c['stageAt'])}" if c["stageAt"] else "") \
                if c["stage"] else "working"
            since = f"since {ago(now - c['since'])}" if c["since"] else "since ?"
            renewed = f", lease renewed {ago(now - c['renewedAt'])} ago" if c["renewedAt"] else ""
            state = f"{stage}, {since}{renewed}, expires in {ago(c['leaseUntil'] - now)}"
        else:
            state = (f"GONE: its lease ran out {ago(now - c['leaseUntil'])} ago — the scene is free for another box"
                     if c["leaseUntil"] else "let go — the scene is free for another box")
        paid = f"  gen {c['generationId']}" if c["generationId"] else ""
        print(clean(f"  scene {c['scene']:>3}  {c['box']:<28} {state}{paid}"))


def cancel(args: argparse.Namespace) -> int:
    """Ask a running render to cancel scenes (through the journal); optionally delete them at Luma too."""
    settings = _settings()
    loaded = load_ref(args.script, settings, getattr(args, "bucket", None))
    workspace = resolve_workspace(args.script, args.workspace, settings)
    journal = Journal.open_existing(workspace.journal_path)
    if journal is None:
        raise UserError(f"no render has run in {workspace.root}", hint="check --workspace")
    scenes = parse_scenes(args.scenes, len(loaded.script.scenes)) if args.scenes else [None]
    if not RenderLock.held(workspace.lock_path(loaded.script.id)):
        journal.close()
        raise UserError("no render of this script is running here",
                        hint="open generations are picked up by the next render; nothing to cancel")
    for index in scenes:
        journal.send_command(loaded.script.id, "cancel", index, delete_remote=bool(args.delete_remote))
    journal.close()
    what = "all scenes" if scenes == [None] else "scene(s) " + ", ".join(map(str, scenes))
    said = f"asked the running render to cancel {what}" + (" and delete them at Luma" if args.delete_remote else "")
    if args.json:
        emit({"type": "cancelRequested", "scenes": None if scenes == [None] else scenes,
              "deleteRemote": bool(args.delete_remote), "message": said})
    else:
        print(said)
    return EXIT_OK


def queue(args: argparse.Namespace) -> int:
    """Steer the render of SCRIPT running in this workspace (through the journal) — or, for a `firestore:` script
    with no render here, every box rendering it (through Firestore): concurrency, pause, drain, order."""
    settings = _settings()
    loaded = load_ref(args.script, settings, getattr(args, "bucket", None))
    if args.concurrency is not None and not 1 <= args.concurrency <= MAX_AT_ONCE:
        raise UserError(f"--concurrency {args.concurrency}: out of range", hint=f"give 1 to {MAX_AT_ONCE}")
    first = parse_scenes(args.first, len(loaded.script.scenes)) if args.first else None
    if args.concurrency is not None:
        verb, asked, said = "concurrency", {"n": args.concurrency}, f"{args.concurrency} scene(s) at once"
    elif first is not None:
        verb, asked, said = "first", {"scenes": first}, f"scene(s) {', '.join(map(str, first))} next"
    else:
        verb = "pause" if args.pause else "resume" if args.resume else "drain"
        asked, said = {}, {"pause": "a pause", "resume": "to resume", "drain": "to drain"}[verb]
    workspace = resolve_workspace(args.script, args.workspace, settings)
    journal = Journal.open_existing(workspace.journal_path)
    here = journal is not None and RenderLock.held(workspace.lock_path(loaded.script.id))
    if here:
        assert journal is not None
        try:
            journal.send_command(loaded.script.id, verb, None, **asked)
        finally:
            journal.close()
        said = f"asked the running render for {said}"
    elif not isinstance(args.script, Path):  # firestore:ID — a shared script: every box rendering it
        if journal is not None:
            journal.close()
        store = make_store(loaded, workspace, build_options(args), settings)
        asyncio.run(store.send_queue_command(loaded.script.id, verb, **asked))
        said = f"asked every box rendering {args.script} for {said} (through Firestore)"
    else:
        if journal is not None:
            journal.close()
        raise UserError("no render of this script is running here", hint="start one with scenetui render, or check --workspace")
    emit({"type": "queueRequested", "message": said}) if args.json else print(said)
    return EXIT_OK
