"""What the commands share: exit codes, options, and how problems are printed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

import click

from qz_ebook.cli.language import language, say
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Severity
from qz_ebook.messages import Text

BUILD_ERRORS = 1
TOOL_MISSING = 3
CACHE = ".qz-cache"


def _default_book() -> Path:
    """The working folder when it holds a book (as ``init`` makes it), else its ``book/``."""
    return Path(".") if Path("book.toml").is_file() else Path("book")


BOOK_OPTION = click.option(
    "--book",
    "book_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=_default_book,
    show_default="the working folder if it holds book.toml, else book",
    help="Folder of the manuscript (with book.toml).",
)


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--out``, the outputs' folder, described for the command at hand."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("dist"),
        show_default=True,
        help=help_text,
    )


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """The formats ``writers.registry`` lists, and ``all``: asked when the command runs, not at import."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return [*_format_names(), "all"]

    @choices.setter
    def choices(self, _given: object) -> None:
        pass  # click's __init__ sets them; they come from the registry instead


FORMAT_OPTION = click.option(
    "--format",
    "output_formats",
    type=FormatChoice(),
    multiple=True,
    help="Which output to build; give it again for more than one. Without it: the EPUB and the HTML edition.",
)


def chosen(output_formats: tuple[str, ...]) -> tuple[str, ...] | None:
    """The formats asked for, in the registry's order (``all``: every one); None for the default ones."""
    names = _format_names()
    if "all" in output_formats:
        return names
    return tuple(name for name in names if name in output_formats) or None


def _format_names() -> tuple[str, ...]:
    """The registry's formats; its writers (Jinja2 and the rest) are imported only when asked."""
    from qz_ebook.writers.registry import writers

    return tuple(writers())


STRICT_OPTION = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
NO_CACHE_OPTION = click.option(
    "--no-cache", is_flag=True, help=f"Convert and render everything again, ignoring {CACHE}/."
)


def report(diagnostics: Iterable[Diagnostic]) -> None:
    """Each diagnostic on stderr, one line each, in the command's language."""
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(language()), err=True)


def fail(failure: BuildFailed, summary: Text) -> NoReturn:
    """Print the failure's diagnostics and then ``summary``; exit 1."""
    report(failure.diagnostics)
    say(summary, err=True)
    raise SystemExit(BUILD_ERRORS)


def errors(failure: BuildFailed, strict: bool) -> int:
    """How many of the diagnostics failed the build: the errors, and with ``strict`` the warnings too."""
    return sum(d.severity is Severity.ERROR or strict for d in failure.diagnostics)
