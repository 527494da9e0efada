"""Render the requested formats into staged outputs; for a large book, some beside the others.

Rendering is the main part of a build after conversion. For a large book the
formats that write single files (the EPUB) are rendered in a second process,
forked with the edition already in memory, while this one renders the rest: on
two cores that halves the step. Not beside the HTML edition, whose search index
keeps the other cores busy (``Writer.busy_beside``). The result is byte for byte
the same as rendering one after the other.

This is where the writers meet the speed machinery: each gets ``Pages`` that
remember (``incremental.render_cache``) when the build has a cache, plain ones
(``writers.base.Direct``) when it has none; writers cannot tell the difference.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.edition.prepare import Edition
from qz_ebook.incremental.render_cache import RenderCache
from qz_ebook.incremental.store import CacheStore, StoreReader
from qz_ebook.messages import Text, joined
from qz_ebook.output import Known, Staging
from qz_ebook.progress import Progress
from qz_ebook.writers.base import Beside, Direct, Files, Job, Join, Make, Pages, Writer, render_page
from qz_ebook.writers.registry import writers

# Below this many pages, starting a second process costs more than it saves.
PARALLEL_FROM = 200
# How often this process tells the progress line of the pages rendered beside it.
REPORT_SECONDS = 0.1


class Counter(Protocol):
    """A number in memory shared with another process (``multiprocessing.Value``)."""

    value: int


@dataclass(frozen=True)
class Rendered:
    """Which pages a build rendered (output paths, in order) and how many it took from the cache."""

    pages: tuple[str, ...]
    reused: int


def render_formats(
    edition: Edition,
    chosen: list[Writer],
    job: Job,
    staging: Staging,
    store: CacheStore | None,
    progress: Progress | None,
) -> Rendered:
    """Render every chosen format into ``staging``; nothing is committed here."""
    # A build after another in the same process finds its pages in memory: little
    # work is left to share, and forking a large process costs more in copy-on-write.
    # (So the process beside never has a memory to inherit.)
    warm = store is not None and store.memory is not None and store.memory.warm
    # A writer that keeps other cores busy itself (the HTML edition's search index) leaves them no
    # time to share: a process beside would only hold a second copy of what it touches of the edition.
    busy = any(writer.busy_beside for writer in chosen)
    aside = [writer for writer in chosen[:-1] if not writer.folder]
    if aside and not (warm or busy) and len(edition.views) >= PARALLEL_FROM and _can_fork():
        here = [writer for writer in chosen if writer not in aside]
        return _side_by_side(edition, aside, here, job, staging, store, progress)
    recorder = _Recorder()
    turns = _Turns(edition, job, _Staged(staging, store), _pages(store, recorder), progress)
    asked = turns.render(chosen)
    return Rendered(tuple(recorder.rendered), asked - len(recorder.rendered))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _pages(store: CacheStore | StoreReader | None, recorder: _Recorder) -> Pages:
    return RenderCache(store, recorder) if store is not None else Direct(recorder)


def _told(progress: Progress | None, stage: str, total: int) -> Callable[[int], None]:
    if progress is None:
        return _untold
    return lambda done: progress(stage, done, total)


def _untold(_done: int) -> None:
    """No progress line to tell."""


class _Recorder:
    """Renders a page and notes it: what the build reports as rendered, not taken from the cache."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    def __call__(self, page: str, template: str, source: PageSource) -> bytes:
        self.rendered.append(page)
        return render_page(page, template, source)


