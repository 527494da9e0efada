"""Content-addressed caches of conversions and rendered pages in ``.qz-cache/``.

Both live in one SQLite file (``cache.sqlite``): a rebuild looks up thousands of
entries, and one database answers them without a file per entry, writes them in
one transaction, and lets two builds share the folder safely.

A conversion depends on the contribution's text, its place and slug, the set of
contribution files (links resolve against it), the allowed image folders, the
tool (every file of the package) and its libraries' versions, and the image files
it uses. All but the last go into the key; the images are checked by size and
modification time on a hit.
A rendered page depends on its template and its source (``pages.PageSource``,
``fingerprint``); only its latest version is kept.
A compressed zip member depends on its bytes alone.
A stale entry can therefore never be served.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qz_ebook import __version__
from qz_ebook.diagnostics import Severity
from qz_ebook.digests import digest
from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.incremental.fingerprint import Fingerprinter, Memo
from qz_ebook.incremental.sharing import Sharing
from qz_ebook.model import Contribution
from qz_ebook.output import Known
from qz_ebook.progress import Progress
from qz_ebook.writers.templating import render

if TYPE_CHECKING:
    from qz_ebook.convert.batch import Outcome

FORMAT = "5"  # bump when the cached classes or the store change shape
# Entries no build has used for this long are dropped, so the cache does not grow forever.
KEEP_UNUSED_SECONDS = 30 * 24 * 3600
# Libraries whose version changes what a conversion or a page holds.
LIBRARIES = ("markdown", "beautifulsoup4", "jinja2", "markupsafe", "python-slugify", "pyyaml")
QUERY_KEYS = 500  # below SQLite's limit on the number of parameters in one statement
# How long a build waits for another one that holds the cache, before it does without.
LOCK_WAIT_SECONDS = 30


@dataclass(frozen=True)
class Compressed:
    """A zip member's bytes as a raw deflate stream, with the CRC-32 of the bytes."""

    data: bytes
    crc: int


@dataclass
class Rendering:
    """What a build's rendering leaves in memory for the next build in the same process.

    Pages and compressed members are the very objects the build used: the next
    build hands an unchanged page on as the same bytes, and finds its compressed
    member by their identity, without hashing them again.
    """

    fingerprints: Memo = field(default_factory=dict)
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # slot → (fingerprint, content)
    # id(content) → (content, its member, the member's key in the store)
    members: dict[int, tuple[bytes, Compressed, str]] = field(default_factory=dict)


@dataclass
class Memory:
    """What a build leaves in memory for the next one in the same process (``qz-ebook watch``).

    Only what the last build used is kept: an edit session does not grow without end.
    New entries are written to the database once, by ``save`` at the end of the
    session, instead of after every build (the single page alone is megabytes).
    """

    entries: dict[str, bytes] = field(default_factory=dict)  # the store's, by key
    conversions: dict[str, Entry] = field(default_factory=dict)  # unpickled already
    rendering: Rendering = field(default_factory=Rendering)  # the last build's pages, in use
    outputs: dict[str, Known] = field(default_factory=dict)  # output folder → what is in it (``Staging.tree``)
    unsaved: dict[str, bytes] = field(default_factory=dict)  # made in this session, not in the database yet
    sharing: Sharing = field(default_factory=Sharing)  # the values alive from earlier builds

    @property
    def warm(self) -> bool:
        """Whether an earlier build left its pages here."""
        return bool(self.rendering.pages)


def save(folder: Path, memory: Memory) -> None:
    """Write what the session made and still uses into ``folder``'s database."""
    store = CacheStore(folder)
    for key, value in memory.unsaved.items():
        store.put(key, value)
    store.close()
    memory.unsaved = {}


