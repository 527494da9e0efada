"""The EPUB 3 writer: packages the book with ebooklib, with EPUB 2 fallbacks.

We render every XHTML document (content, cover, nav) from our own templates and
hand ebooklib finished bytes: its own HTML handling re-parses documents with an
HTML parser and its nav lacks the accessibility markup we need. ebooklib writes
the package document, the NCX, the guide and the container.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from ebooklib import epub
from lxml import etree

from qz_ebook import __version__
from qz_ebook.convert import Converted
from qz_ebook.model import Asset, Book, Contribution, Page
from qz_ebook.navigation import NavNode, flatten_below, nodes_by_slug, page_kind, toc_tree
from qz_ebook.templates import render

XHTML = "application/xhtml+xml"
STYLESHEET = "css/book.css"
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "titelei.xhtml"
NAV = "nav.xhtml"
NCX_DEPTH = 2  # Kindle shows at most two NCX levels
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"

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


def href(slug: str) -> str:
    return f"{slug}.xhtml"


def render_epub(book: Book, converted: dict[str, Converted], modified: datetime) -> bytes:
    """Return the finished EPUB; the same inputs always give the same bytes."""
    package = _package(book)
    pages = list(book.reading_order())
    toc = toc_tree(book)
    documents = _documents(book, converted, pages, toc)
    for document in documents:
        package.add_item(document)
    for asset in _assets(converted):
        package.add_item(epub.EpubImage(uid=_item_id(asset.href), file_name=asset.href,
                                        media_type=asset.media_type, content=asset.source.read_bytes()))  # fmt: skip
    package.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css",
                                   content=book.settings.epub_stylesheet.read_bytes()))  # fmt: skip
    package.add_item(epub.EpubNcx())
    package.spine = documents
    package.toc = _ncx_entries(flatten_below(toc, NCX_DEPTH))
    package.guide = [{"type": lm.type, "href": lm.href, "title": lm.title} for lm in _guide(pages)]
    buffer = io.BytesIO()
    _Writer(buffer, package, {**WRITER_OPTIONS, "mtime": modified}).write()
    return _normalised_zip(buffer.getvalue(), modified)


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


def _documents(
    book: Book, converted: dict[str, Converted], pages: list[Page], toc: tuple[NavNode, ...]
) -> list[epub.EpubItem]:
    common = {"stylesheet": STYLESHEET, "href": href}
    meta = book.meta
    documents = [
        _document(
            "cover",
            COVER_PAGE,
            render(
                "epub/cover.xhtml",
                title=meta.title,
                lang=meta.language,
                cover=book.settings.cover,
                alt=book.settings.cover_alt,
                **common,
            ),
        ),  # fmt: skip
        _document(
            "titelei",
            TITLE_PAGE,
            render("epub/titlepage.xhtml", title=meta.title, lang=meta.language, meta=meta, **common),
        ),  # fmt: skip
        _document(
            "nav",
            NAV,
            render(
                "epub/nav.xhtml", title="Inhalt", lang=meta.language, toc=toc, landmarks=_landmarks(pages), **common
            ),
            properties=["nav"],
        ),  # fmt: skip
    ]
    nodes = nodes_by_slug(toc)
    for page in pages:
        kind = page_kind(page)
        if isinstance(page, Contribution):
            content = render("epub/contribution.xhtml", title=page.title, lang=page.lang, page=page,
                             semantics=SEMANTICS[kind], body=converted[page.slug].xhtml,
                             draft_note=book.settings.draft_note, **common)  # fmt: skip
        else:
            content = render("epub/group.xhtml", title=page.title, lang=meta.language, kind=kind, page=page,
                             semantics=SEMANTICS.get(kind), node=nodes[page.slug], **common)  # fmt: skip
        documents.append(_document(page.slug, href(page.slug), content))
    return documents


def _document(name: str, file_name: str, content: bytes, properties: list[str] | None = None) -> epub.EpubItem:
    # A plain EpubItem: ebooklib writes its content as given (EpubHtml would re-parse it).
    item = epub.EpubItem(uid=_item_id(name), file_name=file_name, media_type=XHTML, content=content)
    item.properties = properties or []
    return item


def _item_id(name: str) -> str:
    # Manifest ids are XML names: they must not start with a digit.
    return "x-" + name.replace("/", "-").replace(".", "-")


def _assets(converted: dict[str, Converted]) -> list[Asset]:
    unique = {asset.href: asset for result in converted.values() for asset in result.images}
    return [unique[key] for key in sorted(unique)]


def _first_contribution(pages: list[Page]) -> Page:
    return next((p for p in pages if isinstance(p, Contribution)), pages[0])


def _landmarks(pages: list[Page]) -> list[Landmark]:
    found = [Landmark("cover", COVER_PAGE, "Umschlag"), Landmark("titlepage", TITLE_PAGE, "Titelei"),
             Landmark("toc", NAV + "#toc", "Inhalt")]  # fmt: skip
    if pages:
        found.append(Landmark("bodymatter", href(_first_contribution(pages).slug), "Textanfang"))
    return found


def _guide(pages: list[Page]) -> list[Landmark]:
    """The EPUB 2 guide: the landmarks under their OPF 2 names."""
    opf2_names = {"titlepage": "title-page", "bodymatter": "text"}
    return [Landmark(opf2_names.get(lm.type, lm.type), lm.href, lm.title) for lm in _landmarks(pages)]


NcxEntry: TypeAlias = "epub.Link | tuple[epub.Link, list[NcxEntry]]"


def _ncx_entries(nodes: tuple[NavNode, ...]) -> list[NcxEntry]:
    entries: list[NcxEntry] = []
    for node in nodes:
        link = epub.Link(href(node.slug), node.label, _item_id("nav-" + node.slug))
        entries.append((link, _ncx_entries(node.children)) if node.children else link)
    return entries


class _Writer(epub.EpubWriter):
    """ebooklib's writer with two corrections to what it writes."""

    def _write_opf_file(self, root: etree._Element) -> None:
        # Ace's epub-lang check reads xml:lang on <package>.
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_ncx(self) -> bytes:
        # ebooklib always writes dtb:depth 0; EPUB 2 readers expect the real depth.
        ncx = etree.fromstring(super()._get_ncx())
        depth = ncx.find(f"{{{NCX_NS}}}head/{{{NCX_NS}}}meta[@name='dtb:depth']")
        depth.set("content", str(_ncx_depth(ncx.find(f"{{{NCX_NS}}}navMap"))))
        return bytes(etree.tostring(ncx, encoding="utf-8", xml_declaration=True, pretty_print=True))


def _ncx_depth(element: etree._Element) -> int:
    points = element.findall(f"{{{NCX_NS}}}navPoint")
    return max((1 + _ncx_depth(point) for point in points), default=0)


def _normalised_zip(data: bytes, modified: datetime) -> bytes:
    """Rewrite the zip reproducibly: mimetype first and stored, sorted entries, fixed times and modes."""
    timestamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the building machine
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