class _Turns:
    """Renders the chosen writers one after another in this process, those that keep other cores busy first.

    The others render when the first of those is about to wait for its work beside (``Pages.deriving``):
    the wait then hides their rendering. A watch rebuild after an edit takes about as long as Pagefind
    takes over the edited page's search shard, not that and the EPUB besides. The order changes no byte.
    """

    def __init__(self, edition: Edition, job: Job, output: _Staged, pages: Pages, progress: Progress | None) -> None:
        self.edition = edition
        self.job = job
        self.output = output
        self.pages = pages
        self.progress = progress
        self.waiting: list[Writer] = []
        self.asked = 0  # pages asked for by the writers rendered so far

    def render(self, chosen: list[Writer]) -> int:
        """Render every writer of ``chosen``; how many pages they asked for."""
        self.waiting = [writer for writer in chosen if not writer.busy_beside]
        for writer in chosen:
            if writer.busy_beside:
                self._render(writer, self._meanwhile)
        self._meanwhile()
        return self.asked

    def _meanwhile(self) -> None:
        """Render the writers still waiting for their turn."""
        while self.waiting:
            self._render(self.waiting.pop(0), None)

    def _render(self, writer: Writer, meanwhile: Callable[[], None] | None) -> None:
        total = writer.page_count(self.edition)
        counted = _Counted(self.pages, _told(self.progress, writer.stage, total), meanwhile)
        writer.render(self.edition, self.job, counted, self.output)
        self.asked += counted.done


class _Counted:
    """``Pages`` that count every page asked for, for the progress line.

    With ``meanwhile``, that is called before the writer waits for any work beside (``deriving``).
    """

    def __init__(self, pages: Pages, tell: Callable[[int], None], meanwhile: Callable[[], None] | None = None) -> None:
        self.pages = pages
        self.tell = tell
        self.meanwhile = meanwhile
        self.done = 0

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        self._tick()
        return self.pages.render(page, template, source)

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        return self.pages.assemble(self._ticking(sections))

    def derived(self, kind: str, make: Make, data: bytes) -> bytes:
        return self.pages.derived(kind, make, data)

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        result = self.pages.deriving(kind, make, data, beside)
        meanwhile = self.meanwhile
        if meanwhile is None:
            return result

        def waited() -> bytes:
            meanwhile()
            return result()

        return waited

    def joined(self, kind: str, parts: tuple[bytes, ...], join: Join) -> bytes:
        return self.pages.joined(kind, parts, join)

    def _ticking(self, sections: Iterable[tuple[str, str, PageSource]]) -> Iterator[tuple[str, str, PageSource]]:
        for section in sections:
            self._tick()
            yield section

    def _tick(self) -> None:
        self.done += 1
        self.tell(self.done)


class _Staged:
    """The staging area as a writer sees it; a folder is compared with what the last build left there."""

    def __init__(self, staging: Staging, store: CacheStore | None) -> None:
        self.staging = staging
        self.store = store

    def file(self, path: Path) -> AbstractContextManager[BinaryIO]:
        return self.staging.file(path)

    def folder(self, path: Path) -> AbstractContextManager[Files]:
        return self.staging.folder(path, _known(self.store, path))


def _known(store: CacheStore | None, folder: Path) -> Known | None:
    """What the last build in this process found in ``folder`` (``Staging.folder``), if it remembers."""
    if store is None or store.memory is None:
        return None
    return store.memory.outputs.setdefault(str(folder.resolve()), {})


