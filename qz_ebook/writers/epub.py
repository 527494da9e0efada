"""The EPUB 3 writer: packages the book with ebooklib, with EPUB 2 fallbacks.

We render every XHTML document (content, cover, nav) from our own templates and
hand ebooklib finished bytes: its own HTML handling re-parses documents with an
HTML parser and its nav lacks the accessibility markup we need. ebooklib writes
the package document, the NCX, the guide and the container.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from ebooklib import epub
from lxml import etree

from qz_ebook import __version__
from qz_ebook.convert.converter import Converted
from qz_ebook.convert.links import Linker, Target
from qz_ebook.convert.rewrites import page_marker_id
from qz_ebook.edition.accessibility import CONFORMS_TO, Claims
from qz_ebook.edition.navigation import NavNode
from qz_ebook.edition.pages import Given, PageSource, PageView
from qz_ebook.edition.pagination import PageList
from qz_ebook.edition.prepare import Edition
from qz_ebook.model import Asset, Book, BookMeta, BuildSettings, Contribution, Words
from qz_ebook.writers.base import Job, Output, Pages, Writer
from qz_ebook.writers.epub_zip import DEFLATE, Compressed, ReproducibleZip, deflate
from qz_ebook.writers.ncx import NCX, Ncx

XHTML = "application/xhtml+xml"
EXTENSION = "xhtml"
WEGWEISER = "wegweiser"
STYLESHEET = "css/book.css"
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "titelei.xhtml"
NAV = "nav.xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# epub:type and the matching DPUB-ARIA role, by page kind.
SEMANTICS: dict[str, tuple[str, str]] = {
    "part": ("part", "doc-part"),
    "greeting": ("foreword", "doc-foreword"),
    "article": ("chapter", "doc-chapter"),
    "position-paper": ("chapter", "doc-chapter"),
    "practice-example": ("chapter", "doc-chapter"),
    "closing": ("conclusion", "doc-conclusion"),
    "appendix": ("appendix", "doc-appendix"),
}

WRITER_OPTIONS = {
    "epub3_pages": False,  # ebooklib would build a page-list from every element with epub:type and id
    "epub3_landmark": False,  # our nav.xhtml carries the landmarks
    "epub2_guide": True,
    "play_order": {"enabled": True, "start_from": 1},
}


@dataclass(frozen=True)
class Landmark:
    type: str
    href: str
    title: str


class EpubWriter(Writer):
    """``<name>.epub``: an EPUB 3 with EPUB 2 fallbacks (NCX, guide, cover page)."""

    name = "epub"
    stage = "EPUB"

    def outputs(self, settings: BuildSettings, out_dir: Path) -> tuple[Path, ...]:
        return (out_dir / f"{settings.name}.epub",)

    def page_count(self, edition: Edition) -> int:
        # Cover, title page, Wegweiser (with perspectives), nav, the NCX, and one document per page.
        return 4 + bool(edition.perspectives) + len(edition.views)

    def render(self, edition: Edition, job: Job, pages: Pages, output: Output) -> None:
        (path,) = self.outputs(edition.book.settings, job.out_dir)
        with output.file(path) as stream:
            write_epub(edition, pages, job.modified, stream)


def write_epub(edition: Edition, pages: Pages, modified: datetime, out: BinaryIO) -> None:
    """Write the finished EPUB to ``out``; the same inputs always give the same bytes."""
    book = edition.book
    package = _package(book)
    _accessibility_metadata(package, edition.claims)
    toc = _toc(edition)
    landmarks = _landmarks(edition.views, book.words)
    documents = _documents(edition, toc, landmarks, pages)
    for document in documents:
        package.add_item(document)
    for asset in _assets(edition.converted):
        package.add_item(
            epub.EpubImage(
                uid=_item_id(asset.href),
                file_name=asset.href,
                media_type=asset.media_type,
                content=asset.source.read_bytes(),
            )
        )
    stylesheet = book.settings.epub_stylesheet.read_bytes()
    package.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=stylesheet))
    package.add_item(epub.EpubNcx())
    package.spine = documents
    spine = [document.file_name for document in documents]
    ncx = pages.render(f"epub/{NCX}", f"epub/{NCX}", Ncx(book.meta, book.words, toc, edition.pagination.page_list,
                                                           tuple(spine), EXTENSION))  # fmt: skip
    package.guide = [{"type": lm.type, "href": lm.href, "title": lm.title} for lm in _guide(landmarks)]

    def compress(data: bytes) -> Compressed:
        return Compressed(pages.derived(DEFLATE, deflate, data), zlib.crc32(data))

    _Writer(out, package, {**WRITER_OPTIONS, "mtime": modified, "compress": compress, "ncx": ncx}).write()


def _toc(edition: Edition) -> tuple[NavNode, ...]:
    """The table of contents, led by the Wegweiser when the book has perspectives."""
    guide = (NavNode(edition.book.words.guide, WEGWEISER),) if edition.perspectives else ()
    return guide + edition.toc


def _package(book: Book) -> epub.EpubBook:
    meta = book.meta
    package = epub.EpubBook()
    package.set_identifier(meta.identifier)
    package.set_language(meta.language)
    package.title = meta.title  # ebooklib's NCX reads the title from here
    package.add_metadata("DC", "title", meta.title, {"id": "title"})
    package.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        package.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for number, creator in enumerate(meta.creators, start=1):
        package.add_author(creator.name, role=creator.role, uid=f"creator{number}")
    for name in ("publisher", "rights", "description", "date"):
        value = getattr(meta, name)
        if value:
            package.add_metadata("DC", name, value)
    package.metadata[epub.NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"qz-ebook {__version__}"})
    ]
    cover = book.settings.cover
    package.set_cover(cover.href, cover.source.read_bytes(), create_page=False)
    return package


def _accessibility_metadata(package: epub.EpubBook, claims: Claims) -> None:
    """schema.org and EPUB Accessibility 1.1 metadata; the prefixes are reserved, never declared."""

    def meta(prop: str, value: str, **attributes: str) -> None:
        package.add_metadata(None, "meta", value, {"property": prop, **attributes})

    for mode in claims.access_modes:
        meta("schema:accessMode", mode)
    meta("schema:accessModeSufficient", ",".join(claims.access_mode_sufficient))
    for feature in claims.features:
        meta("schema:accessibilityFeature", feature)
    for hazard in claims.hazards:
        meta("schema:accessibilityHazard", hazard)
    meta("schema:accessibilitySummary", claims.summary)
    if claims.page_break_source:
        # The print edition the page-list follows, as EPUB 3.2 declares it: EPUBCheck 4.2.6
        # (still used by retailers' intake) rejects EPUB Accessibility 1.1's pageBreakSource,
        # and Ace's epub-pagesource rule reads dc:source.
        package.add_metadata("DC", "source", claims.page_break_source, {"id": "print-source"})
        meta("source-of", "pagination", refines="#print-source")
    meta("dcterms:conformsTo", CONFORMS_TO, id="conf")
    if claims.certified_by:
        meta("a11y:certifiedBy", claims.certified_by, refines="#conf")


@dataclass(frozen=True)
class Frame:
    """What every document of the book shows alike: one per build."""

    meta: BookMeta
    words: Words
    draft_note: str | None

    def context(self, slug: str, title: str, lang: str | None = None, **own: object) -> dict[str, object]:
        """The context of document ``slug``: what every document has, then its ``own``."""
        lang = lang or self.meta.language
        href = Linker(EXTENSION, slug)
        return {"href": href, "stylesheet": STYLESHEET, "title": title, "lang": lang, "words": self.words, **own}


@dataclass(frozen=True)
class NavDocument:
    """The navigation document: the table of contents, the landmarks and the print edition's pages."""

    frame: Frame
    toc: tuple[NavNode, ...]
    landmarks: tuple[Landmark, ...]
    pages: PageList

    def context(self) -> Mapping[str, object]:
        link = Linker(EXTENSION)
        page_links = [(e.number, link(Target(e.slug, page_marker_id(e.number)))) for e in self.pages.entries]
        contents = self.frame.words.contents
        return self.frame.context("nav", contents, toc=self.toc, landmarks=self.landmarks, page_links=page_links)


