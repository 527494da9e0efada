"""``check``: the built outputs against the field's validators, with reports for people and CI."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from qz_ebook.checks import ci_reports
from qz_ebook.checks.model import CHROMIUM, ToolMissing, install_line
from qz_ebook.cli.language import say
from qz_ebook.cli.options import BOOK_OPTION, BUILD_ERRORS, TOOL_MISSING, errors, fail, out_option
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.messages import Message

REPORT = "a11y-report.html"


@click.command("check")
@BOOK_OPTION
@out_option("Folder with the built <name>.epub, html/, <name>.kepub.epub and <name>.pdf.")
@click.option(
    "--report",
    "report_forms",
    type=click.Choice(ci_reports.FORMS),
    multiple=True,
    help=f"Also report for CI: json ({ci_reports.JSON_NAME}), junit ({ci_reports.JUNIT_NAME}), github "
    "(workflow commands on stdout). Give it again for more than one.",
)
def check_command(book_dir: Path, out_dir: Path, report_forms: tuple[str, ...]) -> None:
    """Check the built outputs: the EPUB with EPUBCheck 5 and 4.2.6 and Ace, the kepub with
    both EPUBChecks, the HTML edition with axe-core and the Nu checker, the PDF against PDF/UA.

    A format that was not built is skipped, and said so. Writes <out>/a11y-report.html for
    reviewers, and with --report the CI reports. Exit codes: 0 nothing found, 1 findings
    (or nothing built to check), 3 a checker is not installed.
    """
    from qz_ebook.checks.runner import built_outputs, check_built
    from qz_ebook.checks.screenshots import FOLDER
    from qz_ebook.checks.tools import tools_root
    from qz_ebook.edition.navigation import toc_tree
    from qz_ebook.output import write_file
    from qz_ebook.source.config import load_config
    from qz_ebook.source.reader import read_manuscript
    from qz_ebook.writers.registry import writers

    diagnostics = Diagnostics()
    config = load_config(book_dir, diagnostics)
    if config is None:
        failure = BuildFailed(diagnostics.items)
        fail(failure, Message("check failed: {count} error(s) in book.toml", count=errors(failure, False)))
    # The checkers are the EPUB's, the kepub's, the HTML edition's and the PDF's.
    settings, found = config.settings, writers()
    epub, kepub, html, pdf = (found[name].outputs(settings, out_dir)[0] for name in ("epub", "kepub", "html", "pdf"))
    outputs, skipped = built_outputs(epub, kepub, html, pdf)
    for skip in skipped:
        say(skip.message)
    if not outputs:
        say(Message("nothing to check in {folder}: run 'qz-ebook build' first", folder=out_dir), err=True)
        raise SystemExit(BUILD_ERRORS)
    # The PDF's bookmarks are compared with the book's outline.
    outline = toc_tree(read_manuscript(book_dir, Diagnostics()).book) if outputs.pdf is not None else ()
    try:
        summary = check_built(outputs, out_dir / REPORT, tools_root(), outline, skipped)
    except ToolMissing as missing:
        say(Message("error: {problem}", problem=missing.message), err=True)
        raise SystemExit(TOOL_MISSING) from None
    for tool_line in summary.lines():
        say(tool_line)
    say(Message("wrote {path}", path=summary.report))
    if summary.screenshots:
        folder, count = summary.report.parent / FOLDER, len(summary.screenshots)
        say(Message("wrote {path}: {count} screenshots, linked from the report", path=folder, count=count))
    for name, data in ci_reports.report_files(report_forms, summary.results, summary.skipped).items():
        write_file(out_dir / name, data)
        say(Message("wrote {path}", path=out_dir / name))
    for line in ci_reports.github_annotations(summary.results, Path.cwd()) if "github" in report_forms else ():
        click.echo(line)  # for GitHub Actions to read: as the tools said it
    if not summary.passed:
        failed = Message(
            "check failed: {count} finding(s); see {report}", count=summary.findings, report=summary.report
        )
        say(failed, err=True)
        raise SystemExit(BUILD_ERRORS)


@click.group("tools")
def tools_command() -> None:
    """The checkers' own tools: the npm packages (Ace, vnu.jar, axe-core) in a user cache folder."""


@tools_command.command("install")
def tools_install_command() -> None:
    """Install the npm packages from qz-ebook's lock file (into $QZ_EBOOK_CACHE or ~/.cache/qz-ebook).

    Java and Chromium come from the system: a missing one is named with the line that installs it.
    """
    from qz_ebook.checks.tools import install_node_tools

    try:
        folder = install_node_tools()
    except ToolMissing as missing:
        say(Message("error: {problem}", problem=missing.message), err=True)
        raise SystemExit(TOOL_MISSING) from None
    except RuntimeError as failed:
        say(Message("error: {problem}", problem=failed.args[0] if failed.args else failed), err=True)
        raise SystemExit(BUILD_ERRORS) from None
    say(Message("installed the npm tools in {folder}", folder=folder / "node_modules"))
    for tool, found in (("Java", shutil.which("java")), ("Chromium", CHROMIUM.is_file())):
        if not found:
            say(Message("{tool} is missing too: {command}", tool=tool, command=install_line(tool)), err=True)
