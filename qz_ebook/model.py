"""The plain book model: what the reader produces and every writer consumes.

Only data lives here. Nothing in this module reads files or knows a format.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

SECTION_NUMBER = re.compile(r"^(?:[0-9]+|[IVXLC]+)\.\s+")
Kind = Literal["greeting", "article", "position-paper", "practice-example", "closing", "appendix"]
KINDS: tuple[Kind, ...] = ("greeting", "article", "position-paper", "practice-example", "closing", "appendix")
Status = Literal["draft", "final"]
STATUSES: tuple[Status, ...] = ("draft", "final")

# Field metadata (``dataclasses.field(metadata=…)``) that says how pages may use a field.
# Templates may not read a HIDDEN field: what pages show of it reaches them another way,
# so whatever depends only on what pages show (fingerprints) can leave it out.
HIDDEN = "qz_hidden"
# A DIGESTED field is HIDDEN, and a digest beside it stands for it in every comparison.
DIGESTED = "qz_digested"


def hidden(why: str) -> dict[str, object]:
    """The metadata of a field templates may not read, saying ``why``."""
    return {HIDDEN: why}


def digested(why: str) -> dict[str, object]:
    """The metadata of a field a digest beside it stands for, saying ``why``."""
    return {HIDDEN: why, DIGESTED: True}


THROUGH_CONVERSION = hidden("its text reaches pages through its conversion")
THROUGH_NAVIGATION = hidden("the outline reaches pages through navigation nodes")


def hidden_fields(kind: type) -> dict[str, str]:
    """The HIDDEN fields of dataclass ``kind``, each with why; for any other type none."""
    found = _hidden.get(kind)
    if found is None:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else ()
        found = _hidden[kind] = {f.name: str(f.metadata[HIDDEN]) for f in fields if HIDDEN in f.metadata}
    return found


_hidden: dict[type, dict[str, str]] = {}  # asked for every attribute a template reads: found once per type


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str | None = None


@dataclass(frozen=True)
class Creator:
    name: str
    role: str


@dataclass(frozen=True)
class PrintEdition:
    """The printed edition that front-matter page numbers refer to."""

    title: str
    year: int | None
    identifier: str | None


@dataclass(frozen=True)
class Accessibility:
    """What book.toml says about accessibility; the claims themselves are derived from content."""

    summary: str
    certified_by: str | None
    features: tuple[str, ...]  # extra schema:accessibilityFeature claims, checked against content


@dataclass(frozen=True)
class BookMeta:
    title: str
    subtitle: str | None
    language: str
    identifier: str
    date: str
    creators: tuple[Creator, ...]
    publisher: str | None
    rights: str | None
    description: str | None
    modified: str | None
    print_edition: PrintEdition | None
    accessibility: Accessibility


@dataclass(frozen=True)
class Words:
    """The words of the editions' own interface (skip link, Zurück/Weiter, notes, search …).

    One catalogue per language (``qz_ebook/catalogues/<language>.toml``, which says
    where each word is shown), chosen by ``book.language`` and overridden in
    ``book.toml``'s ``[interface]`` table; ``{…}`` are filled in with ``str.format``.
    """

    skip_link: str
    table_of_contents: str
    perspectives: str
    breadcrumb: str
    start: str
    pager: str
    previous: str
    next: str
    to_start: str
    single_page: str
    single_page_title: str
    colour_scheme: str
    scheme_system: str
    scheme_light: str
    scheme_dark: str
    contents: str
    guide: str
    guide_intro: str
    print_page_jump: str
    page_list: str
    landmarks: str
    cover: str
    title_page: str
    start_of_text: str
    page: str
    page_marker: str
    notes: str
    note_back: str
    perspective_of: str
    part_of: str
    phone: str
    email: str
    to_paper: str
    paper_of: str
    to_topic: str
    topic_of: str
    examples: str
    siblings: str
    search: str
    search_label: str
    search_button: str
    search_one: str
    search_many: str
    search_none: str
    search_more: str
    search_needs_script: str
    search_needs_server: str


@dataclass(frozen=True)
class Asset:
    """A file copied into the outputs; ``href`` is the same in EPUB and HTML."""

    source: Path
    href: str
    media_type: str


@dataclass(frozen=True)
class Limits:
    """How large and how deeply nested a contribution may be (``[limits]`` in book.toml).

    Beyond them a build fails at once with a located error: Python-Markdown would take
    minutes, and the PDF and XML parsers give up on deep nesting.
    """

    depth: int = 20  # lists, blockquotes and elements inside each other
    footnotes: int = 500  # footnote definitions per contribution
    table_rows: int = 500  # rows below a table's header: every cell is laid out in each format
    table_columns: int = 30
    line_length: int = 100_000  # characters
    file_mb: int = 10  # a contribution file's size in MB (10**6 bytes): far above any real one


@dataclass(frozen=True)
class CacheSettings:
    """How the build cache (``.qz-cache/``) is kept (``[cache]`` in book.toml)."""

    keep_builds: int = 3  # what none of the last this many builds used is dropped when a build ends


@dataclass(frozen=True)
class BuildSettings:
    name: str
    cover: Asset
    cover_alt: str
    epub_stylesheet: Path
    html_stylesheet: Path
    draft_note: str | None
    assets: Path | None  # images may come from here as well as from the book folder
    print_stylesheet: Path | None = None  # the PDF's; without it there is no PDF
    page_size: str = "A4"  # the PDF's pages
    limits: Limits = field(default=Limits(), metadata=hidden("limits reach pages through the conversion"))
    cache: CacheSettings = field(default=CacheSettings(), metadata=hidden("the cache shows on no page"))


@dataclass(frozen=True)
class Perspective:
    """A way into the book (Einblicke, Rückblicke, Ausblicke), declared in book.toml."""

    key: str
    label: str
    description: str
    parts: tuple[str, ...]  # part titles as in the outline
    contributions: tuple[str, ...]  # contribution slugs


@dataclass(frozen=True)
class PostalAddress:
    street: str
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class Contact:
    """An entry of an appendix contact list; None means not supplied yet."""

    person: str
    municipality: str | None = None
    address: PostalAddress | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def phone_uri(self) -> str | None:
        """The ``tel:`` link target: the number without spaces and separators."""
        return "tel:" + "".join(c for c in self.phone if c == "+" or c.isdigit()) if self.phone else None


@dataclass(frozen=True)
class Contribution:
    """One Markdown file of the manuscript, with its front matter."""

    slug: str
    source: Path
    label: str
    title: str
    kind: Kind
    status: Status
    lang: str
    body: str = field(metadata=THROUGH_CONVERSION)
    body_line: int = field(metadata=THROUGH_CONVERSION)
    subtitle: str | None = None
    authors: tuple[Person, ...] = ()
    place: str | None = None
    year: int | None = None
    series: str | None = None
    page: int | None = None
    paper: str | None = None
    topic: str | None = None
    contacts: tuple[Contact, ...] = ()
    children: tuple[Entry, ...] = field(default=(), metadata=THROUGH_NAVIGATION)


@dataclass(frozen=True)
class Section:
    """A group in the outline without a file of its own (e.g. a numbered topic)."""

    slug: str
    title: str
    children: tuple[Entry, ...] = field(default=(), metadata=THROUGH_NAVIGATION)

    @property
    def topic(self) -> str:
        """The topic as front matter names it: the title without its number ("1. ")."""
        return SECTION_NUMBER.sub("", self.title)


Entry: TypeAlias = Contribution | Section


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    children: tuple[Entry, ...] = field(default=(), metadata=THROUGH_NAVIGATION)


Page: TypeAlias = Part | Section | Contribution


@dataclass(frozen=True)
class Book:
    meta: BookMeta
    settings: BuildSettings
    words: Words  # the interface's, in the book's language
    parts: tuple[Part, ...] = field(default=())
    perspectives: tuple[Perspective, ...] = ()

    def reading_order(self) -> Iterator[Page]:
        """Every page in spine order: a part, then its entries depth first."""
        for part in self.parts:
            yield part
            yield from _walk(part.children)

    def contributions(self) -> Iterator[Contribution]:
        return (page for page in self.reading_order() if isinstance(page, Contribution))


def _walk(entries: tuple[Entry, ...]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.children)
