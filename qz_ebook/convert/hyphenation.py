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
import re

import pyphen
from bs4.element import NavigableString, Tag

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


def prepare(language: str) -> None:
    """Load the dictionary of ``language`` now (half a second for German): worker processes forked
    afterwards share it instead of each loading it again."""
    _dictionary(language)


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen | None:
    found = pyphen.language_fallback(language.replace("-", "_"))
    return pyphen.Pyphen(lang=found, left=EDGE, right=EDGE) if found else None


@functools.lru_cache(maxsize=65536)
def _hyphenated(word: str, language: str) -> str:
    dictionary = _dictionary(language)
    return dictionary.inserted(word, hyphen=SOFT_HYPHEN) if dictionary else word


def hyphenate(text: str, language: str) -> str:
    """``text`` with soft hyphens in its words of ``MIN_LETTERS`` letters or more."""
    return TOKEN.sub(lambda token: _token(token.group(), language), text)


def _token(token: str, language: str) -> str:
    if SOFT_HYPHEN in token or ADDRESS_LIKE.search(token):
        return token  # hyphenated by hand (the author knows best), or an address
    return LONG_WORD.sub(lambda word: _hyphenated(word.group(), language), token)


def hyphenate_elements(elements: list[Tag], language: str) -> None:
    """Hyphenate the text of ``elements`` (headings, table cells), each text in its own language."""
    for element in elements:
        for text in [t for t in element.find_all(string=True) if type(t) is NavigableString]:
            if _verbatim(text, element):
                continue
            changed = hyphenate(str(text), _language(text, element, language))
            if changed != text:
                text.replace_with(NavigableString(changed))


def _verbatim(text: NavigableString, top: Tag) -> bool:
    for parent in text.parents:
        if parent.name in VERBATIM:
            return True
        if parent is top:
            return False
    return False


def _language(text: NavigableString, top: Tag, default: str) -> str:
    """The language of ``text``: a ``lang`` on the way up to ``top``, else ``default``."""
    for parent in text.parents:
        if "lang" in parent.attrs:
            return str(parent["lang"])
        if parent is top:
            break
    return default
