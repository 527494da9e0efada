"""Content-addressed caches of conversions and rendered pages in ``.qz-cache/``.

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
from qz_ebook.fingerprint import Fingerprinter
from qz_ebook.model import Contribution
from qz_ebook.output import write_file
from qz_ebook.templates import render, templates_fingerprint

if TYPE_CHECKING:
    from qz_ebook.batch import Outcome

FORMAT = "2"  # bump when the cached classes change shape


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


class RenderCache:
    """Rendered pages under ``folder/pages``, keyed by template, page and context fingerprint.

    A page is rendered again exactly when something its template can show has
    changed (``qz_ebook.fingerprint``), or a template or the tool itself has. With
    ``folder=None`` every page is rendered and nothing is fingerprinted.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.fingerprint = Fingerprinter()
        self.rendered: list[str] = []  # the pages rendered in this build, in order
        self.reused = 0

    def render(self, page: str, template: str, **context: object) -> bytes:
        """Page ``page`` (its output path, e.g. ``html/index.html``) from ``template`` with ``context``."""
        if self.folder is None:
            return self._render(page, template, context)
        key = _digest("\n".join([FORMAT, templates_fingerprint(), page, template, self.fingerprint(context)]))
        path = self.folder / "pages" / key[:2] / key
        try:
            content = path.read_bytes()
        except OSError:
            content = self._render(page, template, context)
            write_file(path, content)
            return content
        self.reused += 1
        return content

    def _render(self, page: str, template: str, context: dict[str, object]) -> bytes:
        self.rendered.append(page)
        return render(template, **context)


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
