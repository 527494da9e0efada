"""``qz-ebook init``: a new book that builds with ``--strict`` and passes ``check``.

It writes ``book.toml`` (every required key, with comments), the outline, two
contributions, a cover drawn on the spot and the default stylesheets, in German or
English. Nothing is overwritten: when any of these files exists, nothing is written.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

LANGUAGES = ("de", "en")
STYLESHEETS = ("epub.css", "html.css", "print.css")
COVER = Path("bilder/umschlag.png")


class BookExists(Exception):
    """A file ``init`` would write is there already."""

    def __init__(self, existing: tuple[Path, ...]) -> None:
        self.existing = existing
        super().__init__(f"{len(existing)} file(s) of a book exist already")


@dataclass(frozen=True)
class NewBook:
    """What ``init`` wrote, and whether the cover carries the title."""

    folder: Path
    written: tuple[Path, ...]
    cover_has_title: bool


def new_book(folder: Path, language: str, title: str | None = None, author: str | None = None) -> NewBook:
    """Write a new book into ``folder`` (made if missing). Raises ``BookExists`` and writes nothing
    when one of its files exists; ``ValueError`` for a language without starter texts."""
    from qz_ebook.convert.slugs import slugify
    from qz_ebook.output import Staging
    from qz_ebook.starter.cover import draw_cover

    if language not in LANGUAGES:
        raise ValueError(f"init writes books in {' or '.join(LANGUAGES)}, not {language!r}")
    words = _words(language)
    title = title or words["title"]
    author = author or words["author"]
    cover, cover_has_title = draw_cover(title, author)
    alt = words["cover_alt"].format(title=title, author=author) if cover_has_title else words["cover_alt_plain"]
    context = {
        "title": title,
        "author": author,
        "language": language,
        "identifier": f"urn:uuid:{uuid.uuid4()}",  # a new book's own; kept from here on
        "year": str(datetime.now(UTC).year),
        "name": slugify(title) or "buch",
        "words": {**words, "cover_alt": alt},
    }
    chapters = Path(words["folder"])
    files: dict[Path, bytes] = {
        Path("book.toml"): _render("book.toml.j2", context),
        Path("SUMMARY.md"): _render("SUMMARY.md.j2", context),
        chapters / f"{words['first_file']}.md": _render(f"{language}/first.md.j2", context),
        chapters / f"{words['second_file']}.md": _render(f"{language}/second.md.j2", context),
        COVER: cover,
        **{Path("css") / name: _starter_file(f"css/{name}") for name in STYLESHEETS},
    }
    existing = tuple(folder / relative for relative in files if (folder / relative).exists())
    if existing:
        raise BookExists(existing)
    with Staging() as staging:  # all of it or, should a write fail, none
        for relative, data in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with staging.file(path) as stream:
                stream.write(data)
        staging.commit()
    return NewBook(folder, tuple(folder / relative for relative in files), cover_has_title)


def _words(language: str) -> dict[str, str]:
    words: dict[str, str] = tomllib.loads(_starter_file(f"{language}/starter.toml").decode("utf-8"))
    return words


def _starter_file(name: str) -> bytes:
    return resources.files("qz_ebook.starter").joinpath("files", *name.split("/")).read_bytes()


def _render(name: str, context: dict[str, Any]) -> bytes:
    from jinja2 import Environment, StrictUndefined

    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    # A JSON string is a TOML basic string and a YAML double-quoted scalar alike (\uXXXX escapes included).
    environment.filters["quoted"] = lambda value: json.dumps(value, ensure_ascii=False)
    template = _starter_file(name).decode("utf-8")
    return environment.from_string(template).render(**context).encode("utf-8")
