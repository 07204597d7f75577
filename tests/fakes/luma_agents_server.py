"""A faithful fake of Luma's current (Agents) API: a real HTTP server on 127.0.0.1 with injectable faults.

Follows ../shared/luma-api.md and the official SDK's types (`luma-agents`): bearer auth, POST /generations (type
video with ray-3.2, or type image with uni-1 / uni-1-max and up to 9 `image_ref`s) with image refs as url / inline base64 / file_id / generation_id, GET /generations/{id} with
queued -> processing -> completed|failed and a failure_code, presigned output URLs that expire, and the Files API
(multipart, or presigned PUT + complete; ingest that can fail). No list, no delete, no idempotency — like Luma.
Every JSON answer is checked against the SDK's response models and every create body against its request types,
so the fake cannot drift from the contract without a test failing.
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.luma_server import FakeLuma, FaultCounters, _Handler as _DreamHandler
from tests.fakes import luma_agents_contract as contract
from tests.fakes.luma_images import image_bytes

RATIOS = {"21:9", "16:9", "4:3", "3:2", "1:1", "3:4", "2:3", "9:16"}
SHORT = {"360p": 360, "540p": 540, "720p": 720, "1080p": 1080}
PRICES = {("360p", "5s"): 6, ("540p", "5s"): 15, ("720p", "5s"): 30, ("1080p", "5s"): 120,
          ("360p", "10s"): 18, ("540p", "10s"): 45, ("720p", "10s"): 90, ("1080p", "10s"): 360}
IMAGE_PRICES = {"uni-1": 4, "uni-1-max": 10}  # cents; uni-1-max's is the fake's own figure
IMAGE_RATIOS = {"3:1", "2:1", "21:9", "16:9", "4:3", "3:2", "1:1", "3:4", "2:3", "9:16", "1:2", "1:3"}
MAX_IMAGE_REFS = 9
MAX_IMAGE_BYTES = 10 * 2**20
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class AgentsFaults(FaultCounters):
    """The current API's faults."""

    create_5xx_before: int = 0  # 500, nothing stored
    create_5xx_after: int = 0  # stored and charged, then 500 (ambiguous)
    create_drop_after: int = 0  # stored and charged, then the connection is dropped (ambiguous)
    create_garbage_after: int = 0  # stored and charged, then a body that is not JSON (ambiguous)
    create_503: int = 0  # "image ingestion unavailable", nothing stored
    rate_limit: int = 0  # 429 on a create, nothing stored
    retry_after: float | None = 0.2
    fail_codes: list[str] = field(default_factory=list)  # the next generations fail with these codes
    expired_output: int = 0  # the next output URLs handed out are already expired (403 on download)
    ingest_fail: int = 0  # the next uploaded files fail ingest (moderation)


@dataclass
class AgentsRecord:
    id: str
    body: dict[str, Any]
    request_id: str | None
    created: float
    created_at: str
    price: int
    fail_code: str | None = None


