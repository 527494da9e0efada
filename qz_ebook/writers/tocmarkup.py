"""The markup of every table-of-contents list: nested ``<ol class="toc">`` of links.

The labels carry the outline's own numbers (I., 1.), so the stylesheets show the
lists unnumbered.

Python rather than a recursive Jinja macro: the HTML edition has a sidebar on every
page, and the macro cost more than twice as much as this function for each entry.
Templates call it as ``toc_list(nodes, href)``; the sidebar's lists are rendered once
per build and each page's copy marks its own link (``with_current``).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from qz_ebook.convert.links import Linker
from qz_ebook.edition.navigation import NavNode

CURRENT = b' aria-current="page"'


def toc_list(nodes: tuple[NavNode, ...], href: Linker) -> Markup:
    """``nodes`` as an ordered list of links."""
    return Markup(_list(nodes, href))


def with_current(markup: bytes, href: str) -> bytes:
    """A ``toc_list``'s bytes with its link to ``href`` marked as the current page, if it has one.

    A list links to each page at most once: the outline names every page once.
    """
    link = f'<a href="{escape(href)}"'.encode()
    return markup.replace(link + b">", link + CURRENT + b">", 1)


def _list(nodes: tuple[NavNode, ...], href: Linker) -> str:
    return '<ol class="toc">\n' + "".join(_item(node, href) for node in nodes) + "</ol>"


def _item(node: NavNode, href: Linker) -> str:
    children = _list(node.children, href) if node.children else ""
    return f'<li><a href="{escape(href(node.slug))}">{escape(node.label)}</a>{children}</li>\n'
