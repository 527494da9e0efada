"""qz-ebook watch: which folders it watches, which changes it reports, and the command end to end."""

from __future__ import annotations

import gc
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import REPO
from test_cache import ADDED_CHAPTER, EDITS, add_chapter

from qz_ebook import rendering
from qz_ebook.build import build
from qz_ebook.diagnostics import BuildFailed
from qz_ebook.edition.pages import PageView
from qz_ebook.incremental import conversions, render_cache
from qz_ebook.incremental import store as cache
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.store import save
from qz_ebook.watch import Watcher, collector_paused, watched_folders
from qz_ebook.writers import search, sidebar
from qz_ebook.writers.epub import EpubWriter

WAIT = 20  # seconds; far above what a change or a build of the sample book takes


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_watched_folders_are_the_book_and_where_its_stylesheets_lie(sample_book: Path) -> None:
    # The sample's stylesheets are ../../../assets/css/*.css, outside the book folder.
    assert set(watched_folders(sample_book)) == {REPO / "assets" / "css", sample_book.resolve()}


def test_a_folder_inside_another_is_watched_through_it(sample_book: Path) -> None:
    edit(sample_book / "book.toml", "../../../assets/css/epub.css", "bilder/umschlag.png")
    edit(sample_book / "book.toml", "../../../assets/css/html.css", "bilder/umschlag.png")
    assert watched_folders(sample_book) == (sample_book.resolve(),)


def test_without_a_readable_book_toml_the_book_folder_is_watched(sample_book: Path) -> None:
    (sample_book / "book.toml").write_text("[book\n", encoding="utf-8")
    assert watched_folders(sample_book) == (sample_book.resolve(),)


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Watcher]:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "dist").mkdir()
    found = Watcher(ignored=(tmp_path / "book" / "dist",))
    found.watch((tmp_path / "book",))
    yield found
    found.close()


def test_a_saved_file_is_reported(watcher: Watcher, tmp_path: Path) -> None:
    chapter = tmp_path / "book" / "kapitel.md"
    chapter.write_text("neu", encoding="utf-8")
    assert watcher.wait(WAIT) == (chapter.resolve(),)


def test_nothing_changed_is_an_empty_answer_after_the_timeout(watcher: Watcher) -> None:
    assert watcher.wait(0.2) == ()


def test_changes_to_the_outputs_and_editor_backups_do_not_count(watcher: Watcher, tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "dist" / "buch.epub").write_bytes(b"PK")
    (book / "kapitel.md~").write_text("Sicherung", encoding="utf-8")
    (book / "kapitel.md").write_text("neu", encoding="utf-8")
    assert watcher.wait(WAIT) == ((book / "kapitel.md").resolve(),)
    assert watcher.wait(0.3) == ()


def test_saves_made_during_a_build_make_one_next_build(watcher: Watcher, tmp_path: Path) -> None:
    book = tmp_path / "book"
    for name in ("a.md", "b.md", "c.md"):
        (book / name).write_text(name, encoding="utf-8")
        time.sleep(0.2)  # three saves, as far apart as watchfiles groups them separately
    time.sleep(0.5)  # the "build" that runs meanwhile
    assert watcher.wait(WAIT) == tuple((book / name).resolve() for name in ("a.md", "b.md", "c.md"))


def test_builds_sharing_a_memory_read_nothing_back(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store, memory=memory)
    unpickled: list[bytes] = []
    monkeypatch.setattr(conversions, "_entry", lambda data: unpickled.append(data))
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    result = build(sample_book, tmp_path / "b", cache_dir=store, memory=memory)
    assert unpickled == []  # every other conversion came from memory
    assert result.rendered == (
        "html/musterstadt.html", "html/gesamt.html#musterstadt", "html/gesamt.html", "epub/musterstadt.xhtml"
    )  # fmt: skip


