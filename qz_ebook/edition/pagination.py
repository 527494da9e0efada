"""Print pages: where each page of the print edition starts in the e-book.

A contribution's ``page`` starts that page unless an earlier contribution already
started it (several contributions can share one print page). Authors add pages
inside a contribution with ``<!-- Seite 13 -->`` markers. Together they form the
page-list, which must run forwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qz_ebook.convert.converter import Converted
from qz_ebook.convert.rewrites import PageMarker
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.digests import digest
from qz_ebook.messages import Message
from qz_ebook.model import Book, Contribution, digested


@dataclass(frozen=True)
class PageStart:
    number: int
    slug: str  # the page (contribution) on which the print page starts


@dataclass(frozen=True)
class PageList:
    """Every print page start in reading order: the EPUB's page-list, the HTML index's jump to a page.

    A long book has thousands; the digest stands for them, so that comparing two
    builds' lists (``incremental``) is one comparison, not thousands.
    """

    entries: tuple[PageStart, ...] = field(metadata=digested("the digest beside it stands for them"))
    digest: str

    @classmethod
    def of(cls, entries: tuple[PageStart, ...]) -> PageList:
        return cls(entries, digest(*(f"{e.number}\t{e.slug}" for e in entries)))


@dataclass(frozen=True)
class Pagination:
    page_list: PageList
    starts: dict[str, int] = field(default_factory=dict)  # slug → page that starts with it
    backwards: tuple[tuple[PageMarker, int], ...] = ()  # markers not after the page before them


def paginate(book: Book, converted: dict[str, Converted]) -> Pagination:
    entries: list[PageStart] = []
    starts: dict[str, int] = {}
    backwards: list[tuple[PageMarker, int]] = []
    last = 0
    for contribution in book.contributions():
        if contribution.page is not None and contribution.page > last:
            entries.append(PageStart(contribution.page, contribution.slug))
            starts[contribution.slug] = last = contribution.page
        for marker in converted[contribution.slug].page_markers:
            if marker.number <= last:
                backwards.append((marker, last))
                continue
            entries.append(PageStart(marker.number, contribution.slug))
            last = marker.number
    return Pagination(PageList.of(tuple(entries)), starts, tuple(backwards))


def check_page_markers(pagination: Pagination, diagnostics: Diagnostics) -> None:
    for marker, previous in pagination.backwards:
        message = Message(
            "page marker {number} does not come after page {previous}; print pages run forwards",
            number=marker.number,
            previous=previous,
        )
        diagnostics.error("QZ306", message, marker.location)


def check_page_order(book: Book, locations: Mapping[str, Mapping[str, Location]], diagnostics: Diagnostics) -> None:
    """The print pages front matter names must not run backwards in the outline (QZ208)."""
    previous: Contribution | None = None
    for c in book.contributions():
        if c.page is None:
            continue
        if previous is not None and previous.page is not None and c.page < previous.page:
            diagnostics.error(
                "QZ208",
                Message(
                    "page {page} comes after page {previous} of '{slug}' in the outline",
                    page=c.page,
                    previous=previous.page,
                    slug=previous.slug,
                ),
                locations[c.slug]["page"],
            )
        previous = c
