"""How a build reports progress: stages such as conversion or one format's pages, each counted up to its total."""

from __future__ import annotations

from collections.abc import Callable

from qz_ebook.messages import Text

Progress = Callable[[Text, int, int], None]  # (the stage, done, total); the stage is shown in the CLI's language
