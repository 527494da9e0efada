"""``init`` and ``status``: starting a book, and how far its contributions are."""

from __future__ import annotations

from pathlib import Path

import click

from qz_ebook.cli.options import BOOK_OPTION, BUILD_ERRORS, fail, report
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Location, Severity
from qz_ebook.starter import LANGUAGES


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
            message = f"{path.name} exists already: init writes a new book only where there is none"
            click.echo(str(Diagnostic(Severity.ERROR, "QZ008", message, Location(path))), err=True)
        raise SystemExit(BUILD_ERRORS) from None
    for path in made.written:
        click.echo(f"wrote {path}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"next: {where}qz-ebook build && qz-ebook serve")


@click.command("status")
@BOOK_OPTION
def status_command(book_dir: Path) -> None:
    """Show every contribution: status, print page, words, images without alt text."""
    from qz_ebook.build import manuscript_status

    try:
        status = manuscript_status(book_dir)
    except BuildFailed as failure:
        fail(failure, False, "status failed: {} error(s) in the manuscript")
    report(status.diagnostics)
    click.echo(f"{'status':<7} {'page':>4} {'words':>6} {'no-alt':>6}  {'kind':<16} contribution")
    for row in status.rows:
        page = "" if row.page is None else row.page
        click.echo(f"{row.status:<7} {page:>4} {row.words:>6} {row.missing_alt:>6}  {row.kind:<16} {row.source}")
    click.echo(str(status.summary))
    if any(d.severity is Severity.ERROR for d in status.diagnostics):
        raise SystemExit(BUILD_ERRORS)
