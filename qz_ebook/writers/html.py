"""The HTML edition: an index, one page per part, section and contribution, and one per perspective."""

from __future__ import annotations

from dataclasses import dataclass

from qz_ebook.convert import Converted
from qz_ebook.links import Linker
from qz_ebook.model import Book
from qz_ebook.navigation import Neighbours, collapsed, toc_tree
from qz_ebook.pages import START, Crumb, PageView, breadcrumb, page_views, perspective_views
from qz_ebook.pagination import paginate
from qz_ebook.templates import render

EXTENSION = "html"
INDEX = "index"
SINGLE_PAGE = "gesamt"  # the whole book on one page, for reviewers and for printing


@dataclass(frozen=True)
class MergedPage:
    """A page of the book inside the single-page edition."""

    view: PageView
    href: Linker
    level: int  # heading level of its title: parts h2, their entries h3, and so on
    body: str


def render_html(book: Book, converted: dict[str, Converted]) -> dict[str, bytes]:
    """Return the edition's files, keyed by path relative to the edition folder."""
    views = page_views(book, converted, paginate(book, converted))
    perspectives = perspective_views(book)
    toc = toc_tree(book)
    common = {
        "book": book.meta,
        "lang": book.meta.language,
        "toc": toc,
        "sidebar": collapsed(toc, frozenset()),
        "perspectives": perspectives,
    }
    files: dict[str, bytes] = {
        "css/book.css": book.settings.html_stylesheet.read_bytes(),
        book.settings.cover.href: book.settings.cover.source.read_bytes(),
        "index.html": render(
            "html/index.html",
            title=book.meta.title,
            current=INDEX,
            href=Linker(EXTENSION, INDEX),
            crumbs=[START],
            perspective=None,
            neighbours=Neighbours(None, views[0].page if views else None),
            cover=book.settings.cover,
            cover_alt=book.settings.cover_alt,
            **common,
        ),
    }
    for result in converted.values():
        files.update({image.href: image.source.read_bytes() for image in result.images})
    for view in views:
        link = Linker(EXTENSION, view.page.slug)
        context = {
            "title": f"{view.page.title} – {book.meta.title}",
            "view": view,
            "current": view.page.slug,
            "href": link,
            "crumbs": breadcrumb(view),
            "perspective": view.context.perspective,
            "neighbours": view.neighbours,
            **common,
            "sidebar": collapsed(toc, frozenset(p.slug for p in (*view.context.ancestors, view.page))),
        }
        if view.converted is not None:
            body = view.converted.body.render(link)
            content = render("html/contribution.html", body=body, draft_note=book.settings.draft_note, **context)
        else:
            content = render("html/group.html", **context)
        files[link(view.page.slug)] = content
    files[f"{SINGLE_PAGE}.{EXTENSION}"] = _single_page(book, views, common)
    for perspective in perspectives:
        files[f"{perspective.slug}.{EXTENSION}"] = render(
            "html/perspective.html",
            title=f"{perspective.perspective.label} – {book.meta.title}",
            perspective=perspective.perspective,
            current=perspective.slug,
            href=Linker(EXTENSION, perspective.slug),
            crumbs=[START, Crumb(perspective.perspective.label, perspective.slug)],
            neighbours=Neighbours(None, None),
            view=perspective,
            **common,
        )
    return files


def _single_page(book: Book, views: list[PageView], common: dict[str, object]) -> bytes:
    link = Linker(EXTENSION, SINGLE_PAGE, frozenset(v.page.slug for v in views))
    items = []
    for view in views:
        at = link.at(view.page.slug)
        level = min(2 + len(view.context.ancestors), 6)
        # The body's own headings start at h2; move them below this page's title.
        body = view.converted.body.render(at, heading_offset=level - 1) if view.converted else ""
        items.append(MergedPage(view, at, level, body))
    return render(
        "html/single.html",
        title=f"{book.meta.title} – Gesamtausgabe",
        current=SINGLE_PAGE,
        href=link,
        crumbs=[START, Crumb("Das ganze Buch auf einer Seite", SINGLE_PAGE)],
        perspective=None,
        neighbours=Neighbours(None, None),
        items=items,
        draft_note=book.settings.draft_note,
        **common,
    )
