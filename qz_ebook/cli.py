"""The command line. The only module that prints or exits.

Exit codes: 0 success, 1 build errors or findings, 2 usage errors (click's own),
3 a checker is not installed.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NoReturn

import click

from qz_ebook import __version__
from qz_ebook.build import BuildResult, build, manuscript_status
from qz_ebook.checks.model import ToolMissing, project_root
from qz_ebook.checks.runner import check_outputs
from qz_ebook.checks.screenshots import FOLDER
from qz_ebook.diagnostics import BuildFailed, Diagnostic, Diagnostics, Severity
from qz_ebook.edition.navigation import toc_tree
from qz_ebook.incremental.collector import settle_for_building
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.store import save
from qz_ebook.source.config import load_config
from qz_ebook.source.reader import read_manuscript
from qz_ebook.watch import Watcher, watched_folders
from qz_ebook.writers.registry import writers

BUILD_ERRORS = 1
TOOL_MISSING = 3
REPORT = "a11y-report.html"
CACHE = ".qz-cache"
BOOK_OPTION = click.option(
    "--book",
    "book_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("book"),
    show_default=True,
    help="Folder of the manuscript (with book.toml).",
)


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("dist"),
        show_default=True,
        help=help_text,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qz-ebook")
def main() -> None:
    """qz-ebook: turn a Markdown manuscript into an EPUB 3 and an accessible HTML edition."""


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """The formats ``writers.registry`` lists, and ``all``: asked when the command runs, not at import."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return [*writers(), "all"]

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


def _chosen(output_formats: tuple[str, ...]) -> tuple[str, ...] | None:
    """The formats asked for, in the registry's order (``all``: every one); None for the default ones."""
    if "all" in output_formats:
        return tuple(writers())
    return tuple(name for name in writers() if name in output_formats) or None


STRICT_OPTION = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
NO_CACHE_OPTION = click.option(
    "--no-cache", is_flag=True, help=f"Convert and render everything again, ignoring {CACHE}/."
)


@main.command("build")
@FORMAT_OPTION
@out_option("Folder for the outputs: <name>.epub, html/ and <name>.kepub.epub.")
@BOOK_OPTION
@STRICT_OPTION
@NO_CACHE_OPTION
def build_command(output_formats: tuple[str, ...], out_dir: Path, book_dir: Path, strict: bool, no_cache: bool) -> None:
    """Build the EPUB and the HTML edition, or the formats --format names (kepub, pdf, all).

    Problems are reported as 'path:line:col: error[QZnnn]: message'. On any error
    nothing is written and the previous outputs stay as they were.
    """
    formats = _chosen(output_formats)
    try:
        cache_dir = None if no_cache else Path(CACHE)
        settle_for_building()
        with ProgressLine() as progress:
            result = build(book_dir, out_dir, formats, strict=strict, cache_dir=cache_dir, progress=progress)
    except BuildFailed as failure:
        _fail(failure, strict, "build failed: {} error(s); nothing was written")
    _report(result.diagnostics)
    for output in result.outputs:
        click.echo(f"wrote {output}")
    click.echo(_pages(result, cache_dir))
    click.echo(str(result.summary))


@main.command("watch")
@FORMAT_OPTION
@out_option("Folder for the outputs: <name>.epub, html/ and <name>.kepub.epub.")
@BOOK_OPTION
@STRICT_OPTION
@NO_CACHE_OPTION
def watch_command(output_formats: tuple[str, ...], out_dir: Path, book_dir: Path, strict: bool, no_cache: bool) -> None:
    """Build, then build again whenever a file of the manuscript changes, until Ctrl-C.

    Each build after the first keeps in memory what the last one made, so a
    saved chapter is in the outputs a moment later. A build with errors writes
    nothing: the previous outputs stay, and the next save tries again.
    """
    formats = _chosen(output_formats)
    cache_dir = None if no_cache else Path(CACHE)
    memory = Memory() if cache_dir is not None else None
    settle_for_building()
    watcher = Watcher(ignored=(out_dir,) + ((cache_dir,) if cache_dir is not None else ()))
    changed: tuple[Path, ...] | None = ()

    def stop(_signal: int, _frame: object) -> None:
        if watcher.stopped:
            return  # a second Ctrl-C while stopping: let the cache be saved
        watcher.stop()
        # Ends a build at once. Should a finalizer swallow it (Python ignores
        # exceptions raised in __del__), the watcher has stopped all the same.
        raise KeyboardInterrupt

    # Ctrl-C, and a service manager or CI timeout: end alike, staged files cleaned up.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while changed is not None:
            folders = watched_folders(book_dir)  # book.toml may name other folders after an edit
            if folders != watcher.folders:
                watcher.watch(folders)
                click.echo(f"watching {', '.join(_shown(folder) for folder in folders)}; Ctrl-C stops")
            started = time.monotonic()
            try:
                with ProgressLine() as progress, collector_paused(memory is not None and memory.warm):
                    result = build(book_dir, out_dir, formats, strict, cache_dir, progress=progress, memory=memory)
            except BuildFailed as failure:
                _report(failure.diagnostics)
                click.echo(f"{_trigger(changed)}build failed: {_errors(failure, strict)} error(s); the outputs stay")
            else:
                _report(result.diagnostics)
                seconds = time.monotonic() - started
                click.echo(f"{_trigger(changed)}built in {seconds:.3f} s: {_pages(result, cache_dir)}")
            # While idle: collect all garbage now, then spare the next build's collections
            # from walking everything that stays (the cache memory, above all).
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            changed = watcher.wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
        if cache_dir is not None and memory is not None:
            save(cache_dir, memory)  # for later builds
    click.echo("stopped watching")


