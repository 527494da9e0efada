"""A whole build: read the manuscript, convert it once, render each format, write atomically."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from qz_ebook.convert.batch import Conversions, convert_book
from qz_ebook.convert.converter import Converted
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Diagnostics, Severity
from qz_ebook.edition.accessibility import check_claims
from qz_ebook.edition.pagination import check_page_markers, check_page_order
from qz_ebook.edition.prepare import Edition, prepare
from qz_ebook.edition.relations import check_relations
from qz_ebook.head_start import head_start
from qz_ebook.incremental.collector import settle_for_building
from qz_ebook.incremental.conversions import ConversionCache
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.store import CacheStore
from qz_ebook.messages import Message
from qz_ebook.model import Book
from qz_ebook.output import Staging
from qz_ebook.progress import Progress
from qz_ebook.rendering import render_formats
from qz_ebook.source.config import TomlLocator
from qz_ebook.source.reader import Recall, check_perspectives, read_manuscript
from qz_ebook.writers.base import Job, Writer
from qz_ebook.writers.registry import writers

FALLBACK_MODIFIED = datetime(2000, 1, 1, tzinfo=UTC)
# Errors that leave out a page the outline names (the outline, a file that cannot be read, a
# slug used twice), and the link errors that would only follow from them (docs/manuscript.md).
PAGE_LOSING = frozenset({"QZ101", "QZ102", "QZ103", "QZ104", "QZ105", "QZ207", "QZ211"})
LINK_TARGETS = frozenset({"QZ401", "QZ402"})


@dataclass(frozen=True)
class Summary:
    """One line about the manuscript's state, printed after every build."""

    by_status: dict[str, int]
    words: int
    missing_alt: int

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message(self) -> Message:
        """The line, to be shown in a language."""
        return Message(
            "{total} contributions ({statuses}), {words} words, {missing} images without alt text",
            total=sum(self.by_status.values()),
            statuses=tuple(_counted(status, count) for status, count in sorted(self.by_status.items())),
            words=self.words,
            missing=self.missing_alt,
        )


def _counted(status: str, count: int) -> Message:
    """``3 draft``: how many contributions have ``status``."""
    if status == "draft":
        return Message("{count} draft", count=count)
    if status == "final":
        return Message("{count} final", count=count)
    return Message("{count} {status}", count=count, status=status)


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: Summary
    rendered: tuple[str, ...]  # pages rendered by this build (output paths such as html/index.html)
    reused: int  # pages taken from the render cache unchanged


@dataclass(frozen=True)
class ContributionStatus:
    """One row of ``qz-ebook status``."""

    source: Path
    kind: str
    status: str
    page: int | None
    words: int
    missing_alt: int


@dataclass(frozen=True)
class StatusReport:
    rows: tuple[ContributionStatus, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: Summary


def build(
    book_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...] | None = None,
    strict: bool = False,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    memory: Memory | None = None,
) -> BuildResult:
    """Build ``formats`` (by default those ``writers.registry`` builds by default) from ``book_dir`` into ``out_dir``.

    Raises ``BuildFailed`` with every diagnostic when the manuscript has errors
    (or warnings, when ``strict``); nothing is written then. With ``cache_dir``,
    conversions and rendered pages are kept there and reused while their inputs are unchanged.
    Builds one after another in one process pass the same ``memory`` (with ``cache_dir``):
    each finds what the last one used without reading it back from the cache.
    """
    chosen = _chosen(formats)
    store = CacheStore(cache_dir, memory) if cache_dir is not None else None
    head_start(book_dir, cache_dir)
    finished = False
    try:
        result = _build(book_dir, out_dir, chosen, Diagnostics(strict=strict), store, progress)
        finished = True
        return result
    finally:
        if store is not None:
            store.close(finished)


def _chosen(formats: tuple[str, ...] | None) -> list[Writer]:
    """The writers of ``formats``, in the order the registry lists them."""
    known = writers()
    unknown = [name for name in formats or () if name not in known]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}; the formats are {', '.join(known)}")
    return [writer for name, writer in known.items() if (writer.default if formats is None else name in formats)]


def _build(
    book_dir: Path,
    out_dir: Path,
    chosen: list[Writer],
    diagnostics: Diagnostics,
    store: CacheStore | None,
    progress: Progress | None,
) -> BuildResult:
    conversions = ConversionCache(store) if store is not None else None
    recall = store.memory.texts if store is not None and store.memory is not None else None
    edition = read_and_convert(book_dir, diagnostics, conversions, progress, recall)
    diagnostics.raise_if_failed()
    if store is not None:
        store.keep_builds = edition.book.settings.cache.keep_builds  # the book's, now that it is read
    if store is not None and store.memory is not None:
        # The one place values meet the last build's: equal ones become the very same objects.
        edition = store.memory.sharing.share(edition)
    book = edition.book
    job = Job(out_dir, modification_time(book, book_dir))
    # Nothing replaces a previous output until every format has been rendered.
    with Staging() as staging:
        rendered = render_formats(edition, chosen, job, staging, store, progress)
        staging.commit()
    written = tuple(path for writer in chosen for path in writer.outputs(book.settings, out_dir))
    summary = summarise(book, edition.converted)
    return BuildResult(written, tuple(diagnostics.items), summary, rendered.pages, rendered.reused)