@pytest.mark.parametrize("change", EDITS, ids=list(EDITS))
def test_a_rebuild_in_the_same_memory_after_any_edit_equals_a_build_without_cache(
    change: str, sample_book: Path, tmp_path: Path
) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "before", cache_dir=store, memory=memory)
    name, old, new = EDITS[change]
    edit(sample_book / name, old, new)
    result = build(sample_book, tmp_path / "after", cache_dir=store, memory=memory)
    assert result.rendered, "an edit that changes the outputs renders something"
    build(sample_book, tmp_path / "fresh")
    assert files(tmp_path / "after") == files(tmp_path / "fresh")


def test_a_new_chapter_in_the_same_memory_renders_only_the_pages_that_show_it(
    sample_book: Path, tmp_path: Path
) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "before", cache_dir=store, memory=memory)
    add_chapter(sample_book)
    assert build(sample_book, tmp_path / "after", cache_dir=store, memory=memory).rendered == ADDED_CHAPTER
    build(sample_book, tmp_path / "fresh")
    assert files(tmp_path / "after") == files(tmp_path / "fresh")


def test_a_rebuild_in_the_same_memory_walks_only_what_the_edit_changed(
    sample_book: Path, tmp_path: Path, walked: list[object]
) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    walked.clear()
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    # The edited contribution and what holds it: its paper and its part, and the pages
    # before and after each of these. The other views are the last build's, walked then.
    views = sorted({id(v): v.page.slug for v in walked if isinstance(v, PageView)}.values())
    assert views == ["grusswort", "musterstadt", "oeffnung", "teil-handreichungen", "teil-weitere-themen"]


def test_a_rebuild_in_the_same_memory_joins_and_packs_only_the_pages_the_edit_changed(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 1)  # a shard a page: four
    joined: list[str] = []
    packed: list[list[str]] = []
    hashed: list[bytes] = []
    original_joined, original_pack = sidebar._joined, search.pack
    monkeypatch.setattr(sidebar, "_joined", lambda href, parts: joined.append(href) or original_joined(href, parts))
    monkeypatch.setattr(search, "pack", lambda files: packed.append(sorted(files)) or original_pack(files))
    monkeypatch.setattr(
        render_cache, "hashlib", SimpleNamespace(sha256=lambda data: hashed.append(data) or sha256(data))
    )
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    assert len(joined) == 12 and len([files for files in packed if files[0].endswith(".html")]) == 4
    joined.clear(), packed.clear(), hashed.clear()
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    # The other pages, their own parts and sidebars as they were, are the very bytes of the last build; so are
    # the other shards of the search index, whose Pagefind bundles are found by them, not by their hashes.
    assert joined == ["musterstadt.html", "gesamt.html"]
    assert [files for files in packed if files[0].endswith(".html")] == [["musterstadt.html"]]
    assert [data[4:20] for data in hashed if data[4:20].endswith(b".html")] == [b"musterstadt.html"]
    build(sample_book, tmp_path / "fresh")
    assert files(tmp_path / "out") == files(tmp_path / "fresh")


