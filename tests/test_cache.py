"""The conversion cache never serves stale output and never changes a byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_into
from lxml import etree

from qz_ebook import batch, cache
from qz_ebook.build import build
from qz_ebook.cli import main

XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many contributions each build had to convert (not taken from the cache)."""
    counts: list[int] = []
    original = batch._convert

    def counting(contributions, indices, roots):  # type: ignore[no-untyped-def]
        counts.append(len(indices))
        return original(contributions, indices, roots)

    monkeypatch.setattr(batch, "_convert", counting)
    return counts


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cached_build_is_byte_identical_and_converts_nothing(
    sample_book: Path, tmp_path: Path, conversions: list[int]
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "cold", cache_dir=store)
    build(sample_book, tmp_path / "warm", cache_dir=store)
    build(sample_book, tmp_path / "none")
    assert conversions == [4, 0, 4]
    assert files(tmp_path / "warm") == files(tmp_path / "cold") == files(tmp_path / "none")


def test_editing_one_body_converts_only_that_contribution(
    sample_book: Path, tmp_path: Path, conversions: list[int]
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Ein Beispiel aus der Praxis.", "Neu."), encoding="utf-8")
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 1]
    assert "Neu." in (tmp_path / "b" / "html" / "musterstadt.html").read_text(encoding="utf-8")


def test_a_new_title_reaches_the_toc_and_the_relation_blocks(sample_book: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("title: Ein Beispiel", "title: Ein neuer Titel"), encoding="utf-8"
    )
    summary = sample_book / "SUMMARY.md"
    summary.write_text(summary.read_text(encoding="utf-8").replace("Musterstadt: Ein Beispiel", "Musterstadt: Ein neuer Titel"),
                       encoding="utf-8")  # fmt: skip
    built = build_into(sample_book, tmp_path / "b")
    cached = build(sample_book, tmp_path / "c", cache_dir=store)
    assert cached.outputs
    assert files(tmp_path / "c" / "html") == files(built.html)
    paper = etree.parse(str(tmp_path / "c" / "html" / "oeffnung.html")).getroot()
    assert paper.xpath("//x:nav[@class='relation-examples']//x:a/text()", namespaces=XHTML) == ["Ein neuer Titel"]
    assert "Musterstadt: Ein neuer Titel" in (tmp_path / "c" / "html" / "index.html").read_text(encoding="utf-8")


def test_a_changed_image_is_checked_again(sample_book: Path, tmp_path: Path, conversions: list[int]) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    image = sample_book / "bilder" / "diagramm.png"
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 1]


def test_a_new_tool_version_invalidates_everything(
    sample_book: Path, tmp_path: Path, conversions: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    monkeypatch.setattr(cache, "__version__", "99.0")
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 4]


def test_errors_are_never_cached(sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = sample_book / "beitraege" / "oeffnung.md"
    page.write_text(page.read_text(encoding="utf-8").replace("diagramm.png", "neu.png"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", "dist"]).exit_code == 1
    (sample_book / "bilder" / "diagramm.png").rename(sample_book / "bilder" / "neu.png")
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", "dist"]).exit_code == 0
    assert (tmp_path / ".qz-cache").is_dir()


def test_no_cache_leaves_no_cache_folder(sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-cache", "--book", str(sample_book), "--out", "dist"])
    assert result.exit_code == 0
    assert not (tmp_path / ".qz-cache").exists()


def test_parallel_conversion_gives_the_same_bytes(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = build_into(sample_book, tmp_path / "one")
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    parallel = build_into(sample_book, tmp_path / "two")
    assert files(parallel.html) == files(sequential.html)
    assert parallel.epub.read_bytes() == sequential.epub.read_bytes()
