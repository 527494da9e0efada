"""``qz-ebook init``: a new book that builds with --strict and passes every check, and never
overwrites one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from qz_ebook.cli import main
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.source.reader import read_manuscript

FILES_DE = [
    "book.toml",
    "SUMMARY.md",
    "kapitel/erste-schritte.md",
    "kapitel/zweiter-beitrag.md",
    "bilder/umschlag.png",
    "css/epub.css",
    "css/html.css",
    "css/print.css",
]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_init_then_a_strict_build_of_every_format_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "neu"
    code, stdout, stderr = invoke("init", str(folder))
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [
        *(f"wrote {folder / name}" for name in FILES_DE),
        f"next: cd {folder} && qz-ebook build && qz-ebook serve",
    ]
    monkeypatch.chdir(folder)  # the book is found in the working folder, without --book
    code, stdout, stderr = invoke("build", "--strict", "--format", "all")
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1] == "2 contributions (2 draft), 150 words, 0 images without alt text"
    code, stdout, stderr = invoke("check", "--report", "junit")
    assert code == 0, stdout + stderr
    assert "check failed" not in stderr
    assert (folder / "dist" / "check-report.junit.xml").is_file()


def test_the_new_book_says_what_each_setting_is(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "--title", 'Über „Größe“: "zitiert" \\ schräg', "--author", "Jö: Ä")[0] == 0
    toml = (tmp_path / "book.toml").read_text(encoding="utf-8")
    config = tomllib.loads(toml)
    assert config["book"]["title"] == 'Über „Größe“: "zitiert" \\ schräg'
    assert config["book"]["creators"] == [{"name": "Jö: Ä", "role": "aut"}]
    assert config["book"]["identifier"].startswith("urn:uuid:") and len(config["book"]["identifier"]) == 45
    assert config["build"]["name"] == "ueber-groesse-zitiert-schraeg"
    assert config["build"]["cover_alt"] == 'Umschlag: Über „Größe“: "zitiert" \\ schräg, Jö: Ä'
    assert "# The outputs' name: dist/<name>.epub, dist/html/, dist/<name>.pdf." in toml
    book = read_manuscript(tmp_path, Diagnostics()).book
    assert [c.authors[0].name for c in book.contributions()] == ["Jö: Ä", "Jö: Ä"]  # quoted for YAML too


def test_an_english_book(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "--language", "en")[0] == 0
    book = read_manuscript(tmp_path, Diagnostics()).book
    assert (book.meta.title, book.meta.language, [c.title for c in book.contributions()]) == (
        "My book",
        "en",
        ["First steps", "A second contribution"],
    )
    assert invoke("build", "--strict", "--book", str(tmp_path), "--out", str(tmp_path / "dist"))[0] == 0


def test_init_never_overwrites_a_book(tmp_path: Path) -> None:
    (tmp_path / "SUMMARY.md").write_text("# Mein Teil\n", encoding="utf-8")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "html.css").write_text("body {}\n", encoding="utf-8")
    code, stdout, stderr = invoke("init", str(tmp_path))
    assert (code, stdout) == (1, "")
    assert stderr.splitlines() == [
        f"{tmp_path}/SUMMARY.md:1:1: error[QZ008]: SUMMARY.md exists already: "
        "init writes a new book only where there is none",
        f"{tmp_path}/css/html.css:1:1: error[QZ008]: html.css exists already: "
        "init writes a new book only where there is none",
    ]
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["SUMMARY.md", "css", "css/html.css"]
