"""`scenetui doctor`: every check a long render depends on, each with what was found and how to fix it.

A check never raises: a broken environment (no ffmpeg, no network, a corrupt config) is what doctor reports.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scenetui.errors import UserError

MIN_FREE_BYTES = 2 * 1024**3  # a few 1080p clips and a film; a render refuses nothing, doctor warns below this


@dataclass
class Check:
    """One line of the report; `needed` checks decide the exit code."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed: bool = True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DoctorOptions:
    """What to check: the backend and storage a render would use, and where."""

    workspace: Path
    backend: str = "animatic"
    storage: str = "local"
    luma_base_url: str | None = None
    bucket: str | None = None
    model: str | None = None  # None: the Dream Machine API, and the current one too when its key is set


def _guard(name: str, work: Callable[[], Check], *, needed: bool = True) -> Check:
    try:
        check = work()
    except UserError as exc:
        return Check(name, False, exc.message, exc.hint or "", needed)
    except Exception as exc:  # doctor reports whatever is broken; it must not become the thing that crashes
        return Check(name, False, f"{type(exc).__name__}: {exc}", "see the detail", needed)
    check.needed = needed
    return check


def check_python() -> Check:
    v = sys.version_info
    ok = v >= (3, 11)
    return Check("python", ok, f"{sys.executable} ({v.major}.{v.minor}.{v.micro})", "" if ok else "use Python 3.11 or newer")


def check_ffmpeg() -> Check:
    from scenetui.media.ffmpeg import locate_ffmpeg

    found = locate_ffmpeg()
    run = subprocess.run([found.path, "-hide_banner", "-version"], capture_output=True, text=True, timeout=20)
    version = (run.stdout.splitlines() or ["?"])[0].removeprefix("ffmpeg version ").split(" ")[0]
    encoders = subprocess.run([found.path, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=20).stdout
    x264 = " libx264 " in encoders
    detail = f"{found.path} ({found.source}, version {version}, libx264 {'yes' if x264 else 'no'})"
    return Check("ffmpeg", run.returncode == 0 and x264, detail,
                 "" if x264 else "use an ffmpeg built with libx264 (Debian's, or set SCENETUI_FFMPEG)")


def check_pyav() -> Check:
    import av

    av.codec.Codec("h264", "r")
    return Check("pyav", True, f"PyAV {av.__version__} (decodes H.264)")


def check_player() -> Check:
    from scenetui.media.players import INSTALL_HINT, find_player, has_display

    player = find_player()
    display = has_display()
    if player is None:
        return Check("player", False, "no mpv or ffplay; the app steps through stills instead", INSTALL_HINT)
    where = "a window" if display else ("the terminal" if player.plays_in_terminal else "nowhere without a display")
    ok = display or player.plays_in_terminal
    return Check("player", ok, f"{player.name} at {player.path}; clips play in {where}",
                 "" if ok else "install mpv, which draws video inside the terminal")


def check_colours(env: Mapping[str, str] | None = None) -> Check:
    """How many colours the app will draw in here, as Textual decides it from TERM, COLORTERM and
    TEXTUAL_COLOR_SYSTEM: 16 makes half-block previews and keyframes garish, and nothing else would say so."""
    from rich.console import Console

    env = dict(os.environ if env is None else env)
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "auto")
    if forced in ("truecolor", "256", "standard", "windows"):
        system, why = forced, f"TEXTUAL_COLOR_SYSTEM={forced}"
    else:  # what Textual's console (Rich) detects, read by the same code
        system = Console(force_terminal=True, color_system="auto", _environ=env).color_system or "standard"
        why = f"TERM={env.get('TERM') or 'unset'}" + (f", COLORTERM={env['COLORTERM']}" if env.get("COLORTERM")
                                                      else " and no COLORTERM")
    names = {"truecolor": "24-bit colour", "256": "256 colours", "standard": "16 colours", "windows": "16 colours"}
    ok = system in ("truecolor", "256")
    return Check("colours", ok, f"{why}: the app draws in {names[system]}" + ("" if ok else
                 " — previews and keyframes in half blocks come out garish"),
                 "" if ok else "if your terminal shows 24-bit colour (xterm, PuTTY, kitty, WezTerm, most do), "
                               "export COLORTERM=truecolor, or TEXTUAL_COLOR_SYSTEM=256 for 256 colours")


def check_workspace(root: Path) -> Check:
    target = root if root.exists() else next((p for p in root.parents if p.exists()), Path("/"))
    if root.exists() and not root.is_dir():
        return Check("workspace", False, f"{root} is not a folder", "pass --workspace DIR")
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".scenetui-doctor-"):
            pass
    except OSError as exc:
        return Check("workspace", False, f"{target} is not writable ({exc.strerror})", "choose a writable --workspace")
    free = shutil.disk_usage(target).free
    from scenetui.domain.units import human_size

    state = "exists" if root.exists() else "will be created"
    ok = free >= MIN_FREE_BYTES
    return Check("workspace", ok, f"{root} ({state}, writable, {human_size(free)} free)",
                 "" if ok else f"free space: a render wants at least {human_size(MIN_FREE_BYTES)}")


