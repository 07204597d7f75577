"""The app never outlives its terminal and always ends on SIGTERM, whatever it is doing at the time.

When the terminal goes away (sshd or tmux gone: SIGHUP, or the tty starts answering EIO) or SIGTERM arrives, the
app is asked to close cleanly. If it has not exited after a grace period — Textual's output thread can die on the
dead terminal and leave the shutdown blocked on a full queue for good — the render is recorded as stopped
(resumable, as after Ctrl-C) and the process ends itself. A second SIGTERM ends it at once.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import threading
from collections.abc import Callable

from scenetui.errors import EXIT_INTERRUPTED

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.5


def terminal_gone(fd: int) -> bool:
    """True when `fd` was a terminal that has been hung up (its ioctls answer EIO)."""
    import termios

    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return bool(exc.args) and exc.args[0] in (errno.EIO, errno.ENXIO)
    except (OSError, ValueError):
        return False
    return False


class Lifeline:
    """Watches the terminal and the stop signals; `request_close` starts a clean exit, `abandon` the last resort."""

    def __init__(self, request_close: Callable[[], None], abandon: Callable[[], None], *,
                 grace: float = GRACE_SECONDS, tty_fd: int | None = None) -> None:
        self.request_close, self.abandon = request_close, abandon
        self.grace = float(os.environ.get("SCENETUI_EXIT_GRACE", grace))
        self.tty_fd = tty_fd
        self._triggered = threading.Event()
        self._done = threading.Event()

    def install(self) -> None:
        for sig in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        if self.tty_fd is not None:
            threading.Thread(target=self._watch_terminal, name="scenetui-lifeline", daemon=True).start()

    def finished(self) -> None:
        """The app exited normally: nothing more to watch."""
        self._done.set()

    def _on_signal(self, signum: int, _frame: object) -> None:
        if signum == signal.SIGTERM and self._triggered.is_set():
            self._end_now()
        self.trigger()

    def _watch_terminal(self) -> None:
        assert self.tty_fd is not None
        while not self._done.wait(POLL_SECONDS):
            if terminal_gone(self.tty_fd):
                self.trigger()
                return

    def trigger(self) -> None:
        """Ask for a clean exit and make sure the process ends within the grace period either way."""
        if self._triggered.is_set():
            return
        self._triggered.set()
        threading.Thread(target=self._deadline, name="scenetui-exit-deadline", daemon=True).start()
        try:
            self.request_close()
        except Exception:  # the loop may already be closing; the deadline still holds
            pass

    def _deadline(self) -> None:
        if not self._done.wait(self.grace):
            self._end_now()

    def _end_now(self) -> None:
        cleanup = threading.Thread(target=self._abandon_quietly, daemon=True)
        cleanup.start()
        cleanup.join(2.0)  # the journal write is short; a stuck disk must not keep us alive
        os._exit(EXIT_INTERRUPTED)

    def _abandon_quietly(self) -> None:
        try:
            logging.getLogger("scenetui.app").warning("the app did not close within %.0f s of its terminal going "
                                                      "away or a stop request; ending it, render recorded as stopped",
                                                      self.grace)
            self.abandon()
        except Exception:
            pass
