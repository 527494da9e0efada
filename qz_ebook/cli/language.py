"""The command line's one language, and how its lines are shown in it.

``--lang`` chooses it; else ``QZ_EBOOK_LANG`` (which pins logs to one language: a
value without a catalogue means English); else the book's language (``book.language``
in ``--book``'s book.toml, or ``init --language``) when there is a catalogue for it;
else English. It is chosen once per command, at its first line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click

from qz_ebook.messages import ENGLISH, languages, render, supported

ENVIRONMENT = "QZ_EBOOK_LANG"
CHOSEN = "qz_ebook.lang"  # the root context's meta: what --lang said
SETTLED = "qz_ebook.language"  # the root context's meta: the language of this command

LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(languages()),
    default=None,
    help=f"The language of every message (default: ${ENVIRONMENT}, else the book's language if listed, else en).",
)


def remember(lang: str | None) -> None:
    """Keep what ``--lang`` said for the command that follows."""
    click.get_current_context().find_root().meta[CHOSEN] = lang


def language() -> str:
    """The language of the command running now (English outside a command)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return ENGLISH
    root = context.find_root()
    if SETTLED not in root.meta:
        root.meta[SETTLED] = choose(root.meta.get(CHOSEN), os.environ.get(ENVIRONMENT), context.params)
    return str(root.meta[SETTLED])


def choose(lang: str | None, environment: str | None, params: Mapping[str, object]) -> str:
    """``--lang``, else the environment's, else the book's (``book_dir`` or init's ``language``), else English."""
    if lang:
        return lang
    if environment:
        return supported(environment) or ENGLISH
    given = params.get("language")
    if isinstance(given, str):
        return supported(given) or ENGLISH
    book_dir = params.get("book_dir")
    return (book_language(book_dir) if isinstance(book_dir, Path) else None) or ENGLISH


def book_language(book_dir: Path) -> str | None:
    """The primary subtag of ``book.language`` in ``book_dir``'s book.toml when it has a catalogue; None when
    book.toml is missing or broken (the build says so)."""
    import tomllib

    try:
        with (book_dir / "book.toml").open("rb") as file:
            tag = tomllib.load(file)["book"]["language"]
    except (OSError, ValueError, KeyError, TypeError):  # ValueError: not UTF-8, not TOML
        return None
    return supported(tag) if isinstance(tag, str) else None


def say(text: object, err: bool = False) -> None:
    """One line in the command's language, on stdout (or stderr)."""
    click.echo(render(text, language()), err=err)
