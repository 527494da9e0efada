"""qz-ebook serve: the HTML edition served on loopback with live reload, a failed build's messages
over the open pages, the EPUB to download, and nothing outside the edition's folder."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser
from test_watch import WAIT, Session, edit

from qz_ebook import cli
from qz_ebook.cli import building
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Location, Severity
from qz_ebook.preview.paths import inside, segments
from qz_ebook.watch import Failed

HOOK = '<script src="/__qz/live.js" data-qz-live=""></script>'
SERVING = re.compile(r"serving http://127\.0\.0\.1:(\d+)/ ; Ctrl-C stops")
CHAPTER = Path("beitraege") / "musterstadt.md"
OVERLAY_EN = {
    "title": "Build failed: this page shows the last good build",
    "download": "Download the last good EPUB",
    "close": "Close",
}
NOT_BUILT = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>Not found</title></head>\n'
    f"<body><h1>Not found</h1><p>Nothing is built at this address.</p>{HOOK}</body></html>\n"
)


class Served:
    """``qz-ebook serve --port 0`` in its own process, once its first build is served."""

    def __init__(self, book: Path, cwd: Path) -> None:
        self.session = Session(book, cwd, "serve", "--port", "0")
        self.dist = cwd / "dist"
        assert self.session.line().startswith("watching ")
        assert self.session.line().startswith("built in ")
        serving = SERVING.fullmatch(self.session.line())
        assert serving is not None, self.session.lines
        self.port = int(serving[1])

    def get(self, target: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of ``target``, sent as it is (http.client normalises nothing)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request(method, target, headers={"Host": host} if host is not None else {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self, how: signal.Signals = signal.SIGINT) -> None:
        """Stop it as Ctrl-C or SIGTERM does: it says so, exits 0, has saved the cache and freed the port."""
        assert self.session.stop(how) == 0
        assert self.session.line() == "stopped serving"
        with sqlite3.connect(self.dist.parent / ".qz-cache" / "cache.sqlite") as db:
            assert db.execute("SELECT COUNT(*) FROM entries WHERE key LIKE 'page:%'").fetchone() == (34,)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", self.port), timeout=WAIT).close()


class Events:
    """The server-sent events a page's EventSource reads."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", "/__qz/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        assert self.response.getheader("Cache-Control") == "no-store"
        # Sent once the stream listens: every event after this line reaches it.
        assert (self.response.readline(), self.response.readline()) == (b"retry: 1000\n", b"\n")

    def next(self) -> tuple[str, object]:
        """The next event's name and data; fails the test after WAIT seconds."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode()
            assert line, "the event stream ended"
            if line == "\n" and fields:
                return fields["event"], json.loads(fields["data"])
            if line != "\n" and not line.startswith(":"):  # ": idle" keeps an idle stream open
                name, _, value = line.rstrip("\n").partition(": ")
                fields[name] = value

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def served(sample_book: Path, tmp_path: Path) -> Iterator[Served]:
    (tmp_path / "dist").mkdir()
    # Where ".." from the served folder (dist/html/) would lead.
    (tmp_path / "dist" / "pyproject.toml").write_text("[geheim]\n", encoding="utf-8")
    (tmp_path / "dist" / "book.toml").write_text("[geheim]\n", encoding="utf-8")
    server = Served(sample_book, tmp_path)
    try:
        yield server
    finally:
        if server.session.process.poll() is None:
            server.session.process.kill()
            server.session.process.wait(WAIT)


def test_pages_are_served_with_the_reload_hook_that_the_files_do_not_hold(served: Served) -> None:
    on_disk = (served.dist / "html" / "index.html").read_bytes()
    assert on_disk.count(b"</body>") == 1 and b"__qz" not in on_disk
    status, headers, body = served.get("/")
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, "text/html; charset=utf-8", "no-store")
    assert body == on_disk.replace(b"</body>", HOOK.encode() + b"</body>")
    assert int(headers["Content-Length"]) == len(body)
    assert served.get("/index.html?from=test")[2] == body
    status, head, nothing = served.get("/index.html", "HEAD")
    del head["Date"], headers["Date"]
    assert (status, head, nothing) == (200, headers, b"")
    assert (served.dist / "html" / "index.html").read_bytes() == on_disk

    status, headers, body = served.get("/css/book.css")
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert body == (served.dist / "html" / "css" / "book.css").read_bytes()

    status, headers, script = served.get("/__qz/live.js")
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    assert b'new EventSource("/__qz/events")' in script and b'"role", "alertdialog"' in script
    assert b"innerHTML" not in script  # messages are text, never markup
    served.stop(signal.SIGTERM)


def test_a_save_reloads_the_open_pages_and_a_failed_build_shows_its_messages_over_the_last_good_one(
    served: Served, sample_book: Path
) -> None:
    chapter = sample_book / CHAPTER
    page = served.dist / "html" / "musterstadt.html"
    events = Events(served.port)
    try:
        edit(chapter, "Ein Beispiel aus der Praxis.", "Frisch gespeichert.")
        saved = time.monotonic()
        assert events.next() == ("reload", {})
        # From the save: the watcher's notice (inotify, grouped for 50 ms) and a rebuild of the sample
        # book in memory (about 0.1 s) come well within a second.
        assert time.monotonic() - saved < 1.0
        assert " changed: built in " in served.session.line()
        status, _, good = served.get("/musterstadt.html")
        assert status == 200 and b"Frisch gespeichert." in good

        edit(chapter, "place: Musterstadt", "plase: Musterstadt")
        message = f"{chapter}:5:1: error[QZ203]: unknown front-matter key 'plase'; did you mean 'place'?"
        failure = {"messages": [message], "downloads": ["/__qz/beispiel.epub"], "words": OVERLAY_EN}
        assert events.next() == ("failed", failure)
        assert served.session.line() == message
        assert served.session.line().endswith(" changed: build failed: 1 error(s); the outputs stay")
        status, _, still = served.get("/musterstadt.html")
        assert (status, still) == (200, good)
        assert page.read_bytes() == good.replace(HOOK.encode(), b"")
        later = Events(served.port)  # a page opened now, on the last good edition, shows the messages too
        assert later.next() == ("failed", failure)

        edit(chapter, "plase: Musterstadt", "place: Musterstadt")
        assert (events.next(), later.next()) == (("reload", {}), ("reload", {}))
        assert " changed: built in " in served.session.line()
        later.close()
    finally:
        events.close()
    served.stop()


def test_the_open_page_shows_a_failed_builds_messages_as_text_in_a_dismissable_alertdialog_and_reloads(
    served: Served, sample_book: Path, browser: Browser
) -> None:
    chapter = sample_book / CHAPTER
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{served.port}/musterstadt.html")
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.endsWith('/__qz/live.js'))")
    page.get_by_role("link").first.focus()
    focused = page.evaluate("() => document.activeElement.outerHTML")

    edit(chapter, "place: Musterstadt", "<img src=x onerror=alert(1)>: Musterstadt")
    message = served.session.line()
    assert message == f"{chapter}:5:1: error[QZ203]: unknown front-matter key '<img src=x onerror=alert(1)>'"
    dialog = page.get_by_role("alertdialog", name="Build failed: this page shows the last good build")
    dialog.wait_for()
    assert dialog.get_attribute("aria-describedby") == "qz-live-overlay-messages"
    assert page.locator("#qz-live-overlay-messages li").all_inner_texts() == [message]  # as text, not markup
    assert page.locator("#qz-live-overlay img").count() == 0
    assert page.evaluate("() => document.activeElement.textContent") == "Close"
    colours = page.evaluate(
        "() => [getComputedStyle(document.getElementById('qz-live-overlay')).color,"
        " getComputedStyle(document.getElementById('qz-live-overlay')).backgroundColor]"
    )
    assert colours == ["rgb(27, 27, 27)", "rgb(255, 255, 255)"]  # contrast 17:1, whatever the page's scheme
    assert dialog.get_by_role("link", name="Download the last good EPUB").get_attribute("href") == (
        "/__qz/beispiel.epub"
    )
    page.keyboard.press("Escape")
    assert page.locator("#qz-live-overlay").count() == 0
    assert page.evaluate("() => document.activeElement.outerHTML") == focused

    with page.expect_navigation():  # the good build reloads the page
        edit(chapter, "<img src=x onerror=alert(1)>: Musterstadt", "place: Musterstadt")
    assert served.session.line().endswith(" changed: build failed: 1 error(s); the outputs stay")
    assert " changed: built in " in served.session.line()
    assert page.locator("#qz-live-overlay").count() == 0
    page.close()
    served.stop()


TRAVERSALS = [
    "/../pyproject.toml",
    "/%2e%2e/pyproject.toml",
    "/%2E%2E/pyproject.toml",
    "/..%2fpyproject.toml",
    "/%2e%2e%2fbook.toml",
    "/..%2f..%2ftests/fixtures/book/book.toml",
    "/css/../../pyproject.toml",
    "/css/%2e%2e/%2e%2e/book.toml",
    "/..\\pyproject.toml",
    "/%5c..%5cpyproject.toml",
    "//etc/passwd",
    "/%2fetc/passwd",
    "/%2f%2e%2e/pyproject.toml",
    "/./index.html",
    "/passwort.txt",  # a link to /etc/passwd
    "/aussen/pyproject.toml",  # a link to the folder above
    "/aussen/",
    "/../beispiel.epub",
    "/__qz/../pyproject.toml",
    "/__qz/..%2fpyproject.toml",
    "/__qz/pyproject.toml",
    "/__qz/book.toml",
    "/__qz/",
    "/index.html%00.css",
    "/%ff.html",
    "etc/passwd",
]


def test_nothing_outside_the_edition_is_served_but_the_epub_to_download(served: Served) -> None:
    html = served.dist / "html"
    (html / "passwort.txt").symlink_to("/etc/passwd")
    (html / "aussen").symlink_to(served.dist, target_is_directory=True)
    (html / "start.html").symlink_to(html / "index.html")  # a link that stays inside is followed
    assert (html / ".." / "pyproject.toml").is_file() and (html / "aussen" / "pyproject.toml").is_file()
    answers = {target: served.get(target)[::2] for target in TRAVERSALS}
    assert answers == {target: (404, NOT_BUILT.encode()) for target in TRAVERSALS}
    assert served.get("/start.html")[::2] == served.get("/index.html")[::2] == (200, served.get("/")[2])

    status, headers, epub = served.get("/__qz/beispiel.epub")
    assert status == 200
    assert (headers["Content-Type"], headers["Content-Disposition"], headers["Cache-Control"]) == (
        "application/epub+zip",
        'attachment; filename="beispiel.epub"',
        "no-store",
    )
    assert epub == (served.dist / "beispiel.epub").read_bytes() and epub.startswith(b"PK\x03\x04")
    # DNS rebinding: a page of another site whose name now points here gets nothing.
    for host in ("boese.example", "boese.example:8000", "127.0.0.1.boese.example", ""):
        assert served.get("/index.html", host=host)[::2] == (421, b"Not this host.\n")
    for host in ("localhost", f"localhost:{served.port}", f"127.0.0.1:{served.port}", f"[::1]:{served.port}"):
        assert served.get("/index.html", host=host)[0] == 200
    served.stop()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", ("",)),
        ("/css/book.css?v=2#top", ("css", "book.css")),
        ("/pagefind/", ("pagefind", "")),
        ("/Gr%C3%BC%C3%9Fe.html", ("Grüße.html",)),
        ("/%2e%2e/x", None),
        ("/a/..%2fx", None),
        ("/a//b", None),
        ("/a\\b", None),
        ("/%00", None),
        ("/%c3", None),
        ("x", None),
        ("*", None),
    ],
)
def test_request_targets_are_read_as_segments_and_any_way_out_refused(
    target: str, expected: tuple[str, ...] | None
) -> None:
    assert segments(target) == expected


def test_a_file_is_found_only_inside_the_served_folder(tmp_path: Path) -> None:
    root = tmp_path / "html"
    (root / "css").mkdir(parents=True)
    (root / "index.html").write_text("start", encoding="utf-8")
    (root / "css" / "book.css").write_text("p {}", encoding="utf-8")
    (tmp_path / "geheim.txt").write_text("geheim", encoding="utf-8")
    (root / "geheim.txt").symlink_to(tmp_path / "geheim.txt")
    (root / "drinnen.html").symlink_to(root / "index.html")
    assert inside(root, ("",)) == root / "index.html"
    assert inside(root, ("css", "")) is None  # a folder without an index
    assert inside(root, ("css", "book.css")) == root / "css" / "book.css"
    assert inside(root, ("drinnen.html",)) == root / "index.html"
    assert inside(root, ("geheim.txt",)) is None
    assert inside(root, ("fehlt.html",)) is None


def test_serve_warns_off_loopback_serves_after_a_failed_first_build_and_opens_the_browser_when_asked(
    sample_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    seen: list[object] = []
    failure = BuildFailed([Diagnostic(Severity.ERROR, "QZ203", "<b>kaputt</b>", Location(Path("a.md"), 2, 3))])

    def first_build_fails(*args: object) -> None:  # instead of building until Ctrl-C
        after = args[-1]
        assert callable(after)
        after(Failed((), failure))
        port = int(opened[0].rsplit(":", 1)[1].rstrip("/"))
        seen.append(port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        connection.request("GET", "/")
        response = connection.getresponse()
        seen.append((response.status, response.read().decode()))  # nothing built in dist/ yet
        events = Events(port)
        seen.append(events.next())
        events.close()

    monkeypatch.setattr(building, "_build_on_save", first_build_fails)
    monkeypatch.setattr(building.webbrowser, "open", opened.append)
    args = ["serve", "--book", str(sample_book), "--host", "0.0.0.0", "--port", "0", "--open"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == "warning: 0.0.0.0 is not loopback: the edition is reachable from other machines\n"
    assert result.stdout == f"serving {opened[0]} ; Ctrl-C stops\nstopped serving\n"
    assert re.fullmatch(r"http://0\.0\.0\.0:\d+/", opened[0]) and len(opened) == 1
    failed = {"messages": ["a.md:2:3: error[QZ203]: <b>kaputt</b>"], "downloads": [], "words": OVERLAY_EN}
    assert seen[1:] == [(404, NOT_BUILT), ("failed", failed)]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", seen[0]), timeout=WAIT).close()


def test_a_port_in_use_is_a_usage_error(sample_book: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli.main, ["serve", "--book", str(sample_book), "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: cannot serve on 127.0.0.1:{port}: Address already in use"
