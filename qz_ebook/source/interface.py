"""The words of the editions' own interface: a built-in catalogue per language, overridden in ``book.toml``.

The catalogues live in ``qz_ebook/catalogues/<language>.toml``; ``book.language``
picks one by its primary subtag (``de-AT`` → ``de``), and ``[interface]`` in
``book.toml`` overrides single words. A language without a catalogue gets the
English words and a warning, unless ``[interface]`` translates every word.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from qz_ebook.catalogues import KEYS, builtin_words, catalogue, languages, primary_subtag
from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.messages import Message, placeholders
from qz_ebook.model import Words

__all__ = ["interface_words", "placeholders"]


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
            message = Message("unknown key '{key}' in book.toml{hint}", key=f"interface.{key}", hint=hint)
            diagnostics.error("QZ003", message, locate(key))
            continue
        if not isinstance(value, str) or not value.strip():
            message = Message(
                "'{key}' must be {expected}", key=f"interface.{key}", expected=Message("a non-empty text")
            )
            diagnostics.error("QZ004", message, locate(key))
            continue
        expected = placeholders(words[key])
        try:
            found = placeholders(value)
        except ValueError:
            found = None
        if found != expected:
            names = ", ".join("{" + name + "}" for name in sorted(expected)) or Message("no {{…}}")
            braces = Message(" (write a literal brace as {{{{ or }}}})") if found is None or not expected else ""
            message = Message(
                "'{key}' must hold {names}, as the built-in word does{braces}",
                key=f"interface.{key}",
                names=names,
                braces=braces,
            )
            diagnostics.error("QZ007", message, locate(key))
            continue
        # Braces are doubled in every word, as in those filled in: ``{{`` shows ``{``.
        words[key] = value if expected else value.format()
    primary = primary_subtag(language)
    untranslated = sorted(set(KEYS) - set(overrides))
    if catalogue(primary) is None and untranslated:
        message = Message(
            "no interface words for language '{language}' (there are: {known}); the English ones are used: "
            "translate them in book.toml's [interface] table ({count} words, first '{first}')",
            language=primary,
            known=", ".join(languages()),
            count=len(untranslated),
            first=untranslated[0],
        )
        diagnostics.warning("QZ006", message, locate(""))
    return Words(**words)
