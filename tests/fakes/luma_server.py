"""A faithful fake of Luma's Dream Machine API: a real HTTP server on 127.0.0.1 with injectable faults.

Follows the published contract (OpenAPI v1.1.0 and ../shared/luma-api.md): bearer auth, validation messages,
queued -> dreaming -> completed|failed on a configurable clock, 10 in flight and N creates per minute with 429,
keyframe URLs really fetched (anonymously), balance charged at create and refunded on failure, real MP4 assets
served with Range support. Every accepted create is recorded, so tests can count duplicates from the fake's side.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.luma_images import IMAGE_PRICE, image_bytes, reference_urls, validate_image

MODELS = {"ray-2", "ray-flash-2", "ray-1-6"}
RATIOS = {"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"}
RESOLUTIONS = {"540p": 540, "720p": 720, "1080p": 1080, "4k": 2160}
DURATIONS = {"5s": 5, "9s": 9}
FAILURE_REASONS = ("Failed to read user input frames", "Frame moderation failed", "Advanced prompt moderation failed",
                   "Contains blacklisted words", "Job failed", "Error dispatching job")


class FaultCounters:
    """Counters are consumed one per matching request; set them between or during a test."""

    def take(self, name: str) -> bool:
        value = getattr(self, name)
        if value > 0:
            setattr(self, name, value - 1)
            return True
        return False


@dataclass
class Faults(FaultCounters):
    """The Dream Machine API's faults."""

    create_5xx_before: int = 0  # 500, nothing stored
    create_5xx_after: int = 0  # stored and charged, then 500
    create_drop_before: int = 0  # connection dropped, nothing stored
    create_drop_after: int = 0  # stored and charged, then the connection is dropped
    create_stall_after: int = 0  # stored, then no answer for `stall_seconds` (client times out)
    stall_seconds: float = 5.0
    rate_limit_burst: int = 0  # any API request answered 429
    retry_after: float | None = None  # Retry-After header on 429s (None: no header, as Luma may do)
    fail_reasons: list[str] = field(default_factory=list)  # the next generations fail with these
    truncate_asset: int = 0  # asset downloads cut halfway through
    list_500: int = 0
    get_5xx: int = 0
    # a hostile or broken server (issue 10): each is answered to the client as it is, to prove it gets nowhere
    get_garbage: int = 0  # a status poll answered 200 with an HTML page
    get_wrong_shape: int = 0  # a status poll answered 200 with JSON that is not a generation
    get_huge: int = 0  # a status poll answered 200 with an endless body
    unknown_state: int = 0  # a status poll reports a state the contract does not name
    create_garbage_after: int = 0  # stored and charged, then answered 201 with a body that is not JSON
    asset_url: str | None = None  # completed generations point their asset here instead ("{url}" = the fake's root)
    asset_redirect: str | None = None  # asset requests are redirected here
    asset_endless: int = 0  # an asset answered with no length and bytes without end


@dataclass
class Record:
    id: str
    request: dict[str, Any]
    created: float
    created_at: str
    price: int
    fail_reason: str | None = None
    frames_ok: bool | None = None  # None until the keyframes were fetched
    deleted: bool = False
    refunded: bool = False
    source: str | None = None  # an upscale or a sound: the generation it is made from


def _size(request: dict[str, Any]) -> tuple[int, int]:
    short = RESOLUTIONS[request.get("resolution", "720p")]
    a, b = (int(x) for x in request.get("aspect_ratio", "16:9").split(":"))
    even = lambda v: int(round(v / 2)) * 2  # noqa: E731
    return (even(short * a / b), short) if a >= b else (short, even(short * b / a))


