"""What a build starts before anything else, in a process beside it: loading its hyphenation dictionary.

The conversion's workers wait for the dictionary of the book's language (parsing German's
patterns takes most of a second), and nothing needs it before them. Started first, it loads
while this process imports the build machinery and reads the manuscript. Light to import:
the command line calls it before it imports the rest (``cli.building``); ``build`` calls it
too, and a second call starts nothing.
"""

from __future__ import annotations

from pathlib import Path

from qz_ebook.convert.hyphenation import load_dictionaries_with, prefetch
from qz_ebook.incremental.dictionaries import kept_in
from qz_ebook.source.config import declared_language


def head_start(book_dir: Path, cache_dir: Path | None) -> None:
    """Start loading the dictionary of the language ``book_dir``'s book.toml declares; with ``cache_dir``,
    from (and into) the copy kept there."""
    if cache_dir is not None:
        load_dictionaries_with(kept_in(cache_dir))
    language = declared_language(book_dir)
    if language is not None:
        prefetch(language)
