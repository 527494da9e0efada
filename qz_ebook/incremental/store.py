"""The cache store: key → bytes in one SQLite file, ``.qz-cache/cache.sqlite``.

A rebuild looks up thousands of entries, and one database answers them without a
file per entry, writes them in one transaction, and lets two builds share the
folder safely. Every key holds what its value depends on (``conversions``,
``render_cache``), so a stale entry can never be served.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from qz_ebook.incremental.memory import Memory

FORMAT = "7"  # bump when the cached classes or the store change shape
# Entries no build has used for this long are dropped, so the cache does not grow forever.
KEEP_UNUSED_SECONDS = 30 * 24 * 3600
QUERY_KEYS = 500  # below SQLite's limit on the number of parameters in one statement
# How long a build waits for another one that holds the cache, before it does without.
LOCK_WAIT_SECONDS = 30


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
            entries, unsaved = self.memory.entries, self.memory.unsaved
            found = {key: entries[key] if remember else entries.pop(key) for key in keys if key in entries}
            # What this session put and has not saved yet is found too, though not remembered in entries.
            found.update({key: unsaved[key] for key in keys if key not in found and key in unsaved})
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
