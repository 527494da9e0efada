"""The HTML edition: an index, one page per part, section and contribution, and one per perspective."""

from __future__ import annotations

from dataclasses import dataclass

from qz_ebook.cache import RenderCache
from qz_ebook.edition import Edition
from qz_ebook.links import Linker
from qz_ebook.navigation import Neighbours, Sidebar
from qz_ebook.pages import START, Crumb, PageView, breadcrumb

EXTENSION = "html"
INDEX = "index"
SINGLE_PAGE = "gesamt"  # the whole book on one page, for reviewers and for printing


@dataclass(frozen=True)
class MergedPage:
    """A page of the book inside the single-page edition."""

    view: PageView
    href: Linker
    level: int  # heading level of its title: parts h2, their entries h3, and so on

    def body(self) -> str:
        """The page's converted text, its own headings moved below the page title."""
        converted = self.view.converted
        return converted.body.render(self.href, heading_offset=self.level - 1) if converted else ""


def render_html(edition: Edition, pages: RenderCache) -> dict[str, bytes]:
    """Return the edition's files, keyed by path relative to the edition folder."""
    book, views = edition.book, edition.views
    files = {
        "css/book.css": book.settings.html_stylesheet.read_bytes(),
        book.settings.cover.href: book.settings.cover.source.read_bytes(),
    }
    for result in edition.converted.values():
        files.update({image.href: image.source.read_bytes() for image in result.images})

    sidebar = Sidebar(edition.toc)
    top = sidebar.around(frozenset())
    # The index, every page twice (alone and as a section of the single page), the single page, the perspectives.
    pages.expect("HTML", 1 + 2 * len(views) + 1 + len(edition.perspectives))

    def page(slug: str, template: str, href: Linker | None = None, **context: object) -> None:
        name = f"{slug}.{EXTENSION}"
        context.setdefault("sidebar", top)
        files[name] = pages.render(
            f"html/{name}",
            template,
            current=slug,
            href=href or Linker(EXTENSION, slug),
            book=book.meta,
            lang=book.meta.language,
            toc=edition.toc,
            perspectives=edition.perspectives,
            **context,
        )

    page(INDEX, "html/index.html", title=book.meta.title, crumbs=[START], perspective=None,
         neighbours=Neighbours(None, views[0].page if views else None), cover=book.settings.cover,
         cover_alt=book.settings.cover_alt)  # fmt: skip
    for view in views:
        page(
            view.page.slug,
            "html/contribution.html" if view.converted is not None else "html/group.html",
            title=f"{view.page.title} – {book.meta.title}",
            view=view,
            crumbs=breadcrumb(view),
            perspective=view.context.perspective,
            neighbours=view.neighbours,
            sidebar=sidebar.around(frozenset(p.slug for p in (*view.context.ancestors, view.page))),
            draft_note=book.settings.draft_note,
        )
    merged = Linker(EXTENSION, SINGLE_PAGE, frozenset(v.page.slug for v in views))
    # Each page on its own: an edit re-renders its section, not the whole book.
    sections = pages.assemble(
        (f"html/{SINGLE_PAGE}.{EXTENSION}#{v.page.slug}", "html/merged-page.html",
         # Parts get h2 below the book's h1, their entries h3, and so on.
         {"lang": book.meta.language, "draft_note": book.settings.draft_note,
          "item": MergedPage(v, merged.at(v.page.slug), min(2 + len(v.context.ancestors), 6))})
        for v in views
    )  # fmt: skip
    page(SINGLE_PAGE, "html/single.html", href=merged, title=f"{book.meta.title} – Gesamtausgabe",
         crumbs=[START, Crumb("Das ganze Buch auf einer Seite", SINGLE_PAGE)], perspective=None,
         neighbours=Neighbours(None, None), sections=sections)  # fmt: skip
    for way in edition.perspectives:
        label = way.perspective.label
        page(way.slug, "html/perspective.html", title=f"{label} – {book.meta.title}", perspective=way.perspective,
             crumbs=[START, Crumb(label, way.slug)], neighbours=Neighbours(None, None), view=way)  # fmt: skip
    return files
