"""Soft hyphens in long words of headings and table cells (``convert/hyphenation.py``), for
engines that do not hyphenate, and never where they would change what is read or typed."""

from __future__ import annotations

import importlib.metadata
import os
import threading
from pathlib import Path

import pytest
from conftest import Built, build_by_script
from test_convert import book, convert, xhtml  # noqa: F401  (book is a fixture)

from qz_ebook.build import build
from qz_ebook.convert import hyphenation
from qz_ebook.convert.hyphenation import hyphenate, load_dictionary
from qz_ebook.incremental.dictionaries import kept_in
from qz_ebook.source.config import declared_language

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


def test_a_dictionary_kept_by_another_version_of_pyphen_or_in_another_layout_is_replaced(tmp_path: Path) -> None:
    version = importlib.metadata.version("pyphen")
    older = tmp_path / "hyphenation-de-pyphen-0.1.pickle.z"
    older.write_bytes(b"kept by pyphen 0.1")
    unshared = tmp_path / f"hyphenation-de-pyphen-{version}.pickle.z"  # kept before its values were shared
    unshared.write_bytes(b"kept by this pyphen, with every value apart")
    other_language = tmp_path / "hyphenation-fr-pyphen-0.1.pickle.z"
    other_language.write_bytes(b"kept by pyphen 0.1")
    kept_in(tmp_path)("de")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"hyphenation-de-pyphen-{version}-2.pickle.z",
        other_language.name,  # another language's: its own next parse replaces it
    ]


def test_equal_values_of_a_dictionarys_patterns_are_one_object(tmp_path: Path) -> None:
    # German's 66,441 patterns have 2,465 values: shared, the dictionary takes 9 MB in memory, not 15.
    for dictionary in (load_dictionary("de"), kept_in(tmp_path)("de"), kept_in(tmp_path)("de")):
        assert dictionary is not None
        values = list(dictionary.hd.patterns.values())
        assert len({id(value) for value in values}) == len(set(values)) < len(values) // 20
        assert dictionary.inserted("Religionsgemeinschaften", "-") == "Reli-gi-ons-ge-mein-schaf-ten"


def test_a_damaged_kept_dictionary_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    load = kept_in(tmp_path)
    load("de")
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(b"not a dictionary")
    dictionary = load("de")
    assert dictionary is not None and dictionary.inserted("Gemeinschaft", "-") == "Gemein-schaft"
    assert kept.read_bytes() != b"not a dictionary"


@pytest.fixture
def unloaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No dictionary loaded in this process; the loader notes, in the file it returns, each process it ran in."""
    monkeypatch.setattr(hyphenation, "_dictionaries", {})
    monkeypatch.setattr(hyphenation, "_coming", {})
    hyphenation._hyphenated.cache_clear()  # words hyphenated before would not ask for the dictionary
    loaded_in = tmp_path / "loaded in"

    def noting(language: str) -> object:
        with loaded_in.open("a", encoding="utf-8") as note:
            note.write(f"{os.getpid()} {language}\n")
        if os.environ.get("QZ_TEST_FAIL_BESIDE") and os.getpid() != parent:
            raise OSError("the process beside cannot load it")
        return load_dictionary(language)

    parent = os.getpid()
    monkeypatch.setattr(hyphenation, "_loader", noting)
    return loaded_in


def test_a_build_loads_its_languages_dictionary_beside_while_it_reads(sample_book: Path, unloaded: Path) -> None:
    build(sample_book, sample_book.parent / "out")
    ((pid, language),) = [line.split() for line in unloaded.read_text(encoding="utf-8").splitlines()]
    assert language == "de" and int(pid) != os.getpid()  # once, and in a process of its own
    assert hyphenation._coming == {}
    dictionary = hyphenation._dictionaries["de"]
    assert dictionary is not None and dictionary.inserted("Religionsgemeinschaften", "-") == (
        "Reli-gi-ons-ge-mein-schaf-ten"
    )


def test_a_dictionary_the_process_beside_could_not_load_is_loaded_here(
    sample_book: Path, unloaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QZ_TEST_FAIL_BESIDE", "1")
    build(sample_book, sample_book.parent / "out")
    pids = [int(line.split()[0]) for line in unloaded.read_text(encoding="utf-8").splitlines()]
    assert len(pids) == 2 and pids[0] != os.getpid() and pids[1] == os.getpid()
    assert hyphenation._coming == {} and hyphenation._dictionaries["de"] is not None


def test_the_command_line_starts_the_dictionary_before_it_imports_the_build_machinery(
    sample_book: Path, tmp_path: Path
) -> None:
    script = (
        "import sys\n"
        "from qz_ebook.convert import hyphenation\n"
        "started = hyphenation.prefetch\n"
        "def prefetch(language):\n"
        "    print('prefetch', language, 'qz_ebook.build' in sys.modules, 'markdown' in sys.modules)\n"
        "    started(language)\n"
        "hyphenation.prefetch = prefetch\n"
        "from qz_ebook.cli import main\n"
        "main(sys.argv[1:], standalone_mode=False)\n"
    )
    # Asked for again by build(), which then starts nothing more.
    assert [line for line in build_by_script(script, sample_book, tmp_path) if line.startswith("prefetch")] == [
        "prefetch de False False",
        "prefetch de True True",
    ]
    assert list((tmp_path / ".qz-cache").glob("hyphenation-de-*"))  # loaded beside, and kept, from the start


def test_nothing_is_forked_while_another_thread_runs(unloaded: Path) -> None:
    running = threading.Event()
    other = threading.Thread(target=running.wait)
    other.start()
    try:
        hyphenation.prefetch("de")
    finally:
        running.set()
        other.join()
    assert hyphenation._coming == {}
    hyphenation.prefetch("de")  # alone again
    assert list(hyphenation._coming) == ["de"]
    hyphenation.prepare("de")
    assert hyphenation._coming == {} and hyphenation._dictionaries["de"] is not None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[book]\ntitle = "T"\nlanguage = "de-AT"\n', "de-AT"),
        ('[book]\ntitle = "T"\n', None),
        ("[book]\nlanguage = 7\n", None),
        ('book = "de"\n', None),
        ("[book\n", None),
        (None, None),
    ],
    ids=["declared", "none", "not a string", "no table", "not TOML", "no book.toml"],
)
def test_the_declared_language_is_known_before_the_book_is_read(
    tmp_path: Path, toml: str | None, expected: str | None
) -> None:
    if toml is not None:
        (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    assert declared_language(tmp_path) == expected
