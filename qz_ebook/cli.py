"""The command line. The only module that prints or exits.

Exit codes: 0 success, 1 build errors, 2 usage errors (click's own).
"""

from __future__ import annotations

from pathlib import Path

import click

from qz_ebook import __version__
from qz_ebook.build import FORMATS, build
from qz_ebook.diagnostics import BuildFailed, Severity

BUILD_ERRORS = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qz-ebook")
def main() -> None:
    """qz-ebook: turn a Markdown manuscript into an EPUB 3 and an accessible HTML edition."""


@main.command("build")
@click.option(
    "--format",
    "output_format",
    type=click.Choice([*FORMATS, "all"]),
    default="all",
    show_default=True,
    help="Which output to build.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder for the outputs: <name>.epub and html/.",
)
@click.option(
    "--book",
    "book_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("book"),
    show_default=True,
    help="Folder of the manuscript (with book.toml).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build_command(output_format: str, out_dir: Path, book_dir: Path, strict: bool) -> None:
    """Build the EPUB and/or the HTML edition from the manuscript.

    Problems are reported as 'path:line:col: error[QZnnn]: message'. On any error
    nothing is written and the previous outputs stay as they were.
    """
    formats = FORMATS if output_format == "all" else (output_format,)
    try:
        result = build(book_dir, out_dir, formats, strict=strict)
    except BuildFailed as failure:
        for diagnostic in failure.diagnostics:
            click.echo(str(diagnostic), err=True)
        errors = sum(d.severity is Severity.ERROR or strict for d in failure.diagnostics)
        click.echo(f"build failed: {errors} error(s); nothing was written", err=True)
        raise SystemExit(BUILD_ERRORS) from None
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    for output in result.outputs:
        click.echo(f"wrote {output}")
    click.echo(str(result.summary))
