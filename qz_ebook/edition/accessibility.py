"""EPUB Accessibility 1.1 claims, derived from the content so that they are always true."""

from __future__ import annotations

from dataclasses import dataclass

from qz_ebook.convert.converter import Converted
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.edition.pagination import Pagination
from qz_ebook.messages import Message
from qz_ebook.model import Book

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# Features every book built here has: a nav toc, one reading order, real headings.
ALWAYS = ("tableOfContents", "readingOrder", "structuralNavigation")
# Features an editor may add in book.toml because nothing here can contradict them.
DECLARABLE = frozenset({"displayTransformability"})


@dataclass(frozen=True)
class Claims:
    access_modes: tuple[str, ...]
    access_mode_sufficient: tuple[str, ...]
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    certified_by: str | None
    page_break_source: str | None


def derive_claims(book: Book, converted: dict[str, Converted], pagination: Pagination) -> Claims:
    """What the content backs: images ⇒ visual + alternativeText; a page-list ⇒ pageNavigation."""
    has_images = True  # the cover is an image in its own content document
    has_markers = bool(pagination.page_list.entries)
    derived = list(ALWAYS)
    if has_markers:
        derived += ["pageNavigation", "pageBreakMarkers"]
    if has_images and all(c.missing_alt == 0 for c in converted.values()):
        derived.append("alternativeText")
    extra = [f for f in book.meta.accessibility.features if f in DECLARABLE and f not in derived]
    edition = book.meta.print_edition
    return Claims(
        access_modes=("textual", "visual") if has_images else ("textual",),
        access_mode_sufficient=("textual",),
        features=tuple(derived + extra),
        hazards=("none",),
        summary=book.meta.accessibility.summary,
        certified_by=book.meta.accessibility.certified_by,
        page_break_source=edition.identifier if edition and has_markers else None,
    )


def check_claims(book: Book, claims: Claims, toml: Location, diagnostics: Diagnostics) -> None:
    """A claim in book.toml that the content does not back is an error."""
    for feature in book.meta.accessibility.features:
        if feature not in claims.features:
            message = Message(
                "book.toml claims accessibilityFeature '{feature}', which the content does not back", feature=feature
            )
            diagnostics.error("QZ501", message, toml)
    edition = book.meta.print_edition
    if "pageNavigation" in claims.features and not (edition and edition.identifier):
        message = Message("the page-list needs the print edition's identifier: set book.print_edition.identifier")
        diagnostics.error("QZ502", message, toml)
