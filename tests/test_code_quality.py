"""The package passes its linters and strict type checking."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "qz_ebook", "tests")
    assert result.returncode == 0, result.stdout


def test_code_is_formatted() -> None:
    result = run("ruff", "format", "--check", "qz_ebook", "tests")
    assert result.returncode == 0, result.stdout


def test_mypy_strict_finds_nothing() -> None:
    result = run("mypy", "qz_ebook")
    assert result.returncode == 0, result.stdout
