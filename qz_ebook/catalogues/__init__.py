"""The built-in words of the editions' own interface: one catalogue (``<language>.toml``) per language.

Plain data, like the model: the reader overrides words from ``book.toml``
(``source.interface``), the converter names a contribution's notes in its language.
Beside them, ``messages.<language>.toml`` translate the messages (``qz_ebook.messages``).
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from importlib import resources

from qz_ebook.model import Words

FALLBACK = "en"  # the words of a language without a catalogue
KEYS = tuple(f.name for f in dataclasses.fields(Words))


@functools.cache
def catalogue(primary: str) -> Mapping[str, str] | None:
    """The built-in words of language ``primary`` (a primary subtag), or None without a catalogue."""
    found = resources.files(__package__).joinpath(f"{primary}.toml")
    return tomllib.loads(found.read_text(encoding="utf-8")) if found.is_file() else None


def languages() -> tuple[str, ...]:
    """The languages with a built-in catalogue (``messages.<language>.toml`` hold the command line's messages)."""
    names = (e.name.removesuffix(".toml") for e in resources.files(__package__).iterdir() if e.name.endswith(".toml"))
    return tuple(sorted(name for name in names if name.isalpha()))


def primary_subtag(language: str) -> str:
    return language.split("-")[0].lower()


@functools.cache
def builtin_words(language: str) -> Words:
    """The built-in words for ``language`` (a BCP 47 tag), English when it has no catalogue."""
    found = catalogue(primary_subtag(language)) or catalogue(FALLBACK)
    assert found is not None, "the English catalogue ships with the package"
    return Words(**found)
