"""``init`` and ``status``: starting a book, and how far its contributions are."""

from __future__ import annotations

from pathlib import Path

import click

from qz_ebook.cli.language import language, say
from qz_ebook.cli.options import BOOK_OPTION, BUILD_ERRORS, errors, fail, report
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Location, Severity
from qz_ebook.messages import Message, render
from qz_ebook.starter import LANGUAGES

# The columns of ``status``: heading, width, and whether it is right-aligned.
COLUMNS = (
    (Message("status"), 7, False),
    (Message("page"), 4, True),
    (Message("words"), 6, True),
    (Message("no-alt"), 6, True),
    (Message("kind"), 16, False),
)


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--title", help="The book's title (default: a placeholder in its language).")
@click.option("--author", help="Its author or editor (default: a placeholder).")
@click.option("--language", type=click.Choice(LANGUAGES), default="de", show_default=True, help="Its language.")
def init_command(folder: Path, title: str | None, author: str | None, language: str) -> None:
    """Start a new book in FOLDER (default: here): book.toml, outline, two contributions, cover, stylesheets.

    It builds with --strict and passes check as it is. Nothing is overwritten.
    """
    from qz_ebook.starter import BookExists, new_book

    try:
        made = new_book(folder, language, title, author)
    except BookExists as exists:
        for path in exists.existing:
            message = Message("{file} exists already: init writes a new book only where there is none", file=path.name)
            report([Diagnostic(Severity.ERROR, "QZ008", message, Location(path))])
        raise SystemExit(BUILD_ERRORS) from None
    for path in made.written:
        say(Message("wrote {path}", path=path))
    where = "" if folder == Path(".") else f"cd {folder} && "
    say(Message("next: {commands}", commands=f"{where}qz-ebook build && qz-ebook serve"))


@click.command("status")
@BOOK_OPTION
def status_command(book_dir: Path) -> None:
    """Show every contribution: status, print page, words, images without alt text."""
    from qz_ebook.build import manuscript_status

    try:
        status = manuscript_status(book_dir)
    except BuildFailed as failure:
        fail(failure, Message("status failed: {count} error(s) in the manuscript", count=errors(failure, False)))
    report(status.diagnostics)
    headings = [render(heading, language()) for heading, _, _ in COLUMNS]
    widths = [max(width, len(heading)) for heading, (_, width, _) in zip(headings, COLUMNS, strict=True)]
    click.echo(_row([*headings, render(Message("contribution"), language())], widths))
    for row in status.rows:
        page = "" if row.page is None else row.page
        click.echo(_row([row.status, page, row.words, row.missing_alt, row.kind, row.source], widths))
    say(status.summary.message)
    if any(d.severity is Severity.ERROR for d in status.diagnostics):
        raise SystemExit(BUILD_ERRORS)


def _row(cells: list[object], widths: list[int]) -> str:
    """One line of ``status``: the cells in their columns, the last one as it is."""
    *columns, last = cells
    aligned = [
        f"{cell!s:>{width}}" if right else f"{cell!s:<{width}}"
        for cell, width, (_, _, right) in zip(columns, widths, COLUMNS, strict=True)
    ]
    return " ".join(aligned[:4]) + "  " + aligned[4] + " " + str(last)