def test_the_epub_renders_while_pagefind_indexes(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = threading.Event()
    original_index, original_render = search.index, EpubWriter.render

    def index(packed: bytes) -> bytes:
        assert rendered.wait(WAIT), "the EPUB was not rendered while Pagefind indexed"
        return original_index(packed)

    def render(self: EpubWriter, *args: Any) -> None:
        original_render(self, *args)
        rendered.set()

    monkeypatch.setattr(search, "index", index)
    monkeypatch.setattr(EpubWriter, "render", render)
    result = build(sample_book, tmp_path / "out", ("epub", "html"))  # Pagefind would wait for the EPUB in vain else
    # The HTML edition's 13 pages and 8 sections first, then the EPUB's 12 documents and NCX, as Pagefind indexes.
    assert [page.partition("/")[0] for page in result.rendered] == ["html"] * 21 + ["epub"] * 13


def test_memory_keeps_only_what_the_last_build_used(sample_book: Path, tmp_path: Path) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    pages, conversions = dict(memory.rendering.pages), set(memory.conversions)
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    # Every page keeps its slot; the four pages that changed hold new bytes, the others the very same.
    assert memory.rendering.pages.keys() == pages.keys() and len(pages) == 34
    changed = [slot for slot, (_, content) in memory.rendering.pages.items() if content is not pages[slot][1]]
    assert len(changed) == 4
    assert len(conversions - set(memory.conversions)) == len(set(memory.conversions) - conversions) == 1
    assert len(memory.conversions) == 4
    assert memory.entries == {}  # pages, members and conversions are kept in their own form only, not twice


def test_a_rebuild_in_the_same_memory_looks_up_only_the_members_with_new_bytes(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    looked_up: list[str] = []
    original = cache.CacheStore.get_many

    def looking(self: cache.CacheStore, keys: list[str], remember: bool = True) -> dict[str, bytes]:
        looked_up.extend(key for key in keys if key.startswith("derived:"))
        return original(self, keys, remember)

    monkeypatch.setattr(cache.CacheStore, "get_many", looking)
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    # The edited document, and what the EPUB writer makes anew each time: the container,
    # the package document, the stylesheet and the two images it reads again; and the
    # search index of the edited page's bundle. (The NCX is a page the cache hands back.)
    assert len(looked_up) == 7


def test_a_session_writes_the_database_once_when_it_is_saved(sample_book: Path, tmp_path: Path) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    with sqlite3.connect(store / "cache.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone() == (0,)
    save(store, memory)
    assert memory.ledger.unsaved == {}
    with sqlite3.connect(store / "cache.sqlite") as db:
        kinds = db.execute("SELECT substr(key, 1, instr(key, ':') - 1), COUNT(*) FROM entries GROUP BY 1").fetchall()
    # Both builds' (the store keeps what the last three used): the last one's 4 conversions, 34 pages, 18 compressed
    # EPUB members and search index, and the first one's conversion and member of the edited contribution. Its
    # search index, as large as the rest together, was replaced for good: only the latest is kept.
    assert sorted(kinds) == [("conversion", 5), ("derived", 20), ("page", 34)]
    later = build(sample_book, tmp_path / "later", cache_dir=store)  # a new process, as it were
    assert (later.rendered, later.reused) == ((), 34)


def test_a_failed_build_keeps_the_memory_for_the_next_one(sample_book: Path, tmp_path: Path) -> None:
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    chapter = sample_book / "beitraege" / "musterstadt.md"
    edit(chapter, "status: draft", "status: unbekannt")
    with pytest.raises(BuildFailed):
        build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    edit(chapter, "status: unbekannt", "status: draft")
    edit(chapter, "Ein Beispiel aus der Praxis.", "Neu.")
    result = build(sample_book, tmp_path / "out", cache_dir=store, memory=memory)
    assert (len(result.rendered), result.reused) == (4, 30)  # not all 34 again


class Session:
    """``qz-ebook watch`` (or ``serve``, with ``options``) running in its own process, read line by line."""

    def __init__(self, book: Path, cwd: Path, command: str = "watch", *options: str) -> None:
        self.command = command
        # A shell that started the tests in the background ignores Ctrl-C, and a child
        # inherits that; a handler is not inherited, so the child gets the default, as in a terminal.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qz_ebook", command, "--book", str(book), "--out", "dist", *options],
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        self.lines: list[str] = []

    def line(self) -> str:
        """The next line it prints; fails the test after WAIT seconds."""
        assert self.process.stdout is not None
        timer = threading.Timer(WAIT, self.process.kill)
        timer.start()
        try:
            line = self.process.stdout.readline()
        finally:
            timer.cancel()
        assert line, f"qz-ebook {self.command} ended early after: {self.lines}"
        self.lines.append(line.rstrip("\n"))
        return self.lines[-1]

    def stop(self, how: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(how)
        return self.process.wait(WAIT)


def test_watch_builds_then_rebuilds_each_save_and_survives_errors(sample_book: Path, tmp_path: Path) -> None:
    session = Session(sample_book, tmp_path)
    try:
        folders = sorted([REPO / "assets" / "css", sample_book.resolve()])
        shown = ", ".join(str(f.relative_to(tmp_path)) if f.is_relative_to(tmp_path) else str(f) for f in folders)
        assert session.line() == f"watching {shown}; Ctrl-C stops"
        assert re.fullmatch(r"built in \d+\.\d{3} s: 34 pages rendered, 0 unchanged from \.qz-cache/", session.line())

        chapter = sample_book / "beitraege" / "musterstadt.md"
        edit(chapter, "Ein Beispiel aus der Praxis.", "Frisch gespeichert.")
        assert re.fullmatch(
            r"tests/fixtures/book/beitraege/musterstadt\.md changed: built in \d+\.\d{3} s: "
            r"4 pages rendered, 30 unchanged from \.qz-cache/",
            session.line(),
        )
        assert "Frisch gespeichert." in (tmp_path / "dist" / "html" / "musterstadt.html").read_text(encoding="utf-8")

        edit(chapter, "status: draft", "status: unbekannt")
        assert session.line() == f"{chapter}:9:1: error[QZ204]: 'status' must be one of draft, final, not 'unbekannt'"
        assert session.line() == (
            "tests/fixtures/book/beitraege/musterstadt.md changed: build failed: 1 error(s); the outputs stay"
        )
        assert "Frisch gespeichert." in (tmp_path / "dist" / "html" / "musterstadt.html").read_text(encoding="utf-8")

        edit(chapter, "status: unbekannt", "status: draft")
        assert " changed: built in " in session.line()

        # The stylesheets move into the book folder: the assets are no longer watched.
        (sample_book / "buch.css").write_text("p { margin: 0 }\n", encoding="utf-8")
        toml = sample_book / "book.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(re.sub(r"\.\./\.\./\.\./assets/css/\w+\.css", "buch.css", text), encoding="utf-8")
        # The new stylesheet may make a build of its own, before book.toml's.
        before = [session.line()]
        if before[0] != "watching tests/fixtures/book; Ctrl-C stops":
            assert " changed: built in " in before[0]
            assert session.line() == "watching tests/fixtures/book; Ctrl-C stops"
        assert " changed: built in " in session.line()
    finally:
        code = session.stop()
    assert session.line() == "stopped watching"
    assert code == 0


def test_watch_ends_on_sigterm_as_on_ctrl_c(sample_book: Path, tmp_path: Path) -> None:
    session = Session(sample_book, tmp_path)
    try:
        session.line()
        assert session.line().startswith("built in ")
    finally:
        code = session.stop(signal.SIGTERM)
    assert session.line() == "stopped watching"
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["beispiel.epub", "html"]


def test_a_second_ctrl_c_while_stopping_does_not_abort_it(sample_book: Path, tmp_path: Path) -> None:
    session = Session(sample_book, tmp_path)
    try:
        session.line()
        assert session.line().startswith("built in ")
        session.process.send_signal(signal.SIGINT)
    finally:
        code = session.stop()
    assert session.line() == "stopped watching"
    assert code == 0
    with sqlite3.connect(tmp_path / ".qz-cache" / "cache.sqlite") as db:  # saved all the same
        assert db.execute("SELECT COUNT(*) FROM entries WHERE key LIKE 'page:%'").fetchone() == (34,)


def test_only_a_sessions_first_build_renders_the_epub_in_a_second_process(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epub_beside: None
) -> None:
    asides: list[int] = []
    original = rendering._side_by_side

    def counting(*args):  # type: ignore[no-untyped-def]
        asides.append(1)
        return original(*args)

    monkeypatch.setattr(rendering, "_side_by_side", counting)
    memory, store = Memory(), tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store, memory=memory)
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    second = build(sample_book, tmp_path / "b", cache_dir=store, memory=memory)
    assert asides == [1]  # the second build found its pages in memory: forking would cost more
    assert len(second.rendered) == 4


@pytest.mark.parametrize("pause", [True, False])
def test_the_collector_waits_only_while_a_paused_block_runs(pause: bool) -> None:
    assert gc.isenabled()
    with collector_paused(pause):
        assert gc.isenabled() is not pause
    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt), collector_paused(pause):
        raise KeyboardInterrupt  # Ctrl-C during a build
    assert gc.isenabled()
