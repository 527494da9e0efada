"""The files links lead to, as ``convert.links.linked_file`` resolves them, each folder once.

A stored conversion holds while each of its links leads to the same page by the
same file (``conversions``). Resolving every link's path anew costs a system call
per part of it: on a book of 1,000 chapters with 3,000 links between them, more
than reading every conversion back. A book's links lead into few folders, so
each folder is resolved once, and a file itself only when it is a symbolic link.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote


class LinkedFiles:
    """``str(linked_file(contribution, path))``, with the folders resolved so far kept: one per build."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}  # a folder as a link names it → its real path

    def __call__(self, source: Path, path: str) -> str:
        """The real path of the file ``path`` (percent-encoded, relative to the file ``source``) names."""
        joined = source.parent / unquote(path)
        folder, name = os.path.split(joined)
        if name in ("", "..") or not folder:  # the root, a folder; nothing left to resolve apart
            return str(joined.resolve())
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        file = os.path.join(real, name)
        return os.path.realpath(file) if os.path.islink(file) else file