class CacheStore:
    """Key → bytes in ``folder/cache.sqlite``; changes become visible with ``close``.

    A cache must never fail a build: when the database cannot be used (locked by
    another build for longer than ``LOCK_WAIT_SECONDS``, a full disk), every later
    lookup misses and nothing more is stored in this build.

    Builds one after another in one process share a ``memory``: the next build
    finds there what the last one used, without asking the database, and what
    they make waits there until the session ``save``s it.
    """

    def __init__(self, folder: Path, memory: Memory | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.memory = memory
        self._used: set[str] = set()  # keys this build read or wrote
        self.now = time.time()
        self.db: sqlite3.Connection | None = None
        path = folder / "cache.sqlite"
        try:
            self.db = _open(path)
        except sqlite3.OperationalError:
            return  # busy or unwritable: build without
        except sqlite3.DatabaseError:
            # Not a database (damaged, or something else by that name): a cache may start over.
            for damaged in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                damaged.unlink(missing_ok=True)
            self.db = _open(path)

    def get(self, key: str, remember: bool = True) -> bytes | None:
        return self.get_many([key], remember).get(key)

    def get_many(self, keys: list[str], remember: bool = True) -> dict[str, bytes]:
        """The stored values of those ``keys`` that are present, in as few queries as SQLite allows.

        Without ``remember`` the values are not kept in ``memory`` (nor any longer, if
        they were): the caller keeps them in a form of its own.
        """
        found: dict[str, bytes] = {}
        if self.memory is not None:
            self._used.update(keys)
            entries = self.memory.entries
            found = {key: entries[key] if remember else entries.pop(key) for key in keys if key in entries}
            keys = [key for key in keys if key not in found]
        for start in range(0, len(keys), QUERY_KEYS):
            chunk = keys[start : start + QUERY_KEYS]
            marks = ",".join("?" * len(chunk))
            rows = self._run(f"SELECT key, value FROM entries WHERE key IN ({marks})", chunk)
            found.update(rows)
            if self.memory is not None and remember:
                self.memory.entries.update(rows)
            # Marking once a day is enough for the expiry and keeps most hits read-only.
            self._run(f"UPDATE entries SET used = ? WHERE used < ? AND key IN ({marks})",
                      (self.now, self.now - 86400, *chunk))  # fmt: skip
        return found

    def put(self, key: str, value: bytes, remember: bool = True) -> None:
        """Store ``value``; without ``remember`` not in ``memory`` (for what is kept there in another form)."""
        if self.memory is None:
            self._run("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", (key, value, self.now))
            return
        if remember:
            self.memory.entries[key] = value
        self.memory.unsaved[key] = value
        self._used.add(key)

    def mark_used(self, keys: Sequence[str]) -> None:
        """Keep ``keys`` in ``memory``: this build used them in another form (``Memory.conversions``)."""
        self._used.update(keys)

    def absorb(self, read: Sequence[str], written: Sequence[tuple[str, bytes]]) -> None:
        """Take over what a ``StoreReader`` in another process used (``read``) and made (``written``)."""
        self.get_many(list(read))  # marks them as used
        for key, value in written:
            self.put(key, value)

    def close(self, finished: bool = True) -> None:
        """Drop long-unused entries and commit everything in one transaction.

        In ``memory``, only what this build used is kept for the next one, if it
        ``finished``: a build that stopped at an error used little, and the next
        one needs what the last finished build had.
        """
        if self.memory is None:
            self._run("DELETE FROM entries WHERE used < ?", (self.now - KEEP_UNUSED_SECONDS,))
        if self.db is not None:
            try:
                self.db.commit()
            except sqlite3.OperationalError:
                pass  # the entries are lost, not the build: the next build makes them again
            self.db.close()
        if self.memory is not None and finished:
            entries, unsaved = self.memory.entries, self.memory.unsaved
            self.memory.entries = {key: entries[key] for key in self._used if key in entries}
            self.memory.unsaved = {key: unsaved[key] for key in self._used if key in unsaved}

    def _run(self, sql: str, parameters: Sequence[object]) -> list[tuple[str, bytes]]:
        if self.db is None:
            return []
        try:
            return self.db.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError:
            self.db.close()
            self.db = None  # give up on it for this build, rather than wait again for every entry
            return []


class StoreReader:
    """The store as a second process of the same build sees it.

    It reads what earlier builds committed, and keeps what it would write (and
    which entries it used) for the owning process to ``absorb``: one writer only.
    Like the store, it misses rather than fails when the database cannot be read.
    """

    def __init__(self, folder: Path) -> None:
        self.read: list[str] = []
        self.written: list[tuple[str, bytes]] = []
        uri = f"{(folder / 'cache.sqlite').resolve().as_uri()}?mode=ro"
        try:
            self.db: sqlite3.Connection | None = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_SECONDS)
        except sqlite3.OperationalError:
            self.db = None

    def get(self, key: str, remember: bool = True) -> bytes | None:
        """The stored value of ``key``; this process keeps nothing in memory, whatever ``remember``."""
        try:
            row = self.db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone() if self.db else None
        except sqlite3.OperationalError:
            row = None
        if row is None:
            return None
        self.read.append(key)
        return bytes(row[0])

    def put(self, key: str, value: bytes, remember: bool = True) -> None:
        self.written.append((key, value))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writing build
        # A crash may lose the last build's entries, never the database's consistency: no sync per commit.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB, used REAL)")
        # The expiry finds old entries without reading past every value to their 'used'.
        db.execute("CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used)")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


