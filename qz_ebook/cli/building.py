"""``build``, ``watch`` and ``serve``: the commands that build, once or on every save."""

from __future__ import annotations

import signal
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qz_ebook.cli.language import language, say
from qz_ebook.cli.options import (
    BOOK_OPTION,
    CACHE,
    FORMAT_OPTION,
    NO_CACHE_OPTION,
    STRICT_OPTION,
    chosen,
    errors,
    fail,
    out_option,
    report,
)
from qz_ebook.cli.progress import ProgressLine
from qz_ebook.diagnostics import BuildFailed
from qz_ebook.messages import Message

if TYPE_CHECKING:
    from qz_ebook.build import BuildResult
    from qz_ebook.watch import Built, Failed

# The words of the overlay that `serve` shows over an open page when a build fails.
OVERLAY = {
    "title": Message("Build failed: this page shows the last good build"),
    "download": Message("Download the last good EPUB"),
    "close": Message("Close"),
}

# The build machinery is imported when a command runs: `qz-ebook --help` and every
# other command start without it (it takes longer to import than they take to run).


@click.command("build")
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
    from qz_ebook.head_start import head_start

    cache_dir = None if no_cache else Path(CACHE)
    head_start(book_dir, cache_dir)  # beside, while the rest is imported
    from qz_ebook.build import build
    from qz_ebook.incremental.collector import settle_for_building

    formats = chosen(output_formats)
    try:
        settle_for_building()
        with ProgressLine(language()) as progress:
            result = build(book_dir, out_dir, formats, strict=strict, cache_dir=cache_dir, progress=progress)
    except BuildFailed as failure:
        fail(failure, Message("build failed: {count} error(s); nothing was written", count=errors(failure, strict)))
    report(result.diagnostics)
    for output in result.outputs:
        say(Message("wrote {path}", path=output))
    say(_pages(result, cache_dir))
    say(result.summary.message)


@click.command("watch")
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
    _build_on_save(book_dir, out_dir, chosen(output_formats), strict, no_cache)
    say(Message("stopped watching"))


@click.command("serve")
@out_option("Folder for the outputs: <name>.epub and html/, which is served.")
@BOOK_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on; others than loopback warn.")
@click.option("--open", "open_browser", is_flag=True, help="Open the edition in the web browser.")
@STRICT_OPTION
@NO_CACHE_OPTION
def serve_command(
    out_dir: Path, book_dir: Path, port: int, host: str, open_browser: bool, strict: bool, no_cache: bool
) -> None:
    """Build, serve the HTML edition, and build again whenever a file of the manuscript changes, until Ctrl-C.

    Open pages reload after a good build and show a failed one's messages. The EPUB is at /__qz/<name>.epub.
    """
    from qz_ebook.preview import Preview
    from qz_ebook.watch import Built

    try:
        preview = Preview(out_dir / "html", host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        cannot = Message("cannot serve on {host}:{port}: {reason}", host=host, port=port, reason=reason)
        raise click.UsageError(cannot.render(language())) from None
    if not preview.loopback:
        say(
            Message("warning: {host} is not loopback: the edition is reachable from other machines", host=host),
            err=True,
        )

    def served(event: Built | Failed) -> None:
        if isinstance(event, Built):
            preview.built(event.result.outputs)
        else:
            words = {key: text.render(language()) for key, text in OVERLAY.items()}
            preview.failed(tuple(diagnostic.render(language()) for diagnostic in event.failure.diagnostics), words)
        if not preview.running:  # the first build, good or bad: serve from now on
            preview.start()
            say(Message("serving {url} ; Ctrl-C stops", url=preview.url))
            if open_browser:
                webbrowser.open(preview.url)

    with preview:
        _build_on_save(book_dir, out_dir, None, strict, no_cache, served)
    say(Message("stopped serving"))


def _build_on_save(
    book_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...] | None,
    strict: bool,
    no_cache: bool,
    after: Callable[[Built | Failed], None] | None = None,
) -> None:
    """Build, then again on each save until Ctrl-C or SIGTERM; print each outcome, hand it to ``after``.

    The builds share one ``Memory``, saved to the cache once, when they stop."""
    from qz_ebook.build import build
    from qz_ebook.incremental.collector import settle_for_building
    from qz_ebook.incremental.memory import Memory
    from qz_ebook.incremental.store import save
    from qz_ebook.watch import Failed, Watcher, Watching, collector_paused, rebuilds, shown, triggered

    cache_dir = None if no_cache else Path(CACHE)
    memory = Memory() if cache_dir is not None else None
    settle_for_building()
    watcher = Watcher(ignored=(out_dir,) + ((cache_dir,) if cache_dir is not None else ()))

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

    def build_once() -> BuildResult:
        with ProgressLine(language()) as progress, collector_paused(memory is not None and memory.warm):
            return build(book_dir, out_dir, formats, strict, cache_dir, progress=progress, memory=memory)

    try:
        for event in rebuilds(book_dir, watcher, build_once):
            if isinstance(event, Watching):
                folders = ", ".join(shown(folder) for folder in event.folders)
                say(Message("watching {folders}; Ctrl-C stops", folders=folders))
                continue
            if isinstance(event, Failed):
                report(event.failure.diagnostics)
                count = errors(event.failure, strict)
                outcome = Message("build failed: {count} error(s); the outputs stay", count=count)
            else:
                report(event.result.diagnostics)
                outcome = Message(
                    "built in {seconds:.3f} s: {pages}", seconds=event.seconds, pages=_pages(event.result, cache_dir)
                )
            say(triggered(event.changed, outcome))
            if after is not None:
                after(event)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
        if cache_dir is not None and memory is not None:
            save(cache_dir, memory)  # for later builds


def _pages(result: BuildResult, cache_dir: Path | None) -> Message:
    rendered = len(result.rendered)
    if cache_dir is None:
        return Message("{rendered} pages rendered", rendered=rendered)
    return Message(
        "{rendered} pages rendered, {reused} unchanged from {cache}/",
        rendered=rendered,
        reused=result.reused,
        cache=CACHE,
    )
