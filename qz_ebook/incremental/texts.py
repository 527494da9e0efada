"""The manuscript as the last build in this process read it (``qz-ebook watch``).

A rebuild reads the manuscript again after every save, and most files are as they
were. A file whose settled stamp (``filestamps``) is unchanged is not read again:
its text is the very same string, and so is the split of its front matter and the
body cut from it, which later steps (the conversion keys) recognise without
reading them again. Parsing YAML is most of the time it takes to read a manuscript.
A contribution equal to the one read from its file before is that very object:
the build's sharing (``incremental.sharing``) then meets it as the last build's
and need not walk it again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from qz_ebook.incremental.filestamps import Stamp, settled, stamp
from qz_ebook.model import Contribution
from qz_ebook.source.frontmatter import Split, split_source

MAX_FILES = 16384  # files; a session that reads more starts over


class Texts:
    """``source.reader.Recall`` for a watch session: its files' texts and splits, by path."""

    def __init__(self) -> None:
        self.read: dict[str, tuple[Stamp, str]] = {}  # path → (its stamp, its text)
        self.splits: dict[str, tuple[str, Split]] = {}  # path → (the text split, its split)
        self.contributions: dict[Path, Contribution] = {}  # its file → the contribution read last

    def text(self, path: Path, found: os.stat_result, read: Callable[[], str | None]) -> str | None:
        taken = stamp(found)
        known = self.read.get(str(path))
        if known is not None and known[0] == taken:
            return known[1]
        started = time.time_ns()
        text = read()
        if text is not None and settled(taken, started):
            if len(self.read) >= MAX_FILES:
                self.read.clear()
            self.read[str(path)] = (taken, text)
        return text

    def split(self, path: Path, text: str) -> Split:
        known = self.splits.get(str(path))
        if known is not None and known[0] == text:  # most often the very same string: no comparing
            return known[1]  # (``frontmatter.read_source`` copies what it hands on)
        split = split_source(path, text)
        if len(self.splits) >= MAX_FILES:
            self.splits.clear()
        self.splits[str(path)] = (text, split)
        return split

    def contribution(self, made: Contribution) -> Contribution:
        known = self.contributions.get(made.source)
        # Its fields are strings, whole numbers (never booleans: ``schema.whole_number``), paths and tuples of them.
        if known is not None and known == made:
            return known
        if len(self.contributions) >= MAX_FILES:
            self.contributions.clear()
        self.contributions[made.source] = made
        return made