def check_journal(root: Path) -> Check:
    from scenetui.engine.journal import Journal
    from scenetui.storage.workspace import Workspace

    path = Workspace(root).journal_path
    if not path.exists():
        return Check("journal", True, "none yet (the first render creates it)")
    journal = Journal(path)
    try:
        result = journal.quick_check()
    finally:
        journal.close()
    ok = result == "ok"
    return Check("journal", ok, f"{path} ({'healthy' if ok else result})",
                 "" if ok else "move the journal aside and run again; clips in the workspace are kept")


def check_luma(opts: DoctorOptions) -> Check:
    from scenetui.build import BuildOptions, luma_client
    from scenetui.config import load_settings

    settings = load_settings()
    client = luma_client(BuildOptions(backend="luma", luma_base_url=opts.luma_base_url), settings, read_retries=1)

    async def probe() -> str:
        try:
            await client.ping()
            credits = await client.credits()
            return f"{client.base_url} answers; the key is accepted; balance {credits.credit_balance:g} credits"
        finally:
            await client.aclose()

    try:
        return Check("luma", True, asyncio.run(probe()))
    except UserError:
        raise
    except Exception as exc:
        from scenetui.backends.luma.errors import LumaError

        if isinstance(exc, LumaError):
            return Check("luma", False, f"{client.base_url}: {exc}", "check the network, --luma-base-url and LUMAAI_API_KEY")
        raise


def check_luma_agents(opts: DoctorOptions) -> Check:
    """Luma's current API (ray-3.2): reachable and the key accepted, by reading one page of files — nothing spent."""
    from scenetui.backends.luma.errors import LumaError
    from scenetui.build import BuildOptions, luma_client
    from scenetui.config import load_settings

    client = luma_client(BuildOptions(backend="luma", luma_base_url=opts.luma_base_url), load_settings(),
                         read_retries=1, api="agents")

    async def probe() -> str:
        try:
            await client.ping()
            return f"{client.base_url} answers; the key is accepted (ray-3.2; this API reports no balance)"
        finally:
            await client.aclose()

    try:
        return Check("luma-3.2", True, asyncio.run(probe()))
    except LumaError as exc:
        if isinstance(exc, UserError):
            raise
        return Check("luma-3.2", False, f"{client.base_url}: {exc}",
                     "check the network, --luma-base-url (or LUMA_AGENTS_BASE_URL) and LUMA_AGENTS_API_KEY")


def check_firebase(opts: DoctorOptions) -> Check:
    from scenetui.config import load_settings
    from scenetui.storage.firebase.connection import connect, firebase_config

    config = firebase_config(load_settings(), bucket=opts.bucket)
    conn = connect(config)
    try:
        conn.check_bucket()
        conn.db.collection("scripts").document("scenetui-doctor-probe").get(timeout=15)
    finally:
        conn.close()
    where = f"emulators {config.firestore_emulator} and {config.storage_emulator}" if config.emulated else "Google Cloud"
    return Check("firebase", True, f"project {config.project}, bucket {config.bucket} ({where}): Firestore and Storage answer")


def check_config() -> Check:
    from scenetui.config import config_file, config_file_problem, load_settings

    path = config_file()
    problem = config_file_problem(path) if path.exists() else None
    if problem:
        return Check("config", False, problem[0], problem[1])
    load_settings()
    return Check("config", True, f"{path} (read)" if path.exists() else
                 f"no config file ({path}); defaults and the environment apply")


def run_checks(opts: DoctorOptions) -> list[Check]:
    """Every check, in the order a person would fix them; the optional ones are marked not needed."""
    luma = opts.backend == "luma"
    firebase = opts.storage == "firebase" or bool(os.environ.get("FIRESTORE_EMULATOR_HOST"))
    checks = [
        _guard("python", check_python),
        _guard("config", check_config),
        _guard("ffmpeg", check_ffmpeg),
        _guard("pyav", check_pyav),
        _guard("player", check_player, needed=False),
        _guard("colours", check_colours, needed=False),
        _guard("workspace", lambda: check_workspace(opts.workspace)),
        _guard("journal", lambda: check_journal(opts.workspace)),
    ]
    current = opts.model == "ray-3.2"
    if (luma and not current) or (opts.model is None and os.environ.get("LUMAAI_API_KEY")):
        checks.append(_guard("luma", lambda: check_luma(opts), needed=luma))
    if (luma and current) or (opts.model is None and os.environ.get("LUMA_AGENTS_API_KEY")):
        checks.append(_guard("luma-3.2", lambda: check_luma_agents(opts), needed=luma and current))
    if firebase:
        checks.append(_guard("firebase", lambda: check_firebase(opts), needed=opts.storage == "firebase"))
    return checks
