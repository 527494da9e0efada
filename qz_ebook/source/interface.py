"""The words of the editions' own interface: a built-in catalogue per language, overridden in ``book.toml``.

The catalogues live in ``qz_ebook/catalogues/<language>.toml``; ``book.language``
picks one by its primary subtag (``de-AT`` → ``de``), and ``[interface]`` in
``book.toml`` overrides single words. A language without a catalogue gets the
English words and a warning, unless ``[interface]`` translates every word.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Callable, Mapping
from typing import Any

from qz_ebook.catalogues import KEYS, builtin_words, catalogue, languages, primary_subtag
from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.model import Words


def placeholders(text: str) -> frozenset[str]:
    """The names in ``text``'s ``{…}``; ValueError when its braces do not pair."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def interface_words(
    language: str, overrides: Mapping[str, Any], locate: Callable[[str], Location], diagnostics: Diagnostics
) -> Words:
    """The words for a book in ``language`` with ``[interface]`` ``overrides``; problems are reported.

    ``locate(key)`` is where ``interface.<key>`` was written (``locate("")``: the
    ``book.language`` line). A wrong override is reported and left out.
    """
    base = builtin_words(language)
    words = dataclasses.asdict(base)
    for key, value in overrides.items():
        if key not in words:
            hint = did_you_mean(key, KEYS)
            diagnostics.error("QZ003", f"unknown key 'interface.{key}' in book.toml{hint}", locate(key))
            continue
        if not isinstance(value, str) or not value.strip():
            diagnostics.error("QZ004", f"'interface.{key}' must be a non-empty text", locate(key))
            continue
        expected = placeholders(words[key])
        try:
            found = placeholders(value)
        except ValueError:
            found = None
        if found != expected:
            names = ", ".join("{" + name + "}" for name in sorted(expected)) or "no {…}"
            braces = " (write a literal brace as {{ or }})" if found is None or not expected else ""
            diagnostics.error("QZ007", f"'interface.{key}' must hold {names}, as the built-in word does{braces}",
                              locate(key))  # fmt: skip
            continue
        # Braces are doubled in every word, as in those filled in: ``{{`` shows ``{``.
        words[key] = value if expected else value.format()
    primary = primary_subtag(language)
    untranslated = sorted(set(KEYS) - set(overrides))
    if catalogue(primary) is None and untranslated:
        known = ", ".join(languages())
        diagnostics.warning(
            "QZ006",
            f"no interface words for language '{primary}' (there are: {known}); the English ones are used: "
            f"translate them in book.toml's [interface] table ({len(untranslated)} words, first '{untranslated[0]}')",
            locate(""),
        )
    return Words(**words)
