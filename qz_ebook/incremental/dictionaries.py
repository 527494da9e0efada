"""Hyphenation dictionaries kept ready beside the build cache.

pyphen parses a dictionary's patterns in Python each time a process first needs it:
German takes 0.6–0.9 s, most of a one-chapter rebuild in a new process. The parsed
dictionary is kept, compressed and pickled, in the cache folder, named by pyphen's
version, the dictionary's language and ``LAYOUT``; loading it again takes a few hundredths of a second.
"""

from __future__ import annotations

import importlib.metadata
import os
import pickle
import tempfile
import zlib
from pathlib import Path

import pyphen

from qz_ebook.convert.hyphenation import DictionaryLoader, load_dictionary

UNREADABLE = (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError)
# How ``load_dictionary`` leaves a dictionary, in the kept file's name: 2, with its patterns' values shared.
LAYOUT = 2


def kept_in(folder: Path) -> DictionaryLoader:
    """A loader that reads the dictionaries kept in ``folder``, and keeps there those it had to parse."""

    def load(language: str) -> pyphen.Pyphen | None:
        found = pyphen.language_fallback(language.replace("-", "_"))
        if found is None:
            return None
        path = folder / f"hyphenation-{found}-pyphen-{importlib.metadata.version('pyphen')}-{LAYOUT}.pickle.z"
        try:
            kept = pickle.loads(zlib.decompress(path.read_bytes()))
        except UNREADABLE:
            kept = None  # not kept yet, or written by something else: parsed again below
        if isinstance(kept, pyphen.Pyphen):
            return kept
        dictionary = load_dictionary(language)
        _keep(path, zlib.compress(pickle.dumps(dictionary, protocol=pickle.HIGHEST_PROTOCOL), 1))
        for older in folder.glob(f"hyphenation-{found}-pyphen-*.pickle.z"):
            if older != path:  # kept by another version of pyphen, or in another layout: no build reads it
                older.unlink(missing_ok=True)
        return dictionary

    return load


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; a cache that cannot be written is no error."""
    scratch: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".hyphenation-", delete=False) as file:
            scratch = Path(file.name)
            file.write(data)
        os.replace(scratch, path)
    except OSError:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
