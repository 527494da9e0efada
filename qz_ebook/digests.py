"""Digests of text: how the cache keys its entries and a fragment names its parts."""

from __future__ import annotations

import hashlib


def digest(*texts: str) -> str:
    """The hex SHA-256 of ``texts`` joined by NUL, which no path, slug or key holds: parts never run together."""
    return hashlib.sha256("\x00".join(texts).encode("utf-8", "surrogatepass")).hexdigest()
