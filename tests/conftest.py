"""Shared fixtures: the sample book, the real brochure built once, and tool checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from qz_ebook import rendering
from qz_ebook.build import build
from qz_ebook.checks.model import CHROMIUM_FLAGS
from qz_ebook.incremental.fingerprint import Fingerprinter
from qz_ebook.writers.html import HtmlWriter

REPO = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "fixtures" / "sample"
GOLDEN = Path(__file__).parent / "golden"
EPOCH = "1400000000"  # 2014-05-13T16:53:20Z


@dataclass(frozen=True)
class Built:
    """A finished build: the EPUB, its unpacked tree and the HTML edition."""

    epub: Path
    unpacked: Path
    html: Path


def require(tool: str) -> str:
    """Path of ``tool``; a missing tool fails the test (it never skips)."""
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"'{tool}' is not installed; run the tests through 'make test', which installs it")
    return found


def build_into(book: Path, out: Path) -> Built:
    result = build(book, out)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    unpacked = out / "unpacked"
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(unpacked)
    return Built(epub, unpacked, out / "html")


@pytest.fixture
def sample_book(tmp_path: Path) -> Path:
    """A private copy of the sample manuscript, free to edit.

    It sits at the same depth as in the repository, beside a link to the real
    assets/, so the stylesheet paths in its book.toml still resolve.
    """
    book = tmp_path / "tests" / "fixtures" / "book"
    shutil.copytree(SAMPLE, book)
    (tmp_path / "assets").symlink_to(REPO / "assets")
    return book


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks English in every test, whatever the book's language: ``QZ_EBOOK_LANG``
    exists for exactly this, logs in one language. tests/test_cli_language.py lifts it."""
    monkeypatch.setenv("QZ_EBOOK_LANG", "en")


@pytest.fixture(autouse=True)
def scratch_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: what a command writes by default (.qz-cache/, dist/) stays out of the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sample_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build_into(SAMPLE, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def brochure(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real brochure from book/, built once per test session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build_into(REPO / "book", tmp_path_factory.mktemp("brochure"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test module."""
    chromium = require("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        yield launched
        launched.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read with ``Path.read_bytes``, in order."""
    names: list[str] = []
    original = Path.read_bytes

    def reading(path: Path) -> bytes:
        names.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    return names


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The values fingerprinters walk (rather than find in a memo), in order."""
    values: list[object] = []
    original = Fingerprinter._encode

    def walking(self: Fingerprinter, value: object) -> bytes:
        values.append(value)
        return original(self, value)

    monkeypatch.setattr(Fingerprinter, "_encode", walking)
    return values


@pytest.fixture
def epub_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds render the EPUB in a second process beside the HTML edition, as a large book's would if the
    edition's search index did not keep the other cores busy (``rendering``): the sample book is small."""
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(HtmlWriter, "busy_beside", False)


def build_by_script(script: str, book: Path, folder: Path) -> list[str]:
    """The lines ``python -c script build --book book --out folder/dist`` prints, run in ``folder``
    (``.qz-cache/`` lands there); ``script`` ends by calling the command line with its arguments."""
    command = [sys.executable, "-c", script, "build", "--book", str(book), "--out", str(folder / "dist")]
    return subprocess.run(command, capture_output=True, text=True, cwd=folder, check=True).stdout.splitlines()
