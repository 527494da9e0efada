"""Write outputs atomically: a failed build leaves the previous outputs untouched."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from qz_ebook.incremental.filestamps import Stamp, settled, stamp

# The files of a tree as the last update found them: relative path → (bytes, their settled stamp).
Known = dict[str, tuple[bytes, Stamp]]
# The files and the folders below a folder (relative paths, with '/').
_Tree = tuple[frozenset[str], frozenset[str]]


def write_file(target: Path, data: bytes) -> None:
    """Write ``target`` through a temporary file beside it and an atomic rename."""
    with Staging() as staging:
        with staging.file(target) as stream:
            stream.write(data)
        staging.commit()


class Staging:
    """Outputs written beside their targets, then swapped in together by ``commit``.

    Leaving the ``with`` block without ``commit`` (an error while rendering) removes
    everything staged, and the previous outputs stay as they were.
    """

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []  # (staged, target)
        self._trees: list[tuple[Path, Path]] = []  # (staged, target): whole folders
        self._updates: list[_Update] = []  # folders that get only their changed files
        self._folders: list[Path] = []  # staging folders, removed at the end

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        for staged, _target in self._files:
            staged.unlink(missing_ok=True)
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def file(self, target: Path) -> Iterator[BinaryIO]:
        """A stream to write ``target``'s new content into; large outputs never sit in memory whole."""
        with self.reserve(target).open("wb") as stream:
            yield stream

    def reserve(self, target: Path) -> Path:
        """An empty file beside ``target`` for its new content, written by anyone (another process too)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        os.chmod(name, 0o644)
        self._files.append((Path(name), target))
        return Path(name)

    def tree(self, target: Path, files: Mapping[str, bytes], known: Known | None = None) -> None:
        """Stage the folder ``target`` with exactly ``files`` (relative path → bytes), as ``folder`` does."""
        with self.folder(target, known) as folder:
            for name, data in files.items():
                folder.add(name, data)

    @contextmanager
    def folder(self, target: Path, known: Known | None = None) -> Iterator[Folder]:
        """The folder ``target``, staged file by file: it will hold exactly the files ``add``ed in the block.

        Each file is written, or found unchanged, as it is added: a large edition never sits
        in memory whole. When ``target`` is a folder of plain files already, only the files
        whose bytes differ are staged, and ``commit`` replaces just those and removes what
        was not added: an unchanged file keeps its inode and modification time (what deploy
        tools compare), and a rebuild after a small edit writes only what changed. Anything
        else there is replaced as a whole.

        ``known`` is what this call left there the last time (kept by the caller,
        ``qz-ebook watch``): a file whose bytes equal those it found there then, and
        whose settled stamp still holds (``filestamps``), is not read to be compared.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
        self._folders.append(staging)
        staging.chmod(0o755)
        folder = Folder(staging, target, _plain_tree(target), known)
        yield folder
        if folder.whole:
            folder.copy_unchanged()
            self._trees.append((staging, target))
        else:
            self._updates.append(folder.update())

    def commit(self) -> None:
        """Swap every staged output in, each with atomic renames."""
        for staged, target in self._files:
            os.replace(staged, target)
        for staged, target in self._trees:
            # Two renames: readers never see a half-written folder.
            retired = target.parent / f".{target.name}.old"
            shutil.rmtree(retired, ignore_errors=True)
            if target.exists() or target.is_symlink():
                os.replace(target, retired)
            os.replace(staged, target)
            shutil.rmtree(retired, ignore_errors=True)
        for update in self._updates:
            update.apply()
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._files.clear()
        self._trees.clear()
        self._updates.clear()
        self._folders.clear()


