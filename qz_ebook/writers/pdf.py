"""The tagged PDF (PDF/UA-1) of the book, made by WeasyPrint from the single-page edition's content.

The print document (``templates/pdf/book.html``) holds the cover, the title page, the
contents with the pages they start on, and every page of the book as the single-page
edition's sections (shared with it through ``Pages``: the render cache keeps them
once), laid out by the book's print stylesheet (``build.print_stylesheet``) on
``build.page_size`` pages. WeasyPrint tags it (structure tree, ``/Lang``, figures with
their alt text) and nests its bookmarks as the headings the stylesheet marks.

Reproducible: the creation and modification dates are the build's timestamp, and the
document ID derives from the book's identifier. WeasyPrint fetches nothing from the
network: every resource comes from the book (``_Resources``), and anything it cannot
find, or any other complaint it logs, fails the build (QZ602) rather than leaving a
gap in the PDF.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qz_ebook.convert.links import Linker
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Location, Severity
from qz_ebook.edition.navigation import NavNode
from qz_ebook.edition.pages import Assembled
from qz_ebook.edition.prepare import Edition
from qz_ebook.messages import Message
from qz_ebook.model import Asset, BuildSettings
from qz_ebook.writers.base import Job, Output, Pages, Writer
from qz_ebook.writers.html import Frame, edition_frame, single_page_sections
from qz_ebook.writers.pdf_artifacts import mark_artifacts

TEMPLATE = "pdf/book.html"
STYLESHEET = "print.css"
SOFT_HYPHEN = "\u00ad".encode()
# WeasyPrint's word for an image with alt="": the manuscript allows it only for {.decorative} images
# (QZ305), which mark_artifacts turns into artifacts.
DECORATIVE = re.compile(r'Image ".*" has no required alt description')
BASE = "https://qz-ebook.invalid/"  # never fetched: every address under it is the book's (``_Resources``)


@dataclass(frozen=True)
class PrintBook:
    """The print document's source: the edition's frame, its contents, the book as sections, the build's date."""

    frame: Frame
    toc: tuple[NavNode, ...]
    merged: Linker
    sections: Assembled
    cover: Asset
    cover_alt: str
    page_size: str
    modified: str  # ISO 8601, UTC

    def context(self) -> Mapping[str, object]:
        return {
            "book": self.frame.meta,
            "lang": self.frame.meta.language,
            "words": self.frame.words,
            "toc": self.toc,
            "href": self.merged,
            "sections": self.sections,
            "cover": self.cover,
            "cover_alt": self.cover_alt,
            "page_size": self.page_size,
            "modified": self.modified,
            "stylesheet": STYLESHEET,
        }


class PdfWriter(Writer):
    """``<name>.pdf``: the book as a tagged PDF for printing and archiving."""

    name = "pdf"
    stage = "PDF"
    default = False  # built when named (--format pdf, --format all, make)

    def outputs(self, settings: BuildSettings, out_dir: Path) -> tuple[Path, ...]:
        return (out_dir / f"{settings.name}.pdf",)

    def page_count(self, edition: Edition) -> int:
        return len(edition.views) + 1  # every section, then the print document

    def render(self, edition: Edition, job: Job, pages: Pages, output: Output) -> None:
        (path,) = self.outputs(edition.book.settings, job.out_dir)
        settings = edition.book.settings
        if settings.print_stylesheet is None:
            message = Message("the PDF needs a print stylesheet: set build.print_stylesheet in book.toml")
            raise BuildFailed([Diagnostic(Severity.ERROR, "QZ602", message, Location(path))])
        try:
            import weasyprint  # noqa: F401  (it loads Pango as it is imported)
        except OSError as missing:
            message = Message(
                "WeasyPrint cannot load Pango ({problem}): apt-get install libpangoft2-1.0-0 (make pdf does)",
                problem=str(missing),
            )
            raise BuildFailed([Diagnostic(Severity.ERROR, "QZ602", message, Location(path))]) from missing
        pdf = render_pdf(edition, pages, job.modified, settings.print_stylesheet)
        with output.file(path) as stream:
            stream.write(pdf)


def render_pdf(edition: Edition, pages: Pages, modified: datetime, stylesheet: Path) -> bytes:
    """The PDF's bytes; the same inputs give the same bytes."""
    from weasyprint import HTML  # imported when a PDF is made: it loads Pango
    from weasyprint.urls import FatalURLFetchingError

    book, frame = edition.book, edition_frame(edition)
    merged, sections = single_page_sections(edition, frame, pages)
    settings = book.settings
    source = PrintBook(frame, edition.toc, merged, sections, settings.cover, settings.cover_alt, settings.page_size,
                       modified.strftime("%Y-%m-%dT%H:%M:%SZ"))  # fmt: skip
    # WeasyPrint hyphenates by itself (pyphen, hyphens: auto); our soft hyphens would reach the bookmarks.
    document = pages.render(TEMPLATE, TEMPLATE, source).replace(SOFT_HYPHEN, b"")
    images = [book.settings.cover, *(image for c in edition.converted.values() for image in c.images)]
    resources = _resources(stylesheet, images)
    identifier = hashlib.sha256(book.meta.identifier.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _complaints() as said:
        try:
            pdf: bytes = HTML(string=document.decode("utf-8"), base_url=BASE, url_fetcher=resources).write_pdf(
                pdf_variant="pdf/ua-1", pdf_identifier=identifier
            )
        except FatalURLFetchingError as failed:
            said.append(f"{failed} ({failed.__cause__})")
            pdf = b""
    said = [message for message in said if not DECORATIVE.fullmatch(message)]
    if said:
        location = Location(stylesheet)
        raise BuildFailed(
            [
                Diagnostic(Severity.ERROR, "QZ602", Message("the PDF renderer says: {said}", said=m), location)
                for m in said
            ]
        )
    return mark_artifacts(pdf)


def _resources(stylesheet: Path, images: list[Asset]) -> Any:
    """WeasyPrint's fetcher: the print stylesheet and the book's images, nothing from elsewhere."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    files = {BASE + STYLESHEET: stylesheet, **{BASE + image.href: image.source for image in images}}

    class Resources(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = files.get(url)
            if path is None:
                raise ValueError(f"{url.removeprefix(BASE)} is not a file of the book")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    return Resources(fail_on_errors=True)


@contextmanager
def _complaints() -> Iterator[list[str]]:
    """What WeasyPrint logs at warning level or above while the block runs, instead of printing it."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