def manuscript_status(book_dir: Path) -> StatusReport:
    """The state of every contribution, without writing anything.

    Raises ``BuildFailed`` only when the manuscript cannot be read at all;
    problems in the content are returned as diagnostics next to the rows.
    """
    diagnostics = Diagnostics()
    edition = read_and_convert(book_dir, diagnostics)
    book, converted = edition.book, edition.converted
    rows = tuple(
        ContributionStatus(c.source, c.kind, c.status, c.page, converted[c.slug].words, converted[c.slug].missing_alt)
        for c in book.contributions()
    )
    return StatusReport(rows, tuple(diagnostics.items), summarise(book, converted))


def read_and_convert(
    book_dir: Path,
    diagnostics: Diagnostics,
    cache: Conversions | None = None,
    progress: Progress | None = None,
    recall: Recall | None = None,
) -> Edition:
    """Read the manuscript, convert every contribution once and prepare the edition.

    Raises ``BuildFailed`` when the manuscript could not be read without errors: after the
    conversion, so that one run reports them together with those in the text (links,
    images, notes) of every other file. The conversion's own errors stay in ``diagnostics``.
    """
    book = _read_and_check(book_dir, diagnostics, recall)
    unreadable = diagnostics.failed  # the edition needs a book read without errors
    pages_lost = any(d.code in PAGE_LOSING for d in diagnostics.items if d.severity is Severity.ERROR)
    read = len(diagnostics.items)
    roots = (book_dir,) + ((book.settings.assets,) if book.settings.assets else ())
    converted = convert_book(book, roots, diagnostics, cache, progress, settle_for_building)
    if pages_lost:
        # A page the outline meant to have is missing, or two share a slug: a link to it would
        # only repeat that error in other words. Its own message says what to mend.
        diagnostics.items[read:] = [d for d in diagnostics.items[read:] if d.code not in LINK_TARGETS]
    if unreadable:
        raise BuildFailed(diagnostics.items)
    edition = prepare(book, converted)
    check_page_markers(edition.pagination, diagnostics)
    toml = book_dir / "book.toml"
    where = TomlLocator(toml, toml.read_text(encoding="utf-8"))("accessibility", "features")
    check_claims(book, edition.claims, where, diagnostics)
    return edition


def read_book(book_dir: Path, diagnostics: Diagnostics, recall: Recall | None = None) -> Book:
    """Read the manuscript and check it as a whole. Raises ``BuildFailed`` on errors."""
    book = _read_and_check(book_dir, diagnostics, recall)
    diagnostics.raise_if_failed()
    return book


def _read_and_check(book_dir: Path, diagnostics: Diagnostics, recall: Recall | None) -> Book:
    """The manuscript read and checked as a whole; its problems go to ``diagnostics``."""
    manuscript = read_manuscript(book_dir, diagnostics, recall)
    book = manuscript.book
    check_relations(book, manuscript.locations, diagnostics, manuscript.stand_ins)
    check_page_order(book, manuscript.locations, diagnostics)
    check_perspectives(book, manuscript.locate, diagnostics)
    return book


def modification_time(book: Book, book_dir: Path) -> datetime:
    """The build's timestamp, so that the same sources give the same bytes.

    ``SOURCE_DATE_EPOCH`` when set; else the time of the last commit that touched
    the manuscript or its assets; outside git ``book.modified``; else a fixed date.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or _last_commit_time(book, book_dir)
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    if book.meta.modified:
        return datetime.strptime(book.meta.modified, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return FALLBACK_MODIFIED


def _last_commit_time(book: Book, book_dir: Path) -> str:
    paths = [book_dir.resolve()] + ([book.settings.assets.resolve()] if book.settings.assets else [])
    command = ["git", "log", "-1", "--format=%ct", "--", *map(str, paths)]
    try:
        done = subprocess.run(command, cwd=book_dir, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""  # no git here
    return done.stdout.strip() if done.returncode == 0 else ""


def summarise(book: Book, converted: dict[str, Converted]) -> Summary:
    contributions = list(book.contributions())
    return Summary(
        by_status=dict(Counter(c.status for c in contributions)),
        words=sum(converted[c.slug].words for c in contributions),
        missing_alt=sum(converted[c.slug].missing_alt for c in contributions),
    )
