"""Render the requested formats into staged outputs, the EPUB beside the HTML edition.

Rendering is the main part of a build after conversion. For a large book the
EPUB is rendered in a second process, forked with the edition already in memory,
while this one renders the HTML edition: on two cores that halves the step. The
result is byte for byte the same as rendering one after the other.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from qz_ebook.edition.prepare import Edition
from qz_ebook.incremental.cache import CacheStore, RenderCache, StoreReader
from qz_ebook.output import Known, Staging
from qz_ebook.progress import Progress
from qz_ebook.writers.epub import document_count, render_epub
from qz_ebook.writers.html import render_html

# Below this many pages, starting a second process costs more than it saves.
PARALLEL_FROM = 200
# The progress stage while both formats are rendered at once, and how often it is told of the EPUB's.
TOGETHER = "EPUB und HTML"
REPORT_SECONDS = 0.1


class Counter(Protocol):
    """A number in memory shared with another process (``multiprocessing.Value``)."""

    value: int


@dataclass(frozen=True)
class Rendered:
    """Which pages a build rendered (output paths, in order) and how many it took from the cache."""

    pages: tuple[str, ...]
    reused: int


@dataclass(frozen=True)
class Targets:
    epub: Path | None
    html: Path | None
    modified: datetime | None  # the EPUB's modification date, with the EPUB

    def __post_init__(self) -> None:
        if self.epub is not None and self.modified is None:
            raise ValueError("an EPUB needs its modification date")


def render_formats(
    edition: Edition, targets: Targets, staging: Staging, store: CacheStore | None, progress: Progress | None
) -> Rendered:
    """Render every target into ``staging``; nothing is committed here."""
    both = targets.epub is not None and targets.html is not None
    # A build after another in the same process finds its pages in memory: little
    # work is left to share, and forking a large process costs more in copy-on-write.
    # (So the EPUB process never has a memory to inherit.)
    warm = store is not None and store.memory is not None and store.memory.warm
    if both and not warm and len(edition.views) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        return _side_by_side(edition, targets, staging, store, progress)
    pages = RenderCache(store, progress)
    if targets.epub is not None:
        assert targets.modified is not None  # see Targets
        with staging.file(targets.epub) as stream:
            render_epub(edition, pages, targets.modified, stream)
    if targets.html is not None:
        staging.tree(targets.html, render_html(edition, pages), _known(store, targets.html))
    return Rendered(tuple(pages.rendered), pages.reused)


def _side_by_side(
    edition: Edition, targets: Targets, staging: Staging, store: CacheStore | None, progress: Progress | None
) -> Rendered:
    assert targets.epub is not None and targets.html is not None and targets.modified is not None
    epub_file = staging.reserve(targets.epub)
    folder = store.folder if store is not None else None
    # fork hands the edition over without copying it through a pipe. The child
    # never touches this process's database connection: it reads through its own.
    context = multiprocessing.get_context("fork")
    # Keep the collector away from what the child inherits: walking it would copy every page.
    gc.freeze()
    together = _Together(progress, context.Value("i", 0, lock=False), document_count(edition))
    try:
        with ProcessPoolExecutor(1, mp_context=context, initializer=_hold,
                                 initargs=(edition, together.aside_done)) as pool:  # fmt: skip
            aside = pool.submit(_render_epub_aside, epub_file, targets.modified, folder)
            pages = RenderCache(store, together if progress is not None else None)
            files = render_html(edition, pages)
            epub = together.wait(aside)
    finally:
        gc.unfreeze()
    if store is not None:
        store.absorb(epub.read, epub.written)
    staging.tree(targets.html, files, _known(store, targets.html))
    return Rendered(epub.pages + tuple(pages.rendered), epub.reused + pages.reused)


def _known(store: CacheStore | None, folder: Path) -> Known | None:
    """What the last build in this process found in ``folder`` (``Staging.tree``), if it remembers."""
    if store is None or store.memory is None:
        return None
    return store.memory.outputs.setdefault(str(folder.resolve()), {})


@dataclass(frozen=True)
class _EpubAside:
    """What the EPUB process did, for this one to take over."""

    pages: tuple[str, ...]
    reused: int
    read: tuple[str, ...]  # cache entries it used
    written: tuple[tuple[str, bytes], ...]  # cache entries it made


class _Together:
    """The HTML pages rendered here and the EPUB documents rendered beside, as one stage of progress."""

    def __init__(self, progress: Progress | None, aside_done: Counter, aside_total: int) -> None:
        self.progress = progress
        self.aside_done = aside_done  # shared memory: the EPUB process counts its documents here
        self.aside_total = aside_total
        self.done, self.total = 0, 0  # this process's pages

    def __call__(self, _stage: str, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.report()

    def report(self) -> None:
        if self.progress is not None:
            self.progress(TOGETHER, self.done + self.aside_done.value, self.total + self.aside_total)

    def wait(self, aside: Future[_EpubAside]) -> _EpubAside:
        """The EPUB process's result, reporting its progress meanwhile."""
        while True:
            try:
                result = aside.result(timeout=REPORT_SECONDS)
                break
            except TimeoutError:
                self.report()
        self.report()  # the EPUB's last documents
        return result


_edition: Edition | None = None
_done: Counter | None = None


def _hold(edition: Edition, done: Counter) -> None:
    global _edition, _done
    _edition, _done = edition, done


def _count(_stage: str, done: int, _total: int) -> None:
    assert _done is not None, "process not started with a counter"
    _done.value = done


def _render_epub_aside(path: Path, modified: datetime, folder: Path | None) -> _EpubAside:
    assert _edition is not None, "process not started with an edition"
    reader = StoreReader(folder) if folder is not None else None
    try:
        pages = RenderCache(reader, _count)
        with path.open("wb") as stream:
            render_epub(_edition, pages, modified, stream)
    finally:
        if reader is not None:
            reader.close()
    read, written = (tuple(reader.read), tuple(reader.written)) if reader is not None else ((), ())
    return _EpubAside(tuple(pages.rendered), pages.reused, read, written)
