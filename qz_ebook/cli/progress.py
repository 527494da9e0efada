"""The progress bar of a long build, on a terminal only."""

from __future__ import annotations

import os
import sys
import time

import click

from qz_ebook.messages import ENGLISH, Text, render


class ProgressLine:
    """A progress bar on stderr, ``Converting [#####---------------] 250/1000``, once a
    build takes longer than a second; one stage after another (conversion, EPUB, HTML).

    Silent when stderr is not a terminal or in CI, so logs stay clean.
    """

    DELAY = 1.0
    WIDTH = 20
    REDRAW_SECONDS = 0.1  # a terminal need not be told of every one of thousands of pages

    def __init__(self, language: str = ENGLISH) -> None:
        self.language = language  # of the stages' names
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.start = time.monotonic()
        self.drawn = -self.REDRAW_SECONDS
        self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __call__(self, stage: Text, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.start <= self.DELAY:
            return
        if done < total and now - self.drawn < self.REDRAW_SECONDS:
            return  # the last of a stage is always drawn
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        # Each line overwrites the last; clear what a longer one left behind.
        click.echo(f"\r{render(stage, self.language)} [{bar}] {done}/{total}\033[K", nl=False, err=True)
        self.drawn, self.shown = now, True

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)  # clear the line before the results
