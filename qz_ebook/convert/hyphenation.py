"""Soft hyphens in long words of headings and table cells, for engines that do not hyphenate.

Stylesheets ask for ``hyphens: auto``, but Adobe RMSDK, Kindle's older engines and
Chromium on Linux never hyphenate: a title such as "Religionsgemeinschaften" then
breaks inside the word without a hyphen, or runs out of a narrow column. Words of
``MIN_LETTERS`` letters or more get U+00AD at the places pyphen's dictionary for the
text's language allows (none when pyphen has no dictionary for it); a reader sees a
hyphen only where a line breaks. Never in code, in link texts that spell an address,
or in anything but letters: ids are made from the text before (``slugs``).

Screen readers and Ace read across a soft hyphen; the search index gets the pages
without them (``writers.search``).
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pyphen

from qz_ebook.convert.tree import Element, texts

SOFT_HYPHEN = "\u00ad"
MIN_LETTERS = 10
# Three letters at least before and after a break: "Re-ligion" helps no line.
EDGE = 3
TOKEN = re.compile(r"\S+")
LONG_WORD = re.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")
# A token that spells an address (https://…, www.…, a@b.de, a/b, qz-ebook.de) is left whole.
ADDRESS_LIKE = re.compile(r"://|^www\.|@|/|\w\.\w", re.IGNORECASE)
# Text in these is written as it must be typed or read.
VERBATIM = frozenset({"code", "kbd", "pre", "samp", "var", "script", "style", "math", "svg"})


DictionaryLoader = Callable[[str], "pyphen.Pyphen | None"]


def load_dictionary(language: str) -> pyphen.Pyphen | None:
    """pyphen's dictionary for ``language`` (or the nearest it has), None when it has none."""
    found = pyphen.language_fallback(language.replace("-", "_"))
    if not found:
        return None
    dictionary = pyphen.Pyphen(lang=found, left=EDGE, right=EDGE)
    _share_values(dictionary.hd.patterns)
    return dictionary


def _share_values(patterns: dict[str, object]) -> None:
    """Equal values of ``patterns`` (pyphen's pattern → where its digits start, and the digits) made one object.

    Of German's 66,441 patterns only 2,465 values differ: the dictionary takes 9 MB, not 15,
    in the build and each process it forks, and its pickle (kept in the cache, and handed
    over by ``prefetch``) loads in half the time, which a new build after an edit waits for.
    """
    shared: dict[object, object] = {}
    for pattern, value in patterns.items():
        patterns[pattern] = shared.setdefault(value, value)


_loader: DictionaryLoader = load_dictionary
_dictionaries: dict[str, pyphen.Pyphen | None] = {}
# language → the process loading its dictionary beside this one (``prefetch``), and the file it leaves it in
_coming: dict[str, tuple[multiprocessing.process.BaseProcess, BinaryIO]] = {}


def load_dictionaries_with(loader: DictionaryLoader) -> None:
    """Where dictionaries not yet loaded come from: a build with a cache keeps them ready
    (``incremental.dictionaries``), as parsing German's patterns takes most of a second."""
    global _loader
    _loader = loader


def prefetch(language: str) -> None:
    """Start loading the dictionary of ``language`` in a process beside this one, unless it is loaded.

    The workers that convert a book can only be forked once it is loaded: parsing German's
    patterns then held up every cold build for most of a second. A build asks for its book's
    language first thing, and reads the manuscript meanwhile. Only where a process can be
    forked, and no other thread runs (so that forking is safe).
    """
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if language in _dictionaries or language in _coming or not can_fork or threading.active_count() > 1:
        return
    # A file, not a pipe: the process ends once it has written, whether or not the build needs it.
    left = tempfile.TemporaryFile(prefix="qz-hyphenation-")
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_load_into, args=(_loader, language, left), name="qz-hyphenation", daemon=True)
    process.start()
    _coming[language] = (process, left)


def _load_into(loader: DictionaryLoader, language: str, file: BinaryIO) -> None:
    """In the process beside: the dictionary ``loader`` gives for ``language``, pickled into ``file``."""
    try:
        pickle.dump(loader(language), file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
    except Exception:  # the build loads it itself then, and says what is wrong if anything is
        sys.exit(1)


def _fetched(language: str) -> tuple[bool, pyphen.Pyphen | None]:
    """Whether the process ``prefetch`` started loaded the dictionary of ``language``, and the dictionary."""
    process, file = _coming.pop(language)
    with file:
        process.join()
        if process.exitcode != 0:
            return False, None
        file.seek(0)
        try:
            found = pickle.load(file)
        except (pickle.UnpicklingError, EOFError):
            return False, None
    return isinstance(found, pyphen.Pyphen | None), found


def prepare(language: str) -> None:
    """Load the dictionary of ``language`` now: worker processes forked afterwards share it
    instead of each loading it again."""
    _dictionary(language)


def _dictionary(language: str) -> pyphen.Pyphen | None:
    if language in _coming:
        fetched, found = _fetched(language)
        if fetched:
            _dictionaries[language] = found
    if language not in _dictionaries:
        _dictionaries[language] = _loader(language)
    return _dictionaries[language]


@functools.lru_cache(maxsize=65536)
def _hyphenated(word: str, language: str) -> str:
    dictionary = _dictionary(language)
    return dictionary.inserted(word, hyphen=SOFT_HYPHEN) if dictionary else word


def hyphenate(text: str, language: str) -> str:
    """``text`` with soft hyphens in its words of ``MIN_LETTERS`` letters or more."""
    if LONG_WORD.search(text) is None:
        return text  # most cells and many headings: found out in C, without a call per word
    return TOKEN.sub(lambda token: _token(token.group(), language), text)


def _token(token: str, language: str) -> str:
    if SOFT_HYPHEN in token or ADDRESS_LIKE.search(token):
        return token  # hyphenated by hand (the author knows best), or an address
    return LONG_WORD.sub(lambda word: _hyphenated(word.group(), language), token)


def hyphenate_elements(elements: list[Element], language: str) -> None:
    """Hyphenate the text of ``elements`` (headings, table cells), each text in its own language."""
    for element in elements:
        for text, parent, set_text in texts(element):
            if _verbatim(parent, element):
                continue
            changed = hyphenate(text, _language(parent, element, language))
            if changed != text:
                set_text(changed)


def _verbatim(parent: Element, top: Element) -> bool:
    """Whether text in ``parent`` is verbatim: ``parent`` or an element above it up to ``top`` is."""
    for element in _up_to(parent, top):
        if element.tag in VERBATIM:
            return True
    return False


def _language(parent: Element, top: Element, default: str) -> str:
    """The language of text in ``parent``: a ``lang`` on the way up to ``top``, else ``default``."""
    for element in _up_to(parent, top):
        if "lang" in element.attrib:
            return str(element.attrib["lang"])
    return default


def _up_to(element: Element, top: Element) -> Iterator[Element]:
    """``element`` and its ancestors up to ``top``, which is among them."""
    yield element
    if element is not top:
        for ancestor in element.iterancestors():
            yield ancestor
            if ancestor is top:
                return
