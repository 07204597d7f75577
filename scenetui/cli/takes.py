"""`scenetui takes`: every clip each scene got — list them, choose the scene's clip, delete or prune the others."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from scenetui.errors import EXIT_OK, UserError
from scenetui.headless.jsonout import emit

if TYPE_CHECKING:
    from scenetui.domain.takes import TakeRow

ACTIONS = ("list", "choose", "delete", "prune", "approve")


def takes_cmd(args: argparse.Namespace) -> int:
    """Dispatch `takes [list|choose|delete|prune] SCRIPT …`: the action word is optional for a listing."""
    from scenetui.cli.common import run_async

    return run_async(_takes(args))


async def _takes(args: argparse.Namespace) -> int:
    from scenetui.build import make_store, resolve_workspace
    from scenetui.cli.common import build_options, settings as _settings
    from scenetui.cli.selection import parse_scenes
    from scenetui.control.takes import take_rows
    from scenetui.cli.parsers import script_arg
    from scenetui.script.sources import load_ref

    words: list[str] = list(args.words)
    action = words.pop(0) if words and words[0] in ACTIONS else "list"
    if not words:
        raise UserError(f"takes {action}: which script?", hint="scenetui takes SCRIPT (see scenetui takes --help)")
    ref = script_arg(words.pop(0))
    wanted = {"list": 0, "choose": 2, "delete": 2, "prune": 0, "approve": 1}[action]
    if len(words) != wanted:
        shape = {"choose": "SCENE TAKE", "delete": "SCENE TAKE", "approve": "SCENES"}.get(action, "")
        raise UserError(f"takes {action} needs SCRIPT {shape}".rstrip() + f"; got {' '.join(words) or 'nothing'} after it",
                        hint="scenetui takes --help")
    settings = _settings()
    opts = build_options(args)
    loaded = load_ref(ref, settings, opts.bucket)
    workspace = resolve_workspace(ref, args.workspace, settings)
    script = loaded.script
    store = make_store(loaded, workspace, opts, settings)
    n = len(script.scenes)

    def number(word: str, what: str, top: int | None = None) -> int:
        if not word.isdigit() or (top is not None and int(word) >= top):
            raise UserError(f"{what} {word!r} is not a {'scene index (0-' + str(top - 1) + ')' if top else 'take number'}",
                            hint="scenetui takes SCRIPT lists the scenes' takes")
        return int(word)

    if action == "choose":
        scene, take = number(words[0], "scene", n), number(words[1], "take")
        await store.choose_take(script.id, scene, take)
        return _said(args, {"type": "chosen", "scene": scene, "take": take},
                     f"scene {scene}'s clip is now take {take}; `scenetui export {ref}` assembles the film with it")
    if action == "delete":
        scene, take = number(words[0], "scene", n), number(words[1], "take")
        found = [t for t in store.takes(script.id, scene) if t.number == take]
        if found and not found[0].chosen:
            _ask(args, f"Delete take {take} of scene {scene} ({found[0].size / 2**20:.1f} MB)? It cannot be undone.")
        gone = await store.delete_take(script.id, scene, take)
        return _said(args, {"type": "deleted", "scene": scene, "take": take, "bytes": gone.size},
                     f"deleted take {take} of scene {scene}")
    if action == "approve":
        chosen = parse_scenes(words[0], n)
        missing = [i for i in chosen if not any(t.draft for t in store.takes(script.id, i))]
        if missing:  # checked for every scene first: nothing is approved unless all can be
            raise UserError(f"scene(s) {', '.join(map(str, missing))} have no draft to approve",
                            hint=f"draft them first: scenetui render {ref} --draft --scenes {','.join(map(str, missing))}")
        approved = [await store.approve_take(script.id, i) for i in chosen]
        return _said(args, {"type": "approved", "scenes": [{"scene": t.scene, "take": t.number} for t in approved]},
                     "approved " + ", ".join(f"scene {t.scene} (take {t.number})" for t in approved)
                     + f"; `scenetui render {ref} --final` makes their final takes")
    scenes = parse_scenes(args.scenes, n) if args.scenes else list(range(n))
    if action == "prune":
        if args.keep is None or args.keep < 1:
            raise UserError("takes prune needs --keep N (at least 1: the chosen take is always kept)",
                            hint="scenetui takes prune SCRIPT --keep 2")
        doomed = [t for i in scenes for t in _prunable(store.takes(script.id, i), args.keep)]
        if not doomed:
            return _said(args, {"type": "pruned", "deleted": [], "bytes": 0}, "nothing to prune")
        size = sum(t.size for t in doomed)
        _ask(args, f"Delete {len(doomed)} take(s) ({size / 2**20:.1f} MB), keeping each scene's clip and its "
                   f"{args.keep - 1} newest other take(s)? It cannot be undone.")
        for t in doomed:
            await store.delete_take(script.id, t.scene, t.number)
        return _said(args, {"type": "pruned", "deleted": [{"scene": t.scene, "take": t.number} for t in doomed],
                            "bytes": size}, f"deleted {len(doomed)} take(s), {size / 2**20:.1f} MB freed")
    by_scene = take_rows(store, workspace, loaded, scenes)
    rows = [{"scene": i, "takes": [_row(t) for t in by_scene[i]]} for i in scenes]
    if args.json:
        emit({"type": "takes", "scriptId": script.id, "scenes": rows})
        return EXIT_OK
    from scenetui.headless.text import clean

    for row in rows:
        title = script.scenes[row["scene"]].title
        print(clean(f"[{row['scene']:>3}] {title[:40]}" + ("" if row["takes"] else "  (no takes)")))
        for t in row["takes"]:
            mark = "*" if t["chosen"] else " "
            cost = f"{t['costCents']}¢" if t["costCents"] is not None else "-"
            kind = ("approved draft" if t["approved"] else "draft" if t["draft"] else
                    f"final of {t['from']}" if t["from"] is not None else
                    f"sound for {t['soundOf']}" if t["soundOf"] is not None else "sound" if t["sound"] else "")
            print(clean(f"   {mark} take {t['take']:<3} {t['model'] or t['backend'] or '?':<10} {t['resolution'] or '?':<10} "
                        f"{cost:>5}  {t['sizeBytes'] / 2**20:6.1f} MB  {(t['createdAt'] or 'before takes')[:19]}"
                        + (f"  {kind}" if kind else "")
                        + (("  stale: " + "; ".join(t["whyStale"] or ["its inputs changed"])) if t["stale"] else "")))
    print("* the scene's clip · scenetui takes choose SCRIPT SCENE TAKE makes another one its clip")
    return EXIT_OK


def _prunable(takes: list[Any], keep: int) -> list[Any]:
    """All but the chosen take and the newest `keep - 1` others."""
    others = [t for t in takes if not t.chosen and not t.approved]  # an approved draft waits for its final
    room = keep - (1 if any(t.chosen for t in takes) else 0)
    return others[:-room] if room > 0 else others


def _row(t: TakeRow) -> dict[str, Any]:
    return {"take": t.number, "chosen": t.chosen, "path": t.path, "sizeBytes": t.size, "createdAt": t.created,
            "model": t.model, "backend": t.backend, "resolution": t.resolution, "duration": t.duration,
            "remoteId": t.remote_id, "inputs": t.inputs, "costCents": t.cost_cents, "stale": t.stale,
            "draft": t.draft, "approved": t.approved, "from": t.source, "whyStale": list(t.why_stale),
            "soundOf": t.sound_of, "sound": t.sound}


def _ask(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise UserError(question.split("?")[0] + "? — not asked: not at a terminal", hint="pass --yes to go ahead")
    if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
        raise UserError("nothing was deleted")


def _said(args: argparse.Namespace, payload: dict[str, Any], text: str) -> int:
    emit(payload) if args.json else print(text)
    return EXIT_OK
