"""A content-addressed cache of conversions in ``.qz-cache/``.

A conversion depends on the contribution's text, its place and slug, the set of
contribution files (links resolve against it), the allowed image folders, the
tool and Python-Markdown versions, and the image files it uses. All but the last
go into the key; the images are checked by size and modification time on a hit.
A stale entry can therefore never be served.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import markdown

from qz_ebook import __version__
from qz_ebook.diagnostics import Severity
from qz_ebook.model import Contribution
from qz_ebook.output import write_file

if TYPE_CHECKING:
    from qz_ebook.batch import Outcome

FORMAT = "1"  # bump when the cached classes change shape


@dataclass(frozen=True)
class Entry:
    outcome: Outcome
    images: tuple[tuple[str, int, int], ...]  # (path, size, mtime_ns) of each image used


class ConversionCache:
    """Stores conversions under ``folder``; with ``folder=None`` it stores nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def context(self, contributions: list[Contribution], roots: tuple[Path, ...]) -> str:
        """What every conversion of this build depends on besides its own text."""
        parts = [FORMAT, __version__, markdown.__version__]
        parts += sorted(f"{c.source.resolve()}\t{c.slug}" for c in contributions)
        parts += [str(root.resolve()) for root in roots]
        return _digest("\n".join(parts))

    def get(self, contribution: Contribution, context: str) -> Outcome | None:
        if self.folder is None:
            return None
        path = self._path(contribution, context)
        try:
            entry = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # absent or written by another version: convert again
        if not isinstance(entry, Entry) or entry.images != _stamps(entry.outcome):
            return None
        return entry.outcome

    def put(self, contribution: Contribution, context: str, outcome: Outcome) -> None:
        # Errors can depend on files outside the key (a missing image that is added
        # later); they fail the build anyway, so such outcomes are never stored.
        if self.folder is None or any(d.severity is Severity.ERROR for d in outcome.diagnostics):
            return
        entry = Entry(outcome, _stamps(outcome))
        write_file(self._path(contribution, context), pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def _path(self, contribution: Contribution, context: str) -> Path:
        assert self.folder is not None
        key = _digest("\n".join([context, str(contribution.source), contribution.slug, contribution.body]))
        return self.folder / "conversions" / key[:2] / f"{key}.pickle"


def _stamps(outcome: Outcome) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for asset in outcome.converted.images:
        try:
            stat = os.stat(asset.source)
        except OSError:
            return ()  # the image is gone: never equal to a recorded stamp of an existing file
        stamps.append((str(asset.source), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
