"""Write outputs atomically: a failed build leaves the previous outputs untouched."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


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
        self._trees: list[tuple[Path, Path]] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        for staged, _target in self._files:
            staged.unlink(missing_ok=True)
        for staged, _target in self._trees:
            shutil.rmtree(staged, ignore_errors=True)

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

    def tree(self, target: Path, files: dict[str, bytes]) -> None:
        """Stage the folder ``target`` with ``files`` (relative path → bytes).

        A file whose bytes are already in the current ``target`` is linked, not
        written again: it keeps its modification time (what deploy tools compare),
        and a rebuild after a small edit writes only what changed.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
        self._trees.append((staging, target))
        made = {staging}
        for relative, data in sorted(files.items()):
            path = staging / relative
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if not _linked_if_unchanged(target / relative, path, data):
                path.write_bytes(data)
        staging.chmod(0o755)

    def commit(self) -> None:
        """Swap every staged output in, each with atomic renames."""
        for staged, target in self._files:
            os.replace(staged, target)
        for staged, target in self._trees:
            # Two renames: readers never see a half-written folder.
            retired = target.parent / f".{target.name}.old"
            shutil.rmtree(retired, ignore_errors=True)
            if target.exists():
                os.replace(target, retired)
            os.replace(staged, target)
            shutil.rmtree(retired, ignore_errors=True)
        self._files.clear()
        self._trees.clear()


def _linked_if_unchanged(current: Path, new: Path, data: bytes) -> bool:
    """Link ``current`` to ``new`` if it holds exactly ``data``; reading is far cheaper than writing."""
    try:
        if current.is_symlink() or current.stat().st_size != len(data) or current.read_bytes() != data:
            return False
        os.link(current, new)
    except OSError:
        return False  # no such file, or no hard links here: write it
    return True
