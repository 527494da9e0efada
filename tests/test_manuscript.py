"""Tests for ``qz_ebook.build.read_book``: the reader (``source.reader``) and the checks of the whole book make a ``Book``."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from qz_ebook.build import read_book
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.incremental import texts
from qz_ebook.incremental.texts import Texts
from qz_ebook.model import Book, Contribution, Person, Section
from qz_ebook.source.reader import Afresh

REPO = Path(__file__).resolve().parents[1]
COVER = REPO / "tests" / "fixtures" / "sample" / "bilder" / "umschlag.png"

TOML = """\
[book]
title = "Beispielbuch"
language = "de"
identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"
date = "2014"

[[book.creators]]
name = "Redaktion"
role = "edt"

[book.print_edition]
title = "Beispielbuch, Druckausgabe"

[build]
name = "beispiel"
cover = "umschlag.png"
cover_alt = "Umschlag"
epub_stylesheet = "epub.css"
html_stylesheet = "html.css"

[accessibility]
summary = "Ein Testbuch."
"""


def page(title: str, kind: str = "article", **keys: object) -> str:
    """A contribution file: front matter with title, kind, status: final and ``keys`` (lines 2–4, then 5…)."""
    lines = ["---", f"title: {title}", f"kind: {kind}", "status: final"]
    lines += [f"{key}: {value}" for key, value in keys.items()]
    return "\n".join([*lines, "---", "", f"Text von {title}."]) + "\n"


def write_book(root: Path, outline: str, files: dict[str, str | bytes]) -> Path:
    """Write book.toml, its cover and stylesheets, SUMMARY.md and the contribution ``files``."""
    book = root / "book"
    book.mkdir()
    (book / "book.toml").write_text(TOML, encoding="utf-8")
    shutil.copy(COVER, book / "umschlag.png")
    (book / "epub.css").write_text("body {}\n", encoding="utf-8")
    (book / "html.css").write_text("body {}\n", encoding="utf-8")
    (book / "SUMMARY.md").write_text(outline, encoding="utf-8")
    for name, content in files.items():
        path = book / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return book


def problems(book: Path, strict: bool = False) -> list[str]:
    """The messages of the BuildFailed that read_book must raise."""
    with pytest.raises(BuildFailed) as failed:
        read_book(book, Diagnostics(strict=strict))
    return [str(d) for d in failed.value.diagnostics]


GOOD_OUTLINE = """\
<!-- Gliederung -->
# Grußworte

- [Erika Beispiel: Grußwort](grussworte/beispiel.md)

# Handreichungen

- [I. Interkulturelle Öffnung](handreichungen/oeffnung.md)
  - [Musterstadt: Ein Beispiel](handreichungen/musterstadt.md)

# VI. Weitere Themen

- 1. Migrantenökonomie
  - [Hidden Champions](weitere/leicht.md)
