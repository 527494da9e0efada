"""What every page of the book shows, format-neutral: the input of both writers' templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from qz_ebook.convert.converter import Converted
from qz_ebook.edition.navigation import (
    NavNode,
    Neighbours,
    PageContext,
    neighbours,
    nodes_by_slug,
    page_contexts,
    page_kind,
    perspective_nodes,
)
from qz_ebook.edition.pagination import Pagination
from qz_ebook.edition.relations import Related, relations
from qz_ebook.model import Book, Contribution, Page, Perspective, digested

PERSPECTIVE_PREFIX = "perspektive-"


@dataclass(frozen=True)
class PageView:
    """One page in reading order with everything around it."""

    page: Page
    kind: str  # part, section or a contribution kind
    context: PageContext
    node: NavNode  # the page in the table of contents, with what it holds
    neighbours: Neighbours
    related: Related | None = None  # contributions only
    converted: Converted | None = None  # contributions only
    start_page: int | None = None  # the print page that starts with this page


class PageSource(Protocol):
    """What a page is rendered from: a frozen dataclass whose ``context()`` its template gets.

    The render cache keys a page by the fingerprint of its source, not of the
    context: ``context()`` must derive what it returns from the source's fields
    alone (the tool's own code is in every key). A source holds a few objects the
    build shares, such as a page view and the edition's frame, each fingerprinted
    once per build: keying a page costs a hash, and the context of a page the
    cache holds is never built.
    """

    def context(self) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class Given:
    """A context given in full, fingerprinted as it is: for pages not worth a source of their own."""

    values: Mapping[str, object]

    def context(self) -> Mapping[str, object]:
        return self.values


@dataclass(frozen=True)
class Assembled:
    """Pages rendered one by one to be shown together: the sections of the single-page edition.

    A template shows them with ``{{ sections }}``, which leaves a hole that
    ``templates.render`` fills with the parts' bytes: a book-sized page is never
    decoded, escaped or encoded again. Fingerprints see only ``digest``, made from
    the sections' own fingerprints.
    """

    parts: tuple[bytes, ...] = field(metadata=digested("rendered pages, shown through the template's hole"))
    digest: str

    # NUL never reaches a page (XML forbids it), so the hole cannot be mistaken for text.
    HOLE: ClassVar[str] = "\x00assembled pages\x00"

    def __html__(self) -> str:
        return self.HOLE


@dataclass(frozen=True)
class PerspectiveView:
    perspective: Perspective
    slug: str
    nodes: tuple[NavNode, ...]


def page_views(
    book: Book, converted: dict[str, Converted], pagination: Pagination, toc: tuple[NavNode, ...]
) -> list[PageView]:
    pages = list(book.reading_order())
    around = neighbours(pages)
    contexts = page_contexts(book)
    nodes = nodes_by_slug(toc)
    related = relations(book)
    starts = pagination.starts
    return [
        PageView(
            page=page,
            kind=page_kind(page),
            context=contexts[page.slug],
            node=nodes[page.slug],
            neighbours=around[page.slug],
            related=related[page.slug] if isinstance(page, Contribution) else None,
            converted=converted.get(page.slug) if isinstance(page, Contribution) else None,
            start_page=starts.get(page.slug),
        )
        for page in pages
    ]


def perspective_views(book: Book, toc: tuple[NavNode, ...]) -> list[PerspectiveView]:
    nodes = nodes_by_slug(toc)
    return [
        PerspectiveView(p, PERSPECTIVE_PREFIX + p.key, perspective_nodes(book, p, nodes)) for p in book.perspectives
    ]


@dataclass(frozen=True)
class Crumb:
    label: str
    slug: str


def breadcrumb(view: PageView, start: Crumb) -> list[Crumb]:
    """``start`` › perspective › part › … › the page itself."""
    crumbs = [start]
    if view.context.perspective is not None:
        crumbs.append(Crumb(view.context.perspective.label, PERSPECTIVE_PREFIX + view.context.perspective.key))
    crumbs += [Crumb(page.title, page.slug) for page in (*view.context.ancestors, view.page)]
    return crumbs