class Folder:
    """A folder being staged file by file (``Staging.folder``)."""

    def __init__(self, staging: Path, target: Path, present: _Tree | None, known: Known | None) -> None:
        self.staging = staging
        self.target = target
        self.present = present or (frozenset(), frozenset())
        self.whole = present is None  # staged whole, to replace ``target`` as a whole
        self.last = dict(known or {})
        if known is not None:
            known.clear()
        self.known = known
        self.now = time.time_ns()
        self.added: set[str] = set()
        self.changed: list[str] = []  # staged
        self.unchanged: list[str] = []  # not staged: ``target`` holds them as they are
        self.made = {staging}

    def add(self, name: str, data: bytes) -> None:
        """The file ``name`` (a path relative to the folder, with '/') holds ``data``."""
        if name in self.added:
            raise ValueError(f"{name}: added twice to {self.target}")
        self.added.add(name)
        existing, folders = self.present
        if not self.whole:
            if name in existing and _same(self.target, name, data, self.last, self.known, self.now):
                self.unchanged.append(name)
                return
            if name in folders or _above(name) & existing:
                # A new file cannot replace a folder, nor go below a file: the folder is replaced whole.
                self.whole = True
                if self.known is not None:
                    self.known.clear()
        path = self.staging / name
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        path.write_bytes(data)
        self.changed.append(name)

    def copy_unchanged(self) -> None:
        """Stage the files found unchanged too, for a folder replaced whole after all."""
        for name in self.unchanged:
            (self.staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.target / name, self.staging / name)

    def update(self) -> _Update:
        """What ``commit`` does to ``target``: its changed files, and those no longer added."""
        return _Update(self.staging, self.target, sorted(self.changed), sorted(self.present[0] - self.added))


@dataclass(frozen=True)
class _Update:
    """A folder's changed files, staged, and the files it no longer holds."""

    staging: Path
    target: Path
    changed: list[str]
    removed: list[str]

    def apply(self) -> None:
        # Each file is replaced by an atomic rename: a reader sees every page whole.
        for name in self.changed:
            (self.target / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / name, self.target / name)
        for name in self.removed:
            (self.target / name).unlink(missing_ok=True)
        emptied = set().union(*map(_above, self.removed))  # only these can have become empty
        for name in sorted(emptied, key=lambda folder: -folder.count("/")):  # the deepest first
            with contextlib.suppress(OSError):  # not empty: it still holds outputs
                (self.target / name).rmdir()


def _plain_tree(target: Path) -> _Tree | None:
    """The files and the folders below ``target`` (relative, with '/'), if it is a folder of
    plain files and folders alone; else None (no such folder, a symlink, a socket…)."""
    if target.is_symlink() or not target.is_dir():
        return None
    files: set[str] = set()
    folders: set[str] = set()
    prefix = len(str(target)) + 1
    for entry in _entries(str(target)):
        if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
            return None
        (folders if entry.is_dir() else files).add(entry.path[prefix:].replace(os.sep, "/"))
    return frozenset(files), frozenset(folders)


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """Everything below ``folder``, without following symlinks."""
    with os.scandir(folder) as entries:
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                yield from _entries(entry.path)


def _above(name: str) -> set[str]:
    """The folders ``name`` lies in: ``a/b/c.html`` → {``a``, ``a/b``}."""
    parts = name.split("/")
    return {"/".join(parts[:i]) for i in range(1, len(parts))}


def _same(target: Path, name: str, data: bytes, last: Known, known: Known | None, now: int) -> bool:
    """Whether the file ``name`` in ``target`` holds ``data``; if so, and its stamp has settled, it goes into ``known``.

    Reading is far cheaper than writing, and a stamp still cheaper than reading.
    """
    path = os.path.join(target, name)
    try:
        found = stamp(os.stat(path))
        remembered = last.get(name)
        # Comparing bytes in memory is far cheaper than reading them (equal pages are often not the very
        # same object: a page's sidebar is joined in anew).
        same = remembered is not None and remembered[1] == found and remembered[0] == data
        same = same or (found[0] == len(data) and Path(path).read_bytes() == data)
    except OSError:
        return False
    if same and known is not None and settled(found, now):
        known[name] = (data, found)
    return same