"""

GOOD_FILES: dict[str, str | bytes] = {
    "grussworte/beispiel.md": (
        "---\ntitle: Grußwort\nauthors:\n  - Dr. Erika Beispiel\n  - name: Max Muster\n    affiliation: Stadt\n"
        "kind: greeting\npage: 3\nstatus: draft\n---\n\nLiebe Leserinnen.\n"
    ),
    "handreichungen/oeffnung.md": page("Interkulturelle Öffnung", "position-paper", page=12, year=2009),
    "handreichungen/musterstadt.md": page("Ein Beispiel", "practice-example", paper="oeffnung", page=18),
    "weitere/leicht.md": page("Hidden Champions", "practice-example", topic="Migrantenökonomie", page=20, lang="en"),
}


def test_good_book_gives_parts_sections_and_contributions(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Diagnostics())
    assert [(p.slug, p.title) for p in book.parts] == [
        ("teil-grussworte", "Grußworte"),
        ("teil-handreichungen", "Handreichungen"),
        ("teil-vi-weitere-themen", "VI. Weitere Themen"),
    ]
    oeffnung = book.parts[1].children[0]
    assert isinstance(oeffnung, Contribution)
    assert [c.slug for c in oeffnung.children] == ["musterstadt"]
    section = book.parts[2].children[0]
    assert isinstance(section, Section)
    assert (section.slug, section.title) == ("1-migrantenoekonomie", "1. Migrantenökonomie")
    assert [c.slug for c in section.children] == ["leicht"]


def test_reading_order_is_depth_first(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Diagnostics())
    assert [(type(p).__name__, p.slug) for p in book.reading_order()] == [
        ("Part", "teil-grussworte"),
        ("Contribution", "beispiel"),
        ("Part", "teil-handreichungen"),
        ("Contribution", "oeffnung"),
        ("Contribution", "musterstadt"),
        ("Part", "teil-vi-weitere-themen"),
        ("Section", "1-migrantenoekonomie"),
        ("Contribution", "leicht"),
    ]
    assert [c.slug for c in book.contributions()] == ["beispiel", "oeffnung", "musterstadt", "leicht"]


def test_contribution_carries_its_front_matter(tmp_path: Path) -> None:
    root = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES)
    book = read_book(root, Diagnostics())
    greeting = next(book.contributions())
    assert greeting == Contribution(
        slug="beispiel",
        source=root / "grussworte" / "beispiel.md",
        label="Erika Beispiel: Grußwort",
        title="Grußwort",
        kind="greeting",
        status="draft",
        lang="de",
        body="\nLiebe Leserinnen.\n",
        body_line=11,
        authors=(Person("Dr. Erika Beispiel"), Person("Max Muster", "Stadt")),
        page=3,
    )


def test_lang_defaults_to_the_book_language(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Diagnostics())
    assert {c.slug: c.lang for c in book.contributions()} == {
        "beispiel": "de", "oeffnung": "de", "musterstadt": "de", "leicht": "en",
    }  # fmt: skip


def test_slug_from_front_matter_overrides_the_file_name(tmp_path: Path) -> None:
    root = write_book(tmp_path, "# Teil\n- [A](Grußwort.md)\n- [B](b.md)\n",
                      {"Grußwort.md": page("A"), "b.md": page("B", slug="eigener-name")})  # fmt: skip
    book = read_book(root, Diagnostics())
    assert [c.slug for c in book.contributions()] == ["grusswort", "eigener-name"]


def test_book_meta_and_settings_come_from_book_toml(tmp_path: Path) -> None:
    root = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES)
    book = read_book(root, Diagnostics())
    assert isinstance(book, Book)
    assert (book.meta.title, book.settings.name, book.settings.cover.source) == (
        "Beispielbuch", "beispiel", root / "umschlag.png",
    )  # fmt: skip


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    root = write_book(tmp_path, "# Teil\n- [A](a.md)\n", {"a.md": "\ufeff".encode() + page("Grüße").encode()})
    book = read_book(root, Diagnostics())
    only = next(book.contributions())
    assert (only.title, only.body_line) == ("Grüße", 6)


def test_utf8_bom_in_the_outline_is_accepted(tmp_path: Path) -> None:
    root = write_book(tmp_path, "\ufeff# Teil\n- [A](a.md)\n", {"a.md": page("A")})
    book = read_book(root, Diagnostics())
    assert [p.title for p in book.parts] == ["Teil"]


def test_book_toml_errors_stop_before_the_outline(tmp_path: Path) -> None:
    root = write_book(tmp_path, "kaputt\n", {})
    (root / "umschlag.png").unlink()
    assert problems(root) == [f"{root}/book.toml:16:1: error[QZ005]: file 'umschlag.png' does not exist"]


@pytest.mark.parametrize(
    ("outline", "files", "expected"),
    [
        pytest.param(
            "# Teil\nText\n",
            {},
            ["{root}/SUMMARY.md:2:1: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'"],
            id="outline errors fail the build",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [B](beitraege/fehlt.md)\n",
            {"a.md": page("A")},
            ["{root}/SUMMARY.md:3:3: error[QZ102]: file 'beitraege/fehlt.md' does not exist"],
            id="missing file is QZ102",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n\n# Anhang\n- [Noch einmal A](a.md)\n",
            {"a.md": page("A")},
            ["{root}/SUMMARY.md:5:1: error[QZ103]: file 'a.md' is already in the outline"],
            id="file listed twice is QZ103",
        ),
        pytest.param(
            "# Teil\n- [A](x/a.md)\n- [A](x/../x/a.md)\n",
            {"x/a.md": page("A")},
            ["{root}/SUMMARY.md:3:1: error[QZ103]: file 'x/../x/a.md' is already in the outline"],
            id="same file by another path is QZ103",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [A again](a.md)\n",
            {"a.md": page("A")},
            ["{root}/SUMMARY.md:3:3: error[QZ103]: file 'a.md' is already in the outline"],
            id="file listed again as its own child is reported at the second entry",
        ),
        pytest.param(
            "# Teil\n- [A](eins/beitrag.md)\n- [B](zwei/beitrag.md)\n",
            {"eins/beitrag.md": page("A"), "zwei/beitrag.md": page("B")},
            [
                "{root}/SUMMARY.md:3:1: error[QZ105]: slug 'beitrag' is already used at {root}/SUMMARY.md:2:1; "
                "set a different 'slug:' in the front matter"
            ],
            id="duplicate slug from file names is QZ105",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n- [B](b.md)\n",
            {"a.md": page("A", slug="gleich"), "b.md": page("B", slug="gleich")},
            [
                "{root}/b.md:5:1: error[QZ105]: slug 'gleich' is already used at {root}/a.md:5:1; "
                "set a different 'slug:' in the front matter"
            ],
            id="duplicate slug from front matter points at the slug keys",
        ),
        pytest.param(
            "# Teil\n- Einbürgerung\n- [E](einbuergerung.md)\n",
            {"einbuergerung.md": page("E")},
            [
                "{root}/SUMMARY.md:3:1: error[QZ105]: slug 'einbuergerung' is already used at {root}/SUMMARY.md:2:1; "
                "set a different 'slug:' in the front matter"
            ],
            id="section and contribution with the same slug is QZ105",
        ),
        pytest.param(
            "# Teil\n- [A](x/a.md)\n  - [B](y/a.md)\n",
            {"x/a.md": page("A"), "y/a.md": page("B")},
            [
                "{root}/SUMMARY.md:3:3: error[QZ105]: slug 'a' is already used at {root}/SUMMARY.md:2:1; "
                "set a different 'slug:' in the front matter"
            ],
            id="duplicate slug of parent and child is reported at the child",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n",
            {"a.md": "---\ntitel: A\nkind: article\nstatus: final\n---\n"},
            [
                "{root}/a.md:2:1: error[QZ203]: unknown front-matter key 'titel'; did you mean 'title'?",
                "{root}/a.md:1:1: error[QZ202]: front matter needs 'title'",
                "{root}/a.md:1:1: warning[QZ308]: the contribution has no text after its front matter",
            ],
            id="front matter errors fail the build",
        ),
        pytest.param(
            "# Teil\n- [P](bildungsmanagement.md)\n  - [B](dueren.md)\n",
            {
                "bildungsmanagement.md": page("P", "position-paper"),
                "dueren.md": page("B", "practice-example", paper="bildungsmanagment"),
            },
            [
                "{root}/dueren.md:5:1: error[QZ205]: 'paper: bildungsmanagment' names no contribution; "
                "did you mean 'bildungsmanagement'?"
            ],
            id="unknown paper suggests a position paper",
        ),
        pytest.param(
            "# Teil\n- [G](kuhn.md)\n- [B](dueren.md)\n",
            {"kuhn.md": page("G", "greeting"), "dueren.md": page("B", "practice-example", paper="kuhn")},
            [
                "{root}/dueren.md:5:1: error[QZ205]: 'paper: kuhn' names a contribution of kind 'greeting', "
                "not a position-paper"
            ],
            id="paper naming a greeting is QZ205",
        ),
        pytest.param(
            "# Teil\n- [P](vielfalt.md)\n- [G](vielfalt-2.md)\n- [B](hamm.md)\n",
            {
                "vielfalt.md": page("P", "position-paper"),
                "vielfalt-2.md": page("G", "closing"),
                "hamm.md": page("B", "practice-example", paper="vielfalt-2"),
            },
            [
                "{root}/hamm.md:5:1: error[QZ205]: 'paper: vielfalt-2' names a contribution of kind 'closing', "
                "not a position-paper; did you mean 'vielfalt'?"
            ],
            id="paper naming a non-paper suggests a close position paper",
        ),
        pytest.param(
            "# Teil\n- [P](p.md)\n- [G](g.md)\n",
            {"p.md": page("P", "position-paper"), "g.md": page("G", "greeting", paper="p")},
            ["{root}/g.md:5:1: error[QZ204]: 'paper' belongs to a practice-example, not to kind 'greeting'"],
            id="paper on a greeting is QZ204",
        ),
        pytest.param(
            "# Teil\n- 1. Migrantenökonomie\n  - [A](a.md)\n- [B](b.md)\n",
            {
                "a.md": page("A", "practice-example", topic="Migrantenökonomie"),
                "b.md": page("B", "practice-example", topic="Migrantenoekonomie"),
            },
            [
                "{root}/b.md:5:1: error[QZ206]: 'topic: Migrantenoekonomie' is no section of the outline; "
                "did you mean 'Migrantenökonomie'?"
            ],
            id="topic that is no section is QZ206",
        ),
        pytest.param(
            "# Teil\n- [B](b.md)\n",
            {"b.md": page("B", "practice-example")},
            ["{root}/b.md:3:1: error[QZ202]: a practice-example needs 'paper' or 'topic'"],
            id="practice-example without paper or topic is QZ202",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n- [B](b.md)\n- [C](c.md)\n",
            {"a.md": page("A", page=10), "b.md": page("B"), "c.md": page("C", page=5)},
            ["{root}/c.md:5:1: error[QZ208]: page 5 comes after page 10 of 'a' in the outline"],
            id="pages running backwards are QZ208",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n",
            {"a.md": page("Grüße").encode("latin-1")},
            # "---\ntitle: Gr" is 13 bytes, so the latin-1 'ü' is byte 13
            ["{root}/a.md:1:1: error[QZ207]: file is not UTF-8 (invalid start byte at byte 13)"],
            id="non-UTF-8 file is QZ207",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n",
            {"a.md": b"\xef\xbb\xbf" + page("Grüße").encode("latin-1")},
            ["{root}/a.md:1:1: error[QZ207]: file is not UTF-8 (invalid start byte at byte 16)"],
            id="non-UTF-8 file with BOM reports the byte offset in the file",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n- [F](fehlt.md)\n- [B](b.md)\n",
            {"a.md": page("A", page=9), "b.md": page("B", "practice-example", page=2), "lose.md": "x"},
            [
                "{root}/SUMMARY.md:3:1: error[QZ102]: file 'fehlt.md' does not exist",
                "{root}/lose.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it",
                "{root}/b.md:3:1: error[QZ202]: a practice-example needs 'paper' or 'topic'",
                "{root}/b.md:5:1: error[QZ208]: page 2 comes after page 9 of 'a' in the outline",
            ],
            id="all problems are collected in one run",
        ),
    ],
)
def test_a_bad_book_fails_the_build(
    tmp_path: Path, outline: str, files: dict[str, str | bytes], expected: list[str]
) -> None:
    """``expected``: the whole messages, with ``{root}`` standing for the book folder."""
    root = write_book(tmp_path, outline, files)
    assert problems(root) == [message.replace("{root}", str(root)) for message in expected]


def test_unlisted_markdown_file_is_a_qz106_warning(tmp_path: Path) -> None:
    root = write_book(tmp_path, "# Teil\n- [A](a.md)\n", {"a.md": page("A"), "entwurf/alt.md": page("Alt")})
    diagnostics = Diagnostics()
    book = read_book(root, diagnostics)
    assert [c.slug for c in book.contributions()] == ["a"]
    assert [str(d) for d in diagnostics.items] == [
        f"{root}/entwurf/alt.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it"
    ]


def test_unlisted_file_fails_under_strict(tmp_path: Path) -> None:
    root = write_book(tmp_path, "# Teil\n- [A](a.md)\n", {"a.md": page("A"), "entwurf/alt.md": page("Alt")})
    assert problems(root, strict=True) == [
        f"{root}/entwurf/alt.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it"
    ]


def test_topic_matches_section_with_roman_number(tmp_path: Path) -> None:
    root = write_book(tmp_path, "# Teil\n- IV. Integrationsmonitoring\n  - [A](a.md)\n",
                      {"a.md": page("A", "practice-example", topic="Integrationsmonitoring")})  # fmt: skip
    assert [c.topic for c in read_book(root, Diagnostics()).contributions()] == ["Integrationsmonitoring"]


def test_equal_pages_are_allowed(tmp_path: Path) -> None:
    root = write_book(
        tmp_path, "# Teil\n- [A](a.md)\n- [B](b.md)\n", {"a.md": page("A", page=7), "b.md": page("B", page=7)}
    )
    assert [c.page for c in read_book(root, Diagnostics()).contributions()] == [7, 7]


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Let the reader's clock run ``seconds`` ahead, as if the files had been written that long ago."""
    now = time.time_ns()
    monkeypatch.setattr(texts.time, "time_ns", lambda: now + int(seconds * 1e9))


