"""Parsing with html.parser into a Beautiful Soup tree, for what lxml's XML parser cannot read (``parsing``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup

# A rejected '<![' and what follows it up to a space or a tag: the text to show and look for.
MARKED_SECTION = re.compile(r"<!\[[^\s<>]*")


def parse(html: str, soup: Callable[[str], BeautifulSoup]) -> tuple[BeautifulSoup, list[str]]:
    """Parse ``html`` into ``soup(html)``, with html.parser; a ``<![`` the parser rejects is kept as text.

    Before Python 3.13, html.parser takes every ``<![`` for a marked section and gives
    up on one it does not know (``<![Bild](x.png)``), and Beautiful Soup with it;
    Python-Markdown passes such text through in raw HTML blocks. The ``<`` of each
    rejected section is escaped, and the sections' starts (``<![Bild](x.png)``) are returned.
    """
    try:
        return soup(html), []
    except ParserRejectedMarkup:
        # Only now: markup the parser accepts is parsed exactly as before, and once.
        starts = _RejectedSections.find(html)
        if not starts:
            raise
    rejected = [found[0] for start in starts if (found := MARKED_SECTION.match(html, start))]
    for start in reversed(starts):
        html = f"{html[:start]}&lt;{html[start + 1 :]}"
    return soup(html), rejected


class _RejectedSections(HTMLParser):
    """Reads markup as Beautiful Soup's html.parser does, noting the marked sections it rejects."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)  # as Beautiful Soup sets it
        self.length = len(html)
        self.starts: list[int] = []

    @classmethod
    def find(cls, html: str) -> list[int]:
        """Where the rejected sections start in ``html``, in order."""
        parser = cls(html)
        parser.feed(html)
        parser.close()
        return parser.starts

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            # ``i`` counts in what is left of the input; read on as if the '<' were escaped.
            self.starts.append(self.length - len(self.rawdata) + i)
            self.handle_data("<")
            return i + 1
