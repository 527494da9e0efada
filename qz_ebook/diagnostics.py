"""Located messages about the manuscript, collected during a build.

Library code reports problems here and never prints or exits; the CLI decides
what to show and which exit code follows.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from qz_ebook.messages import ENGLISH, Message, Text, render


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column count from 1."""

    path: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """A located message; ``str()`` is its English line, ``render`` the line in a language."""

    severity: Severity
    code: str
    message: Text
    location: Location

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def render(self, language: str) -> str:
        """``path:line:col: error[QZnnn]: message``, the message in ``language``.

        ``error``/``warning`` and the code read the same in every language: editors' problem
        matchers and CI logs look for them.
        """
        return f"{self.location}: {self.severity}[{self.code}]: {render(self.message, language)}"


@dataclass
class Diagnostics:
    """Collects diagnostics; ``strict`` makes warnings count as failures."""

    strict: bool = False
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: Text, location: Location) -> None:
        self.items.append(Diagnostic(Severity.ERROR, code, message, location))

    def warning(self, code: str, message: Text, location: Location) -> None:
        self.items.append(Diagnostic(Severity.WARNING, code, message, location))

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR or self.strict for d in self.items)

    def raise_if_failed(self) -> None:
        if self.failed:
            raise BuildFailed(self.items)


class BuildFailed(Exception):
    """The manuscript has errors (or warnings under ``--strict``); nothing was written."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s) in the manuscript")


def did_you_mean(word: str, candidates: Iterable[str]) -> Text:
    """Return ``"; did you mean 'x'?"`` for a close candidate, else ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return Message("; did you mean '{word}'?", word=close[0]) if close else ""


def locate(text: str, needle: str, first_line: int = 1, occurrence: int = 1) -> tuple[int, int]:
    """Line and column of the ``occurrence``-th ``needle`` in ``text`` (line 1 is ``first_line``).

    Python-Markdown keeps no source positions, so messages about converted
    content point at the offending text in the source.
    """
    index = -1
    for _ in range(occurrence):
        found = text.find(needle, index + 1)
        if found < 0:
            break
        index = found
    if index < 0:
        return first_line, 1
    line = text.count("\n", 0, index)
    col = index - (text.rfind("\n", 0, index) + 1)
    return first_line + line, col + 1
