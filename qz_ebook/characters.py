"""The characters XML 1.0 forbids, found in the manuscript and reported where they stand (QZ212).

XML 1.0 allows TAB, LF, CR and every code point from U+0020 on, except the surrogates
(U+D800 to U+DFFF, which a Python string holds only as lone ones: ``surrogateescape``,
a YAML ``"\\ud800"``) and the noncharacters U+FFFE and U+FFFF. A page holding any other is
not well-formed, and reading systems refuse it. Every text the reader reads is scanned
once, by one regular expression; what it finds is an error at its line and column.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.messages import Message

CODE = "QZ212"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LIMIT = 20  # reported one by one per file; one more message counts the rest (a pasted binary)
REPLACEMENT = "\ufffd"  # one character for one: every later column stays where it was

Keys = tuple[str | int, ...]  # the keys and list indexes that lead to a value


def describe(character: str) -> Message:
    """The message about one forbidden character."""
    code = ord(character)
    return Message("{kind} U+{code} is not allowed in XML; remove it", kind=kind_of(code), code=f"{code:04X}")


def kind_of(code: int) -> Message:
    """What the forbidden character ``code`` is: a control character, a lone surrogate or a noncharacter."""
    if 0xD800 <= code <= 0xDFFF:
        return Message("lone surrogate")
    return Message("noncharacter") if code >= 0xFFFE else Message("control character")


class Findings:
    """Reports the forbidden characters of one file: the first ``LIMIT`` one by one, then how many more.

    Use it as a context manager; leaving it writes the count of the rest.
    """

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.count = 0  # every one found, reported or not
        self.first_unlisted: Location | None = None

    def __enter__(self) -> Findings:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.first_unlisted is not None:
            more = self.count - LIMIT
            message = Message(
                "{count} more characters not allowed in XML follow in this file; remove them too", count=more
            )
            self.diagnostics.error(CODE, message, self.first_unlisted)

    def add(self, character: str, location: Location) -> None:
        """Report ``character`` at ``location``, or count it once ``LIMIT`` are reported."""
        self.count += 1
        if self.count <= LIMIT:
            self.diagnostics.error(CODE, describe(character), location)
        elif self.first_unlisted is None:
            self.first_unlisted = location

    def text(self, path: Path, text: str) -> str:
        """Report each forbidden character of ``text``, the whole of ``path``, at its line and column.

        Lines count from 1 and end at LF, CR LF or CR, as editors end them; columns count
        characters. Returns ``text`` with each one replaced by U+FFFD, so that the file is
        read and checked on (the build fails anyway).
        """
        if FORBIDDEN.search(text) is None:
            return text
        line, counted = 1, 0
        for match in FORBIDDEN.finditer(text):
            start = match.start()  # neither CR nor LF: no CR LF spans ``counted`` or ``start``
            line += text.count("\n", counted, start) + text.count("\r", counted, start)
            line -= text.count("\r\n", counted, start)
            counted = start
            line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
            self.add(match.group(), Location(path, line, start - line_start + 1))
            if self.count > LIMIT:
                self.count += len(FORBIDDEN.findall(text, match.end()))  # listed no more: counted only
                break
        return FORBIDDEN.sub(REPLACEMENT, text)

    def string(self, text: str, location: Location) -> None:
        """Report each forbidden character of ``text``, a value parsed from an escape, at ``location`` (its key)."""
        for match in FORBIDDEN.finditer(text):
            self.add(match.group(), location)


def tainted(value: Any, keys: Keys = ()) -> Iterator[tuple[Keys, str]]:
    """The strings in a parsed value (YAML, TOML) that hold a forbidden character, with the keys to each.

    A mapping's keys are strings too: their keys end with themselves.
    """
    if isinstance(value, str):
        if FORBIDDEN.search(value):
            yield keys, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from tainted(key, (*keys, key))
            yield from tainted(item, (*keys, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from tainted(item, (*keys, index))


def check_svg(path: Path, shown: Path, diagnostics: Diagnostics) -> bool:
    """Report the forbidden characters in the SVG file ``path`` (named ``shown``); whether there were any.

    XML parsers stop at the first, with a message about well-formedness; this names each.
    A file in neither UTF-8 nor UTF-16 is read as UTF-8 all the same: control characters
    are the same bytes in every encoding an XML parser must read.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return False  # the SVG check says it cannot be read
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    with Findings(diagnostics) as findings:
        findings.text(shown, data.decode("utf-16" if utf16 else "utf-8-sig", errors="replace"))
    return findings.count > 0
