"""Tests for ``qz_ebook.source.config.load_config``: book.toml metadata, build settings and QZ001–QZ005."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qz_ebook.diagnostics import Diagnostics
from qz_ebook.model import Accessibility, Asset, BookMeta, BuildSettings, Creator, PrintEdition
from qz_ebook.source.config import load_config

REPO = Path(__file__).resolve().parents[1]
COVER = REPO / "tests" / "fixtures" / "sample" / "bilder" / "umschlag.png"
CSS = REPO / "assets" / "css"

GOOD = """\
[book]
title = "Beispielbuch"
subtitle = "Ein Test"
language = "de"
identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"
date = "2014-06"
publisher = "Testverlag"
rights = "Nur für Tests."
description = "Beschreibung"
modified = "2014-06-01T12:00:00Z"

[[book.creators]]
name = "Redaktion"
role = "edt"

[[book.creators]]
name = "Dr. Max Muster"
role = "aut"

[book.print_edition]
title = "Beispielbuch, Druckausgabe"
year = 2014
identifier = "urn:isbn:978-3-00-000000-0"

[build]
name = "beispiel"
outline = "SUMMARY.md"
assets = "assets"
cover = "bilder/umschlag.png"
cover_alt = "Umschlag des Beispielbuchs"
epub_stylesheet = "style/epub.css"
html_stylesheet = "style/html.css"
draft_note = "Entwurf."

