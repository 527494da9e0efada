"""What a request may read: only files inside the served folder, and their content types."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".epub": "application/epub+zip",
}


def segments(target: str) -> tuple[str, ...] | None:
    """The path segments a request target names, decoded; None for one that could lead anywhere else.

    Refused: ``.`` and ``..`` (also percent-encoded, or joined by an encoded ``/``), empty
    segments (``//etc/passwd``), backslashes, NUL bytes, and targets not starting with ``/``.
    The last segment is ``""`` for a folder (``/`` or ``/pagefind/``).
    """
    path = target.partition("?")[0].partition("#")[0]
    if not path.startswith("/"):
        return None
    try:
        parts = tuple(unquote(path, errors="strict").split("/")[1:])
    except UnicodeDecodeError:
        return None
    for index, part in enumerate(parts):
        if part in (".", "..") or "\\" in part or "\0" in part or (part == "" and index < len(parts) - 1):
            return None
    return parts


def inside(root: Path, parts: tuple[str, ...]) -> Path | None:
    """The file ``parts`` names below ``root`` (its ``index.html`` when the last part is ``""``), with
    every link resolved; None when there is none, or when it lies outside ``root`` (a link pointing out)."""
    real_root = Path(os.path.realpath(root))
    found = Path(os.path.realpath(real_root.joinpath(*parts[:-1], parts[-1] or "index.html")))
    try:
        return found if found.is_relative_to(real_root) and found.is_file() else None
    except OSError:  # a name too long, say
        return None


def content_type(path: Path) -> str:
    """The Content-Type to serve ``path`` with: text in UTF-8, unknown kinds as bytes."""
    suffix = path.suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
