"""The HTML edition: an index and one page per part, section and contribution."""

from __future__ import annotations

from qz_ebook.convert import Converted
from qz_ebook.model import Book, Contribution
from qz_ebook.navigation import Neighbours, neighbours, nodes_by_slug, page_kind, toc_tree
from qz_ebook.templates import render

INDEX = "index"


def href(slug: str) -> str:
    return f"{slug}.html"


def render_html(book: Book, converted: dict[str, Converted]) -> dict[str, bytes]:
    """Return the edition's files, keyed by path relative to the edition folder."""
    toc = toc_tree(book)
    pages = list(book.reading_order())
    around = neighbours(pages)
    common = {"book": book.meta, "lang": book.meta.language, "toc": toc, "href": href}
    files: dict[str, bytes] = {
        "css/book.css": book.settings.html_stylesheet.read_bytes(),
        book.settings.cover.href: book.settings.cover.source.read_bytes(),
        "index.html": render(
            "html/index.html",
            title=book.meta.title,
            current=INDEX,
            neighbours=Neighbours(None, pages[0] if pages else None),
            cover=book.settings.cover,
            cover_alt=book.settings.cover_alt,
            **common,
        ),
    }
    for result in converted.values():
        files.update({image.href: image.source.read_bytes() for image in result.images})
    nodes = nodes_by_slug(toc)
    for page in pages:
        context = {
            "title": f"{page.title} – {book.meta.title}",
            "page": page,
            "current": page.slug,
            "neighbours": around[page.slug],
            **common,
        }
        if isinstance(page, Contribution):
            files[href(page.slug)] = render(
                "html/contribution.html",
                body=converted[page.slug].xhtml,
                draft_note=book.settings.draft_note,
                **context,
            )
        else:
            files[href(page.slug)] = render("html/group.html", kind=page_kind(page), node=nodes[page.slug], **context)
    return files
