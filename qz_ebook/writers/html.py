"""The HTML edition: an index, one page per part, section and contribution, one per perspective, and search.

Each page is rendered from a small source (``pages.PageSource``): the edition's
``Frame``, shared by every page of a build, and what the page adds, such as its
view. The render cache keys pages by their sources, so a page the cache holds
costs a hash, and its context is never built. The outline around a page, its
sidebar, is not part of its source: it is joined in afterwards (``writers.sidebar``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from qz_ebook.convert.links import Linker, Target
from qz_ebook.convert.rewrites import page_marker_id
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Location, Severity
from qz_ebook.edition.navigation import NavNode, Neighbours, Sidebar
from qz_ebook.edition.pages import Assembled, Crumb, PageSource, PageView, PerspectiveView, breadcrumb
from qz_ebook.edition.pagination import PageList
from qz_ebook.edition.prepare import Edition
from qz_ebook.messages import Message
from qz_ebook.model import Asset, BookMeta, BuildSettings, Page, Perspective, Words, hidden
from qz_ebook.writers.base import Job, Output, Pages, Writer
from qz_ebook.writers.search import Indexing, IndexingFailed, bundles, switching_often
from qz_ebook.writers.sidebar import HOLE, SidebarLists, unjoined

EXTENSION = "html"
INDEX = "index"
SINGLE_PAGE = "gesamt"  # the whole book on one page, for reviewers and for printing
SEARCH = "suche"  # the search page, where every page's search form leads
SCRIPT = "js/book.js"  # every page's script (the colour scheme, the sidebar on wide screens): one file, not inline


@dataclass(frozen=True)
class PerspectiveLink:
    """A perspective as the header of every page leads to it: not what it opens onto, which its own page shows."""

    perspective: Perspective
    slug: str


@dataclass(frozen=True)
class Frame:
    """What every page of the edition shows alike, its sidebar aside: one per build.

    Nothing here follows the outline, so an outline change leaves the frame as it was.
    """

    meta: BookMeta
    words: Words
    perspectives: tuple[PerspectiveLink, ...]
    draft_note: str | None

    @property
    def start(self) -> Crumb:
        return Crumb(self.words.start, INDEX)

    def context(self, slug: str, href: Linker | None = None, **own: object) -> dict[str, object]:
        """The context of page ``slug``: the edition's part, then the page's ``own``."""
        return {
            "current": slug,
            "href": href or Linker(EXTENSION, slug, words=self.words),
            "book": self.meta,
            "lang": self.meta.language,
            "words": self.words,
            "perspectives": self.perspectives,
            "sidebar": HOLE,
            **own,
        }


@dataclass(frozen=True)
class IndexPage:
    frame: Frame
    toc: tuple[NavNode, ...]
    first: Page | None  # the first page of the book, where "Weiter" leads
    cover: Asset
    cover_alt: str
    print_pages: PageList  # where each page of the print edition starts, for the jump to one

    def context(self) -> Mapping[str, object]:
        link = Linker(EXTENSION, INDEX)
        print_pages = [
            (start.number, link(Target(start.slug, page_marker_id(start.number)))) for start in self.print_pages.entries
        ]
        return self.frame.context(
            INDEX,
            title=self.frame.meta.title,
            toc=self.toc,
            crumbs=[self.frame.start],
            perspective=None,
            neighbours=Neighbours(None, self.first),
            cover=self.cover,
            cover_alt=self.cover_alt,
            print_pages=print_pages,
        )


@dataclass(frozen=True)
class ViewPage:
    """A part, section or contribution on a page of its own."""

    frame: Frame
    view: PageView

    def context(self) -> Mapping[str, object]:
        view = self.view
        return self.frame.context(
            view.page.slug,
            title=f"{view.page.title} – {self.frame.meta.title}",
            view=view,
            crumbs=breadcrumb(view, self.frame.start),
            perspective=view.context.perspective,
            neighbours=view.neighbours,
            draft_note=self.frame.draft_note,
        )


@dataclass(frozen=True)
class Section:
    """A page of the book inside the single-page edition, rendered and cached on its own."""

    frame: Frame
    # Left out of fingerprints: it names every page of the book, and a page added elsewhere would render
    # every section again. What a section shows of it, links to the pages its view names, stays the same.
    merged: Linker = field(metadata=hidden("sections link through href: to pages of the book, all on the single page"))
    view: PageView

    @property
    def href(self) -> Linker:
        return self.merged.at(self.view.page.slug)

    @property
    def level(self) -> int:
        """Heading level of its title: parts h2 below the book's h1, their entries h3, and so on."""
        return min(2 + len(self.view.context.ancestors), 6)

    def body(self) -> str:
        """The page's converted text, its own headings moved below the page title."""
        converted = self.view.converted
        return converted.body.render(self.href, heading_offset=self.level - 1) if converted else ""

    def context(self) -> Mapping[str, object]:
        frame = self.frame
        return {"lang": frame.meta.language, "words": frame.words, "draft_note": frame.draft_note, "item": self}


@dataclass(frozen=True)
class SinglePage:
    frame: Frame
    merged: Linker
    sections: Assembled

    def context(self) -> Mapping[str, object]:
        return self.frame.context(
            SINGLE_PAGE,
            href=self.merged,
            title=self.frame.words.single_page_title.format(title=self.frame.meta.title),
            crumbs=[self.frame.start, Crumb(self.frame.words.single_page, SINGLE_PAGE)],
            perspective=None,
            neighbours=Neighbours(None, None),
            sections=self.sections,
        )


