"""The playground outside Jupyter: the standard library's HTTP server on 127.0.0.1.

``GET /`` is a small page that loads the same ES module the widget uses
(``static/playground.js``) with a shim in place of the widget channel: a message goes to
``POST /api`` and the reply comes back as the widget's would.  Each connection has its own
thread and a time limit, so a stalled or malformed request never blocks the page or stops
the server; the ``Session`` lock keeps training steps one at a time.
"""

from __future__ import annotations

import json
import threading
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from .session import Session

MAX_BODY = 64 * 1024  # a message is a few hundred bytes; anything far bigger is refused
STATIC = {"playground.js": "text/javascript", "playground.css": "text/css", "index.html": "text/html"}


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static").joinpath(name).read_bytes()


class PlaygroundServer(ThreadingHTTPServer):
    """A running playground server: ``.url``, ``.close()``, and a context manager."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, session: Session, port: int) -> None:
        self.session = session
        super().__init__(("127.0.0.1", port), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        self._thread: threading.Thread | None = None

    def start(self) -> PlaygroundServer:
        self._thread = threading.Thread(target=self.serve_forever, name="playground", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        self.server_close()

    def __enter__(self) -> PlaygroundServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    timeout = 10  # seconds a connection may stall before it is dropped

    def log_message(self, format: str, *args: object) -> None:  # quiet: a page polls many times a second
        pass

    def _reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text") else ""))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        name = self.path.split("?")[0].lstrip("/") or "index.html"
        name = name.removeprefix("static/")
        if name == "favicon.ico":  # browsers ask; there is none
            self._reply(HTTPStatus.NO_CONTENT, b"", "text/plain")
            return
        if name not in STATIC:
            self._reply(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        self._reply(HTTPStatus.OK, _static(name), STATIC[name])

    def do_POST(self) -> None:
        if self.path != "/api":
            self._reply(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b'{"type":"error","message":"too large"}', "application/json"
            )
            return
        try:
            message = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            message = None
        reply = self.server.session.handle(message)
        self._reply(HTTPStatus.OK, json.dumps(reply).encode("utf-8"), "application/json")


def serve(playground, port: int = 0, open_browser: bool = True, block: bool = True) -> PlaygroundServer:
    """Serve ``playground`` at ``http://127.0.0.1:PORT/`` (see ``Playground.serve``)."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"serve() port must be an int from 0 to 65535; got {port!r}")
    server = PlaygroundServer(Session(playground), port).start()
    if block:
        print(f"The playground is at {server.url}  (Ctrl-C stops it)")
    if open_browser:
        webbrowser.open(server.url)
    if not block:
        return server
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.close()
    return server