@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Keep the garbage collector from running inside the block, when ``pause``.

    A rebuild with the cache in memory makes little garbage, and its collections
    would only walk the new edition again and again; ``watch`` collects while idle.
    """
    if not pause:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _pages(result: BuildResult, cache_dir: Path | None) -> str:
    reused = f", {result.reused} unchanged from {CACHE}/" if cache_dir is not None else ""
    return f"{len(result.rendered)} pages rendered{reused}"


def _trigger(changed: tuple[Path, ...]) -> str:
    """``kapitel-1.md changed: `` before a rebuild's result; nothing before the first build's."""
    if not changed:
        return ""
    more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
    return f"{_shown(changed[0])}{more} changed: "


def _shown(path: Path) -> str:
    """A path relative to the working folder where it lies below it, else as it is."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


@main.command("status")
@BOOK_OPTION
def status_command(book_dir: Path) -> None:
    """Show every contribution: status, print page, words, images without alt text."""
    try:
        report = manuscript_status(book_dir)
    except BuildFailed as failure:
        _fail(failure, False, "status failed: {} error(s) in the manuscript")
    _report(report.diagnostics)
    click.echo(f"{'status':<7} {'page':>4} {'words':>6} {'no-alt':>6}  {'kind':<16} contribution")
    for row in report.rows:
        page = "" if row.page is None else row.page
        click.echo(f"{row.status:<7} {page:>4} {row.words:>6} {row.missing_alt:>6}  {row.kind:<16} {row.source}")
    click.echo(str(report.summary))
    if any(d.severity is Severity.ERROR for d in report.diagnostics):
        raise SystemExit(BUILD_ERRORS)


@main.command("check")
@BOOK_OPTION
@out_option("Folder with the built <name>.epub and html/.")
def check_command(book_dir: Path, out_dir: Path) -> None:
    """Check the built EPUB and HTML edition with EPUBCheck, Ace, axe-core and the Nu checker.

    A built PDF is checked too (PDF/UA with pikepdf). Writes <out>/a11y-report.html for
    reviewers. Exit codes: 0 nothing found, 1 findings (or no build to check), 3 a
    checker is not installed.
    """
    diagnostics = Diagnostics()
    config = load_config(book_dir, diagnostics)
    if config is None:
        _fail(BuildFailed(diagnostics.items), False, "check failed: {} error(s) in book.toml")
    found = writers()  # the checkers are the EPUB's, the HTML edition's and the PDF's
    (epub,), (html,) = found["epub"].outputs(config.settings, out_dir), found["html"].outputs(config.settings, out_dir)
    (pdf,) = found["pdf"].outputs(config.settings, out_dir)
    if not epub.is_file() or not (html / "index.html").is_file():
        click.echo(f"nothing to check in {out_dir}: run 'qz-ebook build' first", err=True)
        raise SystemExit(BUILD_ERRORS)
    try:
        if pdf.is_file():  # its bookmarks are compared with the book's outline
            outline = toc_tree(read_manuscript(book_dir, Diagnostics()).book)
            summary = check_outputs(epub, html, out_dir / REPORT, project_root(), pdf, outline)
        else:
            summary = check_outputs(epub, html, out_dir / REPORT, project_root())
    except ToolMissing as missing:
        click.echo(f"error: {missing}", err=True)
        raise SystemExit(TOOL_MISSING) from None
    click.echo(str(summary))
    click.echo(f"wrote {summary.report}")
    if summary.screenshots:
        folder = summary.report.parent / FOLDER
        click.echo(f"wrote {folder}: {len(summary.screenshots)} screenshots, linked from the report")
    if not summary.passed:
        click.echo(f"check failed: {summary.findings} finding(s); see {summary.report}", err=True)
        raise SystemExit(BUILD_ERRORS)


class ProgressLine:
    """A progress bar on stderr, ``Konvertiert [#####---------------] 250/1000``, once a
    build takes longer than a second; one stage after another (conversion, EPUB, HTML).

    Silent when stderr is not a terminal or in CI, so logs stay clean.
    """

    DELAY = 1.0
    WIDTH = 20
    REDRAW_SECONDS = 0.1  # a terminal need not be told of every one of thousands of pages

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.start = time.monotonic()
        self.drawn = -self.REDRAW_SECONDS
        self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.start <= self.DELAY:
            return
        if done < total and now - self.drawn < self.REDRAW_SECONDS:
            return  # the last of a stage is always drawn
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        # Each line overwrites the last; clear what a longer one left behind.
        click.echo(f"\r{stage} [{bar}] {done}/{total}\033[K", nl=False, err=True)
        self.drawn, self.shown = now, True

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)  # clear the line before the results


def _report(diagnostics: Iterable[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def _fail(failure: BuildFailed, strict: bool, summary: str) -> NoReturn:
    _report(failure.diagnostics)
    click.echo(summary.format(_errors(failure, strict)), err=True)
    raise SystemExit(BUILD_ERRORS)


def _errors(failure: BuildFailed, strict: bool) -> int:
    """How many of the diagnostics failed the build: the errors, and with ``strict`` the warnings too."""
    return sum(d.severity is Severity.ERROR or strict for d in failure.diagnostics)
