"""``qz-ebook serve``: the HTML edition served on one's own machine, reloading after each build.

``server.Preview`` serves the edition's folder and the EPUB, ``paths`` decides what
a request may read, ``events`` tells the open pages of each build, and ``live.js``
(injected into every served page, never into the files) reloads them or shows a
failed build's messages.
"""

from __future__ import annotations

from qz_ebook.preview.server import Preview

__all__ = ["Preview"]