@dataclass(frozen=True)
class Entry:
    outcome: Outcome
    images: tuple[tuple[str, int, int], ...]  # (path, size, mtime_ns) of each image used


class ConversionCache:
    """Stores conversions in ``store``; with ``store=None`` it stores nothing."""

    def __init__(self, store: CacheStore | None) -> None:
        self.store = store

    def context(self, files: dict[str, str], roots: tuple[Path, ...]) -> str:
        """What every conversion of this build depends on besides its own text.

        ``files`` are the contribution files links resolve against (``links.contribution_files``).
        """
        parts = [FORMAT, tool_fingerprint()]
        parts += sorted(f"{file}\t{slug}" for file, slug in files.items())
        parts += [str(root.resolve()) for root in roots]
        return digest(*parts)

    def get_all(self, contributions: list[Contribution], context: str) -> dict[int, Outcome]:
        """The stored, still valid outcomes, by the contribution's index in ``contributions``."""
        if self.store is None:
            return {}
        keys = [self._key(c, context) for c in contributions]
        remembered = self.store.memory.conversions if self.store.memory is not None else {}
        self.store.mark_used([key for key in keys if key in remembered])
        stored = self.store.get_many([key for key in keys if key not in remembered], remember=False)
        entries = {
            key: remembered.get(key) or _entry(stored[key]) for key in keys if key in remembered or key in stored
        }
        valid = {
            key: entry for key, entry in entries.items() if entry is not None and entry.images == _stamps(entry.outcome)
        }
        if self.store.memory is not None:
            self.store.memory.conversions = valid
        return {i: valid[key].outcome for i, key in enumerate(keys) if key in valid}

    def put(self, contribution: Contribution, context: str, outcome: Outcome) -> None:
        # Errors can depend on files outside the key (a missing image that is added
        # later); they fail the build anyway, so such outcomes are never stored.
        if self.store is None or any(d.severity is Severity.ERROR for d in outcome.diagnostics):
            return
        key, entry = self._key(contribution, context), Entry(outcome, _stamps(outcome))
        if self.store.memory is not None:
            self.store.memory.conversions[key] = entry
        self.store.put(key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL), remember=False)

    def _key(self, contribution: Contribution, context: str) -> str:
        return _conversion_key(context, str(contribution.source), contribution.slug, contribution.body)


# A body read again unchanged is the same string (``frontmatter._split``), whose
# hash Python keeps: a rebuild then finds its key without hashing the text again.
@functools.lru_cache(maxsize=8192)
def _conversion_key(context: str, source: str, slug: str, body: str) -> str:
    return "conversion:" + digest(context, source, slug, body)


