"""The command line. The only package that prints or exits.

Exit codes: 0 success, 1 build errors or findings, 2 usage errors (click's own),
3 a checker is not installed. Every line is in one language (``cli.language``).
"""

from __future__ import annotations

import click

from qz_ebook import __version__
from qz_ebook.cli.book import init_command, status_command
from qz_ebook.cli.building import build_command, serve_command, watch_command
from qz_ebook.cli.check import check_command, tools_command
from qz_ebook.cli.clean import clean_command
from qz_ebook.cli.language import LANG_OPTION, remember
from qz_ebook.cli.progress import ProgressLine

__all__ = ["ProgressLine", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qz-ebook")
@LANG_OPTION
def main(lang: str | None) -> None:
    """qz-ebook: turn a Markdown manuscript into an EPUB 3 and an accessible HTML edition."""
    remember(lang)


for command in (
    build_command,
    check_command,
    clean_command,
    init_command,
    serve_command,
    status_command,
    tools_command,
    watch_command,
):
    main.add_command(command)
