"""The HTML edition's sidebar: the outline around a page, rendered once per build and joined into each page.

A page's template leaves a hole where its sidebar goes (``HOLE``), so what a page
renders, and the render cache keeps, is its own part alone. An outline change then
renders again only the pages whose own part shows it (a part's list of what it holds,
the pages before and after a new one); every other page costs a join. Each tree of
open branches (``navigation.Sidebar``) is rendered once per build, and a page's copy
marks the link to itself. The join goes through ``Pages.joined``: in a watch session, a page
whose own part and sidebar are as they were is the very page of the last build again.
"""

from __future__ import annotations

from functools import partial

from markupsafe import Markup

from qz_ebook.convert.links import Linker
from qz_ebook.edition.navigation import NavNode, Sidebar
from qz_ebook.writers.base import Pages
from qz_ebook.writers.templating import fill
from qz_ebook.writers.tocmarkup import toc_list, with_current

HOLE = Markup("\x00the sidebar\x00")


def unjoined(page: bytes) -> bytes:
    """``page`` without a sidebar, as the search indexes it.

    Pagefind reads only what ``data-pagefind-body`` marks, so the index is the same, and an
    outline change that leaves a page's own part alone leaves its search shard alone too.
    """
    return fill(page, HOLE, ())


class SidebarLists:
    """The sidebar's lists of one build, linked by ``href``: each tree is rendered once."""

    def __init__(self, sidebar: Sidebar, href: Linker, pages: Pages) -> None:
        self.sidebar = sidebar
        self.href = href
        self.pages = pages
        # id of a tree ``sidebar`` handed out (and keeps) → the tree and its list
        self._lists: dict[int, tuple[tuple[NavNode, ...], bytes]] = {}

    def join(self, page: bytes, current: str, open_slugs: frozenset[str]) -> bytes:
        """``page`` with the sidebar of page ``current``, the branches of ``open_slugs`` open, in its hole."""
        href = self.href(current)
        return self.pages.joined(f"sidebar marking {href}", (page, self._list(open_slugs)), partial(_joined, href))

    def _list(self, open_slugs: frozenset[str]) -> bytes:
        tree = self.sidebar.around(open_slugs)
        known = self._lists.get(id(tree))
        if known is None:
            known = self._lists[id(tree)] = (tree, toc_list(tree, self.href).encode("utf-8"))
        return known[1]


def _joined(href: str, parts: tuple[bytes, ...]) -> bytes:
    """A page and its sidebar's list (``parts``), the list's link to ``href`` marked as the current page."""
    page, markup = parts
    return fill(page, HOLE, (with_current(markup, href),))
