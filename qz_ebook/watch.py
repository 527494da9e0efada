"""Watching the manuscript for ``qz-ebook watch`` and ``serve``: which folders, which files changed, and the
build-on-save loop both run.

Changes are collected in the background from the moment watching starts, also
while a build runs: a file saved during a build is never missed, it makes the
next build.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from qz_ebook.build import BuildResult
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.messages import Message, Text
from qz_ebook.source.config import load_config

POLL_SECONDS = 0.25


def watched_folders(book_dir: Path) -> tuple[Path, ...]:
    """The folders a build reads: the book's, and its assets, stylesheets and cover where they lie elsewhere.

    Without a readable ``book.toml``, the book folder alone: a build reports what is wrong with it.
    """
    config = load_config(book_dir, Diagnostics())
    folders = [book_dir.resolve()]
    if config is not None:
        settings = config.settings
        files = (settings.cover.source, settings.epub_stylesheet, settings.html_stylesheet)
        for folder in ([settings.assets] if settings.assets else []) + [path.parent for path in files]:
            folder = folder.resolve()
            if not any(folder.is_relative_to(known) for known in folders):
                folders = [known for known in folders if not known.is_relative_to(folder)] + [folder]
    return tuple(sorted(folders))


class Watcher:
    """Collects changed files below some folders, in a thread, until ``close``.

    Files below ``ignored`` (the outputs and the cache, when they lie inside a
    watched folder) never count as changes: a build must not trigger the next.
    ``stop`` (safe in a signal handler) ends the current and every later ``wait``.
    """

    def __init__(self, ignored: tuple[Path, ...]) -> None:
        self.folders: tuple[Path, ...] = ()
        self._filter = _Filter(tuple(str(path.resolve()) for path in ignored))
        self._changes: queue.Queue[set[tuple[watchfiles.Change, str]]] = queue.Queue()
        self._stop = threading.Event()  # the collecting thread's
        self._stopped = threading.Event()  # the caller's
        self._thread: threading.Thread | None = None

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def watch(self, folders: tuple[Path, ...]) -> None:
        """Watch ``folders`` from now on, instead of the ones before."""
        self.close()
        self.folders, self._stop = folders, threading.Event()
        started = threading.Event()
        self._thread = threading.Thread(target=self._collect, args=(started,), daemon=True, name="qz-ebook watch")
        self._thread.start()
        started.wait()

    def wait(self, timeout: float | None = None) -> tuple[Path, ...] | None:
        """Block until something changes; every file changed since the last call, sorted.

        Returns ``()`` when ``timeout`` seconds pass without a change, None once stopped.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            try:
                # In short waits, so that a ``stop`` is seen soon.
                changes = self._changes.get(timeout=max(left, 0))
                break
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    return ()
        else:
            return None
        while not self._changes.empty():  # several saves in a row make one build
            changes |= self._changes.get_nowait()
        return tuple(sorted({Path(path) for _change, path in changes}))

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _collect(self, started: threading.Event) -> None:
        watching = watchfiles.watch(
            *self.folders, watch_filter=self._filter, stop_event=self._stop, yield_on_timeout=True, rust_timeout=100
        )
        for changes in watching:  # the first, empty, result tells that the watcher is in place
            started.set()
            if changes:
                self._changes.put(changes)


class _Filter(watchfiles.DefaultFilter):
    """watchfiles' own filter (editor backups, .git, …), and nothing below the ``ignored`` folders."""

    def __init__(self, ignored: tuple[str, ...]) -> None:
        super().__init__()
        self.ignored = ignored

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        inside = any(path == folder or path.startswith(folder + os.sep) for folder in self.ignored)
        return not inside and super().__call__(change, path)


@dataclass(frozen=True)
class Watching:
    """The watcher follows these folders from now on (at the start, and after ``book.toml`` names others)."""

    folders: tuple[Path, ...]


@dataclass(frozen=True)
class Built:
    """A build succeeded, ``seconds`` after it started; ``changed`` made it (nothing for the first)."""

    changed: tuple[Path, ...]
    result: BuildResult
    seconds: float


@dataclass(frozen=True)
class Failed:
    """A build failed and wrote nothing; ``changed`` made it (nothing for the first)."""

    changed: tuple[Path, ...]
    failure: BuildFailed


def rebuilds(book_dir: Path, watcher: Watcher, build: Callable[[], BuildResult]) -> Iterator[Watching | Built | Failed]:
    """Build, then build again each time a watched file changes, until ``watcher`` stops; what happens, as it happens.

    The caller reports each event and owns the watcher (and closes it). Between builds,
    while idle, all garbage is collected at once and what stays is frozen, so that the
    next build's collections do not walk everything that stays (the cache memory, above all).
    """
    changed: tuple[Path, ...] | None = ()
    while changed is not None:
        folders = watched_folders(book_dir)  # book.toml may name other folders after an edit
        if folders != watcher.folders:
            watcher.watch(folders)
            yield Watching(folders)
        started = time.monotonic()
        try:
            result = build()
        except BuildFailed as failure:
            yield Failed(changed, failure)
        else:
            yield Built(changed, result, time.monotonic() - started)
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        changed = watcher.wait()


@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Keep the garbage collector from running inside the block, when ``pause``.

    A rebuild with the cache in memory makes little garbage, and its collections
    would only walk the new edition again and again; ``rebuilds`` collects while idle.
    """
    if not pause:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def triggered(changed: tuple[Path, ...], outcome: Text) -> Text:
    """``kapitel-1.md changed: <outcome>`` for a rebuild's result; the first build's ``outcome`` alone."""
    if not changed:
        return outcome
    if len(changed) == 1:
        return Message("{path} changed: {outcome}", path=shown(changed[0]), outcome=outcome)
    more = len(changed) - 1
    return Message("{path} and {more} more changed: {outcome}", path=shown(changed[0]), more=more, outcome=outcome)


def shown(path: Path) -> str:
    """A path relative to the working folder where it lies below it, else as it is."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