def test_a_file_unchanged_since_it_was_read_is_not_read_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    book, recall = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Texts()  # as a watch session's memory
    later(monkeypatch, 3)
    first = read_book(book, Diagnostics(), recall)
    assert sorted(reads) == ["SUMMARY.md", "beispiel.md", "leicht.md", "musterstadt.md", "oeffnung.md"]
    reads.clear()
    again = read_book(book, Diagnostics(), recall)
    assert reads == ["SUMMARY.md"]  # read every time: it has no stamp to go by
    assert again == first
    assert read_book(book, Diagnostics()) == first  # without the session's memory, every file is read
    assert sorted(reads) == ["SUMMARY.md", "SUMMARY.md", "beispiel.md", "leicht.md", "musterstadt.md", "oeffnung.md"]


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    # Its times may not show a second change within the file system's clock tick.
    book, recall = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Texts()  # as a watch session's memory
    read_book(book, Diagnostics(), recall)
    reads.clear()
    read_book(book, Diagnostics(), recall)
    assert sorted(reads) == ["SUMMARY.md", "beispiel.md", "leicht.md", "musterstadt.md", "oeffnung.md"]


def test_a_changed_file_is_read_again_even_with_its_old_size_and_modification_time(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    book, recall = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Texts()  # as a watch session's memory
    later(monkeypatch, 3)
    read_book(book, Diagnostics(), recall)
    reads.clear()
    chapter = book / "handreichungen" / "musterstadt.md"
    before = chapter.stat()
    time.sleep(0.05)  # past the file system's clock tick: the change time moves on
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Text von", "Text vom"), encoding="utf-8")
    os.utime(chapter, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times would
    changed = read_book(book, Diagnostics(), recall)
    assert reads == ["SUMMARY.md", "musterstadt.md"]
    assert changed.parts[1].children[0].children[0].body == "\nText vom Ein Beispiel.\n"


def test_a_contribution_read_again_unchanged_is_the_very_object_read_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build's sharing then meets it as the last build's, and need not walk it again.
    book, recall = write_book(tmp_path, GOOD_OUTLINE, GOOD_FILES), Texts()  # as a watch session's memory
    later(monkeypatch, 3)
    first = read_book(book, Diagnostics(), recall)
    child = book / "handreichungen" / "musterstadt.md"
    child.write_text(child.read_text(encoding="utf-8").replace("Text von", "Text vom"), encoding="utf-8")
    later(monkeypatch, 6)
    again = read_book(book, Diagnostics(), recall)
    greeting, paper = first.parts[0].children[0], first.parts[1].children[0]
    assert again.parts[0].children[0] is greeting
    assert again.parts[2].children[0].children[0] is first.parts[2].children[0].children[0]
    # The edited example is new, and so is its paper, whose children it is among; both equal what a fresh read gives.
    assert (
        again.parts[1].children[0] is not paper
        and again.parts[1].children[0] == read_book(book, Diagnostics()).parts[1].children[0]
    )
    assert again.parts[1].children[0].children[0].body == "\nText vom Ein Beispiel.\n"
    assert read_book(book, Diagnostics(), Afresh()).parts[0].children[0] is not greeting
