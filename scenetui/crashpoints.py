"""Numbered durable steps, for tests that kill the process exactly at step N (the way SQLite tests recovery).

Does nothing unless SCENETUI_CRASH_AT or SCENETUI_CRASH_LOG is set. SCENETUI_CRASH_AT=N kills the process with
SIGKILL at the N-th step; SCENETUI_CRASH_AT="NAME#K" at the K-th step of that name (stable when concurrent work
interleaves steps differently from run to run). SCENETUI_CRASH_LOG=FILE appends each step's number and name. Steps: journal commits, renames into place, the Luma
create (before the request leaves and after its answer arrives, before the id is written), downloads finished,
upload chunks accepted.
"""

from __future__ import annotations

import os
import signal
import threading

_AT = os.environ.get("SCENETUI_CRASH_AT", "") or ""
_LOG = os.environ.get("SCENETUI_CRASH_LOG") or None
_count = 0
_by_name: dict[str, int] = {}
_lock = threading.Lock()


def step(name: str) -> None:
    """Mark one durable step; the test hook may end the process right here."""
    global _count
    if not (_AT or _LOG):
        return
    with _lock:
        _count += 1
        n = _count
        k = _by_name[name] = _by_name.get(name, 0) + 1
        if _LOG:
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{n} {name}\n")
    if _AT and _AT in (str(n), f"{name}#{k}"):
        os.kill(os.getpid(), signal.SIGKILL)
