"""The Java runtime that EPUBCheck and the Nu Html Checker need."""

from __future__ import annotations

import shutil
from pathlib import Path

from qz_ebook.checks.model import ToolMissing, install_line
from qz_ebook.messages import Message


def require_java() -> Path:
    found = shutil.which("java")
    if found is None:
        raise ToolMissing("Java", Message("no java on PATH: {command}", command=install_line("Java")))
    return Path(found)