@dataclass(frozen=True)
class PerspectivePage:
    frame: Frame
    way: PerspectiveView

    def context(self) -> Mapping[str, object]:
        label = self.way.perspective.label
        return self.frame.context(
            self.way.slug,
            title=f"{label} – {self.frame.meta.title}",
            perspective=self.way.perspective,
            crumbs=[self.frame.start, Crumb(label, self.way.slug)],
            neighbours=Neighbours(None, None),
            view=self.way,
        )


@dataclass(frozen=True)
class SearchPage:
    frame: Frame
    bundles: tuple[str, ...]  # the search index's folders, merged by the search page

    def context(self) -> Mapping[str, object]:
        words = self.frame.words
        return self.frame.context(
            SEARCH,
            title=f"{words.search} – {self.frame.meta.title}",
            crumbs=[self.frame.start, Crumb(words.search, SEARCH)],
            perspective=None,
            neighbours=Neighbours(None, None),
            bundles=self.bundles,
        )


class HtmlWriter(Writer):
    """``html/``: a page per part, section, contribution and perspective, an index, the single page."""

    name = "html"
    stage = "HTML"
    folder = True
    busy_beside = True  # Pagefind indexes shards in processes of its own while the pages render

    def outputs(self, settings: BuildSettings, out_dir: Path) -> tuple[Path, ...]:
        return (out_dir / "html",)

    def page_count(self, edition: Edition) -> int:
        # The index, every page twice (alone and as a section of the single page), the single page, the
        # perspectives and the search page.
        return 1 + 2 * len(edition.views) + 1 + len(edition.perspectives) + 1

    def render(self, edition: Edition, job: Job, pages: Pages, output: Output) -> None:
        (folder,) = self.outputs(edition.book.settings, job.out_dir)
        try:
            with output.folder(folder) as files:
                html_files(edition, pages, files.add)
        except IndexingFailed as failed:
            message = Message("the search index could not be built: {problem}", problem=failed.message)
            raise BuildFailed([Diagnostic(Severity.ERROR, "QZ601", message, Location(folder))]) from failed


def edition_frame(edition: Edition) -> Frame:
    """What every page of the edition shows alike."""
    book = edition.book
    ways = tuple(PerspectiveLink(way.perspective, way.slug) for way in edition.perspectives)
    return Frame(book.meta, book.words, ways, book.settings.draft_note)


def single_page_sections(edition: Edition, frame: Frame, pages: Pages) -> tuple[Linker, Assembled]:
    """The single page's linker, and every page of the book as a section of it (the PDF's content too)."""
    views = edition.views
    merged = Linker(EXTENSION, SINGLE_PAGE, frozenset(v.page.slug for v in views), edition.book.words)
    # Each page on its own: an edit re-renders its section, not the whole book.
    sections = pages.assemble(
        (f"html/{SINGLE_PAGE}.{EXTENSION}#{v.page.slug}", "html/merged-page.html", Section(frame, merged, v))
        for v in views
    )
    return merged, sections


def html_files(edition: Edition, pages: Pages, add: Callable[[str, bytes], None]) -> None:
    """Hand each of the edition's files to ``add`` (its path relative to the edition folder, its bytes).

    Each page goes out as soon as it is rendered: the edition never sits in memory whole.
    """
    book, views = edition.book, edition.views
    add("css/book.css", book.settings.html_stylesheet.read_bytes())
    add(SCRIPT, resources.files("qz_ebook").joinpath("templates", "html", "book.js").read_bytes())
    images = {book.settings.cover.href: book.settings.cover.source}  # an image used twice is one file
    for result in edition.converted.values():
        images.update({image.href: image.source for image in result.images})
    for href, source in images.items():
        add(href, source.read_bytes())
    frame = edition_frame(edition)
    outline = Sidebar(edition.toc)
    sidebars = SidebarLists(outline, Linker(EXTENSION, words=book.words), pages)

    def page(
        slug: str,
        template: str,
        source: PageSource,
        opened: frozenset[str] = frozenset(),
        sidebar: SidebarLists | None = sidebars,
    ) -> bytes:
        """Page ``slug``'s own part (what the render cache keeps), filed with its sidebar joined in."""
        name = f"{slug}.{EXTENSION}"
        own = pages.render(f"html/{name}", template, source)
        add(name, sidebar.join(own, slug, opened) if sidebar is not None else own)
        return own

    first = views[0].page if views else None
    index = IndexPage(frame, edition.toc, first, book.settings.cover, book.settings.cover_alt,
                      edition.pagination.page_list)  # fmt: skip
    page(INDEX, "html/index.html", index, sidebar=None)  # its main part is the whole table of contents
    searched = [f"{view.page.slug}.{EXTENSION}" for view in views if view.converted is not None]
    # Pagefind indexes the contribution pages (in processes of its own) while the rest renders here.
    with ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="qz-search") as beside, switching_often():
        indexing = Indexing(searched, pages, beside.submit, unjoined)
        for view in views:
            template = "html/contribution.html" if view.converted is not None else "html/group.html"
            opened = frozenset(p.slug for p in (*view.context.ancestors, view.page))
            own = page(view.page.slug, template, ViewPage(frame, view), opened)
            if view.converted is not None:
                indexing.add(f"{view.page.slug}.{EXTENSION}", own)  # the contributions' pages alone
        merged, sections = single_page_sections(edition, frame, pages)
        single_sidebar = SidebarLists(outline, merged, pages)
        page(SINGLE_PAGE, "html/single.html", SinglePage(frame, merged, sections), sidebar=single_sidebar)
        del sections  # the whole book again: not held while the search bundles come
        for way in edition.perspectives:
            page(way.slug, "html/perspective.html", PerspectivePage(frame, way))
        page(SEARCH, "html/search.html", SearchPage(frame, bundles(searched)))
        for path, content in indexing.files():
            add(path, content)
