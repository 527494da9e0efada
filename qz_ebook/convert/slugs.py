"""Readable ASCII slugs for file names and ids: „Interkulturelle Öffnung“ → interkulturelle-oeffnung."""

from __future__ import annotations

import functools

from slugify import slugify as _slugify

# German transliteration rather than dropping the diaeresis (Öffnung → oeffnung, not offnung).
GERMAN = [["Ä", "Ae"], ["Ö", "Oe"], ["Ü", "Ue"], ["ä", "ae"], ["ö", "oe"], ["ü", "ue"], ["ß", "ss"], ["ẞ", "SS"]]
FALLBACK = "abschnitt"


# A book asks for the same slugs on every build, ``qz-ebook watch`` on every save.
@functools.lru_cache(maxsize=16384)
def slugify(text: str, separator: str = "-") -> str:
    """Lower-case ASCII slug; never empty and never containing ':'."""
    return _slugify(text, separator=separator, replacements=GERMAN) or FALLBACK
