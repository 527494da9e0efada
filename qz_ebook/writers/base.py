"""The one interface every output format implements, and the registry that lists the formats.

A writer turns the prepared ``Edition`` into files and hands them to an ``Output``
(the build's staging area: nothing replaces a previous output until every format
has rendered). It renders its pages through ``Pages``, which may be plain
(``Direct``) or remember pages between builds (``incremental.render_cache``): the
writer cannot tell, and never imports the speed machinery.

A new format is one module with a ``Writer`` subclass, its templates and its
tests; ``writers.registry`` lists the formats.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, ClassVar, Protocol

from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.edition.prepare import Edition
from qz_ebook.model import BuildSettings
from qz_ebook.writers.templating import render

# Renders page ``page`` (its output path) from a template and a source.
RenderPage = Callable[[str, str, PageSource], bytes]
# Derives bytes from bytes (``Pages.derived``).
Make = Callable[[bytes], bytes]
# Runs ``make(data)``, perhaps in a thread beside the caller (``ThreadPoolExecutor.submit``).
Beside = Callable[[Make, bytes], "Future[bytes]"]
# Makes bytes of several byte strings (``Pages.joined``).
Join = Callable[[tuple[bytes, ...]], bytes]


def at_once(make: Make, data: bytes) -> Future[bytes]:
    """``make(data)``, run here and now: a ``Beside`` that runs nothing beside."""
    done: Future[bytes] = Future()
    done.set_result(make(data))
    return done


def render_page(page: str, template: str, source: PageSource) -> bytes:
    """Page ``page`` from ``template``, given the context of ``source``."""
    return render(template, **source.context())


class Pages(Protocol):
    """How a writer renders its pages and derives bytes from bytes."""

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        """Page ``page`` (its output path, e.g. ``html/index.html``) from ``template`` and ``source``."""
        ...

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        """Each ``(page, template, source)`` rendered as a page of its own, to be shown together."""
        ...

    def derived(self, kind: str, make: Make, data: bytes) -> bytes:
        """``make(data)``; ``kind`` names ``make`` and everything its result depends on besides ``data``."""
        ...

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        """``derived``, with ``make`` run by ``beside`` if it must run: the call returned waits for the result.

        Only ``make`` may run in another thread; the caller takes every result on its own thread.
        """
        ...

    def joined(self, kind: str, parts: tuple[bytes, ...], join: Join) -> bytes:
        """``join(parts)``; ``kind`` names ``join`` and everything its result depends on besides ``parts``.

        Cheap enough to make again, so never stored; but bytes made again are equal, not the same
        object, and whatever is derived from them or compared with them must look at every byte.
        """
        ...


class Output(Protocol):
    """Where a writer hands its files; they are committed together with every other format's."""

    def file(self, path: Path) -> AbstractContextManager[BinaryIO]:
        """A stream for the new content of the file ``path``."""
        ...

    def folder(self, path: Path) -> AbstractContextManager[Files]:
        """The folder ``path``, to hold exactly the files added to it in the ``with`` block."""
        ...


class Files(Protocol):
    """A folder's files, handed over one by one (``Output.folder``)."""

    def add(self, name: str, data: bytes) -> None:
        """The file ``name`` (relative to the folder, with '/') holds ``data``; each name is added once."""
        ...


@dataclass(frozen=True)
class Job:
    """What a build asks of every writer besides the edition."""

    out_dir: Path
    modified: datetime  # the build's timestamp (``SOURCE_DATE_EPOCH``, the last commit, …)


class Writer(ABC):
    """One output format."""

    name: ClassVar[str]  # as ``qz-ebook build --format`` names it
    stage: ClassVar[str]  # the progress line's name for its pages
    folder: ClassVar[bool] = False  # whether its output is a folder (``Output.folder``) rather than files
    default: ClassVar[bool] = True  # whether a build that names no format builds it
    busy_beside: ClassVar[bool] = False  # whether rendering it keeps other cores busy (work in threads, processes)

    @abstractmethod
    def outputs(self, settings: BuildSettings, out_dir: Path) -> tuple[Path, ...]:
        """The files or folders this format writes into ``out_dir``."""

    @abstractmethod
    def page_count(self, edition: Edition) -> int:
        """How many times ``render`` asks ``pages`` for a page, for the progress line."""

    @abstractmethod
    def render(self, edition: Edition, job: Job, pages: Pages, output: Output) -> None:
        """Render the edition and hand every output to ``output``; the same inputs give the same bytes."""


class Direct:
    """``Pages`` that render every page (by ``render``) and derive every value, remembering nothing."""

    def __init__(self, render: RenderPage = render_page) -> None:
        self._render = render

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        return self._render(page, template, source)

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        return Assembled(tuple(self.render(*section) for section in sections), "")

    def derived(self, kind: str, make: Make, data: bytes) -> bytes:
        return make(data)

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        return beside(make, data).result

    def joined(self, kind: str, parts: tuple[bytes, ...], join: Join) -> bytes:
        return join(parts)