class RenderCache:
    """Rendered pages in ``store``, keyed by template, page and the fingerprint of their source.

    A page is rendered again exactly when something its template can show has
    changed (``qz_ebook.incremental.fingerprint``, ``pages.PageSource``), or a template or the
    tool itself has. With ``store=None`` every page is rendered and nothing is
    fingerprinted. With the store's ``memory``, pages and members are kept there
    as ``Rendering``, not as the store's bytes.
    """

    def __init__(self, store: CacheStore | StoreReader | None, progress: Progress | None = None) -> None:
        self.store = store
        memory = store.memory if isinstance(store, CacheStore) else None
        self._last = memory.rendering if memory is not None else Rendering()
        self.fingerprint = Fingerprinter(self._last.fingerprints)
        self._this = Rendering(self.fingerprint.memo)
        if memory is not None:
            memory.rendering = self._this  # filled as this build goes, for the next one to take over
        self.rendered: list[str] = []  # the pages rendered in this build, in order
        self.reused = 0
        self.progress = progress
        self._stage, self._done, self._total = "", 0, 0

    def expect(self, stage: str, pages: int) -> None:
        """Announce the next ``pages`` renderings as ``stage``, for the progress line."""
        self._stage, self._done, self._total = stage, 0, pages

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        """Page ``page`` (its output path, e.g. ``html/index.html``) from ``template`` and ``source``."""
        return self._cached(page, template, source)[0]

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        """Render each ``(page, template, source)`` as a page of its own, to be shown together.

        An edit then re-renders the sections it touches, not all of them.
        """
        rendered = [self._cached(page, template, source) for page, template, source in sections]
        parts = tuple(content for content, _ in rendered)
        # Without a store nothing is fingerprinted, and nothing reads the digest.
        named = digest(*(fingerprint for _, fingerprint in rendered)) if self.store is not None else ""
        return Assembled(parts, named)

    def _cached(self, page: str, template: str, source: PageSource) -> tuple[bytes, str]:
        """The page's content, and the fingerprint of its source (empty without a store)."""
        self._done += 1
        if self.progress is not None:
            self.progress(self._stage, self._done, self._total)
        if self.store is None:
            return self._render(page, template, source), ""
        # One entry per page, holding its latest version behind that version's fingerprint:
        # a page rendered again replaces its entry, and the cache does not grow with every edit.
        slot = _slot(tool_fingerprint(), page, template)
        fingerprint = self.fingerprint(source)
        content = self._stored(self.store, slot, fingerprint)
        if content is None:
            content = self._render(page, template, source)
            self.store.put(slot, fingerprint.encode("ascii") + content, remember=False)
        else:
            self.reused += 1
        self._this.pages[slot] = (fingerprint, content)
        return content, fingerprint

    def _stored(self, store: CacheStore | StoreReader, slot: str, fingerprint: str) -> bytes | None:
        """The content stored in ``slot`` for ``fingerprint``, if any: from the last build, else the store."""
        last = self._last.pages.get(slot)
        if last is not None and last[0] == fingerprint:
            assert isinstance(store, CacheStore)  # only a store with a memory has a last build
            store.mark_used([slot])
            return last[1]
        stored = store.get(slot, remember=False)
        mark = fingerprint.encode("ascii")
        return stored[len(mark) :] if stored is not None and stored.startswith(mark) else None

    def _render(self, page: str, template: str, source: PageSource) -> bytes:
        self.rendered.append(page)
        return render(template, **source.context())

    def deflated(self, data: bytes) -> Compressed:
        """``data`` as a zip member compressed the way zipfile compresses at its default level.

        Compressing is most of the time it takes to write an EPUB; a rebuild
        compresses only the members whose bytes it has not seen before.
        """
        if self.store is None:
            return _compressed(data)
        last = self._last.members.get(id(data))
        if last is not None and last[0] is data:
            _, member, key = last
            assert isinstance(self.store, CacheStore)  # only a store with a memory has a last build
            self.store.mark_used([key])
        else:
            key = f"deflate:{FORMAT}:{zlib.ZLIB_RUNTIME_VERSION}:" + hashlib.sha256(data).hexdigest()
            stored = self.store.get(key, remember=False)
            member = Compressed(stored, zlib.crc32(data)) if stored is not None else _compressed(data)
            if stored is None:
                self.store.put(key, member.data, remember=False)
        self._this.members[id(data)] = (data, member, key)
        return member


@functools.lru_cache(maxsize=65536)
def _slot(tool: str, page: str, template: str) -> str:
    """The store's key for ``page`` rendered from ``template`` by the tool with fingerprint ``tool``."""
    return "page:" + digest(FORMAT, tool, page, template)


def _compressed(data: bytes) -> Compressed:
    return Compressed(_deflate(data), zlib.crc32(data))


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # as zipfile's own
    return compressor.compress(data) + compressor.flush()


@functools.cache
def tool_fingerprint() -> str:
    """Our version and every file of the package (code and templates), and the versions of
    the libraries that shape the output: a changed tool never serves what the old one made.
    """
    hashed = hashlib.sha256(f"{__version__}\n{sys.version}".encode())
    for library in LIBRARIES:
        hashed.update(f"\n{library} {importlib.metadata.version(library)}".encode())
    package = Path(__file__).parents[1]
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        hashed.update(f"\n{path.relative_to(package)}\n".encode() + path.read_bytes())
    return hashed.hexdigest()


def _entry(data: bytes) -> Entry | None:
    try:
        entry = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # written by another version: convert again
    return entry if isinstance(entry, Entry) else None


def _stamps(outcome: Outcome) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for asset in outcome.converted.images:
        try:
            stat = os.stat(asset.source)
        except OSError:
            return ()  # the image is gone: never equal to a recorded stamp of an existing file
        stamps.append((str(asset.source), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)