class FakeLuma:
    """The server and its state; use as a context manager or call start()/stop()."""

    def __init__(self, *, api_key: str = "test-key-0123456789", queued_s: float = 0.2, dreaming_s: float = 1.0,
                 balance_cents: float = 100_000, price_cents: int = 80, max_in_flight: int = 10,
                 creates_per_window: int = 20, window_s: float = 60.0, static_root: Path | None = None,
                 asset_cache: Path | None = None, ffmpeg: str | None = None) -> None:
        self.api_key, self.queued_s, self.dreaming_s = api_key, queued_s, dreaming_s
        self.balance, self.price = balance_cents, price_cents
        self.max_in_flight, self.creates_per_window, self.window_s = max_in_flight, creates_per_window, window_s
        self.static_root, self.asset_cache = static_root, asset_cache
        self._ffmpeg = ffmpeg
        self.faults = Faults()
        self.records: dict[str, Record] = {}
        self.order: list[str] = []
        self.hits: dict[str, int] = {}
        self.keyframe_fetches: list[str] = []
        self._window: deque[float] = deque()
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._assets: dict[tuple[int, int, int, bool], Path] = {}

    # lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> FakeLuma:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        ThreadingHTTPServer.request_queue_size = 256  # 50-scene runs open many connections at once
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-luma").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeLuma:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/dream-machine/v1"

    def static_url(self, rel: str = "") -> str:
        return f"{self.url}/static/{rel}"

    # what tests assert on ---------------------------------------------------------------------------------
    def creates(self) -> list[Record]:
        with self._lock:
            return [self.records[i] for i in self.order]

    def duplicate_creates(self) -> int:
        """Accepted creates beyond the first for the same prompt and keyframes (ignoring failed-and-refunded ones)."""
        seen: dict[str, int] = {}
        for r in self.creates():
            if r.refunded:
                continue
            key = json.dumps([r.request.get("prompt"), r.request.get("keyframes")], sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
        return sum(n - 1 for n in seen.values())

    def state_of(self, rec: Record, now: float | None = None) -> str:
        t = (now or time.monotonic()) - rec.created
        if t < self.queued_s:
            return "queued"
        if rec.frames_ok is False:
            return "failed"
        if t < self.queued_s + self.dreaming_s or rec.frames_ok is None:
            return "dreaming"
        return "failed" if rec.fail_reason else "completed"

    def in_flight(self) -> int:
        now = time.monotonic()
        return sum(1 for r in self.records.values() if not r.deleted and self.state_of(r, now) in ("queued", "dreaming"))

    # generation JSON --------------------------------------------------------------------------------------
    def generation_json(self, rec: Record) -> dict[str, Any]:
        state = self.state_of(rec)
        reason = None
        if state == "failed":
            reason = "Failed to read user input frames" if rec.frames_ok is False else rec.fail_reason
            with self._lock:
                if not rec.refunded:
                    rec.refunded = True
                    self.balance += rec.price
        assets = None
        is_image = rec.request.get("generation_type") == "image"
        if state == "completed" and is_image:
            assets = {"video": None, "image": f"{self.url}/assets/{rec.id}.{rec.request.get('format', 'jpg')}",
                      "progress_video": None}
        elif state == "completed":
            video = self.faults.asset_url.replace("{url}", self.url) if self.faults.asset_url else f"{self.url}/assets/{rec.id}.mp4"
            assets = {"video": video, "image": None, "progress_video": None}
        elif state == "dreaming":
            assets = {"video": None, "image": None, "progress_video": None}
        kind = "image" if is_image else rec.request.get("generation_type", "upscale_video") if rec.source else "video"
        model = self.records[rec.source].request.get("model") if rec.source else rec.request.get("model")
        return {"id": rec.id, "generation_type": kind, "state": state, "failure_reason": reason,
                "created_at": rec.created_at, "assets": assets, "model": model, "request": rec.request}

    def _fetch_keyframes(self, rec: Record) -> None:
        ok = True
        frames = [f["url"] for f in (rec.request.get("keyframes") or {}).values() if f.get("type") == "image"]
        for url in frames + reference_urls(rec.request):
            self.keyframe_fetches.append(url)
            try:
                with urllib.request.urlopen(urllib.request.Request(url), timeout=10) as resp:  # anonymous, like Luma
                    data = resp.read(11 * 1024 * 1024)
                    ok = ok and resp.status == 200 and (data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff")
            except (urllib.error.URLError, OSError, ValueError):
                ok = False
        rec.frames_ok = ok

    def asset_file(self, rec: Record) -> Path:
        request, sound = rec.request, False
        while rec.source is not None:  # the source's shot (at the asked resolution for an upscale), same length
            sound = sound or rec.request.get("generation_type") == "add_audio"
            source = self.records[rec.source]
            if rec.request.get("generation_type") == "upscale_video":
                request = {**source.request, "resolution": rec.request.get("resolution", "1080p")}
            elif request is rec.request:
                request = source.request
            rec = source
        w, h = _size(request)
        return self.asset_file_for(w, h, DURATIONS[request.get("duration", "5s")], sound=sound)

    def asset_file_for(self, w: int, h: int, seconds: int, *, sound: bool = False) -> Path:
        """The clip served for a generation of this size (made once with ffmpeg, then cached); `sound`: with an
        AAC track (a 440 Hz tone), as Luma's audio gives one."""
        key = (w, h, seconds, sound)
        with self._lock:
            if key not in self._assets:
                cache = self.asset_cache or Path(__import__("tempfile").mkdtemp(prefix="fake-luma-"))
                cache.mkdir(parents=True, exist_ok=True)
                path = cache / f"ray-{w}x{h}-{seconds}s{'-sound' if sound else ''}.mp4"
                if not path.exists():
                    ffmpeg = self._ffmpeg or _find_ffmpeg()
                    tmp = path.with_suffix(".tmp.mp4")
                    audio = (["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                              "-c:a", "aac", "-b:a", "96k"] if sound else [])
                    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                    f"testsrc2=size={w}x{h}:rate=24:duration={seconds}", *audio, "-c:v", "libx264",
                                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(tmp)],
                                   check=True)
                    tmp.replace(path)
                self._assets[key] = path
            return self._assets[key]

    # create -----------------------------------------------------------------------------------------------
    def validate(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "Invalid request body"
        model = body.get("model")
        if model is None:
            return "model: Field required"
        if model not in MODELS:
            return f"Invalid model: {model}"
        if body.get("aspect_ratio", "16:9") not in RATIOS:
            return f"Invalid aspect ratio: {body.get('aspect_ratio')}"
        if body.get("resolution", "720p") not in RESOLUTIONS:
            return f"Invalid resolution: {body.get('resolution')}"
        if body.get("duration", "5s") not in DURATIONS:
            return f"Invalid duration: {body.get('duration')}"
        frames = body.get("keyframes") or {}
        prompt = body.get("prompt")
        if not frames and not prompt:
            return "Prompt is required"
        if prompt is not None and len(prompt) < 3:
            return "Prompt is too short, minimum length is 3 characters"
        if prompt is not None and len(prompt) > 5000:
            return "Prompt is too long, maximum length is 5000 characters"
        for name, frame in frames.items():
            if name not in ("frame0", "frame1") or not isinstance(frame, dict):
                return f"Invalid keyframe {name}"
            if frame.get("type") == "image" and not str(frame.get("url", "")).startswith(("http://", "https://")):
                return f"Invalid keyframe URL for {name}"
            if frame.get("type") == "generation":
                ref = self.records.get(frame.get("id", ""))
                if ref is None or self.state_of(ref) != "completed":
                    return f"Generation {frame.get('id')} is not completed"
        if body.get("loop") and (frames.get("frame1", {}).get("type") == "image" or len(frames) == 2):
            return "Loop is not supported for keyframes"
        return None

    def validate_upscale(self, source_id: str, body: Any) -> tuple[int, str] | None:
        """UpscaleVideoGenerationRequest: generation_type upscale_video, a known resolution, a completed video."""
        if not isinstance(body, dict):
            return 400, "Invalid request body"
        if body.get("generation_type", "upscale_video") != "upscale_video":
            return 400, f"Invalid generation_type: {body.get('generation_type')}"
        if body.get("resolution") not in RESOLUTIONS:
            return 400, f"Invalid resolution: {body.get('resolution')}"
        if set(body) - {"generation_type", "resolution", "callback_url"}:
            return 400, f"Unexpected fields: {sorted(set(body) - {'generation_type', 'resolution', 'callback_url'})}"
        return self._source_problem(source_id)

    def _source_problem(self, source_id: str) -> tuple[int, str] | None:
        """What an upscale or a sound needs of the generation it is made from: one of yours, a completed video."""
        source = self.records.get(source_id)
        if source is None or source.deleted:
            return 404, "Generation not found"
        if source.request.get("generation_type") == "image" or self.state_of(source) != "completed":
            return 400, f"Generation {source_id} is not a completed video"
        return None

    def validate_audio(self, source_id: str, body: Any) -> tuple[int, str] | None:
        """AudioGenerationRequest: generation_type add_audio, prompt and negative_prompt text, a completed video."""
        if not isinstance(body, dict):
            return 400, "Invalid request body"
        if body.get("generation_type", "add_audio") != "add_audio":
            return 400, f"Invalid generation_type: {body.get('generation_type')}"
        allowed = {"generation_type", "prompt", "negative_prompt", "callback_url"}
        if set(body) - allowed:
            return 400, f"Unexpected fields: {sorted(set(body) - allowed)}"
        for key in ("prompt", "negative_prompt"):
            if key in body and not isinstance(body[key], str):
                return 400, f"{key}: Input should be a valid string"
        return self._source_problem(source_id)

    def create(self, body: dict[str, Any], source: str | None = None) -> Record:
        with self._lock:
            price = IMAGE_PRICE if body.get("generation_type") == "image" else self.price
            rec = Record(id=str(uuid.uuid4()), request=body, created=time.monotonic(),
                         created_at=datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), price=price,
                         fail_reason=self.faults.fail_reasons.pop(0) if self.faults.fail_reasons else None,
                         source=source)
            self.records[rec.id] = rec
            self.order.append(rec.id)
            self.balance -= price
            self._window.append(time.monotonic())
        threading.Thread(target=self._fetch_keyframes, args=(rec,), daemon=True).start()
        return rec

    def over_window(self) -> bool:
        now = time.monotonic()
        while self._window and now - self._window[0] > self.window_s:
            self._window.popleft()
        return len(self._window) >= self.creates_per_window


def _find_ffmpeg() -> str:
    from scenetui.media.ffmpeg import locate_ffmpeg

    return locate_ffmpeg().path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeLuma

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # helpers ------------------------------------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _raw(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _endless(self, kind: str, start: bytes = b"") -> None:
        """A 200 with no length that goes on until the client hangs up (bounded at 1 GB so a broken test ends)."""
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"\0" * 65536
        try:
            self.wfile.write(start)
            for _ in range(16384):
                self.wfile.write(chunk)
        except OSError:
            pass

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def _api_path(self) -> str | None:
        path = urlparse(self.path).path
        prefix = "/dream-machine/v1"
        return path[len(prefix):] if path.startswith(prefix) else None

    def _authorised(self) -> bool:
        fake = self.server_fake
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._send(401, {"detail": "Invalid API key is provided"})
            return False
        if fake.faults.take("rate_limit_burst"):
            headers = {"Retry-After": f"{fake.faults.retry_after:g}"} if fake.faults.retry_after is not None else {}
            self._send(429, {"detail": "Too many requests"}, headers)
            return False
        return True

    def _hit(self, name: str) -> None:
        with self.server_fake._lock:
            self.server_fake.hits[name] = self.server_fake.hits.get(name, 0) + 1

    # verbs --------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        fake = self.server_fake
        path = urlparse(self.path).path
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path.startswith("/assets/"):
            return self._asset(path[len("/assets/"):].rsplit(".", 1)[0])
        api = self._api_path()
        if api is None:
            return self._send(404, {"detail": "Not found"})
        if not self._authorised():
            return None
        if api == "/ping":
            return self._send(200, {"message": "pong"})
        if api == "/credits":
            return self._send(200, {"credit_balance": fake.balance})
        if api == "/generations/concepts/list":
            return self._send(200, ["push_in", "pull_out", "orbit_left", "orbit_right", "pan_left", "pan_right"])
        if api == "/generations":
            self._hit("list")
            if fake.faults.take("list_500"):
                return self._send(500, {"detail": "Internal server error"})
            q = parse_qs(urlparse(self.path).query)
            limit, offset = int(q.get("limit", ["100"])[0]), int(q.get("offset", ["0"])[0])
            newest_first = [fake.records[i] for i in reversed(fake.order) if not fake.records[i].deleted]
            page = newest_first[offset:offset + limit]
            return self._send(200, {"generations": [fake.generation_json(r) for r in page], "count": len(page),
                                    "has_more": offset + limit < len(newest_first), "limit": limit, "offset": offset})
        if api.startswith("/generations/"):
            self._hit("get")
            self._hit("get:" + api.rsplit("/", 1)[-1])
            if fake.faults.take("get_5xx"):
                return self._send(503, {"detail": "Service unavailable"})
            if fake.faults.take("get_garbage"):
                return self._raw(200, b"<html><body>502 Bad Gateway \x1b]0;pwned\x07</body></html>", "text/html")
            if fake.faults.take("get_wrong_shape"):
                return self._send(200, {"status": "ok", "data": [1, 2, 3]})
            if fake.faults.take("get_huge"):
                return self._endless("application/json", b'{"id": "' + b"x" * 65536)
            rec = fake.records.get(api.rsplit("/", 1)[-1])
            if rec is None or rec.deleted:
                return self._send(404, {"detail": "Generation not found"})
            body = fake.generation_json(rec)
            if body["state"] not in ("completed", "failed") and fake.faults.take("unknown_state"):
                body["state"] = "paused_for_review\x1b[2J"
            return self._send(200, body)
        return self._send(404, {"detail": "Not found"})

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        api = self._api_path()
        body = self._body()
        parts = (api or "").strip("/").split("/")
        if len(parts) == 3 and parts[0] == "generations" and parts[2] in ("upscale", "audio"):
            return self._derived(parts[1], body, parts[2])
        if api not in ("/generations/video", "/generations", "/generations/image"):
            return self._send(404, {"detail": "Not found"})
        image = api == "/generations/image"
        if image and isinstance(body, dict):
            body = {"generation_type": "image", **body}
        if not self._authorised():
            return None
        self._hit("create")
        if fake.faults.take("create_drop_before"):
            return self._drop()
        if fake.faults.take("create_5xx_before"):
            return self._send(500, {"detail": "Internal server error"})
        problem = validate_image(body, RATIOS) if image else fake.validate(body)
        if problem:
            return self._send(400, {"detail": problem})
        with fake._lock:
            if fake.in_flight() >= fake.max_in_flight or fake.over_window():
                headers = {"Retry-After": f"{fake.faults.retry_after:g}"} if fake.faults.retry_after is not None else {}
                return self._send(429, {"detail": "Rate limit exceeded"}, headers)
            if fake.balance < (IMAGE_PRICE if image else fake.price):
                return self._send(402, {"detail": "Insufficient credits"})
            rec = fake.create(body)
        if fake.faults.take("create_5xx_after"):
            return self._send(500, {"detail": "Internal server error"})
        if fake.faults.take("create_drop_after"):
            return self._drop()
        if fake.faults.take("create_garbage_after"):
            return self._raw(201, b"Created. Thank you!", "text/plain")
        if fake.faults.take("create_stall_after"):
            time.sleep(fake.faults.stall_seconds)
            return self._drop()
        return self._send(201, fake.generation_json(rec))

    def _derived(self, source_id: str, body: Any, what: str) -> None:
        """POST /generations/{id}/upscale or /audio -> 200 + a Generation to poll (a new id, generation_type
        upscale_video or add_audio)."""
        fake = self.server_fake
        if not self._authorised():
            return None
        self._hit(what)
        if fake.faults.take("create_drop_before"):
            return self._drop()
        kind = "upscale_video" if what == "upscale" else "add_audio"
        with fake._lock:
            problem = (fake.validate_upscale if what == "upscale" else fake.validate_audio)(source_id, body)
            if problem:
                return self._send(problem[0], {"detail": problem[1]})
            if fake.in_flight() >= fake.max_in_flight or fake.over_window():
                return self._send(429, {"detail": "Rate limit exceeded"})
            if fake.balance < fake.price:
                return self._send(402, {"detail": "Insufficient credits"})
            rec = fake.create({"generation_type": kind, **body}, source=source_id)
        if fake.faults.take("create_5xx_after"):
            return self._send(500, {"detail": "Internal server error"})
        if fake.faults.take("create_drop_after"):
            return self._drop()
        return self._send(200, fake.generation_json(rec))

    def do_DELETE(self) -> None:  # noqa: N802
        fake = self.server_fake
        api = self._api_path() or ""
        if not self._authorised():
            return None
        rec = fake.records.get(api.rsplit("/", 1)[-1])
        if rec is None or rec.deleted:
            return self._send(404, {"detail": "Generation not found"})
        rec.deleted = True
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    # files --------------------------------------------------------------------------------------------------
    def _static(self, rel: str) -> None:
        root = self.server_fake.static_root
        path = (root / rel).resolve() if root else None
        if not root or not path or not path.is_file() or root.resolve() not in path.parents:
            return self._send(404, {"detail": "Not found"})
        if self.headers.get("Authorization"):  # Luma fetches anonymously; a client that sends a key is wrong
            return self._send(400, {"detail": "keyframe fetch must be anonymous"})
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png" if path.suffix == ".png" else "image/jpeg")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None

    def _asset(self, gen_id: str) -> None:
        fake = self.server_fake
        rec = fake.records.get(gen_id)
        if rec is None or fake.state_of(rec) != "completed":
            return self._send(404, {"detail": "Not found"})
        if self.headers.get("Authorization"):
            return self._send(400, {"detail": "asset URLs must not receive the API key"})
        self._hit("asset")
        if fake.faults.asset_redirect:
            self.send_response(302)
            self.send_header("Location", fake.faults.asset_redirect.replace("{url}", fake.url))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fake.faults.take("asset_endless"):
            return self._endless("video/mp4")
        if rec.request.get("generation_type") == "image":
            data, kind = image_bytes(rec.request, fake.order.index(rec.id))
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        data = fake.asset_file(rec).read_bytes()
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0] or 0)
        body = data[start:]
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if fake.faults.take("truncate_asset"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            return self._drop()
        self.wfile.write(body)
        return None
