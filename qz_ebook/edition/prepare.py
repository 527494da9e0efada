"""The book ready to render: computed once per build, then handed to every writer."""

from __future__ import annotations

from dataclasses import dataclass

from qz_ebook.convert.converter import Converted
from qz_ebook.edition.accessibility import Claims, derive_claims
from qz_ebook.edition.navigation import NavNode, toc_tree
from qz_ebook.edition.pages import PageView, PerspectiveView, page_views, perspective_views
from qz_ebook.edition.pagination import Pagination, paginate
from qz_ebook.model import Book


@dataclass(frozen=True)
class Edition:
    """A converted book with its print pages, accessibility claims and page views."""

    book: Book
    converted: dict[str, Converted]
    pagination: Pagination
    claims: Claims
    toc: tuple[NavNode, ...]
    views: list[PageView]
    perspectives: list[PerspectiveView]


def prepare(book: Book, converted: dict[str, Converted]) -> Edition:
    """Everything the writers share, from the book and its conversions."""
    pagination = paginate(book, converted)
    toc = toc_tree(book)
    return Edition(
        book=book,
        converted=converted,
        pagination=pagination,
        claims=derive_claims(book, converted, pagination),
        toc=toc,
        views=page_views(book, converted, pagination, toc),
        perspectives=perspective_views(book, toc),
    )
