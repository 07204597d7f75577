"""The command line's grammar: every command, flag and help text. Imports nothing heavy, so --help and --version
start at once (see tests/benchmarks/bench_startup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scenetui import __version__
from scenetui.cli.selection import MAX_TAKES
from scenetui.errors import EXIT_USAGE, UserError
from scenetui.keyframes.models import PICTURE_MODELS

DESCRIPTION = """\
Turn an AI script (scenes with start and end keyframes) into one generated video per scene,
keep the clips safe, and assemble the final film.

Quick start:  scenetui demo --headless          render the bundled sample offline
              scenetui demo                     the same, in the terminal app
              scenetui SCRIPT                   open the app on a script (scene tree, preview, keep/delete)
              scenetui validate SCRIPT          list every problem in a script
              scenetui render SCRIPT            render what is not done yet, then assemble final.mp4
              scenetui watch WORKSPACE          follow a render running elsewhere, live
"""

EXIT_CODES = "exit codes: 0 all good, 1 some scenes failed, 2 bad input or usage, 130 interrupted"


class UsageError(UserError):
    """The command line itself is wrong; main reports it as every other bad input (one line, and --json's error)."""

    exit_code = EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse lets error raise instead of exit; main says it once
        raise UsageError(f"{message} (see --help)")


def script_arg(text: str) -> object:
    """A script file path, or firestore:SCRIPT_ID."""
    from scenetui.script.ref import parse_script_ref

    try:
        return parse_script_ref(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(exc.line()) from None


SCRIPT_HELP = "a script file (JSON/TOML), or firestore:SCRIPT_ID for the document scripts/SCRIPT_ID in Firebase"


def positive_int(text: str) -> int:
    """A count of at least one (argparse turns the ValueError into a one-line usage error)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a count of at least 1")
    return value


def firebase_args(p: argparse.ArgumentParser, *, storage: bool = True) -> None:
    fb = p.add_argument_group("firebase (credential: GOOGLE_APPLICATION_CREDENTIALS; project: GOOGLE_CLOUD_PROJECT; "
                              "emulators: FIRESTORE_EMULATOR_HOST + STORAGE_EMULATOR_HOST)")
    if storage:
        fb.add_argument("--storage", choices=["local", "firebase"],
                        help="where clips go: local (default for script files) or firebase (Cloud Storage + Firestore; "
                             "always for firestore: scripts)")
        fb.add_argument("--user-id", metavar="UID", help="owner uid carried by every upload (default: the script's userId)")
    fb.add_argument("--bucket", metavar="NAME", help="Cloud Storage bucket (default: SCENETUI_FIREBASE_BUCKET)")


def luma_money_args(p: argparse.ArgumentParser) -> None:
    """What a paid generation needs: consent, a cap, prices, the API and where keyframes are published."""
    money = p.add_argument_group("luma: money and keyframes")
    money.add_argument("--yes", "-y", action="store_true", help="do not ask before spending (the estimate is still printed)")
    money.add_argument("--max-spend", type=float, metavar="USD",
                       help="hard cap on what this run may spend, checked before every create (retries included)")
    money.add_argument("--allow-low-balance", action="store_true", help="go ahead even when the balance is below the estimate")
    money.add_argument("--price-table", type=Path, metavar="FILE", help='prices in US cents, JSON/TOML: {"ray-2/720p/5s": 90}')
    money.add_argument("--retries", type=int, default=1, metavar="N",
                       help="extra tries for a transient failure (Luma refunds failed generations; each try counts against --max-spend)")
    money.add_argument("--luma-base-url", metavar="URL", help="API base URL (default: LUMAAI_BASE_URL or Luma's)")
    money.add_argument("--keyframe-base-url", metavar="URL",
                       help="public URL where the script's folder is published; local keyframes are sent as URLs under it "
                            "(with Firebase storage they are hosted in the bucket and sent as signed URLs instead)")


def _common_render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", type=Path, metavar="DIR",
                   help="where clips, the journal and logs live (default: scenetui-workspace beside the script)")
    p.add_argument("--backend", default="animatic", choices=["animatic", "luma"],
                   help="video generator: animatic (offline, free; default) or luma (paid: ray-3.2 needs LUMA_AGENTS_API_KEY, "
                        "ray-2 LUMAAI_API_KEY)")
    p.add_argument("--concurrency", type=int, metavar="N",
                   help="scenes worked on at once (default 2; luma: 20, while at most 10 generations are in flight at "
                        "Luma; more than twice SCENETUI_LUMA_MAX_IN_FLIGHT is refused)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event and a final summary on stdout")
    p.add_argument("--verbose", "-v", action="store_true", help="also print debug lines on stderr (the log always has them)")
    p.add_argument("--no-assemble", action="store_true", help="render clips only; do not assemble final.mp4")
    told = p.add_argument_group("when it ends")
    told.add_argument("--notify-cmd", metavar="CMD",
                      help="run CMD (split like a shell would, run without one) with the JSON summary on stdin when "
                           "the render ends: done, failed scenes, the cap reached, a scene in doubt")
    told.add_argument("--notify-url", metavar="URL",
                      help="POST the JSON summary to this https URL when the render ends (3 tries; never holds the "
                           "render up; only the URL's host is ever logged)")
    video = p.add_argument_group("video settings (override the script's `video`)")
    video.add_argument("--model", choices=["ray-3.2", "ray-2", "ray-flash-2"],
                       help="ray-3.2 (Luma's current API, LUMA_AGENTS_API_KEY) or ray-2 / ray-flash-2 (Dream Machine API)")
    video.add_argument("--resolution", choices=["360p", "540p", "720p", "1080p", "4k"],
                       help="360p is ray-3.2's draft tier; 4k is ray-2's")
    video.add_argument("--duration", choices=["5s", "9s", "10s"], help="ray-3.2: 5s or 10s; ray-2: 5s or 9s")
    video.add_argument("--aspect-ratio", choices=["1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3"])
    luma_money_args(p)
    firebase_args(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scenetui", description=DESCRIPTION, epilog=EXIT_CODES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"scenetui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="render the bundled sample script offline", epilog=EXIT_CODES,
                          description="Write the sample script 'The Lighthouse Keeper' (4 scenes, keyframes drawn on the "
                                      "spot) into the workspace, render it with the offline animatic generator and "
                                      "assemble final.mp4.")
    demo.add_argument("--headless", action="store_true", help="print progress instead of opening the app")
    demo.add_argument("--workspace", type=Path, metavar="DIR", default=Path("scenetui-demo"),
                      help="where to put the sample and its clips (default: ./scenetui-demo)")
    demo.add_argument("--json", action="store_true", help="print one JSON object per event")
    demo.add_argument("--concurrency", type=int, metavar="N", help="scenes rendered at once (default 2)")

    val = sub.add_parser("validate", help="check a script file and list every problem", epilog="exit 0 when clean, 2 when not",
                         description="Check a script (JSON or TOML): structure, ids, keyframe files (exist, are whole images), "
                                     "duplicate scenes. Every problem is listed with its location.")
    val.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    val.add_argument("--json", action="store_true", help="print the problems as a JSON object")
    firebase_args(val, storage=False)

    ren = sub.add_parser("render", help="render pending scenes and assemble the film", epilog=EXIT_CODES,
                         description="Render every scene that has no valid clip yet, then assemble final.mp4. Running it "
                                     "again does nothing already done; Ctrl-C stops cleanly and a rerun resumes.")
    ren.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ren.add_argument("--scenes", metavar="LIST", help="only these scenes, e.g. 0,2-3 (0-based)")
    ren.add_argument("--force", action="store_true", help="regenerate the selected scenes even when their clips are valid")
    ren.add_argument("--takes", type=int, metavar="N",
                     help=f"make N new takes of each selected scene at once (1-{MAX_TAKES}), each paid once; the scene's "
                          "clip stays as it is (a scene without one gets the first take) — choose with `takes choose`")
    ren.add_argument("--draft", action="store_true",
                     help="the cheap pass: a draft take of every scene not drafted yet — ray-3.2 at 360p, ray-flash-2 "
                          "at 540p for ray-2 scripts, the animatic for free; watch, `takes approve`, then --final")
    ren.add_argument("--final", action="store_true",
                     help="the final take of every approved draft at the script's settings: on ray-2 Luma's upscale "
                          "of the draft's own generation (the same motion), on ray-3.2 a new generation")
    ren.add_argument("--audio", action="store_true",
                     help="then Luma's sound for each scene's clip that has none (ray-2 scripts): a take of its own from "
                          "the scene's `sound` field or its description, priced and paid once")
    ren.add_argument("--continuity", action="store_true",
                     help="luma: start each scene from the previous scene's generation instead of its own start keyframe "
                          "(smoother joins, same price; scenes then render one after another)")
    ren.add_argument("--dry-run", action="store_true",
                     help="print, per scene, the exact request a render would send (prompt, keyframes, settings; no key) "
                          "and its price — send nothing, pay nothing")
    ren.add_argument("--resubmit", metavar="LIST",
                     help="ray-3.2: pay again for these scenes' creates whose answer was lost (status 'in doubt': "
                          "check your Luma usage page first — Luma's current API cannot look them up)")
    _common_render_args(ren)

    au = sub.add_parser("audio", help="ask Luma for the sound of clips already made (ray-2)", epilog=EXIT_CODES,
                        description="Luma's audio for every selected scene's clip that has no sound yet: a take of its "
                                    "own (the silent one is kept) made from the scene's `sound` field (what it sounds "
                                    "like), else its description, and `soundNegative` (what it must not). Priced, "
                                    "asked, capped, journaled and paid once, like a render; then the film is assembled "
                                    "with it. Ray 3.2 (Luma's current API) makes no sound.")
    au.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    au.add_argument("--scenes", metavar="LIST", help="only these scenes, e.g. 0,2-3 (0-based)")
    au.add_argument("--force", action="store_true", help="ask again for scenes whose clip has sound already")
    au.add_argument("--dry-run", action="store_true", help="print each request and its price; send and pay nothing")
    _common_render_args(au)
    au.set_defaults(backend="luma")

    st = sub.add_parser("status", help="show each scene's state from the workspace",
                        description="Each scene's state, clip, attempts and last failure, read from the workspace.")
    st.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    st.add_argument("--workspace", type=Path, metavar="DIR")
    st.add_argument("--json", action="store_true", help="print a JSON object")
    firebase_args(st)

    tk = sub.add_parser("takes", help="every clip each scene got: list, choose, delete, prune, approve drafts",
                        usage="scenetui takes [list|choose|delete|prune|approve] SCRIPT [SCENE TAKE | SCENES] [options]",
                        description="Every clip a scene ever got is a take, kept under videos/scripts/ID/takes/SCENE/ "
                                    "in the workspace; the scene's clip (scenes/SCENE.mp4, what the film and the phone "
                                    "app use) is the chosen one. A regenerated scene adds a take and chooses it.",
                        epilog="takes SCRIPT [--scenes LIST]            list each scene's takes (* = its clip)\n"
                               "takes choose SCRIPT SCENE TAKE          make take TAKE scene SCENE's clip\n"
                               "takes delete SCRIPT SCENE TAKE [--yes]  delete a take that is not the clip\n"
                               "takes prune SCRIPT --keep N [--yes]     keep the clip and the N-1 newest others\n"
                               "takes approve SCRIPT SCENES             approve drafts (e.g. 0-3,5) for render --final",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    tk.add_argument("words", nargs="+", metavar="[ACTION] SCRIPT [SCENE TAKE]",
                    help="list (the default), choose, delete, prune or approve; then the script; then scene and take "
                         "(approve: the scenes)")
    tk.add_argument("--scenes", metavar="LIST", help="list or prune only these scenes, e.g. 0,2-3")
    tk.add_argument("--keep", type=int, metavar="N", help="prune: takes kept per scene, the chosen one included")
    tk.add_argument("--yes", "-y", action="store_true", help="delete without asking")
    tk.add_argument("--workspace", type=Path, metavar="DIR")
    tk.add_argument("--json", action="store_true", help="print JSON")
    firebase_args(tk)

    ca = sub.add_parser("cancel", help="cancel scenes of a render running elsewhere",
                        description="Send a cancel to the render of SCRIPT running in this workspace (another terminal, tmux "
                                    "pane or service). Paid generations keep running at Luma and are picked up by the next "
                                    "render, unless --delete-remote deletes them.")
    ca.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ca.add_argument("--workspace", type=Path, metavar="DIR")
    ca.add_argument("--scenes", metavar="LIST", help="only these scenes (default: all)")
    ca.add_argument("--delete-remote", action="store_true", help="also delete the generations at Luma")
    ca.add_argument("--json", action="store_true", help="print a JSON object")
    firebase_args(ca, storage=False)

    qu = sub.add_parser("queue", help="steer a render running elsewhere: concurrency, pause, drain, priority",
                        description="Change the render of SCRIPT running in this workspace (another terminal, tmux pane "
                                    "or service) while it runs, through its journal: how many scenes at once, pause or "
                                    "resume starting new ones, drain (what is in flight finishes, nothing new starts, "
                                    "the render ends and a rerun goes on), or which waiting scenes go next.")
    qu.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    qu.add_argument("--workspace", type=Path, metavar="DIR")
    what = qu.add_mutually_exclusive_group(required=True)
    what.add_argument("--concurrency", type=int, metavar="N",
                      help="scenes worked on at once from now (never cancels one; a Luma render keeps to its account's "
                           "limit)")
    what.add_argument("--pause", action="store_true", help="start nothing new until --resume (work in flight goes on)")
    what.add_argument("--resume", action="store_true", help="start scenes again after --pause")
    what.add_argument("--drain", action="store_true", help="finish what is in flight, start nothing new, end the render")
    what.add_argument("--first", metavar="LIST", help="these waiting scenes go next, in this order (e.g. 7,9)")
    qu.add_argument("--json", action="store_true", help="print a JSON object")
    firebase_args(qu, storage=False)

    ex = sub.add_parser("export", help="assemble the film: transitions, music, quality", epilog=EXIT_CODES,
                        description="Join every scene's clip in order into final.mp4 (and -o FILE). Transitions re-encode "
                                    "only about a second around each boundary; the rest is stream-copied. A scene's "
                                    "`transitionToNext` in the script wins over --transition. The previous film stays "
                                    "until the new one is whole; Ctrl-C leaves it intact.")
    ex.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ex.add_argument("--workspace", type=Path, metavar="DIR")
    ex.add_argument("-o", "--output", type=Path, metavar="FILE", help="also write the film here (replaced when whole)")
    ex.add_argument("--transition", metavar="NAME[:SECONDS]",
                    help="between scenes: cut (default), dissolve, fadeblack, fadewhite, wipeleft, wiperight, slideleft, "
                         "circleopen, … (ffmpeg xfade names); seconds 0.5 by default, at most 1; or bridge: a Luma clip "
                         "generated from the last frame of each scene to the first of the next (paid; needs --backend luma)")
    ex.add_argument("--backend", default="animatic", choices=["animatic", "luma"], help="generator for bridge clips")
    ex.add_argument("--music", type=Path, metavar="FILE", help="soundtrack: looped or trimmed to the film, faded in and out")
    ex.add_argument("--music-volume", type=float, default=-6.0, metavar="DB",
                    help="music level in dB against the scenes' own sound (default -6)")
    ex.add_argument("--duck", type=float, default=8.0, metavar="DB",
                    help="how far the music drops while a scene has sound of its own, 0 to 12 (default 8; 0: never)")
    ex.add_argument("--loudness", default="-14", metavar="LUFS|off",
                    help="bring the film's sound to this integrated loudness (EBU R128, two passes, true peak -1 dBTP): "
                         "-14 streaming (default), -23 broadcast, off to leave the levels as mixed")
    ex.add_argument("--mute-clips", action="store_true",
                    help="leave the clips' own sound out of the film (music only, or silent)")
    ex.add_argument("--quality", choices=["high", "balanced", "small"],
                    help="re-encode the film once: high (CRF 18, slow), balanced (CRF 23), small (CRF 28); "
                         "default: keep the clips' own quality (no re-encode of the middles)")
    ex.add_argument("--subtitles", action="store_true",
                    help="each scene's caption (or dialogue) field as a cue over its time: final.srt and final.vtt "
                         "beside the film and a soft subtitle track in it (the picture is not re-encoded)")
    ex.add_argument("--burn-subtitles", action="store_true",
                    help="draw the captions into the picture instead (white sans on a dark box at the bottom; "
                         "re-encodes the film once); the .srt and .vtt are still written")
    ex.add_argument("--timeline", type=Path, metavar="FILE.otio|FILE.edl",
                    help="also write the cut for an editor (OpenTimelineIO, or a CMX 3600 EDL for Resolve/Premiere)")
    ex.add_argument("--json", action="store_true", help="JSON lines: progress events and a final summary")
    ex.add_argument("--verbose", "-v", action="store_true", help="also print debug lines on stderr")
    firebase_args(ex)
    luma_money_args(ex)

    co = sub.add_parser("compress", help="re-encode a clip or film at a chosen quality",
                        description="The seed's compressVideo: H.264 yuv420p BT.709, +faststart, AAC when there is audio.")
    co.add_argument("file", type=Path, metavar="FILE")
    co.add_argument("-o", "--output", type=Path, metavar="OUT", help="default: FILE-QUALITY.mp4 beside it")
    co.add_argument("--quality", choices=["high", "balanced", "small"], default="balanced")
    co.add_argument("--json", action="store_true")

    _interactive_parsers(sub)
    _operator_parsers(sub)
    _program_parsers(sub)
    return parser


COMMANDS = ("demo", "validate", "render", "status", "cancel", "export", "compress", "open", "watch", "serve",
            "doctor", "config", "logs", "stats", "keyframes", "takes", "audio", "queue", "mcp", "completion")


def with_implicit_open(argv: list[str]) -> list[str]:
    """`scenetui SCRIPT …` means `scenetui open SCRIPT …`."""
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS and (
            Path(argv[0]).suffix.lower() in (".json", ".toml") or argv[0].startswith("firestore:")):
        return ["open", *argv]
    return argv




def _interactive_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    op = sub.add_parser("open", help="open the app on a script (also: scenetui SCRIPT)",
                        description="The terminal app: the script's scenes as a tree with live progress, details with "
                                    "keyframe pictures, preview/keep/delete of clips, generation and export. Renders run "
                                    "in this process; for renders that outlive the window use `render` + `watch`.")
    op.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    _common_render_args(op)
    wa = sub.add_parser("watch", help="follow a render running in another process",
                        description="Attach the app to a render that `scenetui render` runs elsewhere (another SSH "
                                    "session, a tmux pane, a service) by following the workspace journal. Retry and "
                                    "cancel reach the running render through the journal.")
    wa.add_argument("target", type=script_arg, metavar="WORKSPACE|SCRIPT")
    wa.add_argument("--workspace", type=Path, metavar="DIR", help="the workspace, when TARGET is a script")
    firebase_args(wa)
    se = sub.add_parser("serve", help="the same view in a browser (textual-serve)",
                        description="Serve `scenetui watch TARGET` (or `open` with --open) over HTTP for a browser.")
    se.add_argument("target", type=script_arg, metavar="WORKSPACE|SCRIPT")
    se.add_argument("--bucket", metavar="NAME", help="Cloud Storage bucket for a firestore: script")
    se.add_argument("--workspace", type=Path, metavar="DIR")
    se.add_argument("--open", action="store_true", help="serve the full app (renders in the server process)")
    se.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this machine only; any other address needs a token)")
    se.add_argument("--token", metavar="TOKEN",
                    help="the token a browser must bring (default: SCENETUI_SERVE_TOKEN, else a new one, printed); "
                         "needed whenever --host is not loopback. Prefer the variable: a flag shows in `ps`")
    se.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    se.add_argument("--max-visitors", type=positive_int, default=4, metavar="N",
                    help="browsers watching at once (each runs an app process; default 4)")


def _operator_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    doc = sub.add_parser("doctor", help="check this machine before a long render",
                         epilog="exit 0 when every check the chosen backend and storage need passes, 1 otherwise",
                         description="Every check with ✓/✗, what was found and how to fix it: ffmpeg, PyAV, a player, the "
                                     "workspace, the journal, Luma (reachable, key accepted; nothing is spent) and Firebase "
                                     "(credential, project, bucket or emulators).")
    doc.add_argument("--workspace", type=Path, metavar="DIR", help="the workspace to check (default: ./scenetui-workspace)")
    doc.add_argument("--backend", default="animatic", choices=["animatic", "luma"], help="check what this backend needs")
    doc.add_argument("--luma-base-url", metavar="URL", help="API base URL (default: LUMAAI_BASE_URL or Luma's)")
    doc.add_argument("--model", choices=["ray-3.2", "ray-2", "ray-flash-2"],
                     help="check the Luma API serving this model (ray-3.2: Luma's current API and LUMA_AGENTS_API_KEY; "
                          "default: ray-2's, and ray-3.2's too when its key is set)")
    doc.add_argument("--json", action="store_true", help='print {"ok": bool, "checks": [{"name", "ok", "detail", "fix"}]}')
    firebase_args(doc)

    cfg = sub.add_parser("config", help="show the effective settings and where each comes from",
                         description="Settings come from flags, then the environment (SCENETUI_*, LUMAAI_*, Google's "
                                     "variables), then the config file, then defaults. Secrets are masked.")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = cfg_sub.add_parser("show", help="every effective setting and its source")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    cfg_sub.add_parser("path", help="print the config file's path")

    kf = sub.add_parser("keyframes", help="draw the keyframes scenes lack (offline storyboard cards)",
                        description="Fill in the missing startKeyframe/endKeyframe of the chosen scenes: pictures go to "
                                    "keyframes/{index:03d}-start.png (…-end.png) beside the script, and the script is "
                                    "updated in place, keeping its format, order and every field scenetui does not know. "
                                    "--backend sketch (the default, free, offline) draws a storyboard card from the "
                                    "scene's words: enough to render the animatic and judge the cut. For a firestore:ID "
                                    "script the cards go to the bucket (keyframes/{userId}/{sha256}.png) and the fields "
                                    "are set through the same field-only transaction as a render's.")
    kf.add_argument("script", type=script_arg, metavar="SCRIPT", help="a script file (JSON/TOML) or firestore:ID")
    kf.add_argument("--scenes", metavar="LIST", help="only these scenes, e.g. 0,2-3 (default: all)")
    kf.add_argument("--force", action="store_true", help="draw new keyframes even for scenes that have them")
    kf.add_argument("--backend", default="sketch", choices=["sketch", "luma"],
                    help="sketch (offline, free; default) or luma (paid pictures: Photon with LUMAAI_API_KEY, or uni-1 "
                         "on Luma's current API with LUMA_AGENTS_API_KEY)")
    kf.add_argument("--json", action="store_true", help="one JSON object per keyframe and a summary")
    photon = kf.add_argument_group("luma (Photon or uni-1)")
    photon.add_argument("--model", choices=list(PICTURE_MODELS),
                        help="the picture model (default: uni-1 for a script on ray-3.2, else photon-1); uni-1 takes "
                             "up to 9 reference pictures, sent inline or uploaded — nothing to host; uni-1-max needs "
                             "its price in --price-table")
    photon.add_argument("--yes", "-y", action="store_true", help="do not ask before spending (the estimate is still printed)")
    photon.add_argument("--max-spend", type=float, metavar="USD", help="refuse when the estimate is above this")
    photon.add_argument("--price-table", type=Path, metavar="FILE", help='cents per picture, e.g. {"photon-1": 2}')
    photon.add_argument("--resubmit", action="store_true",
                        help="uni-1: pay again for pictures in doubt (sent once, Luma's answer lost; check your usage "
                             "page first)")
    photon.add_argument("--luma-base-url", metavar="URL",
                        help="API base URL (default: LUMAAI_BASE_URL, or LUMA_AGENTS_BASE_URL for uni-1, or Luma's)")
    photon.add_argument("--keyframe-base-url", metavar="URL",
                        help="Photon: public URL of the script's folder: characters' local reference images are sent "
                             "under it (uni-1 needs none)")
    photon.add_argument("--workspace", type=Path, metavar="DIR", help="where the journal lives (default: beside the script)")
    firebase_args(kf, storage=False)
    kf.add_argument("--user-id", metavar="UID",
                    help="owner uid of pictures put in the bucket (firestore: scripts; default: the script's userId)")

    stats = sub.add_parser("stats", help="what renders took, failed and cost, from the journal",
                           description="Analytics from the workspace journal, nothing sent anywhere: time queued at "
                                       "Luma, generating and downloading (median, p90, max, and a histogram), failures "
                                       "by reason, retries, and spend by model, script and day.")
    stats.add_argument("target", nargs="?", type=Path, metavar="WORKSPACE|SCRIPT",
                       help="a script (its scenes only, in its workspace) or a workspace; default ./scenetui-workspace")
    stats.add_argument("--workspace", type=Path, metavar="DIR")
    stats.add_argument("--all", action="store_true", help="every script in the workspace (the default for a workspace)")
    stats.add_argument("--no-plots", action="store_true", help="numbers only")
    stats.add_argument("--json", action="store_true", help="print a JSON object")

    logs = sub.add_parser("logs", help="print a workspace's log in human form",
                          description="The structured log (logs/scenetui.log and its rotated parts) as readable lines.")
    logs.add_argument("target", nargs="?", type=Path, metavar="WORKSPACE|SCRIPT",
                      help="a workspace, or a script (its default workspace); default ./scenetui-workspace")
    logs.add_argument("--workspace", type=Path, metavar="DIR")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines (Ctrl-C to stop)")
    logs.add_argument("--lines", "-n", type=int, default=50, metavar="N", help="how many past lines (default 50)")
    logs.add_argument("--level", choices=["debug", "info", "warning", "error"], help="only this level and above")


def _program_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mc = sub.add_parser("mcp", help="serve the tools to a coding agent (Model Context Protocol over stdio)",
                        description="A Model Context Protocol server on stdin/stdout for coding agents: validate, "
                                    "estimate, render (in a process of its own), wait_for_render with progress, "
                                    "status, cancel, export, keyframes and takes, the film and clips as resources. It "
                                    "serves one project folder (the current one, or --root): paths outside it are "
                                    "refused. Paid renders are refused unless --max-spend allows them.",
                        epilog='register it with an agent, e.g.:  claude mcp add scenetui -- scenetui mcp --root .')
    mc.add_argument("--root", type=Path, metavar="DIR", default=Path("."),
                    help="the project folder served (default: the current folder)")
    mc.add_argument("--max-spend", type=float, default=0.0, metavar="USD",
                    help="the most any one render an agent starts may spend, in US dollars (default 0: no paid work)")
    mc.add_argument("--luma-base-url", metavar="URL", help="Luma's API base URL for paid renders (default: Luma's)")
    mc.add_argument("--keyframe-base-url", metavar="URL",
                    help="public URL of the project folder, for ray-2 keyframes sent as URLs")
    mc.add_argument("--price-table", type=Path, metavar="FILE", help="prices in US cents (as for render)")

    co = sub.add_parser("completion", help="print the shell completion script (bash, zsh or fish)",
                        description="Print a completion script for commands, flags, choices and script files. "
                                    "bash: eval \"$(scenetui completion bash)\" in ~/.bashrc; zsh: scenetui completion "
                                    "zsh > ~/.zfunc/_scenetui; fish: scenetui completion fish > "
                                    "~/.config/fish/completions/scenetui.fish")
    co.add_argument("shell", nargs="?", choices=["bash", "zsh", "fish"])
    co.add_argument("--scenes-of", type=Path, metavar="SCRIPT", help=argparse.SUPPRESS)  # the bash function's helper
