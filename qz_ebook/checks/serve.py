"""The HTML edition served on loopback, as a reader's browser gets it from a web server.

Its search page loads the Pagefind index as a JavaScript module, which browsers
refuse to load from a ``file://`` page; the checks open every page over HTTP.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the checks report what they find; the server's log is noise


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that leaves a page drops the requests still running; nothing went wrong.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:<port>/``) of ``folder``, served until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="qz-serve", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def open_settled(page: Page, url: str) -> None:
    """Load ``url`` and wait until nothing on it is busy (the search page lists its results)."""
    page.goto(url)
    page.wait_for_function("() => !document.querySelector('[aria-busy=\"true\"]')")
