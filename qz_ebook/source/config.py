"""Read ``book.toml``: the book's metadata and its build settings."""

from __future__ import annotations

import mimetypes
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qz_ebook.characters import Findings, Keys, tainted
from qz_ebook.diagnostics import Diagnostics, Location, Severity, did_you_mean
from qz_ebook.messages import Message, Text
from qz_ebook.model import (
    Accessibility,
    Asset,
    BookMeta,
    BuildSettings,
    CacheSettings,
    Creator,
    Limits,
    Perspective,
    PrintEdition,
    Words,
)
from qz_ebook.source import schema
from qz_ebook.source.interface import interface_words
from qz_ebook.source.schema import Field

DATE = schema.matches(r"\d{4}(-\d{2}(-\d{2})?)?", Message("a date as YYYY, YYYY-MM or YYYY-MM-DD"))
TIMESTAMP = schema.matches(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", Message("a UTC time as YYYY-MM-DDThh:mm:ssZ"))
NAME = schema.matches(r"[a-z0-9][a-z0-9._-]*", Message("a file name of lower-case letters, digits, '.', '_' and '-'"))


def _table(value: Any) -> Text | None:
    return None if isinstance(value, dict) else Message("a table")


def _tables(value: Any) -> Text | None:
    ok = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    return None if ok else Message("a list of tables ({example})", example="[[book.creators]]")


def _optional_tables(value: Any) -> Text | None:
    ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return None if ok else Message("a list of tables ({example})", example="[[perspectives]]")


TOP = {
    "book": Field(_table, required=True),
    "build": Field(_table, required=True),
    "perspectives": Field(_optional_tables),
    "accessibility": Field(_table, required=True),
    "interface": Field(_table),
    "limits": Field(_table),
    "cache": Field(_table),
}
ACCESSIBILITY = {
    "summary": Field(schema.text, required=True),
    "certified_by": Field(schema.text),
    "features": Field(schema.list_of(schema.text, Message("a list of schema.org accessibilityFeature values"))),
}
BOOK = {
    "title": Field(schema.text, required=True),
    "subtitle": Field(schema.text),
    "language": Field(
        schema.matches(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*", Message("a BCP 47 language tag")), required=True
    ),
    "identifier": Field(schema.text, required=True),
    "date": Field(DATE, required=True),
    "creators": Field(_tables, required=True),
    "publisher": Field(schema.text),
    "rights": Field(schema.text),
    "description": Field(schema.text),
    "modified": Field(TIMESTAMP),
    "print_edition": Field(_table),
}
CREATOR = {
    "name": Field(schema.text, required=True),
    "role": Field(schema.matches(r"[a-z]{3}", Message("a three-letter MARC relator code")), required=True),
}
PRINT_EDITION = {
    "title": Field(schema.text, required=True),
    "year": Field(schema.whole_number),
    "identifier": Field(schema.text),
}
PERSPECTIVE = {
    "key": Field(
        schema.matches(r"[a-z][a-z0-9-]*", Message("lower-case ASCII letters, digits and '-'")), required=True
    ),
    "label": Field(schema.text, required=True),
    "description": Field(schema.text, required=True),
    "parts": Field(schema.list_of(schema.text, Message("a list of part titles from the outline"))),
    "contributions": Field(schema.list_of(schema.text, Message("a list of contribution slugs"))),
}
BUILD = {
    "name": Field(NAME, required=True),
    "outline": Field(schema.text),
    "assets": Field(schema.text),
    "cover": Field(schema.text, required=True),
    "cover_alt": Field(schema.text, required=True),
    "epub_stylesheet": Field(schema.text, required=True),
    "html_stylesheet": Field(schema.text, required=True),
    "draft_note": Field(schema.text),
    "print_stylesheet": Field(schema.text),
    "page_size": Field(schema.one_of("A4", "A5")),
}
# Deeper nesting than this breaks the PDF (WeasyPrint's recursion) whatever the elements.
MAX_DEPTH = 40
LIMITS = {
    "depth": Field(schema.whole_number_between(1, MAX_DEPTH)),
    "footnotes": Field(schema.whole_number_between(1)),
    "table_rows": Field(schema.whole_number_between(1)),
    "table_columns": Field(schema.whole_number_between(1)),
    "line_length": Field(schema.whole_number_between(1)),
    "file_mb": Field(schema.whole_number_between(1)),
}
CACHE = {"keep_builds": Field(schema.whole_number_between(1))}

DEFAULT_OUTLINE = "SUMMARY.md"


class TomlLocator:
    """Finds the line of a table or key in a TOML text (tomllib keeps no positions).

    ``index`` picks one table of an array of tables (``[[book.creators]]``).
    """

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def __call__(self, table: str, key: str | None = None, index: int = 0) -> Location:
        current, seen = "", -1
        header_line = 1
        dotted_key = f"{table}.{key}" if table else key
        for number, line in enumerate(self.lines, start=1):
            header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", line)
            if header:
                current = header.group(1)
                if current == dotted_key:
                    return Location(self.path, number, 1)  # the key is a table of its own
                if current == table:
                    seen += 1
                    if seen == index:
                        header_line = number
                continue
            inside = current == table and seen == index
            if key and inside and re.match(rf"\s*{re.escape(key)}\s*=", line):
                return Location(self.path, number, len(line) - len(line.lstrip()) + 1)
        return Location(self.path, header_line, 1)


@dataclass(frozen=True)
class Config:
    """What ``book.toml`` says; ``locate`` finds its keys again for later messages."""

    meta: BookMeta
    settings: BuildSettings
    outline: Path
    perspectives: tuple[Perspective, ...]
    words: Words
    locate: TomlLocator


def declared_language(book_dir: Path) -> str | None:
    """The ``[book] language`` that ``book_dir/book.toml`` says, before anything is checked; None when it
    says none (``load_config`` reports what is wrong). Known early, work for that language may start early."""
    try:
        language = tomllib.loads((book_dir / "book.toml").read_text(encoding="utf-8"))["book"]["language"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return None
    return language if isinstance(language, str) else None


def load_config(book_dir: Path, diagnostics: Diagnostics) -> Config | None:
    """Read ``book_dir/book.toml``; report problems and return None when it is unusable."""
    path = book_dir / "book.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        diagnostics.error("QZ005", Message("no book.toml in '{folder}'", folder=book_dir), Location(path))
        return None
    except UnicodeDecodeError as exc:
        diagnostics.error("QZ207", Message("book.toml is not UTF-8 ({reason})", reason=exc.reason), Location(path))
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = _split_toml_error(exc)
        problem = Message("book.toml is not valid TOML: {problem}", problem=message)
        diagnostics.error("QZ001", problem, Location(path, line, col))
        return None

    where = TomlLocator(path, text)
    errors_before = len(diagnostics.items)
    _check_characters(data, where, diagnostics)
    top = _check(data, TOP, "", where, diagnostics)
    book = _check(top.get("book", {}), BOOK, "book", where, diagnostics)
    build = _check(top.get("build", {}), BUILD, "build", where, diagnostics)
    creators = [
        _check(c, CREATOR, "book.creators", where, diagnostics, index=i) for i, c in enumerate(book.get("creators", []))
    ]
    edition = (
        _check(book["print_edition"], PRINT_EDITION, "book.print_edition", where, diagnostics)
        if "print_edition" in book
        else {}
    )
    accessibility = _check(top.get("accessibility", {}), ACCESSIBILITY, "accessibility", where, diagnostics)
    limits = _check(top.get("limits", {}), LIMITS, "limits", where, diagnostics)
    cache = _check(top.get("cache", {}), CACHE, "cache", where, diagnostics)
    perspectives = [
        _check(p, PERSPECTIVE, "perspectives", where, diagnostics, index=i)
        for i, p in enumerate(top.get("perspectives", []))
    ]
    if "language" in book:
        words = interface_words(
            book["language"],
            top.get("interface", {}),
            lambda key: where("interface", key) if key else where("book", "language"),
            diagnostics,
        )
    if any(d.severity is Severity.ERROR for d in diagnostics.items[errors_before:]):
        return None

    meta = BookMeta(
        title=book["title"],
        subtitle=book.get("subtitle"),
        language=book["language"],
        identifier=book["identifier"],
        date=book["date"],
        creators=tuple(Creator(c["name"], c["role"]) for c in creators),
        publisher=book.get("publisher"),
        rights=book.get("rights"),
        description=book.get("description"),
        modified=book.get("modified"),
        print_edition=PrintEdition(edition["title"], edition.get("year"), edition.get("identifier"))
        if edition
        else None,
        accessibility=Accessibility(
            accessibility["summary"], accessibility.get("certified_by"), tuple(accessibility.get("features", []))
        ),
    )
    files = {
        key: _existing_file(book_dir, build.get(key), default, where("build", key), diagnostics)
        for key, default in (
            ("outline", DEFAULT_OUTLINE),
            ("cover", None),
            ("epub_stylesheet", None),
            ("html_stylesheet", None),
        )
    }
    found = {key: path for key, path in files.items() if path is not None}
    cover = found.get("cover")
    cover_type = mimetypes.guess_type(str(cover))[0] if cover else None
    if cover and cover_type not in ("image/jpeg", "image/png"):
        diagnostics.error("QZ004", Message("build.cover must be a JPEG or PNG image"), where("build", "cover"))
    assets = book_dir / build["assets"] if "assets" in build else None
    if assets is not None and not assets.is_dir():
        missing = Message("folder '{folder}' does not exist", folder=build["assets"])
        diagnostics.error("QZ005", missing, where("build", "assets"))
    print_stylesheet = (
        _existing_file(book_dir, build["print_stylesheet"], None, where("build", "print_stylesheet"), diagnostics)
        if "print_stylesheet" in build
        else None
    )
    if cover is None or len(found) < len(files) or diagnostics.failed:
        return None
    settings = BuildSettings(
        name=build["name"],
        cover=Asset(cover, "images/cover" + cover.suffix.lower(), str(cover_type)),
        cover_alt=build["cover_alt"],
        epub_stylesheet=found["epub_stylesheet"],
        html_stylesheet=found["html_stylesheet"],
        draft_note=build.get("draft_note"),
        assets=assets,
        print_stylesheet=print_stylesheet,
        page_size=build.get("page_size", "A4"),
        limits=Limits(**limits),
        cache=CacheSettings(**cache),
    )
    return Config(
        meta,
        settings,
        found["outline"],
        tuple(
            Perspective(
                p["key"], p["label"], p["description"], tuple(p.get("parts", [])), tuple(p.get("contributions", []))
            )
            for p in perspectives
        ),
        words,
        where,
    )


def _check(
    values: Mapping[str, Any],
    fields: Mapping[str, Field],
    table: str,
    where: TomlLocator,
    diagnostics: Diagnostics,
    index: int = 0,
) -> dict[str, Any]:
    dotted = f"{table}." if table else ""

    def report(problem: str, key: str, expected: Text) -> None:
        name = f"{dotted}{key}"
        if problem == schema.UNKNOWN:
            hint = did_you_mean(key, fields)
            message = Message("unknown key '{key}' in book.toml{hint}", key=name, hint=hint)
            diagnostics.error("QZ003", message, where(table, key, index))
        elif problem == schema.MISSING:
            diagnostics.error("QZ002", Message("book.toml needs '{key}'", key=name), where(table, index=index))
        else:
            message = Message("'{key}' must be {expected}", key=name, expected=expected)
            diagnostics.error("QZ004", message, where(table, key, index))

    return schema.validate(values, fields, report)


def _check_characters(data: dict[str, Any], where: TomlLocator, diagnostics: Diagnostics) -> None:
    """Report the characters XML forbids in book.toml's strings (TOML writes them as escapes) at their keys."""
    with Findings(diagnostics) as forbidden:
        for keys, value in tainted(data):
            forbidden.string(value, where(*_toml_place(keys)))


def _toml_place(keys: Keys) -> tuple[str, str, int]:
    """The table, key and index by which ``TomlLocator`` finds the value at ``keys`` of the parsed TOML.

    ``("book", "creators", 0, "name")`` is key ``name`` of the first ``[[book.creators]]``,
    ``("perspectives", 1, "parts", 2)`` key ``parts`` of the second ``[[perspectives]]``.
    """
    *table, key = [i for i, k in enumerate(keys) if isinstance(k, str)]
    after = table[-1] + 1 if table else 0
    index = keys[after] if after < key and isinstance(keys[after], int) else 0
    return ".".join(str(keys[i]) for i in table), str(keys[key]), int(index)


def _existing_file(
    book_dir: Path, value: str | None, default: str | None, location: Location, diagnostics: Diagnostics
) -> Path | None:
    relative = value or default
    if relative is None:
        return None
    path = book_dir / relative
    if not path.is_file():
        diagnostics.error("QZ005", Message("file '{file}' does not exist", file=relative), location)
        return None
    return path


def _split_toml_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int, int]:
    # Before Python 3.14, tomllib only puts the position into the message text.
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)", str(exc))
    if not found:
        return str(exc), 1, 1
    return str(exc)[: found.start()], int(found.group(1)), int(found.group(2))
