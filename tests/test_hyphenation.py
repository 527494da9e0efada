"""Soft hyphens in long words of headings and table cells (``convert/hyphenation.py``), for
engines that do not hyphenate, and never where they would change what is read or typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Built
from test_convert import book, convert, xhtml  # noqa: F401  (book is a fixture)

from qz_ebook.convert.hyphenation import hyphenate
from qz_ebook.incremental.dictionaries import kept_in

SHY = "\u00ad"


def shown(text: str) -> str:
    return text.replace(SHY, "|")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Religionsgemeinschaften", "de", "Reli|gi|ons|ge|mein|schaf|ten"),
        ("Kommunaler Qualitätszirkel", "de-AT", "Kom|mu|na|ler Qua|li|täts|zir|kel"),
        ("Integrationsmonitoring.", "de", "Inte|gra|ti|ons|mo|ni|to|ring."),
        ("Accessibility", "en", "Access|ib|il|ity"),
        ("Bildung und Teilhabe", "de", "Bildung und Teilhabe"),  # nine letters and fewer: left alone
        ("Religionsgemeinschaften", "tlh", "Religionsgemeinschaften"),  # no dictionary: left alone
        ("Reli\u00adgionsgemeinschaften", "de", "Reli|gionsgemeinschaften"),  # hyphenated by hand
        (
            "Reli\u00adgionsgemeinschaften: Integrationsmonitoring",
            "de",
            "Reli|gionsgemeinschaften: Inte|gra|ti|ons|mo|ni|to|ring",
        ),
        ("www.integrationspolitik.de", "de", "www.integrationspolitik.de"),
        ("https://example.org/Integrationspolitik", "de", "https://example.org/Integrationspolitik"),
        ("kontakt@integrationspolitik.de", "de", "kontakt@integrationspolitik.de"),
        ("Integrationspolitik/Migrationspolitik", "de", "Integrationspolitik/Migrationspolitik"),
        ("2014-Integrationsmonitoring", "de", "2014-Inte|gra|ti|ons|mo|ni|to|ring"),
    ],
)
def test_hyphenate_puts_soft_hyphens_into_long_words_only(text: str, language: str, expected: str) -> None:
    assert shown(hyphenate(text, language)) == expected


def test_headings_and_table_cells_are_hyphenated_in_their_language_and_nothing_else(book: Path) -> None:  # noqa: F811
    body = (
        "## Religionsgemeinschaften vor Ort\n\n"
        "Religionsgemeinschaften im Absatz.\n\n"
        '### `Integrationsmonitoring` und <span lang="en">Accessibility</span>\n\n'
        "| Integrationsmonitoring | Wert |\n|---|---|\n| Migrantenselbstorganisationen | 3 |\n\n"
        "Tabelle: Übersicht\n"
    )
    result, messages = convert(book, body)
    assert messages == []
    text = shown(xhtml(result))
    assert '<h2 id="religionsgemeinschaften-vor-ort">Reli|gi|ons|ge|mein|schaf|ten vor Ort</h2>' in text
    assert "<p>Religionsgemeinschaften im Absatz.</p>" in text
    assert '<code>Integrationsmonitoring</code> und <span xml:lang="en" lang="en">Access|ib|il|ity</span></h3>' in text
    assert '<th scope="col">Inte|gra|ti|ons|mo|ni|to|ring</th>' in text
    assert "<td>Migran|ten|selbst|or|ga|ni|sa|ti|o|nen</td>" in text
    assert "<caption>Übersicht</caption>" in text
    assert result.words == 14  # counted before hyphenating: a soft hyphen splits no word


def test_titles_carry_soft_hyphens_and_the_search_index_does_not(brochure: Built) -> None:
    page = (brochure.html / "hamm.html").read_text(encoding="utf-8")
    assert "Reli\u00adgi\u00adons\u00adge\u00admein\u00adschaf\u00adten bei der" in page
    assert "<title>Aktivitäten der Hammer Religionsgemeinschaften" in page  # the window title is left alone
    epub = (brochure.unpacked / "EPUB" / "hamm.xhtml").read_text(encoding="utf-8")
    assert "Reli\u00adgi\u00adons\u00adge\u00admein\u00adschaf\u00adten bei der" in epub
    nav = (brochure.unpacked / "EPUB" / "nav.xhtml").read_text(encoding="utf-8")
    assert SHY not in nav  # navigation labels are read out by reading systems' own interfaces


def test_a_kept_dictionary_is_read_instead_of_parsed(tmp_path: Path) -> None:
    load = kept_in(tmp_path)
    parsed = load("de")
    kept = list(tmp_path.glob("hyphenation-de-pyphen-*.pickle.z"))
    assert len(kept) == 1
    again = load("de")
    assert again is not parsed  # read from the file, not the same object
    assert again is not None and parsed is not None
    assert again.inserted("Religionsgemeinschaften", "-") == parsed.inserted("Religionsgemeinschaften", "-")
    assert load("tlh") is None and len(list(tmp_path.iterdir())) == 1  # no dictionary, nothing kept


def test_a_damaged_kept_dictionary_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    load = kept_in(tmp_path)
    load("de")
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(b"not a dictionary")
    dictionary = load("de")
    assert dictionary is not None and dictionary.inserted("Gemeinschaft", "-") == "Gemein-schaft"
    assert kept.read_bytes() != b"not a dictionary"
