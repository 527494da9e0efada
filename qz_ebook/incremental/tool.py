"""The tool's fingerprint: what every cache key holds, so a changed tool never serves what the old one made."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import sys
from pathlib import Path

from qz_ebook import __version__

# Libraries whose version changes what a conversion or a page holds.
LIBRARIES = ("markdown", "beautifulsoup4", "lxml", "jinja2", "markupsafe", "python-slugify", "pyyaml", "pyphen")


@functools.cache
def fingerprint() -> str:
    """Our version and every file of the package (code and templates), and the versions of
    the libraries that shape the output: a changed tool never serves what the old one made.
    """
    hashed = hashlib.sha256(f"{__version__}\n{sys.version}".encode())
    for library in LIBRARIES:
        hashed.update(f"\n{library} {importlib.metadata.version(library)}".encode())
    package = Path(__file__).parents[1]
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        hashed.update(f"\n{path.relative_to(package)}\n".encode() + path.read_bytes())
    return hashed.hexdigest()
