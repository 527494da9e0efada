"""The cache's SQLite file, ``cache.sqlite``: its tables, and reading and writing its entries.

``entries`` says which build last used each key, apart from its value in ``contents``
(packed, ``packing``): marking thousands of entries used rewrites no value.
``dictionaries`` holds what values were packed against, while any value needs it.

Most values are 2 to 4 KB packed: SQLite's usual pages of 4 KB would hold one each
and waste a quarter, so the file has larger ones. A page is given back only when
nothing is left on it, so a new entry takes the row of one dropped in the same
write, of its family (a chapter's new conversion the place of its old one), and
the file is rewritten when much of it is unused all the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from qz_ebook.incremental.ledger import Ledger
from qz_ebook.incremental.packing import Families, Packed, family, unpack

FORMAT = "11"  # bump when the cached classes or the store change shape: a store of another format starts empty
PAGE_SIZE = 32 * 1024
# The file is rewritten when this share of what it holds, and that many pages besides, are unused.
UNUSED = 0.25
SPARE_PAGES = 16
QUERY_KEYS = 500  # below SQLite's limit on the number of parameters in one statement
VALUES = "SELECT key, compressed, dictionary, value FROM entries JOIN contents USING (id) WHERE key IN ({marks})"
SCHEMA = (
    "CREATE TABLE entries (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, build INTEGER NOT NULL)",
    "CREATE INDEX entries_by_build ON entries (build)",
    "CREATE TABLE contents (id INTEGER PRIMARY KEY, compressed INTEGER NOT NULL, dictionary INTEGER, value BLOB)",
    # AUTOINCREMENT: an id is never given twice, so a value never meets another dictionary by its number.
    "CREATE TABLE dictionaries (id INTEGER PRIMARY KEY AUTOINCREMENT, family TEXT NOT NULL, data BLOB NOT NULL)",
    "CREATE TABLE builds (finished INTEGER NOT NULL)",  # one row: how many builds have finished
    "INSERT INTO builds VALUES (0)",
)
GONE_DICTIONARIES = "DELETE FROM dictionaries WHERE id NOT IN (SELECT dictionary FROM contents WHERE dictionary > 0)"
# A value written again keeps its row, and its place in the file.
UPSERT_CONTENT = (
    "INSERT INTO contents VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
    " SET compressed = excluded.compressed, dictionary = excluded.dictionary, value = excluded.value"
)


class Database:
    """A connection to ``path``, and the dictionaries read from it.

    Raises ``sqlite3.OperationalError`` when the file is busy for longer than
    ``timeout`` seconds, or cannot be written (or, ``read_only``, read).
    """

    def __init__(self, path: Path, timeout: float, read_only: bool = False) -> None:
        if read_only:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        else:
            self.db = _open(path, timeout)
        self.dictionaries: dict[int, bytes | None] = {}  # by id, as read
        self.known: dict[str, bytes] = {}  # family → its newest dictionary, which its new values are packed against
        try:
            if not read_only:
                for id_, name, data in self.db.execute("SELECT id, family, data FROM dictionaries ORDER BY id"):
                    self.dictionaries[id_] = self.known[name] = data
            # A cold build asks for thousands of entries an empty store cannot have.
            self.empty = self.db.execute("SELECT 1 FROM contents LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            self.db.close()
            raise

    def values(self, keys: list[str]) -> dict[str, bytes]:
        """The values of those ``keys`` the file holds undamaged."""
        found = {}
        for start in range(0, len(keys), QUERY_KEYS):
            chunk = keys[start : start + QUERY_KEYS]
            marks = ",".join("?" * len(chunk))
            for key, compressed, dictionary, data in self.db.execute(VALUES.format(marks=marks), chunk).fetchall():
                value = unpack(data, bool(compressed), self._dictionary(dictionary) if dictionary else None)
                if value is not None:
                    found[key] = value
        return found

    def write(self, ledger: Ledger, made: Collection[str], families: Families | None) -> None:
        """Store ``ledger`` in one transaction: the values of the keys ``made`` (packed in ``families``),
        which entries its builds used, and drop what none of the last ``keep_builds`` used.

        Its builds are numbered on from the last build the file recorded. Without ``families``
        (packing failed) nothing new is stored, but the rest is done.
        """
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            (last,) = db.execute("SELECT finished FROM builds").fetchone()
            # Each once, in the order they were made: a family's together.
            stored = list(dict.fromkeys(made)) if families is not None else []
            storing = set(stored)
            marked = [(last + number, key) for key, number in ledger.used.items() if key not in storing]
            db.executemany("UPDATE entries SET build = ? WHERE key = ?", marked)
            freed: list[tuple[str, int]] = []
            if ledger.builds:
                oldest = last + ledger.builds - ledger.keep_builds + 1
                freed = db.execute("SELECT key, id FROM entries WHERE build < ?", (oldest,)).fetchall()
                db.execute("DELETE FROM contents WHERE id IN (SELECT id FROM entries WHERE build < ?)", (oldest,))
                db.execute("DELETE FROM entries WHERE build < ?", (oldest,))
                superseded = self._superseded(ledger.superseded, last + ledger.builds, storing)
                for start in range(0, len(superseded), QUERY_KEYS):
                    ids = [id_ for _, id_ in superseded[start : start + QUERY_KEYS]]
                    marks = ",".join("?" * len(ids))
                    db.execute(f"DELETE FROM contents WHERE id IN ({marks})", ids)
                    db.execute(f"DELETE FROM entries WHERE id IN ({marks})", ids)
                freed += superseded
                db.execute("UPDATE builds SET finished = ?", (last + ledger.builds,))
            replaced = 0
            if families is not None:
                numbers = {key: last + ledger.used[key] for key in stored}
                replaced = self._store(stored, families.packed, numbers, families.dictionaries, freed)
            if freed or replaced:  # values gone, and maybe the last that needed a dictionary
                db.execute(GONE_DICTIONARIES)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if freed or replaced:
            _compact(db)

    def close(self) -> None:
        self.db.close()

    def _superseded(self, families: Collection[str], last: int, storing: Collection[str]) -> list[tuple[str, int]]:
        """The keys and ids of the entries of ``families`` that build ``last`` neither used nor stores now."""
        found = []
        for name in sorted(families):
            # Its keys sort together: a range of the index on keys (':' + 1 is ';').
            rows = self.db.execute(
                "SELECT key, id FROM entries WHERE key > ? AND key < ? AND build < ?", (name + ":", name + ";", last)
            )
            found += [(key, id_) for key, id_ in rows if family(key) == name and key not in storing]
        return found

    def _dictionary(self, id_: int) -> bytes | None:
        if id_ not in self.dictionaries:
            row = self.db.execute("SELECT data FROM dictionaries WHERE id = ?", (id_,)).fetchone()
            self.dictionaries[id_] = row[0] if row is not None else None
        return self.dictionaries[id_]

    def _store(
        self,
        keys: list[str],
        packed: Mapping[str, Packed],
        numbers: dict[str, int],
        dictionaries: Mapping[str, bytes],
        freed: list[tuple[str, int]],
    ) -> int:
        """Insert the values of ``keys`` (``packed``), each with its build's number, in the rows ``freed``
        where they fit, and the ``dictionaries`` (by family) they were packed against.

        Each value is read from ``packed`` once, as it is inserted (``packing.Spilled`` reads it from a file).
        Returns how many values it put in the place of values stored before under their keys.
        """
        db = self.db
        # A family's values are all packed against its dictionary, if it has one (``packing.Families``).
        needed = {family(key) for key in keys} & dictionaries.keys()
        used = {name: self._dictionary_id(name, dictionaries[name]) for name in sorted(needed)}
        ids = self._ids(keys)
        spare: dict[str, list[int]] = {}
        for key, id_ in freed:
            spare.setdefault(family(key), []).append(id_)
        added = [(key, spare.get(family(key)) or []) for key in keys if key not in ids]
        db.executemany("UPDATE entries SET build = ? WHERE id = ?", [(numbers[key], ids[key]) for key in ids])
        rows = [(r.pop() if r else None, k, numbers[k]) for k, r in added]
        # A row without an id takes the largest there is, plus one: perhaps a freed one, still to be taken.
        rows = [row for row in rows if row[0] is not None] + [row for row in rows if row[0] is None]
        db.executemany("INSERT INTO entries VALUES (?, ?, ?)", rows)
        ids.update(self._ids([key for key, _ in added]))

        def contents() -> Iterator[tuple[int, bool, int | None, bytes]]:
            for key in keys:
                value = packed[key]
                yield ids[key], value.compressed, used[family(key)] if value.with_dictionary else None, value.data

        db.executemany(UPSERT_CONTENT, contents())
        return len(keys) - len(added)

    def _dictionary_id(self, name: str, data: bytes) -> int:
        """The id of family ``name``'s dictionary ``data`` in the file: kept now if it is not (any more)."""
        row = self.db.execute("SELECT id FROM dictionaries WHERE family = ? AND data = ?", (name, data)).fetchone()
        if row is not None:
            return int(row[0])
        made = self.db.execute("INSERT INTO dictionaries (family, data) VALUES (?, ?)", (name, data)).lastrowid
        assert made is not None
        self.dictionaries[made] = data
        return made

    def _ids(self, keys: list[str]) -> dict[str, int]:
        """The row ids of those ``keys`` the file has."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), QUERY_KEYS):
            chunk = keys[start : start + QUERY_KEYS]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT key, id FROM entries WHERE key IN ({marks})", chunk).fetchall())
        return found


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    """The file at ``path``, started over when it holds another format's entries or is no database at all."""
    try:
        db = _connect(path, timeout)
        try:
            if _format(db) == FORMAT or _create(db):
                return db
        except sqlite3.DatabaseError:
            db.close()
            raise
        db.close()
    except sqlite3.OperationalError:
        raise  # busy: another build has it
    except sqlite3.DatabaseError:
        pass  # damaged, or something else by that name
    # Entries of another format are of no use: a cache may start over, in a file of this format's page size.
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        file.unlink(missing_ok=True)
    db = _connect(path, timeout)
    _create(db)
    return db


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    # No implicit transactions: a build reads in autocommit, and writes in one transaction of its own.
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file only, and before WAL, which fixes it for good
        db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writing build
        # A crash may lose the last build's write, never the file's consistency: no sync per commit.
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def _format(db: sqlite3.Connection) -> str:
    return str(db.execute("PRAGMA user_version").fetchone()[0])


def _create(db: sqlite3.Connection) -> bool:
    """Make this format's tables in an empty file; False if it holds tables of another."""
    db.execute("BEGIN IMMEDIATE")
    if _format(db) == FORMAT:  # another build made them meanwhile
        db.execute("ROLLBACK")
        return True
    if db.execute("SELECT 1 FROM sqlite_master").fetchone() is not None:
        db.execute("ROLLBACK")
        return False
    for statement in SCHEMA:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {int(FORMAT)}")
    db.execute("COMMIT")
    return True


def _compact(db: sqlite3.Connection) -> None:
    """Rewrite the file when much of its pages' room is unused (values of other sizes took the dropped rows)."""
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    (held,) = db.execute("SELECT total(length(key)) FROM entries").fetchone()
    (values,) = db.execute("SELECT total(length(value)) FROM contents").fetchone()
    if pages * PAGE_SIZE - held - values > UNUSED * (held + values) + SPARE_PAGES * PAGE_SIZE:
        db.execute("VACUUM")
