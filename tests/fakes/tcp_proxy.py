"""A loopback TCP proxy that can break uploads: drop a connection, or stall it, once N bytes of a PUT went through."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    drop_put_after: int | None = None  # close the first PUT connection after this many bytes from the client
    stall_put_after: int | None = None  # stop forwarding PUT bytes after this many (the client hangs)
    drops: int = 0
    stalled: threading.Event = field(default_factory=threading.Event)


class TcpProxy:
    """127.0.0.1:port -> target, one thread pair per connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.faults = Faults()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self.put_bytes = 0

    def __enter__(self) -> TcpProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.close()
        for s in self._socks:  # shutdown wakes threads blocked in recv and sends FIN (close alone may not)
            for end in (lambda: s.shutdown(socket.SHUT_RDWR), s.close):
                try:
                    end()
                except OSError:
                    pass

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._socks += [client, upstream]
            threading.Thread(target=self._pump_up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump_up(self, src: socket.socket, dst: socket.socket) -> None:
        is_put = False  # counted from the first PUT on a connection, over all connections (a chunk may open its own)
        try:
            while data := src.recv(65536):
                is_put = is_put or b"PUT /" in data
                f = self.faults
                sent = self.put_bytes
                if is_put and f.drop_put_after is not None and f.drops == 0 and sent + len(data) > f.drop_put_after:
                    f.drops += 1
                    raise OSError("dropped by the test proxy")
                if is_put and f.stall_put_after is not None and sent + len(data) > f.stall_put_after:
                    f.stalled.set()
                    self._stop.wait()
                    return
                dst.sendall(data)
                if is_put:
                    self.put_bytes += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