@dataclass(frozen=True)
class ViewDocument:
    """A part, section or contribution as a document of its own."""

    frame: Frame
    view: PageView

    def context(self) -> Mapping[str, object]:
        view, page = self.view, self.view.page
        if view.converted is None:
            return self.frame.context(page.slug, page.title, view=view, semantics=SEMANTICS.get(view.kind))
        assert isinstance(page, Contribution)
        return self.frame.context(page.slug, page.title, page.lang, view=view, semantics=SEMANTICS[view.kind],
                                  draft_note=self.frame.draft_note)  # fmt: skip


def _documents(
    edition: Edition, toc: tuple[NavNode, ...], landmarks: list[Landmark], pages: Pages
) -> list[epub.EpubItem]:
    book, views = edition.book, edition.views
    meta, settings = book.meta, book.settings
    frame = Frame(meta, book.words, settings.draft_note)

    def document(slug: str, template: str, source: PageSource, properties: list[str] | None = None) -> epub.EpubItem:
        name = Linker(EXTENSION)(slug)
        item = _Document(partial(pages.render, f"epub/{name}", template, source), _item_id(slug), name)
        item.properties = properties or []
        return item

    def front(name: str, title: str, **context: object) -> epub.EpubItem:
        return document(name, f"epub/{name}.xhtml", Given({**frame.context(name, title), **context}))

    documents = [
        front("cover", meta.title, cover=settings.cover, alt=settings.cover_alt),
        front("titelei", meta.title, meta=meta),
    ]
    if edition.perspectives:
        documents.append(front(WEGWEISER, book.words.guide, perspectives=edition.perspectives))
    navigation = NavDocument(frame, toc, tuple(landmarks), edition.pagination.page_list)
    documents.append(document("nav", "epub/nav.xhtml", navigation, ["nav"]))
    for view in views:
        template = "epub/contribution.xhtml" if view.converted is not None else "epub/group.xhtml"
        documents.append(document(view.page.slug, template, ViewDocument(frame, view)))
    return documents


