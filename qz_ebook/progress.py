"""How a build reports progress: stages such as conversion or one format's pages, each counted up to its total."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]  # (the stage, done, total)