[accessibility]
summary = "Ein Testbuch."
"""


def make_book(root: Path, toml: str) -> Path:
    """A book folder with ``toml`` as book.toml and every file GOOD names."""
    book = root / "book"
    (book / "bilder").mkdir(parents=True)
    (book / "style").mkdir()
    (book / "assets").mkdir()
    shutil.copy(COVER, book / "bilder" / "umschlag.png")
    shutil.copy(CSS / "epub.css", book / "style" / "epub.css")
    shutil.copy(CSS / "html.css", book / "style" / "html.css")
    (book / "SUMMARY.md").write_text("# Teil\n", encoding="utf-8")
    (book / "book.toml").write_text(toml, encoding="utf-8")
    return book


def load(book: Path) -> tuple[tuple[BookMeta, BuildSettings, Path] | None, list[str]]:
    diagnostics = Diagnostics()
    result = load_config(book, diagnostics)
    return result, [str(d) for d in diagnostics.items]


def test_valid_config_gives_book_meta(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD)
    result, messages = load(book)
    assert messages == []
    assert result is not None
    assert result.meta == BookMeta(
        title="Beispielbuch",
        subtitle="Ein Test",
        language="de",
        identifier="urn:uuid:00000000-0000-4000-8000-000000000001",
        date="2014-06",
        creators=(Creator("Redaktion", "edt"), Creator("Dr. Max Muster", "aut")),
        publisher="Testverlag",
        rights="Nur für Tests.",
        description="Beschreibung",
        modified="2014-06-01T12:00:00Z",
        print_edition=PrintEdition("Beispielbuch, Druckausgabe", 2014, "urn:isbn:978-3-00-000000-0"),
        accessibility=Accessibility("Ein Testbuch.", None, ()),
    )


def test_valid_config_gives_build_settings_and_outline(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD)
    result, _ = load(book)
    assert result is not None
    settings, outline = result.settings, result.outline
    assert settings == BuildSettings(
        name="beispiel",
        cover=Asset(book / "bilder" / "umschlag.png", "images/cover.png", "image/png"),
        cover_alt="Umschlag des Beispielbuchs",
        epub_stylesheet=book / "style" / "epub.css",
        html_stylesheet=book / "style" / "html.css",
        draft_note="Entwurf.",
        assets=book / "assets",
    )
    assert outline == book / "SUMMARY.md"


def test_optional_keys_default_to_none(tmp_path: Path) -> None:
    toml = GOOD
    for line in ('subtitle = "Ein Test"\n', 'publisher = "Testverlag"\n', 'rights = "Nur für Tests."\n',
                 'description = "Beschreibung"\n', 'modified = "2014-06-01T12:00:00Z"\n', 'assets = "assets"\n',
                 'draft_note = "Entwurf."\n', 'outline = "SUMMARY.md"\n'):  # fmt: skip
        toml = toml.replace(line, "")
    book = make_book(tmp_path, toml)
    result, messages = load(book)
    assert messages == []
    assert result is not None
    meta, settings, outline = result.meta, result.settings, result.outline
    assert (meta.subtitle, meta.publisher, meta.rights, meta.description, meta.modified) == (None,) * 5
    assert (settings.draft_note, settings.assets) == (None, None)
    assert outline == book / "SUMMARY.md"  # the default outline


def test_print_edition_is_optional(tmp_path: Path) -> None:
    # docs/manuscript.md does not list book.print_edition among the required keys.
    toml = GOOD.replace(
        '[book.print_edition]\ntitle = "Beispielbuch, Druckausgabe"\nyear = 2014\n'
        'identifier = "urn:isbn:978-3-00-000000-0"\n\n',
        "",
    )
    book = make_book(tmp_path, toml)
    result, messages = load(book)
    assert messages == []
    assert result is not None and result.meta.print_edition is None


def test_jpeg_cover_gets_a_jpg_href(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD.replace("bilder/umschlag.png", "bilder/Umschlag.JPG"))
    shutil.copy(COVER, book / "bilder" / "Umschlag.JPG")
    result, messages = load(book)
    assert messages == []
    assert result is not None
    assert result.settings.cover == Asset(book / "bilder" / "Umschlag.JPG", "images/cover.jpg", "image/jpeg")


def test_no_book_toml_is_qz005(tmp_path: Path) -> None:
    result, messages = load(tmp_path)
    assert result is None
    assert messages == [f"{tmp_path}/book.toml:1:1: error[QZ005]: no book.toml in '{tmp_path}'"]


def test_book_toml_not_utf8_is_qz207(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD)
    (book / "book.toml").write_bytes(GOOD.encode("latin-1"))
    result, messages = load(book)
    assert result is None
    assert messages == [f"{book}/book.toml:1:1: error[QZ207]: book.toml is not UTF-8 (invalid start byte)"]


NO_CREATORS = GOOD.replace('[[book.creators]]\nname = "Redaktion"\nrole = "edt"\n\n', "").replace(
    '[[book.creators]]\nname = "Dr. Max Muster"\nrole = "aut"\n\n', ""
)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        pytest.param(
            GOOD.replace('title = "Beispielbuch"', "title = Beispielbuch"),
            ["2:9: error[QZ001]: book.toml is not valid TOML: Invalid value"],
            id="invalid TOML is QZ001 with line and column",
        ),
        pytest.param(
            GOOD.replace('date = "2014-06"\n', ""),
            ["1:1: error[QZ002]: book.toml needs 'book.date'"],
            id="missing book key is QZ002 at the table",
        ),
        pytest.param(
            GOOD.replace('cover_alt = "Umschlag des Beispielbuchs"\n', ""),
            ["25:1: error[QZ002]: book.toml needs 'build.cover_alt'"],
            id="missing build key is QZ002 at the build table",
        ),
        pytest.param(
            NO_CREATORS,
            ["1:1: error[QZ002]: book.toml needs 'book.creators'"],
            id="missing creators is QZ002",
        ),
        pytest.param(
            GOOD.replace('name = "Redaktion"\nrole = "edt"\n', 'name = "Redaktion"\n'),
            # line 12 is the first [[book.creators]] table, the one without 'role'
            ["12:1: error[QZ002]: book.toml needs 'book.creators.role'"],
            id="missing role in first creator points at that creator",
        ),
        pytest.param(
            GOOD.replace('role = "aut"', 'role = "author"'),
            ["18:1: error[QZ004]: 'book.creators.role' must be a three-letter MARC relator code"],
            id="bad role in second creator points at its line",
        ),
        pytest.param(
            GOOD.replace('title = "Beispielbuch"', 'titel = "Beispielbuch"'),
            [
                "2:1: error[QZ003]: unknown key 'book.titel' in book.toml; did you mean 'title'?",
                "1:1: error[QZ002]: book.toml needs 'book.title'",
            ],
            id="unknown key suggests the right one",
        ),
        pytest.param(
            GOOD.replace('draft_note = "Entwurf."\n', 'draft_note = "Entwurf."\nfarbe = "blau"\n'),
            ["34:1: error[QZ003]: unknown key 'build.farbe' in book.toml"],
            id="unknown build key without close match",
        ),
        pytest.param(
            GOOD.replace('date = "2014-06"', "date = 2014"),
            ["6:1: error[QZ004]: 'book.date' must be a date as YYYY, YYYY-MM or YYYY-MM-DD"],
            id="date as number is QZ004",
        ),
        pytest.param(
            GOOD.replace('modified = "2014-06-01T12:00:00Z"', 'modified = "2014-06-01"').replace(
                'name = "beispiel"', 'name = "Mein Buch"'
            ),
            [
                "10:1: error[QZ004]: 'book.modified' must be a UTC time as YYYY-MM-DDThh:mm:ssZ",
                "26:1: error[QZ004]: 'build.name' must be a file name of lower-case letters, digits, '.', '_' and '-'",
            ],
            id="bad modified and name are QZ004",
        ),
        pytest.param(
            GOOD.replace("year = 2014", 'year = "2014"'),
            ["22:1: error[QZ004]: 'book.print_edition.year' must be a whole number"],
            id="year as text is QZ004",
        ),
        pytest.param(
            NO_CREATORS.replace('date = "2014-06"\n', 'date = "2014-06"\ncreators = "Redaktion"\n'),
            ["7:1: error[QZ004]: 'book.creators' must be a list of tables ([[book.creators]])"],
            id="creators as text is QZ004",
        ),
    ],
)
def test_bad_book_toml_is_reported_at_its_line(tmp_path: Path, toml: str, expected: list[str]) -> None:
    """``expected``: the whole messages, each after the ``<book>/book.toml:`` that starts it."""
    book = make_book(tmp_path, toml)
    result, messages = load(book)
    assert result is None
    assert messages == [f"{book}/book.toml:{message}" for message in expected]


def test_misspelt_table_is_reported_at_its_header(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD.replace('name = "beispiel"\n', "").replace("[build]", "[buidl]"))
    result, messages = load(book)
    assert result is None
    assert (
        messages[0] == f"{book}/book.toml:25:1: error[QZ003]: unknown key 'buidl' in book.toml; did you mean 'build'?"
    )


def test_cover_of_another_type_is_qz004(tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD.replace("bilder/umschlag.png", "bilder/umschlag.gif"))
    shutil.copy(COVER, book / "bilder" / "umschlag.gif")
    result, messages = load(book)
    assert result is None
    assert messages == [f"{book}/book.toml:29:1: error[QZ004]: build.cover must be a JPEG or PNG image"]


@pytest.mark.parametrize(
    ("toml", "removed", "expected"),
    [
        pytest.param(
            GOOD.replace("bilder/umschlag.png", "bilder/fehlt.png"),
            [],
            ["29:1: error[QZ005]: file 'bilder/fehlt.png' does not exist"],
            id="missing cover is QZ005 at its key",
        ),
        pytest.param(
            GOOD,
            ["style/epub.css", "style/html.css"],
            [
                "31:1: error[QZ005]: file 'style/epub.css' does not exist",
                "32:1: error[QZ005]: file 'style/html.css' does not exist",
            ],
            id="missing stylesheets are QZ005",
        ),
        pytest.param(
            GOOD.replace('outline = "SUMMARY.md"\n', ""),
            ["SUMMARY.md"],
            ["25:1: error[QZ005]: file 'SUMMARY.md' does not exist"],
            id="missing default outline is QZ005 at the build table",
        ),
        pytest.param(
            GOOD.replace('assets = "assets"', 'assets = "../assets"'),
            [],
            ["28:1: error[QZ005]: folder '../assets' does not exist"],
            id="missing assets folder is QZ005",
        ),
    ],
)
def test_missing_file_is_qz005(tmp_path: Path, toml: str, removed: list[str], expected: list[str]) -> None:
    """``removed``: files of the book folder deleted before loading; ``expected`` as above."""
    book = make_book(tmp_path, toml)
    for name in removed:
        (book / name).unlink()
    result, messages = load(book)
    assert result is None
    assert messages == [f"{book}/book.toml:{message}" for message in expected]
