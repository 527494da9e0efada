"""The Java runtime that EPUBCheck and the Nu Html Checker need."""

from __future__ import annotations

import shutil
from pathlib import Path

from qz_ebook.checks.model import MAKE_TOOLS, ToolMissing


def require_java() -> Path:
    found = shutil.which("java")
    if found is None:
        raise ToolMissing("Java", f"{MAKE_TOOLS}, or as root: apt-get install default-jre-headless")
    return Path(found)
