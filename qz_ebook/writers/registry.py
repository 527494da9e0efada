"""The formats ``qz-ebook build --format`` offers: the built-in writers, then any registered.

A format from outside the package is registered through the entry-point group
``qz_ebook.writers`` (an installed package's ``[project.entry-points."qz_ebook.writers"]``
naming a ``Writer`` subclass or instance), or in-process with ``register``.
"""

from __future__ import annotations

import importlib.metadata

from qz_ebook.writers.base import Writer
from qz_ebook.writers.epub import EpubWriter
from qz_ebook.writers.html import HtmlWriter
from qz_ebook.writers.kepub import KepubWriter
from qz_ebook.writers.pdf import PdfWriter

ENTRY_POINTS = "qz_ebook.writers"

_registered: dict[str, Writer] = {
    writer.name: writer for writer in (EpubWriter(), HtmlWriter(), KepubWriter(), PdfWriter())
}
_loaded = False


def register(writer: Writer) -> Writer:
    """Make ``writer`` a format of ``qz-ebook build``; one of the same name before it is replaced."""
    _registered[writer.name] = writer
    return writer


def writers() -> dict[str, Writer]:
    """Every format by name, in the order they render: the built-in ones first."""
    global _loaded
    if not _loaded:  # entry points are looked up once: it reads every installed package's metadata
        _loaded = True
        for entry in importlib.metadata.entry_points(group=ENTRY_POINTS):
            found = entry.load()
            register(found() if isinstance(found, type) else found)
    return dict(_registered)