@dataclass
class StoredFile:
    id: str
    mime_type: str
    size_bytes: int
    purpose: str
    filename: str | None
    created_at: str
    state: str = "pending"
    data: bytes | None = None
    failure_reason: str | None = None
    deleted_at: str | None = None

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "created_at": self.created_at, "mime_type": self.mime_type,
                               "purpose": self.purpose, "size_bytes": self.size_bytes, "state": self.state}
        for key in ("filename", "failure_reason", "deleted_at"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


class FakeLumaAgents:
    """The server and its state; use as a context manager."""

    def __init__(self, *, api_key: str = "agents-test-key", queued_s: float = 0.2, processing_s: float = 0.8,
                 balance_cents: int = 100_000, max_concurrent: int = 10, creates_per_window: int = 60,
                 window_s: float = 60.0, asset_cache: Path | None = None) -> None:
        self.api_key, self.queued_s, self.processing_s = api_key, queued_s, processing_s
        self.balance, self.max_concurrent = balance_cents, max_concurrent
        self.creates_per_window, self.window_s = creates_per_window, window_s
        self.faults = AgentsFaults()
        self.records: dict[str, AgentsRecord] = {}
        self.order: list[str] = []
        self.files: dict[str, StoredFile] = {}
        self.hits: dict[str, int] = {}
        self.contract_errors: list[str] = []  # answers or requests that do not fit the SDK's types
        self.expired_tokens: set[str] = set()
        self._window: list[float] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        # the Dream Machine fake knows how to make real MP4s of a size; reuse it for the assets
        self._clips = FakeLuma(asset_cache=asset_cache)

    # lifecycle ------------------------------------------------------------------------------------------
    def __enter__(self) -> FakeLumaAgents:
        fake = self

        class Handler(_AgentsHandler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-luma-agents").start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    # what tests assert on ---------------------------------------------------------------------------------
    def creates(self) -> list[AgentsRecord]:
        with self._lock:
            return [self.records[i] for i in self.order]

    def duplicate_creates(self) -> int:
        """Accepted creates beyond the first for the same prompt and frames (ignoring ones that failed)."""
        seen: dict[str, int] = {}
        for r in self.creates():
            if self.state_of(r) == "failed":
                continue
            key = json.dumps([r.body.get("type"), r.body.get("prompt"), r.body.get("video")], sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
        return sum(n - 1 for n in seen.values())

    def state_of(self, rec: AgentsRecord) -> str:
        t = time.monotonic() - rec.created
        if t < self.queued_s:
            return "queued"
        if t < self.queued_s + self.processing_s:
            return "processing"
        return "failed" if rec.fail_code else "completed"

    def running(self) -> int:
        return sum(1 for r in self.records.values() if self.state_of(r) in ("queued", "processing"))

    def generation_json(self, rec: AgentsRecord) -> dict[str, Any]:
        state = self.state_of(rec)
        kind = rec.body.get("type", "video")
        out: dict[str, Any] = {"id": rec.id, "created_at": rec.created_at, "model": rec.body["model"], "state": state,
                               "type": kind}
        if state == "failed":
            out.update(failure_code=rec.fail_code, failure_reason=f"the job failed ({rec.fail_code})")
        if state == "completed":
            token = uuid.uuid4().hex
            if self.faults.take("expired_output"):
                self.expired_tokens.add(token)
            suffix = "mp4" if kind == "video" else "png"
            out["output"] = [{"type": kind, "url": f"{self.url}/assets/{rec.id}.{suffix}?X-Amz-Signature={token}"}]
        return out

    def asset(self, rec: AgentsRecord) -> Path:
        video = rec.body.get("video") or {}
        short = SHORT[video.get("resolution", "720p")]
        a, b = (int(x) for x in rec.body.get("aspect_ratio", "16:9").split(":"))
        even = lambda v: int(round(v / 2)) * 2  # noqa: E731
        w, h = (even(short * a / b), short) if a >= b else (short, even(short * b / a))
        return self._clips.asset_file_for(w, h, int(video.get("duration", "5s").rstrip("s")))

    # checks -------------------------------------------------------------------------------------------------
    def image_problem(self, ref: Any, where: str, *, generation_ok: bool) -> tuple[int, str] | None:
        if not isinstance(ref, dict):
            return 422, f"{where}: must be an object"
        given = [k for k in ("url", "data", "generation_id", "file_id") if ref.get(k) is not None]
        if len(given) != 1:
            return 422, f"{where}: provide exactly one of url, data, generation_id, file_id"
        kind = given[0]
        if kind == "data":
            media = ref.get("media_type")
            if not media:
                return 422, f"{where}: media_type is required with data"
            if not str(media).startswith("image/"):
                return 422, f"{where}: media_type {media} is not an image type"
            try:
                raw = base64.b64decode(ref["data"], validate=True)
            except (binascii.Error, ValueError):
                return 422, f"{where}: data is not valid base64"
            if len(raw) > MAX_IMAGE_BYTES:
                return 413, f"{where}: image is larger than {MAX_IMAGE_BYTES // 2**20} MB"
            if not (raw.startswith(PNG) or raw.startswith(JPEG)) or (media == "image/png") != raw.startswith(PNG):
                return 422, f"{where}: data is not a {media} image"
        if kind == "url" and not str(ref["url"]).startswith(("http://", "https://")):
            return 422, f"{where}: url must be http(s)"
        if kind == "file_id":
            stored = self.files.get(ref["file_id"])
            if stored is None or stored.state != "ready":
                return 422, f"{where}: file {ref['file_id']} is not ready"
        if kind == "generation_id":
            rec = self.records.get(ref["generation_id"])
            if not generation_ok or rec is None or self.state_of(rec) != "completed":
                return 422, f"{where}: generation {ref['generation_id']} cannot be extended here"
        return None

    def create_problem(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict):
            return 400, "body must be a JSON object"
        problem = contract.request_problem(body)
        if problem:
            self.contract_errors.append(f"request: {problem}")
            return 422, problem
        if body.get("type") == "image" and body.get("model") in IMAGE_PRICES:
            return self.image_create_problem(body)
        if body.get("type") != "video" or body.get("model") != "ray-3.2":
            return 422, f"type {body.get('type')} with model {body.get('model')} is not offered"
        if not str(body.get("prompt", "")).strip():
            return 422, "prompt: required"
        if body.get("aspect_ratio", "16:9") not in RATIOS:
            return 422, f"aspect_ratio {body.get('aspect_ratio')} is not offered for ray-3.2"
        video = body.get("video") or {}
        duration, resolution = video.get("duration", "5s"), video.get("resolution", "720p")
        frames = [k for k in ("start_frame", "end_frame") if video.get(k) is not None]
        keyframes = video.get("keyframes")
        if keyframes is not None:
            if frames or video.get("loop"):
                return 422, "keyframes cannot be combined with start_frame, end_frame or loop"
            indexes = video.get("keyframe_indexes")
            if not isinstance(keyframes, list) or not 1 <= len(keyframes) <= 64:
                return 422, "keyframes: 1 to 64 anchors"
            last = 120 if duration == "5s" else 240
            if not isinstance(indexes, list) or len(indexes) != len(keyframes) or len(set(indexes)) != len(indexes) \
                    or not all(isinstance(i, int) and 0 <= i <= last for i in indexes):
                return 422, f"keyframe_indexes must be unique positions 0..{last}, one per keyframe"
            for n, ref in enumerate(keyframes):
                problem = self.image_problem(ref, f"video.keyframes[{n}]", generation_ok=False)
                if problem:
                    return problem
        if frames and duration == "10s":
            return 422, "start_frame/end_frame videos are 5s; use keyframes for 10s"
        if video.get("loop") and (duration == "10s" or video.get("end_frame") is not None):
            return 422, "loop is not supported with duration=10s or an end_frame"
        for key in frames:
            problem = self.image_problem(video[key], f"video.{key}", generation_ok=True)
            if problem:
                return problem
        if (resolution, duration) not in PRICES:
            return 422, f"{resolution} {duration} is not offered"
        return None

    def image_create_problem(self, body: dict[str, Any]) -> tuple[int, str] | None:
        if not str(body.get("prompt", "")).strip():
            return 422, "prompt: required"
        if body.get("video") is not None:
            return 422, "video options are for type=video"
        if body.get("aspect_ratio", "16:9") not in IMAGE_RATIOS:
            return 422, f"aspect_ratio {body.get('aspect_ratio')} is not offered for {body.get('model')}"
        if body.get("output_format", "png") not in ("png", "jpeg"):
            return 422, "output_format: png or jpeg"
        refs = body.get("image_ref") or []
        if len(refs) > MAX_IMAGE_REFS:
            return 422, f"image_ref: at most {MAX_IMAGE_REFS} references for type=image"
        for n, ref in enumerate(refs):
            problem = self.image_problem(ref, f"image_ref[{n}]", generation_ok=False)
            if problem:
                return problem
        return None

    @staticmethod
    def price_of(body: dict[str, Any]) -> int:
        if body.get("type") == "image":
            return IMAGE_PRICES[body["model"]]
        video = body.get("video") or {}
        return PRICES[(video.get("resolution", "720p"), video.get("duration", "5s"))]

    def take_create_slot(self) -> bool:
        now = time.monotonic()
        self._window = [t for t in self._window if now - t < self.window_s]
        return len(self._window) < self.creates_per_window and self.running() < self.max_concurrent

    def create(self, body: dict[str, Any], request_id: str | None) -> AgentsRecord:
        price = self.price_of(body)
        rec = AgentsRecord(str(uuid.uuid4()), body, request_id, time.monotonic(), _now(), price,
                           self.faults.fail_codes.pop(0) if self.faults.fail_codes else None)
        self.records[rec.id] = rec
        self.order.append(rec.id)
        self.balance -= price
        self._window.append(time.monotonic())
        return rec

    def ingest(self, stored: StoredFile) -> None:
        """Luma's ingest (moderation included), after a short while, off the request thread."""
        def run() -> None:
            time.sleep(0.1)
            with self._lock:
                data = stored.data or b""
                if self.faults.take("ingest_fail"):
                    stored.state, stored.failure_reason = "failed", "the picture did not pass moderation"
                elif not (data.startswith(PNG) or data.startswith(JPEG)):
                    stored.state, stored.failure_reason = "failed", "not a supported image"
                else:
                    stored.state = "ready"

        threading.Thread(target=run, daemon=True).start()


class _AgentsHandler(_DreamHandler):
    """HTTP for FakeLumaAgents; the Dream Machine fake's helpers (_send, _raw, _drop) are reused."""

    server_fake: FakeLumaAgents  # type: ignore[assignment]

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"code": status, "message": message}}, headers)

    def _json(self, status: int, body: Any, model: str, headers: dict[str, str] | None = None) -> None:
        problem = contract.response_problem(model, body)
        if problem:
            self.server_fake.contract_errors.append(f"{model}: {problem}")
        echo = {"X-Request-Id": self.headers.get("X-Request-Id") or str(uuid.uuid4())}
        self._send(status, body, {**echo, **(headers or {})})

    def _path(self) -> str | None:
        path = urlparse(self.path).path
        return path[4:] if path.startswith("/v1/") else None

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.server_fake.api_key}":
            self._error(401, "invalid API key")
            return False
        return True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _hit(self, name: str) -> None:
        with self.server_fake._lock:
            self.server_fake.hits[name] = self.server_fake.hits.get(name, 0) + 1

    def do_GET(self) -> None:  # noqa: N802
        fake = self.server_fake
        path = urlparse(self.path).path
        if path.startswith("/assets/"):
            return self._asset(path[len("/assets/"):].rsplit(".", 1)[0])
        api = self._path()
        if api is None or not self._authorised():
            return None if api is not None else self._error(404, "not found")
        if api.startswith("generations/"):
            self._hit("get")
            rec = fake.records.get(api.split("/", 1)[1])
            if rec is None:
                return self._error(404, "generation not found")
            return self._json(200, fake.generation_json(rec), "Generation")
        if api == "files":
            self._hit("list files")
            q = parse_qs(urlparse(self.path).query)
            limit = int(q.get("limit", ["20"])[0])
            live = [f for f in reversed(list(fake.files.values())) if f.state != "deleted"]
            body = {"data": [f.json() for f in live[:limit]], "has_more": len(live) > limit}
            if len(live) > limit:
                body["next_cursor"] = live[limit - 1].id
            return self._json(200, body, "FileList")
        if api.startswith("files/"):
            self._hit("get file")
            stored = fake.files.get(api.split("/", 1)[1])
            if stored is None:
                return self._error(404, "file not found")
            return self._json(200, stored.json(), "File")
        return self._error(404, "not found")

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        api = self._path()
        raw = self._read_body()
        if api is None or not self._authorised():
            return None if api is not None else self._error(404, "not found")
        if api == "generations":
            return self._create(raw)
        if api == "files":
            return self._new_file(raw)
        if api.startswith("files/") and api.endswith("/complete"):
            stored = fake.files.get(api.split("/")[1])
            if stored is None or stored.data is None:
                return self._error(422, "nothing was uploaded for this file")
            fake.ingest(stored)
            return self._json(200, stored.json(), "File")
        return self._error(404, "not found")

    def do_PUT(self) -> None:  # noqa: N802
        fake = self.server_fake
        path = urlparse(self.path).path
        if not path.startswith("/upload/"):
            return self._error(404, "not found")
        if self.headers.get("Authorization"):
            return self._error(400, "a presigned upload must not carry the API key")
        stored = fake.files.get(path.rsplit("/", 1)[-1])
        data = self._read_body()
        if stored is None or len(data) != stored.size_bytes:
            return self._error(400, "size does not match the upload")
        stored.data = data
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def _create(self, raw: bytes) -> None:
        fake = self.server_fake
        self._hit("create")
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self._error(400, "body is not JSON")
        if fake.faults.take("create_5xx_before"):
            return self._error(500, "internal error")
        if fake.faults.take("create_503"):
            return self._error(503, "image ingestion unavailable", {"Retry-After": f"{fake.faults.retry_after or 1:g}"})
        problem = fake.create_problem(body)
        if problem:
            return self._error(*problem)
        with fake._lock:
            if fake.faults.take("rate_limit") or not fake.take_create_slot():
                headers = {"Retry-After": f"{fake.faults.retry_after:g}"} if fake.faults.retry_after is not None else {}
                return self._error(429, "too many requests or concurrent jobs", headers)
            if fake.balance < fake.price_of(body):
                return self._error(402, "insufficient balance")
            rec = fake.create(body, self.headers.get("X-Request-Id"))
        if fake.faults.take("create_5xx_after"):
            return self._error(500, "internal error")
        if fake.faults.take("create_drop_after"):
            return self._drop()
        if fake.faults.take("create_garbage_after"):
            return self._raw(200, b"<html>OK</html>", "text/html")
        return self._json(200, fake.generation_json(rec), "Generation")

    def _new_file(self, raw: bytes) -> None:
        fake = self.server_fake
        self._hit("upload")
        kind = self.headers.get("Content-Type", "")
        with fake._lock:
            if kind.startswith("multipart/form-data"):
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    b"Content-Type: " + kind.encode() + b"\r\n\r\n" + raw)
                parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
                part = parts.get("file")
                if part is None:
                    return self._error(422, "file: required")
                data = part.get_payload(decode=True) or b""
                if len(data) > MAX_IMAGE_BYTES:
                    return self._error(413, "file too large")
                purpose = (parts["purpose"].get_content().strip() if "purpose" in parts else "input")
                stored = StoredFile(str(uuid.uuid4()), part.get_content_type(), len(data), purpose,
                                    part.get_filename(), _now(), data=data)
                fake.files[stored.id] = stored
                fake.ingest(stored)
                return self._json(200, {"id": stored.id, "state": stored.state, "file": stored.json()},
                                  "CreateFileResponse")
            try:
                spec = json.loads(raw or b"null")
                stored = StoredFile(str(uuid.uuid4()), str(spec["mime_type"]), int(spec["size_bytes"]),
                                    spec.get("purpose", "input"), spec.get("filename"), _now())
            except (ValueError, KeyError, TypeError):
                return self._error(422, "mime_type and size_bytes are required")
            fake.files[stored.id] = stored
            expires = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
            upload = {"expires_at": expires, "method": "PUT", "url": f"{fake.url}/upload/{stored.id}",
                      "headers": {"Content-Type": stored.mime_type}}
            return self._json(200, {"id": stored.id, "state": stored.state, "file": stored.json(), "upload": upload},
                              "CreateFileResponse")

    def _asset(self, gen_id: str) -> None:
        fake = self.server_fake
        rec = fake.records.get(gen_id)
        token = parse_qs(urlparse(self.path).query).get("X-Amz-Signature", [""])[0]
        if rec is None or fake.state_of(rec) != "completed":
            return self._error(404, "not found")
        if token in fake.expired_tokens or not token:
            return self._raw(403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                             "application/xml")
        if self.headers.get("Authorization"):
            return self._error(400, "output URLs must not receive the API key")
        self._hit("asset")
        if rec.body.get("type") == "image":
            data, kind = image_bytes({"aspect_ratio": rec.body.get("aspect_ratio"), "format": "png"},
                                     fake.order.index(rec.id))
        else:
            data, kind = fake.asset(rec).read_bytes(), "video/mp4"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None
