"""The reader: ``book.toml``, the outline and the contribution files become a ``Book``."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from qz_ebook.convert.slugs import slugify
from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.messages import Message
from qz_ebook.model import Book, Contribution, Entry, Limits, Part, Section
from qz_ebook.source.config import TomlLocator, load_config
from qz_ebook.source.contacts import read_contacts
from qz_ebook.source.frontmatter import Source, Split, persons, read_source, split_source
from qz_ebook.source.outline import OutlineItem, parse_outline

REQUIRED = frozenset({"title", "kind", "status"})
STAND_IN_KIND = "article"  # the kind no relation asks anything of

MB = 10**6  # what book.toml's [limits] file_mb counts in


class Recall(Protocol):
    """What the reader may take over from an earlier read in the same process (``incremental.texts``)."""

    def text(self, path: Path, found: os.stat_result, read: Callable[[], str | None]) -> str | None:
        """The text of ``path`` with the stat ``found``: as read before, or ``read()`` now."""
        ...

    def split(self, path: Path, text: str) -> Split:
        """``frontmatter.split_source(path, text)``, or its result for the same text before."""
        ...

    def contribution(self, made: Contribution) -> Contribution:
        """``made``, or the equal contribution read before from the same file (the very object)."""
        ...


class Afresh:
    """Reads every file and splits every text again."""

    def text(self, path: Path, found: os.stat_result, read: Callable[[], str | None]) -> str | None:
        return read()

    def split(self, path: Path, text: str) -> Split:
        return split_source(path, text)

    def contribution(self, made: Contribution) -> Contribution:
        return made


@dataclass(frozen=True)
class Manuscript:
    """A book as read, with the places its checks name (``build.read_book`` runs them)."""

    book: Book
    locations: Mapping[str, Mapping[str, Location]]  # slug → front-matter key → where it was written
    locate: TomlLocator  # where an entry of book.toml was written
    stand_ins: frozenset[str] = frozenset()  # contributions kept with stand-in front matter (errors reported)


def read_manuscript(book_dir: Path, diagnostics: Diagnostics, recall: Recall | None = None) -> Manuscript:
    """Read the manuscript in ``book_dir``; problems go to ``diagnostics``.

    Raises ``BuildFailed`` only when book.toml cannot be used: everything else is
    read as far as it can be, so that one run reports every problem.
    """
    config = load_config(book_dir, diagnostics)
    diagnostics.raise_if_failed()
    assert config is not None  # load_config reports an error whenever it returns None
    file_mb = config.settings.limits.file_mb
    reader = _Reader(book_dir, config.outline, config.meta.language, diagnostics, recall or Afresh(), file_mb)
    outline_text = reader.read_text(config.outline)
    parts = parse_outline(config.outline, outline_text or "", diagnostics)
    book = Book(
        config.meta,
        config.settings,
        config.words,
        tuple(reader.part(p.title, p.location, p.items) for p in parts),
        config.perspectives,
    )
    reader.report_unlisted()
    return Manuscript(book, reader.locations, config.locate, frozenset(reader.stand_ins))


class _Reader:
    """Turns outline items into model entries, remembering where each came from."""

    def __init__(
        self,
        book_dir: Path,
        outline_path: Path,
        language: str,
        diagnostics: Diagnostics,
        recall: Recall,
        max_mb: int = Limits().file_mb,
    ) -> None:
        self.book_dir = book_dir
        self.recall = recall
        self.outline_path = outline_path
        self.base = outline_path.parent
        self.language = language
        self.diagnostics = diagnostics
        self.seen_files: set[tuple[int, int]] = set()  # (device, inode): one file however it is spelled
        self.seen_paths: set[Path] = set()  # as the outline spells them
        self.slugs: dict[str, Location] = {}
        # slug → front-matter key → location, for messages after the model is built
        self.locations: dict[str, dict[str, Location]] = {}
        self.stand_ins: set[str] = set()  # slugs of contributions whose front matter failed its checks
        self.max_mb = max_mb  # how large a contribution file may be

    def read_text(self, path: Path, found: os.stat_result | None = None) -> str | None:
        """The file's text; with its stat ``found``, as ``recall`` may still hold it."""
        if found is not None:
            return self.recall.text(path, found, lambda: self._read(path))
        return self._read(path)

    def _read(self, path: Path) -> str | None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.diagnostics.error("QZ102", Message("cannot read file: {reason}", reason=exc.strerror), Location(path))
            return None
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            return data[bom:].decode("utf-8")  # a BOM is accepted and dropped
        except UnicodeDecodeError as exc:
            message = Message("file is not UTF-8 ({reason} at byte {byte})", reason=exc.reason, byte=exc.start + bom)
            self.diagnostics.error("QZ207", message, Location(path))
            return None

    def part(self, title: str, location: Location, items: list[OutlineItem]) -> Part:
        slug = self._claim_slug("teil-" + slugify(title), location)
        return Part(slug, title, self._entries(items))

    def _entries(self, items: list[OutlineItem]) -> tuple[Entry, ...]:
        entries = (self._entry(item) for item in items)
        return tuple(e for e in entries if e is not None)

    def _entry(self, item: OutlineItem) -> Entry | None:
        if item.path is None:
            slug = self._claim_slug(slugify(item.label), item.location)
            return Section(slug, item.label, self._entries(item.children))
        return self._contribution(item)

    def _contribution(self, item: OutlineItem) -> Contribution | None:
        """Read the item's file, then its children (so messages follow outline order)."""
        read = self._read_source(item)
        children = self._entries(item.children)  # also when the entry itself is broken
        if read is None:
            return None
        path, source, slug = read
        fields = source.fields
        made = Contribution(
            slug=slug,
            source=path,
            label=item.label,
            title=fields["title"],
            kind=fields["kind"],
            status=fields["status"],
            lang=fields.get("lang", self.language),
            body=source.body,
            body_line=source.body_line,
            subtitle=fields.get("subtitle"),
            authors=persons(fields.get("authors", [])),
            place=fields.get("place"),
            year=fields.get("year"),
            series=fields.get("series"),
            page=fields.get("page"),
            paper=fields.get("paper"),
            topic=fields.get("topic"),
            contacts=read_contacts(path.parent / fields["contacts"], source.key_locations["contacts"], self.diagnostics)
            if "contacts" in fields
            else (),
            children=children,
        )
        return self.recall.contribution(made)

    def _read_source(self, item: OutlineItem) -> tuple[Path, Source, str] | None:
        """The item's file, its checked front matter and its claimed slug."""
        assert item.path is not None
        path = self.base / item.path
        found = _file_stat(path)
        if found is None:
            self.diagnostics.error("QZ102", Message("file '{file}' does not exist", file=item.path), item.location)
            return None
        if _identity(found) in self.seen_files:
            message = Message("file '{file}' is already in the outline", file=item.path)
            self.diagnostics.error("QZ103", message, item.location)
            return None
        self.seen_files.add(_identity(found))
        self.seen_paths.add(path)
        size = found.st_size
        if size > self.max_mb * MB:
            message = Message(
                "file is {size:.1f} MB; a contribution may have at most {limit} MB "
                "(book.toml [limits] file_mb); split it",
                size=size / MB,
                limit=self.max_mb,
            )
            self.diagnostics.error("QZ211", message, Location(path))
            return None
        text = self.read_text(path, found)
        if text is None:
            return None
        source = read_source(path, text, self.diagnostics, self.recall.split)
        if not source.body.strip() and source.fields:
            empty = Message("the contribution has no text after its front matter")
            self.diagnostics.warning("QZ308", empty, Location(path))
        slug_location = source.key_locations.get("slug", item.location)
        slug = self._claim_slug(source.fields.get("slug") or slugify(path.stem), slug_location)
        self.locations[slug] = source.key_locations
        if not REQUIRED <= source.fields.keys():
            # Reported already. A stand-in keeps the entry in the book, so that its text is still
            # converted and checked, and links, relations and perspectives naming it do not fail too.
            self.stand_ins.add(slug)
            fields = {"title": item.label, "kind": STAND_IN_KIND, "status": "draft", **source.fields}
            source = Source(fields, source.key_locations, source.body, source.body_line)
        return path, source, slug

    def _claim_slug(self, slug: str, location: Location) -> str:
        if slug in self.slugs:
            first = self.slugs[slug]
            self.diagnostics.error(
                "QZ105",
                Message(
                    "slug '{slug}' is already used at {first}; set a different 'slug:' in the front matter",
                    slug=slug,
                    first=first,
                ),
                location,
            )
        else:
            self.slugs[slug] = location
        return slug

    def report_unlisted(self) -> None:
        # A file spelled as the outline spells it needs no stat; only the rest are sorted, for the messages.
        for path in sorted(path for path in self.book_dir.rglob("*.md") if path not in self.seen_paths):
            found = _file_stat(path)
            listed = found is not None and _identity(found) in self.seen_files
            if not listed and path != self.outline_path:
                message = Message("not in the outline {outline}; add it or remove it", outline=self.outline_path.name)
                self.diagnostics.warning("QZ106", message, Location(path))


def _file_stat(path: Path) -> os.stat_result | None:
    """The stat of a regular file (through symlinks), or None."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found if stat.S_ISREG(found.st_mode) else None


def _identity(found: os.stat_result) -> tuple[int, int]:
    # Cheaper than resolving the path, and a hard link is the same file too.
    return found.st_dev, found.st_ino


def check_perspectives(book: Book, locate: TomlLocator, diagnostics: Diagnostics) -> None:
    """Every part and contribution a perspective names must exist in the outline."""
    titles = [part.title for part in book.parts]
    slugs = [c.slug for c in book.contributions()]
    for index, perspective in enumerate(book.perspectives):
        for key, kind, named, known in (
            ("parts", Message("part"), perspective.parts, titles),
            ("contributions", Message("contribution"), perspective.contributions, slugs),
        ):
            for name in named:
                if name not in known:
                    message = Message(
                        "perspective '{perspective}' names {kind} '{name}', which the outline lacks{hint}",
                        perspective=perspective.key,
                        kind=kind,
                        name=name,
                        hint=did_you_mean(name, known),
                    )
                    diagnostics.error("QZ210", message, locate("perspectives", key, index))
