"""Wiring: turn a script path, a workspace and the user's options into a ready RenderContext."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenetui.backends.animatic import AnimaticBackend
from scenetui.config import Settings, resolve_luma_key
from scenetui.engine.bus import EventBus
from scenetui.engine.context import RenderContext
from scenetui.engine.costs import Budget, PriceTable
from scenetui.engine.journal import Journal
from scenetui.engine.ports import VideoBackend
from scenetui.errors import UserError
from scenetui.logsetup import remember_secrets, setup_logging
from scenetui.script.file import LoadedScript, is_url
from scenetui.script.ref import ScriptRef
from scenetui.script.sources import load_ref
from scenetui.storage.local import LocalStore
from scenetui.storage.workspace import Workspace

BACKENDS = ("animatic", "luma")
STORAGES = ("local", "firebase")
LUMA_KEYS_URL = "https://lumalabs.ai/dream-machine/api/keys"
AGENTS_KEYS_URL = "https://lumalabs.ai/api/keys"


@dataclass
class BuildOptions:
    """What the command line asked for, beyond the script and the workspace."""

    backend: str = "animatic"
    luma_base_url: str | None = None
    keyframe_base_url: str | None = None
    price_table: Path | None = None
    max_spend_cents: int | None = None
    retries: int = 1
    video: dict[str, Any] = field(default_factory=dict)  # overrides of the script's video settings
    storage: str = "local"  # local | firebase (a firestore: script always stores to Firebase)
    keyframe_host: str | None = None  # "firebase": host keyframes in the bucket even when clips stay local (bridges)
    bucket: str | None = None
    user_id: str | None = None
    verbose: bool = False  # debug lines on stderr as well as in the log


def resolve_workspace(script_path: ScriptRef | None, explicit: Path | None, settings: Settings) -> Workspace:
    """--workspace, else SCENETUI_WORKSPACE, else `scenetui-workspace` beside the script (a Firestore script: here)."""
    root = explicit or settings.workspace or (Workspace.default_for(script_path) if script_path else None)
    if root is None:
        raise UserError("no workspace given", hint="pass --workspace DIR")
    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise UserError(f"workspace {root} is a file, not a folder", hint="choose another --workspace")
    return Workspace(root)


def api_for(loaded: LoadedScript, opts: BuildOptions) -> str:
    """Which Luma API renders this script with these options (--model wins over the script's)."""
    from scenetui.domain.script import api_of

    return api_of(opts.video.get("model") or loaded.script.video.model)


def check_backend_config(opts: BuildOptions, settings: Settings, api: str = "dream-machine") -> None:
    """Configuration problems that must stop us before anything is written; `api` is the one the script's model
    is served by (domain.script.api_of)."""
    if opts.backend not in (*BACKENDS, "none"):
        raise UserError(f"unknown backend {opts.backend!r}", hint=f"choose one of: {', '.join(BACKENDS)}")
    if opts.backend == "luma" and api == "agents":
        remember_secrets(settings.secrets())
        _check_base_url(opts.luma_base_url or settings.luma_agents_base_url)
        key = settings.luma_agents_api_key
        if key is None or not key.get_secret_value():
            raise UserError("LUMA_AGENTS_API_KEY is not set (ray-3.2 is served by Luma's current API)",
                            hint=f"create a key at {AGENTS_KEYS_URL} and export LUMA_AGENTS_API_KEY=…")
        return
    if opts.backend == "luma":
        resolve_luma_key(settings)
        remember_secrets(settings.secrets())  # a key from luma_api_key_command is a secret from here on
        _check_base_url(opts.luma_base_url or settings.luma_base_url)
    if opts.backend == "luma" and (settings.luma_api_key is None or not settings.luma_api_key.get_secret_value().strip()):
        raise UserError("LUMAAI_API_KEY is not set", hint=f"create a key at {LUMA_KEYS_URL} and export LUMAAI_API_KEY=…")


def _check_base_url(url: str) -> None:
    """Luma's API over https (plain http only on this machine, for a local fake or proxy)."""
    from urllib.parse import urlparse

    from scenetui.script.file import LOOPBACK_HOSTS

    try:
        parsed = urlparse(url)
        host = parsed.hostname
    except ValueError:
        host, parsed = None, None
    if parsed is None or not host or not (parsed.scheme == "https" or (parsed.scheme == "http" and host in LOOPBACK_HOSTS)):
        raise UserError(f"the Luma API URL must be an https:// URL (got {url[:80]!r})",
                        hint="fix --luma-base-url (or LUMAAI_BASE_URL / LUMA_AGENTS_BASE_URL), or unset them for Luma's own")


def luma_client(opts: BuildOptions, settings: Settings, *, read_retries: int | None = None,
                api: str = "dream-machine"):  # noqa: ANN202
    """The HTTP client of the Luma API serving `api` as configured (imported lazily: the offline default never
    loads it)."""
    check_backend_config(opts, settings, api)
    retries = settings.luma_read_retries if read_retries is None else read_retries
    if api == "agents":
        from scenetui.backends.luma_agents.client import AgentsClient

        assert settings.luma_agents_api_key is not None
        return AgentsClient(settings.luma_agents_api_key, opts.luma_base_url or settings.luma_agents_base_url,
                            timeout=settings.luma_timeout, read_retries=retries, backoff=settings.luma_backoff)
    from scenetui.backends.luma.client import LumaClient

    assert settings.luma_api_key is not None
    return LumaClient(settings.luma_api_key, opts.luma_base_url or settings.luma_base_url, timeout=settings.luma_timeout,
                      read_retries=retries, backoff=settings.luma_backoff)


def uses_firebase(loaded: LoadedScript, opts: BuildOptions) -> bool:
    """A Firestore script stores to Firebase; a script file does when --storage firebase says so."""
    return loaded.path is None or opts.storage == "firebase"


def make_store(loaded: LoadedScript, workspace: Workspace, opts: BuildOptions, settings: Settings) -> LocalStore:
    """The local store, or Firebase Storage + Firestore with the workspace as the local copy."""
    if opts.storage not in STORAGES:
        raise UserError(f"unknown storage {opts.storage!r}", hint=f"choose one of: {', '.join(STORAGES)}")
    if not uses_firebase(loaded, opts):
        return LocalStore(workspace.root)
    from scenetui.script.sources import firebase_connection
    from scenetui.script.firestore import user_id_of
    from scenetui.storage.firebase.store import FirebaseStore

    conn = firebase_connection(settings, opts.bucket)
    user = user_id_of(loaded, opts.user_id)
    if user is None:
        raise UserError("clips in Firebase carry their owner's user id, and this script has none",
                        hint="pass --user-id UID (the Firebase Auth uid of the script's owner)")
    data = None if loaded.path is None else {**loaded.script.to_wire(), "userId": user}
    return FirebaseStore(workspace.root, conn, user, script_data=data)


def _keyframe_host(opts: BuildOptions, settings: Settings, loaded: LoadedScript, store: LocalStore):  # noqa: ANN202
    from scenetui.backends.luma.keyframes import NoKeyframeHost, PublishedFolderHost

    base_url = opts.keyframe_base_url or settings.keyframe_base_url
    if base_url:
        return PublishedFolderHost(base_url, loaded.base_dir)
    from scenetui.storage.firebase.store import FirebaseStore

    conn = store.conn if isinstance(store, FirebaseStore) else None
    user = store.user_id or opts.user_id
    if conn is None and opts.keyframe_host == "firebase":
        from scenetui.script.sources import firebase_connection

        conn = firebase_connection(settings, opts.bucket)
    if conn is not None and user:
        from scenetui.storage.firebase.keyframes import FirebaseKeyframeHost

        return FirebaseKeyframeHost(conn, user, dict(loaded.origins))
    return NoKeyframeHost()


def make_backend(opts: BuildOptions, settings: Settings, loaded: LoadedScript, journal: Journal,
                 store: LocalStore | None = None) -> VideoBackend:
    if opts.backend == "none":
        from scenetui.backends.idle import IdleBackend

        return IdleBackend()
    if opts.backend == "animatic":
        urls = [k for s in loaded.script.scenes for k in s.keyframes if is_url(k) and k not in loaded.fetched]
        if urls:
            raise UserError(f"the animatic backend needs local keyframe files, got a URL ({urls[0]})",
                            hint="download the keyframes next to the script and use relative paths")
        return AnimaticBackend()
    if opts.backend == "luma" and loaded.script.video.api == "agents":
        from scenetui.backends.luma_agents.backend import AgentsBackend
        from scenetui.backends.luma_agents.refs import FileCache, KeyframeRefs

        client = luma_client(opts, settings, api="agents")
        root = (store or LocalStore(Path.cwd())).root
        refs = KeyframeRefs(client, FileCache(root / "luma-files.json"), inline_max=settings.luma_inline_max_kb * 1024)
        return AgentsBackend(client, refs, max_in_flight=settings.luma_max_in_flight,
                             creates_per_minute=settings.luma_creates_per_minute, poll_timeout=settings.luma_poll_timeout,
                             history=journal.remote_durations("luma"),
                             max_asset_bytes=settings.luma_max_asset_mb * 2**20,
                             at_once=settings.luma_at_once, first_look=settings.luma_first_look)
    if opts.backend == "luma":
        from scenetui.backends.luma.backend import LumaBackend

        host = _keyframe_host(opts, settings, loaded, store or LocalStore(Path.cwd()))
        return LumaBackend(luma_client(opts, settings), host, max_in_flight=settings.luma_max_in_flight,
                           creates_per_minute=settings.luma_creates_per_minute, poll_timeout=settings.luma_poll_timeout,
                           history=journal.remote_durations("luma"), max_asset_bytes=settings.luma_max_asset_mb * 2**20,
                           at_once=settings.luma_at_once, first_look=settings.luma_first_look)
    raise UserError(f"unknown backend {opts.backend!r}", hint=f"choose one of: {', '.join(BACKENDS)}")


def apply_video_overrides(loaded: LoadedScript, opts: BuildOptions) -> LoadedScript:
    """The command line's --model/--resolution/--duration/--aspect-ratio win over the script's `video`; what the
    model would refuse is refused here, before anything is written or spent."""
    if opts.video:
        from scenetui.domain.script import video_problem

        video = loaded.script.video.model_copy(update=opts.video)
        problem = video_problem(video, any(s.end_keyframe for s in loaded.script.scenes))
        if problem:
            raise UserError(problem, hint="change the --model/--resolution/--duration/--aspect-ratio you gave")
        loaded.script.video = video
    return loaded


def build_context(script_path: ScriptRef, workspace: Workspace, opts: BuildOptions, settings: Settings,
                  loaded: LoadedScript | None = None) -> RenderContext:
    """Load and validate the script (unless the caller just did), open the journal, and wire backend, store,
    prices, budget and bus."""
    loaded = apply_video_overrides(loaded or load_ref(script_path, settings, opts.bucket), opts)
    check_backend_config(opts, settings, loaded.script.video.api)
    from scenetui.media.ffmpeg import locate_ffmpeg

    locate_ffmpeg()  # a bad SCENETUI_FFMPEG is bad input, said before anything is written
    prices = PriceTable.load(opts.price_table)
    store = make_store(loaded, workspace, opts, settings)  # before the workspace exists: a refusal writes nothing
    try:
        workspace.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create workspace {workspace.root} ({exc.strerror})", hint="choose another --workspace") from exc
    journal = Journal(workspace.journal_path)
    setup_logging(workspace.log_path, settings.log_level, settings.secrets(), verbose=opts.verbose)
    try:
        backend = make_backend(opts, settings, loaded, journal, store)
    except BaseException:
        journal.close()
        raise
    return RenderContext(
        loaded=loaded, backend=backend, store=store, journal=journal,
        bus=EventBus(journal, script_id=loaded.script.id), prices=prices, budget=Budget(opts.max_spend_cents),
        retries=opts.retries, prepare_for_film=settings.prepare_for_film,
    )


async def account_balance(opts: BuildOptions, settings: Settings, api: str = "dream-machine") -> float | None:
    """The paid backend's balance in US cents, or None when there is none (Luma's current API reports none) or it
    cannot be read right now."""
    if opts.backend != "luma" or api == "agents":
        return None
    from scenetui.backends.luma.errors import LumaError

    client = luma_client(opts, settings, read_retries=1)
    try:
        return (await client.credits()).credit_balance
    except LumaError:
        return None
    finally:
        await client.aclose()
