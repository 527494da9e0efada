"""The preview server: the HTML edition's folder, the EPUB and the live-reload events, from the standard library.

Every served page gets ``HOOK`` before its ``</body>``, in the response only; the
files on disk stay as the build wrote them.
"""

from __future__ import annotations

import ipaddress
import queue
import socket
import socketserver
import sys
import threading
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from qz_ebook.preview.events import Broadcast, Event
from qz_ebook.preview.paths import content_type, inside, segments

RESERVED = "__qz"  # /__qz/events, /__qz/live.js, /__qz/<name>.epub; never a file of the edition
HOOK = b'<script src="/__qz/live.js" data-qz-live=""></script>'
KEEPALIVE_SECONDS = 10.0  # a comment on an idle stream, so that a closed page's thread ends
SCRIPT = resources.files("qz_ebook.preview").joinpath("live.js").read_bytes()
NOT_FOUND = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>Not found</title></head>\n'
    b"<body><h1>Not found</h1><p>Nothing is built at this address.</p></body></html>\n"
)


def inject(page: bytes) -> bytes:
    """``page`` with ``HOOK`` before its last ``</body>`` (at its end if it has none)."""
    end = page.lower().rfind(b"</body>")
    return page + HOOK if end < 0 else page[:end] + HOOK + page[end:]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Preview:
    """The HTML edition in ``root`` served at ``host``:``port`` (0: any free port), with live reload.

    Binds at once, so that a port in use is known before the first build; answers
    requests from ``start`` until ``close``. ``built`` and ``failed`` tell the open pages.
    """

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.broadcast = Broadcast()
        self._server = _Server((host, port), root, self.broadcast)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self._server.server_address[1]}/"

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Answer requests, in a thread, until ``close``."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), daemon=True, name="qz-serve")
        self._thread.start()

    def built(self, outputs: Iterable[Path]) -> None:
        """A build succeeded with ``outputs``: offer its EPUB, and reload the open pages."""
        self._server.downloads = {path.name: path for path in outputs if path.suffix == ".epub"}
        self.broadcast.publish(Event("reload", {}))

    def failed(self, messages: Iterable[str], words: Mapping[str, str]) -> None:
        """A build failed: the open pages, and those opened until the next good build, show ``messages``.

        ``words`` are the overlay's own, in the language of the messages: its ``title``, the
        ``download`` link's text and the ``close`` button's (preview/live.js shows them).
        """
        downloads = [f"/{RESERVED}/{quote(name)}" for name in sorted(self._server.downloads)]
        report = {"messages": list(messages), "downloads": downloads, "words": dict(words)}
        self.broadcast.publish(Event("failed", report), lasting=True)

    def close(self) -> None:
        """End every event stream, stop answering and free the port."""
        self.broadcast.close()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open page's event stream must not hold the process at exit

    def __init__(self, address: tuple[str, int], root: Path, broadcast: Broadcast) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.root, self.broadcast = root, broadcast
        self.loopback = is_loopback(address[0])
        self.downloads: dict[str, Path] = {}  # name → the EPUB of the last good build
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # without HTTPServer's name lookup, slow where DNS is
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that leaves a page drops its requests and its event stream; nothing went wrong.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def version_string(self) -> str:
        return "qz-ebook"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the command reports builds; a line per request would bury them

    def _answer(self, send_body: bool) -> None:
        if self.server.loopback and not _local_host(self.headers.get("Host", "")):
            # DNS rebinding: a web page under another name must not read the preview through it.
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8", b"Not this host.\n", send_body)
            return
        parts = segments(self.path)
        if parts is not None and parts[0] == RESERVED:
            self._reserved(parts[1:], send_body)
            return
        found = None if parts is None else inside(self.server.root, parts)
        data = _read(found)
        if found is None or data is None:
            self._not_found(send_body)
            return
        kind = content_type(found)
        self._send(HTTPStatus.OK, kind, inject(data) if kind.startswith("text/html") else data, send_body)

    def _reserved(self, rest: tuple[str, ...], send_body: bool) -> None:
        name = rest[0] if len(rest) == 1 else ""
        if name == "events" and send_body:
            self._stream()
        elif name == "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", SCRIPT, send_body)
        elif (epub := _read(self.server.downloads.get(name))) is not None:
            attachment = {"Content-Disposition": f'attachment; filename="{quote(name)}"'}
            self._send(HTTPStatus.OK, "application/epub+zip", epub, send_body, attachment)
        else:
            self._not_found(send_body)

    def _not_found(self, send_body: bool) -> None:
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", inject(NOT_FOUND), send_body)

    def _send(
        self, status: HTTPStatus, kind: str, data: bytes, send_body: bool, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": kind, "Content-Length": str(len(data)), **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _stream(self) -> None:
        """The server-sent events until the preview closes or the page goes away."""
        with self.server.broadcast.listen() as events:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")  # listening from here on
            while True:
                try:
                    event = events.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": idle\n\n")
                    continue
                if event is None:
                    return
                self.wfile.write(event.encode())


def _local_host(header: str) -> bool:
    """Whether a request's ``Host`` names this machine (``localhost``, ``127.0.0.1:8000``, ``[::1]:8000``)."""
    try:
        name = urlsplit(f"//{header}").hostname
    except ValueError:  # a malformed port or bracket
        return False
    return name is not None and is_loopback(name)


def _read(path: Path | None) -> bytes | None:
    """The bytes of ``path``; None for no path, or a file a build has just removed."""
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None
