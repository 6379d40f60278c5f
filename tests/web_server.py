"""A real web server on 127.0.0.1 for downloads: it serves a folder's files, and under
``/stall/<name>`` sends the headers and half of the file, then stalls as a dead server does
until the test ends."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STALL_PREFIX = "/stall/"


@dataclass
class WebServer:
    base_url: str
    stalled: threading.Event = field(default_factory=threading.Event)  # a body is half sent
    released: threading.Event = field(default_factory=threading.Event)  # the stalls may end

    def url(self, name: str, *, stall: bool = False) -> str:
        return f"{self.base_url}{STALL_PREFIX if stall else '/'}{name}"


class _Handler(SimpleHTTPRequestHandler):
    server_state: WebServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if not self.path.startswith(STALL_PREFIX):
            super().do_GET()
            return
        data = (Path(self.directory) / self.path[len(STALL_PREFIX) :]).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.server_state.stalled.set()
        self.server_state.released.wait(60)


@contextmanager
def web_server(folder: Path) -> Iterator[WebServer]:
    """Serve ``folder`` until the block ends; stalled answers are released then."""
    state = WebServer("")
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=folder))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
