"""The markup of every table-of-contents list: nested ``<ol class="toc">`` of links.

The labels carry the outline's own numbers (I., 1.), so the stylesheets show the
lists unnumbered.

Python rather than a recursive Jinja macro: the HTML edition has a sidebar on every
page, and the macro cost more than twice as much as this function for each entry.
Templates call it as ``toc_list(nodes, href, current)``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from qz_ebook.convert.links import Linker
from qz_ebook.edition.navigation import NavNode


def toc_list(nodes: tuple[NavNode, ...], href: Linker, current: str | None = None) -> Markup:
    """``nodes`` as an ordered list; the entry of page ``current`` carries ``aria-current="page"``."""
    return Markup(_list(nodes, href, current))


def _list(nodes: tuple[NavNode, ...], href: Linker, current: str | None) -> str:
    return '<ol class="toc">\n' + "".join(_item(node, href, current) for node in nodes) + "</ol>"


def _item(node: NavNode, href: Linker, current: str | None) -> str:
    marker = ' aria-current="page"' if node.slug == current else ""
    children = _list(node.children, href, current) if node.children else ""
    return f'<li><a href="{escape(href(node.slug))}"{marker}>{escape(node.label)}</a>{children}</li>\n'