class _Document(epub.EpubItem):
    """A content document, rendered when it is written: the book's documents never sit in memory together.

    A plain EpubItem: ebooklib writes its content as given (EpubHtml would parse it again).
    """

    def __init__(self, render: Callable[[], bytes], uid: str, file_name: str) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type=XHTML)
        self.render = render

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.render()


def _item_id(name: str) -> str:
    # Manifest ids are XML names: they must not start with a digit.
    return "x-" + name.replace("/", "-").replace(".", "-")


def _assets(converted: dict[str, Converted]) -> list[Asset]:
    unique = {asset.href: asset for result in converted.values() for asset in result.images}
    return [unique[key] for key in sorted(unique)]


def _landmarks(views: list[PageView], words: Words) -> list[Landmark]:
    found = [
        Landmark("cover", COVER_PAGE, words.cover),
        Landmark("titlepage", TITLE_PAGE, words.title_page),
        Landmark("toc", NAV + "#toc", words.contents),
    ]
    first = next((v.page for v in views if v.converted is not None), None)
    if first is not None:
        found.append(Landmark("bodymatter", Linker(EXTENSION)(first.slug), words.start_of_text))
    return found


def _guide(landmarks: list[Landmark]) -> list[Landmark]:
    """The EPUB 2 guide: the landmarks under their OPF 2 names."""
    opf2_names = {"titlepage": "title-page", "bodymatter": "text"}
    return [Landmark(opf2_names.get(lm.type, lm.type), lm.href, lm.title) for lm in landmarks]


class _Writer(epub.EpubWriter):
    """ebooklib's writer with corrections to what it writes, into a reproducible zip."""

    def write(self) -> None:
        # As ebooklib's own, but into a zip without the build machine's clock and umask.
        self.out = ReproducibleZip(self.file_name, self.options["mtime"], self.options["compress"])
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()
        # ebooklib's NCX code leaves this writer in a reference cycle (closures that
        # call each other): let the zip go now rather than at some garbage collection.
        del self.out

    def _write_opf_file(self, root: etree._Element) -> None:
        # Ace's epub-lang check reads xml:lang on <package>.
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_ncx(self) -> bytes:
        # Ours (writers/ncx.py): ebooklib's has no pageList, nests as given and writes dtb:depth 0.
        ncx: bytes = self.options["ncx"]
        return ncx
