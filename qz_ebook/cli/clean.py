"""``clean``: removing what builds keep besides their outputs, the build cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from qz_ebook.cli.language import language, say
from qz_ebook.cli.options import BUILD_ERRORS, CACHE
from qz_ebook.messages import Message


@click.command("clean")
@click.option("--cache", is_flag=True, help=f"Remove {CACHE}/, where build, watch and serve keep the build cache.")
def clean_command(cache: bool) -> None:
    """Remove the build cache (--cache) of the working folder, and say how much it held.

    The next build converts and renders everything again. The outputs are left alone:
    every build replaces them whole, and --out may name a folder that holds more.
    """
    if not cache:
        # Nothing is removed unless asked for by name: a bare 'clean' must not guess.
        raise click.UsageError(Message("say what to remove: --cache removes {cache}/", cache=CACHE).render(language()))
    folder = Path(CACHE)
    if not folder.is_dir():
        say(Message("no {cache}/ here: nothing to remove", cache=CACHE))
        return
    held = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    try:
        shutil.rmtree(folder)
    except OSError as error:
        say(Message("cannot remove {cache}/: {reason}", cache=CACHE, reason=error.strerror or str(error)), err=True)
        raise SystemExit(BUILD_ERRORS) from None
    say(Message("removed {cache}/: {size:.1f} MB freed", cache=CACHE, size=held / 10**6))
