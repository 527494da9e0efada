"""The cache store: key → bytes in one SQLite file, ``.qz-cache/cache.sqlite`` (``database``).

A rebuild looks up thousands of entries, and one database answers them without a
file per entry and lets two builds share the folder safely. Every key holds what
its value depends on (``conversions``, ``render_cache``), so a stale entry can
never be served.

The store is bounded by builds, not by time: it counts the builds that finished,
each entry carries the number of the last build that read or wrote it, and when a
build ends, what none of the last ``keep_builds`` used is dropped (book.toml
``[cache]``); of a family a build ``supersede``s (the search index's shards, half a megabyte
each), only what that build used is kept. A build writes nothing while it runs: once its outputs are in place,
one transaction stores what it made (packed as it went, ``packing``), marks what it
used and drops the rest. A failed build drops nothing, and a crash loses at most that transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from qz_ebook.incremental.database import FORMAT, Database
from qz_ebook.incremental.ledger import Ledger
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.packer import Packer

__all__ = ["FORMAT", "CacheStore", "StoreReader", "save"]

DATABASE = "cache.sqlite"
# How long a build waits for another one that holds the cache, before it does without.
LOCK_WAIT_SECONDS = 30
# Conversions a build makes before what it puts is packed beside it rather than at its end:
# for fewer, starting a process costs more than it saves.
BESIDE_FROM = 100


def save(folder: Path, memory: Memory) -> None:
    """Write what the session's builds made and used into ``folder``'s database (``qz-ebook watch``, at its end)."""
    store = CacheStore(folder, memory)
    store._write(memory.ledger)
    store._disconnect()
    memory.ledger = Ledger(keep_builds=memory.ledger.keep_builds)


class CacheStore:
    """Key → bytes in ``folder/cache.sqlite``; what a build puts is written when it is ``close``d.

    A cache must never fail a build: when the database cannot be used (locked by
    another build for longer than ``LOCK_WAIT_SECONDS``, a full disk), every later
    lookup misses and nothing of this build is stored.

    Builds one after another in one process share a ``memory``: the next build
    finds there what the last one used, without asking the database, and what
    they make and use waits in its ``ledger`` until the session ``save``s it.
    """

    def __init__(self, folder: Path, memory: Memory | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.memory = memory
        self.ledger = memory.ledger if memory is not None else Ledger()
        self.keep_builds = self.ledger.keep_builds  # the build sets the book's, once it has read book.toml
        self._used: set[str] = set()  # keys this build read or wrote
        self._superseded: set[str] = set()  # families whose values this build replaced (``supersede``)
        self._beside: dict[str, None] = {}  # keys put since values go to the process beside, in order
        self.database: Database | None = None
        self._connect()
        self._packer = Packer(self.database.known if self.database is not None else {})

    def expect(self, conversions: int) -> None:
        """The build is about to make ``conversions`` conversions, and put them and the pages they bring.

        For many, what the build puts from now on is packed beside it (``packer``), by a process
        started now. The workers send the conversions pickled (``convert.batch``), and the
        process beside gets those very bytes.
        A session's builds (``memory``) put again and again: what is left is packed when it is saved.
        """
        if self.memory is None and self.database is not None and conversions >= BESIDE_FROM:
            # Started with no connection open: the process beside then holds the last one when it writes,
            # and SQLite folds its log into the file as it closes it.
            self._disconnect()
            self._packer.start(self.ledger.unsaved, self.folder / DATABASE, LOCK_WAIT_SECONDS)
            self._connect()

    def get(self, key: str, remember: bool = True) -> bytes | None:
        return self.get_many([key], remember).get(key)

    def get_many(self, keys: list[str], remember: bool = True) -> dict[str, bytes]:
        """The stored values of those ``keys`` that are present, in as few queries as SQLite allows.

        Without ``remember`` the values are not kept in ``memory`` (nor any longer, if
        they were): the caller keeps them in a form of its own.
        """
        found: dict[str, bytes] = {}
        if self.memory is not None:
            entries = self.memory.entries
            found = {key: entries[key] if remember else entries.pop(key) for key in keys if key in entries}
        # What this session put and has not written yet is found too, though not remembered in entries.
        unsaved = self.ledger.unsaved
        found.update({key: unsaved[key] for key in keys if key not in found and key in unsaved})
        stored = self._read([key for key in keys if key not in found])
        found.update(stored)
        if self.memory is not None and remember:
            self.memory.entries.update(stored)
        self._used.update(found)
        return found

    def put(self, key: str, value: bytes, remember: bool = True) -> None:
        """Store ``value``; without ``remember`` not in ``memory`` (for what is kept there in another form)."""
        if self.memory is not None and remember:
            self.memory.entries[key] = value
        self._used.add(key)
        if self._packer.beside:
            # The process beside holds it from now on (a large book's pages would be much of this one's
            # memory); should this build ask for it again, it makes it again.
            self._packer.add(key, value)
            self._beside[key] = None
        else:
            self.ledger.unsaved[key] = value

    def mark_used(self, keys: Sequence[str]) -> None:
        """Keep ``keys``: this build used them in another form (``Memory.conversions``, ``Memory.rendering``)."""
        self._used.update(keys)

    def supersede(self, name: str) -> None:
        """The values of family ``name`` that this build does not use are replaced for good: when it
        ends, they are dropped, however recent the build that used them (``Ledger.superseded``)."""
        self._superseded.add(name)

    def absorb(self, read: Sequence[str], written: Sequence[tuple[str, bytes]]) -> None:
        """Take over what a ``StoreReader`` in another process used (``read``) and made (``written``)."""
        self.mark_used(read)
        for key, value in written:
            self.put(key, value)

    def close(self, finished: bool = True) -> None:
        """Note what this build used; without a ``memory``, write it all in one transaction.

        In ``memory``, only what this build used is kept for the next one, if it
        ``finished``: a build that stopped at an error used little, and the next
        one needs what the last finished build had.
        """
        self.ledger.record(self._used, finished, self.keep_builds, self._superseded)
        if self.memory is None:
            self._write(self.ledger)
        self._disconnect()
        if self.memory is not None and finished:
            self.memory.entries = {key: value for key, value in self.memory.entries.items() if key in self._used}

    def _read(self, keys: list[str]) -> dict[str, bytes]:
        if self.database is None or self.database.empty:
            return {}
        try:
            return self.database.values(keys)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError:
            self._disconnect()  # busy or damaged: give up on it for this build, rather than wait for every entry
            return {}

    def _write(self, ledger: Ledger) -> None:
        """Write ``ledger`` down in one transaction (``Database.write``); on any trouble, lose it, nothing else."""
        if self._packer.beside:
            self._disconnect()  # the process beside writes, with the last connection
            self._packer.write(ledger, [*ledger.unsaved, *self._beside])
            return
        if self.database is None or not (ledger.unsaved or ledger.used or ledger.builds):
            return
        for key, value in ledger.unsaved.items():
            self._packer.add(key, value)
        try:
            self.database.write(ledger, ledger.unsaved, self._packer.finish())
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError:
            pass  # locked for too long, a full disk, a damaged file: this session's entries are lost, not its outputs

    def _connect(self) -> None:
        try:
            self.database = Database(self.folder / DATABASE, LOCK_WAIT_SECONDS)
        except sqlite3.OperationalError:
            self.database = None  # busy or unwritable: build without

    def _disconnect(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None


class StoreReader:
    """The store as a second process of the same build sees it.

    It reads what earlier builds committed, and keeps what it would write (and
    which entries it used) for the owning process to ``absorb``: one writer only.
    Like the store, it misses rather than fails when the database cannot be read.
    """

    def __init__(self, folder: Path) -> None:
        self.read: list[str] = []
        self._written: dict[str, bytes] = {}  # the last value put for each key: the others need not travel
        try:
            self.database: Database | None = Database(folder / DATABASE, LOCK_WAIT_SECONDS, read_only=True)
        except sqlite3.OperationalError:
            self.database = None

    def get(self, key: str, remember: bool = True) -> bytes | None:
        """The stored value of ``key``; this process keeps nothing in memory, whatever ``remember``."""
        if self.database is None or self.database.empty:
            return None
        try:
            value = self.database.values([key]).get(key)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError:
            value = None
        if value is not None:
            self.read.append(key)
        return value

    def put(self, key: str, value: bytes, remember: bool = True) -> None:
        self._written[key] = value

    def supersede(self, name: str) -> None:
        """Nothing: what this process derives is kept as any entry is (the owning process's store decides)."""

    @property
    def written(self) -> list[tuple[str, bytes]]:
        return list(self._written.items())

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
