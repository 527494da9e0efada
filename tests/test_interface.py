"""The editions' own words come from a catalogue per language (``qz_ebook/catalogues``),
chosen by ``book.language`` and overridden in ``book.toml``'s ``[interface]`` table."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from conftest import build_into

from qz_ebook.catalogues import KEYS, builtin_words, languages
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.model import Words
from qz_ebook.source.config import load_config
from qz_ebook.source.interface import placeholders

CATALOGUES = Path(__file__).resolve().parents[1] / "qz_ebook" / "catalogues"


def set_toml(book: Path, old: str, new: str) -> None:
    toml = book / "book.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


def with_interface(book: Path, table: str) -> None:
    toml = book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[interface]\n" + table, encoding="utf-8")


def messages(book: Path) -> list[str]:
    diagnostics = Diagnostics()
    load_config(book, diagnostics)
    return [str(d).replace(str(book), "book") for d in diagnostics.items]


def test_languages_with_a_catalogue() -> None:
    assert languages() == ("de", "en")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_catalogue_holds_every_word_with_the_same_placeholders(language: str) -> None:
    words = tomllib.loads((CATALOGUES / f"{language}.toml").read_text(encoding="utf-8"))
    assert tuple(words) == KEYS  # in the order the model declares them
    german = dataclasses.asdict(builtin_words("de"))
    assert {key: placeholders(value) for key, value in words.items()} == {
        key: placeholders(value) for key, value in german.items()
    }


def test_a_region_subtag_picks_its_language_and_an_unknown_language_gets_english() -> None:
    assert builtin_words("de-AT").skip_link == "Zum Inhalt springen"
    assert builtin_words("EN-gb").skip_link == "Skip to the text"
    assert builtin_words("fr") == builtin_words("en")


def test_an_english_book_speaks_english_in_both_formats(sample_book: Path, tmp_path: Path) -> None:
    set_toml(sample_book, 'language = "de"', 'language = "en"')
    built = build_into(sample_book, tmp_path / "out")
    page = (built.html / "oeffnung.html").read_text(encoding="utf-8")
    assert '<a class="skip-link" href="#qz_inhalt">Skip to the text</a>' in page
    assert '<summary>Table of contents</summary>\n<nav aria-label="Table of contents">' in page
    assert '<nav class="breadcrumb" aria-label="You are here">' in page
    assert '<span class="pager-direction">Previous:</span>' in page
    assert '<span class="pager-direction">Next:</span>' in page
    assert 'title="Page 12" data-page="p. 12"' in page
    assert '<option value="system">as the system</option>' in page
    assert '<li><a href="index.html">Start</a></li>' in page
    assert '<label class="visually-hidden" for="qz_suchfeld">Search the book</label>' in page
    search = (built.html / "suche.html").read_text(encoding="utf-8")
    assert (
        '<p id="qz_suchstatus" class="search-status" role="status" data-one="1 result" data-many="{count} results" '
        'data-none="No results for “{query}”" data-needs-server="Search finds something only when the pages come '
        'from a web server, not from an opened file." data-bundles="pagefind/1/">Search needs JavaScript.</p>'
    ) in search
    assert '<button type="button" id="qz_mehr" class="search-more" hidden="hidden">Show more results</button>' in search
    with_notes = next(p for p in built.html.glob("*.html") if b'class="noteref"' in p.read_bytes())
    notes = with_notes.read_text(encoding="utf-8")
    assert '<h2 class="footnotes-title">Notes</h2>' in notes
    assert 'aria-label="1, back to the text"' in notes
    single = (built.html / "gesamt.html").read_text(encoding="utf-8")
    assert "<title>Beispielbuch – complete edition</title>" in single
    nav = next(built.unpacked.rglob("nav.xhtml")).read_text(encoding="utf-8")
    assert '<h1 id="toc-titel">Contents</h1>' in nav
    assert '<h2 id="landmarks-titel">Landmarks</h2>' in nav
    assert '<h2 id="seiten-titel">Pages of the print edition</h2>' in nav
    assert re.findall(r'epub:type="(\w+)" href="[^"]*">([^<]*)<', nav) == [
        ("cover", "Cover"),
        ("titlepage", "Title page"),
        ("toc", "Contents"),
        ("bodymatter", "Start of the text"),
    ]
    opf = next(built.unpacked.rglob("*.opf")).read_text(encoding="utf-8")
    assert re.findall(r'<reference type="([\w-]+)" title="([^"]*)"', opf) == [
        ("cover", "Cover"),
        ("title-page", "Title page"),
        ("toc", "Contents"),
        ("text", "Start of the text"),
    ]
    wegweiser = next(built.unpacked.rglob("wegweiser.xhtml")).read_text(encoding="utf-8")
    assert '<h1 id="qz_titel">Ways into the book</h1>' in wegweiser
    assert "<p>The ways into this book: Rückblicke | Ausblicke.</p>" in wegweiser


def test_a_contribution_in_another_language_names_its_notes_in_that_language(sample_book: Path, tmp_path: Path) -> None:
    with_interface(sample_book, 'notes = "Fußnoten"\n')
    source = next(p for p in sorted(sample_book.rglob("*.md")) if "\n[^" in p.read_text(encoding="utf-8"))
    text = source.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "\nlang:" not in text
    source.write_text(text.replace("---\n", "---\nlang: en\n", 1), encoding="utf-8")
    built = build_into(sample_book, tmp_path / "out")
    page = (built.html / f"{source.stem}.html").read_text(encoding="utf-8")
    assert '<h2 class="footnotes-title">Notes</h2>' in page  # the English catalogue's, not the book's override
    assert 'aria-label="1, back to the text"' in page
    others = [p for p in built.html.glob("*.html") if b'class="noteref"' in p.read_bytes()]
    assert sorted(p.stem for p in others) == sorted(["fachbeitrag", "oeffnung", "gesamt"])
    german = (built.html / ("oeffnung.html" if source.stem == "fachbeitrag" else "fachbeitrag.html")).read_text()
    assert '<h2 class="footnotes-title">Fußnoten</h2>' in german


def test_book_toml_overrides_single_words(sample_book: Path, tmp_path: Path) -> None:
    with_interface(sample_book, 'skip_link = "Direkt zum Text"\npage_marker = "Seite {number} der Druckausgabe"\n')
    built = build_into(sample_book, tmp_path / "out")
    page = (built.html / "oeffnung.html").read_text(encoding="utf-8")
    assert '<a class="skip-link" href="#qz_inhalt">Direkt zum Text</a>' in page
    assert 'title="Seite 12" data-page="Seite 12 der Druckausgabe"' in page
    assert '<span class="pager-direction">Zurück:</span>' in page  # the catalogue's, where not overridden


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(
            'skip_lnk = "Zum Text"\n',
            "book/book.toml:{line}:1: error[QZ003]: unknown key 'interface.skip_lnk' in book.toml; "
            "did you mean 'skip_link'?",
            id="unknown-word",
        ),
        pytest.param(
            "previous = 3\n",
            "book/book.toml:{line}:1: error[QZ004]: 'interface.previous' must be a non-empty text",
            id="not-a-text",
        ),
        pytest.param(
            'page = "Seite"\n',
            "book/book.toml:{line}:1: error[QZ007]: 'interface.page' must hold {number}, as the built-in word does",
            id="placeholder-dropped",
        ),
        pytest.param(
            'page = "Seite {nummer}"\n',
            "book/book.toml:{line}:1: error[QZ007]: 'interface.page' must hold {number}, as the built-in word does",
            id="placeholder-misspelt",
        ),
        pytest.param(
            'skip_link = "Zum {Text}"\n',
            "book/book.toml:{line}:1: error[QZ007]: 'interface.skip_link' must hold no {…}, as the built-in word "
            "does (write a literal brace as {{ or }})",
            id="brace-in-plain-word",
        ),
        pytest.param(
            'page = "Seite {number"\n',
            "book/book.toml:{line}:1: error[QZ007]: 'interface.page' must hold {number}, as the built-in word does "
            "(write a literal brace as {{ or }})",
            id="unpaired-brace",
        ),
    ],
)
def test_a_wrong_word_is_reported_where_it_stands(tmp_path: Path, sample_book: Path, table: str, expected: str) -> None:
    with_interface(sample_book, table)
    line = len((sample_book / "book.toml").read_text(encoding="utf-8").splitlines())
    assert messages(sample_book) == [expected.replace("{line}", str(line))]


def test_literal_braces_are_kept(sample_book: Path, tmp_path: Path) -> None:
    with_interface(sample_book, 'skip_link = "Zum Text {{ohne Umweg}}"\n')
    built = build_into(sample_book, tmp_path / "out")
    assert ">Zum Text {ohne Umweg}</a>" in (built.html / "index.html").read_text(encoding="utf-8")


def test_a_language_without_a_catalogue_warns_and_gets_english_words(sample_book: Path) -> None:
    set_toml(sample_book, 'language = "de"', 'language = "fr"')
    assert messages(sample_book) == [
        "book/book.toml:4:1: warning[QZ006]: no interface words for language 'fr' (there are: de, en); "
        "the English ones are used: translate them in book.toml's [interface] table "
        f"({len(KEYS)} words, first 'breadcrumb')"
    ]
    with pytest.raises(BuildFailed):
        diagnostics = Diagnostics(strict=True)
        load_config(sample_book, diagnostics)
        diagnostics.raise_if_failed()


def test_a_language_without_a_catalogue_is_quiet_when_every_word_is_translated(sample_book: Path) -> None:
    set_toml(sample_book, 'language = "de"', 'language = "fr"')
    english = dataclasses.asdict(builtin_words("en"))
    with_interface(sample_book, "".join(f'{key} = "« {value} »"\n' for key, value in english.items()))
    diagnostics = Diagnostics()
    config = load_config(sample_book, diagnostics)
    assert diagnostics.items == []
    assert config is not None
    assert config.words == Words(**{key: f"« {value} »" for key, value in english.items()})