def _side_by_side(
    edition: Edition,
    aside: list[Writer],
    here: list[Writer],
    job: Job,
    staging: Staging,
    store: CacheStore | None,
    progress: Progress | None,
) -> Rendered:
    settings = edition.book.settings
    reserved = {path: staging.reserve(path) for writer in aside for path in writer.outputs(settings, job.out_dir)}
    folder = store.folder if store is not None else None
    # fork hands the edition over without copying it through a pipe. The child
    # never touches this process's database connection: it reads through its own.
    context = multiprocessing.get_context("fork")
    # Keep the collector away from what the child inherits: walking it would copy every page.
    gc.freeze()
    stage = joined(writer.stage for writer in (*aside, *here))
    aside_total = sum(writer.page_count(edition) for writer in aside)
    together = _Together(progress, stage, context.Value("i", 0, lock=False), aside_total)
    together.total = sum(writer.page_count(edition) for writer in here)
    recorder = _Recorder()
    try:
        with ProcessPoolExecutor(1, mp_context=context, initializer=_hold,
                                 initargs=(edition, together.aside_done)) as pool:  # fmt: skip
            beside = pool.submit(_render_aside, [writer.name for writer in aside], job, reserved, folder)
            # No more work for it: the process ends once it has delivered, and its memory is freed
            # while this one renders on (the result still arrives; ``with`` waits for it).
            pool.shutdown(wait=False)
            pages, asked = _pages(store, recorder), 0
            for writer in here:
                counted = _Counted(pages, together.here_from(asked))
                writer.render(edition, job, counted, _Staged(staging, store))
                asked += counted.done
            result = together.wait(beside)
    finally:
        gc.unfreeze()
    if store is not None:
        store.absorb(result.read, result.written)
    return Rendered(result.pages + tuple(recorder.rendered), result.reused + asked - len(recorder.rendered))


@dataclass(frozen=True)
class _Aside:
    """What the process beside did, for this one to take over."""

    pages: tuple[str, ...]
    reused: int
    read: tuple[str, ...]  # cache entries it used
    written: tuple[tuple[str, bytes], ...]  # cache entries it made


class _Together:
    """The pages rendered here and the documents rendered beside, as one stage of progress."""

    def __init__(self, progress: Progress | None, stage: Text, aside_done: Counter, aside_total: int) -> None:
        self.progress = progress
        self.stage = stage
        self.aside_done = aside_done  # shared memory: the process beside counts its documents here
        self.aside_total = aside_total
        self.done, self.total = 0, 0  # this process's pages

    def here_from(self, before: int) -> Callable[[int], None]:
        """How a writer here tells its pages, after ``before`` pages of the writers before it."""

        def tell(done: int) -> None:
            self.done = before + done
            self.report()

        return tell

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.stage, self.done + self.aside_done.value, self.total + self.aside_total)

    def wait(self, aside: Future[_Aside]) -> _Aside:
        """The result of the process beside, reporting its progress meanwhile."""
        while True:
            try:
                result = aside.result(timeout=REPORT_SECONDS)
                break
            except TimeoutError:
                self.report()
        self.report()  # its last documents
        return result


class _Reserved:
    """The output of a writer beside: files reserved in the staging area by this build's process."""

    def __init__(self, reserved: Mapping[Path, Path]) -> None:
        self.reserved = reserved

    def file(self, path: Path) -> AbstractContextManager[BinaryIO]:
        return self.reserved[path].open("wb")

    def folder(self, path: Path) -> AbstractContextManager[Files]:
        raise TypeError(f"{path}: a folder is rendered by the build's own process")


_edition: Edition | None = None
_done: Counter | None = None


def _hold(edition: Edition, done: Counter) -> None:
    global _edition, _done
    _edition, _done = edition, done


def _counting_from(before: int) -> Callable[[int], None]:
    """How a writer beside tells its documents, after ``before`` of the writers before it."""

    def count(done: int) -> None:
        assert _done is not None, "process not started with a counter"
        _done.value = before + done

    return count


def _render_aside(names: list[str], job: Job, reserved: Mapping[Path, Path], folder: Path | None) -> _Aside:
    assert _edition is not None, "process not started with an edition"
    found = writers()
    reader = StoreReader(folder) if folder is not None else None
    recorder = _Recorder()
    asked = 0
    try:
        pages = _pages(reader, recorder)
        for name in names:
            counted = _Counted(pages, _counting_from(asked))
            found[name].render(_edition, job, counted, _Reserved(reserved))
            asked += counted.done
    finally:
        if reader is not None:
            reader.close()
    read, written = (tuple(reader.read), tuple(reader.written)) if reader is not None else ((), ())
    return _Aside(tuple(recorder.rendered), asked - len(recorder.rendered), read, written)
