"""The NCX (``toc.ncx``), the table of contents of EPUB 2 reading systems, from a template.

It nests as the outline does and lists the print pages (``pageList``), as the EPUB 3
navigation document does: readers on older engines (Adobe RMSDK, Kindle's EPUB intake)
keep both. ``playOrder`` runs through navigation points and page targets together in
reading order; targets in the same place share one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from qz_ebook.convert.links import Linker, Target
from qz_ebook.convert.rewrites import page_marker_id
from qz_ebook.edition.navigation import NavNode
from qz_ebook.edition.pagination import PageList
from qz_ebook.model import BookMeta, Words

NCX = "toc.ncx"


@dataclass(frozen=True)
class NavPoint:
    id: str
    label: str
    src: str
    order: int
    children: tuple[NavPoint, ...]


@dataclass(frozen=True)
class PageTarget:
    number: int
    src: str
    order: int


@dataclass(frozen=True)
class Ncx:
    """The NCX's source (``pages.PageSource``): the render cache renders it again only when one of these changes."""

    meta: BookMeta
    words: Words
    toc: tuple[NavNode, ...]
    pages: PageList
    spine: tuple[str, ...]  # the documents in reading order
    extension: str

    def context(self) -> Mapping[str, object]:
        return ncx_context(self.meta, self.words, self.toc, self.pages, self.spine, self.extension)


def ncx_context(
    meta: BookMeta, words: Words, toc: tuple[NavNode, ...], pages: PageList, spine: Sequence[str], extension: str
) -> dict[str, object]:
    """What ``templates/epub/toc.ncx`` shows for ``toc`` and the print ``pages``."""
    link = Linker(extension)
    position = {name: index for index, name in enumerate(spine)}

    def place(slug: str, page: int = -1) -> tuple[int, int]:
        # A document before the page markers in it, which follow in page order (QZ208, QZ306).
        return position[link(slug)], page

    places = {place(node.slug) for node in _walk(toc)} | {place(e.slug, e.number) for e in pages.entries}
    order = {where: number for number, where in enumerate(sorted(places), start=1)}

    def points(nodes: tuple[NavNode, ...]) -> tuple[NavPoint, ...]:
        return tuple(
            NavPoint(f"nav-{node.slug}", node.label, link(node.slug), order[place(node.slug)], points(node.children))
            for node in nodes
        )

    targets = [
        PageTarget(e.number, link(Target(e.slug, page_marker_id(e.number))), order[place(e.slug, e.number)])
        for e in pages.entries
    ]
    return {"meta": meta, "words": words, "points": points(toc), "depth": _depth(toc), "targets": targets}


def _walk(nodes: tuple[NavNode, ...]) -> Iterator[NavNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _depth(nodes: tuple[NavNode, ...]) -> int:
    return max((1 + _depth(node.children) for node in nodes), default=0)
