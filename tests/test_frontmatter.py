"""Tests for ``qz_ebook.source.frontmatter``: splitting a contribution and checking its keys (QZ201–QZ204)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.incremental.texts import Texts
from qz_ebook.model import Person
from qz_ebook.source.frontmatter import Source, persons, read_source

PATH = Path("book/beitrag.md")


def read(text: str, recall: Texts | None = None) -> tuple[Source, list[str]]:
    diagnostics = Diagnostics()
    source = read_source(PATH, text, diagnostics, recall.split if recall is not None else None)
    return source, [str(d) for d in diagnostics.items]


VALID = """\
---
title: Was hat die Kommune mit Schulentwicklung zu tun?
subtitle: Umsetzbare Ziele
authors:
  - Dr. Manfred Schmidt
  - name: Sybille Haussmann
    affiliation: Kreis Düren
place: Kreis Düren
year: 2009
series: KGSt-Materialien 2/2006
kind: practice-example
paper: bildungsmanagement
topic: Migrantenökonomie
page: 18
lang: de-DE
status: draft
slug: dueren-2
---

Erster Absatz.
"""


def test_valid_front_matter_gives_all_fields() -> None:
    source, messages = read(VALID)
    assert messages == []
    assert source is not None
    assert source.fields == {
        "title": "Was hat die Kommune mit Schulentwicklung zu tun?",
        "subtitle": "Umsetzbare Ziele",
        "authors": ["Dr. Manfred Schmidt", {"name": "Sybille Haussmann", "affiliation": "Kreis Düren"}],
        "place": "Kreis Düren",
        "year": 2009,
        "series": "KGSt-Materialien 2/2006",
        "kind": "practice-example",
        "paper": "bildungsmanagement",
        "topic": "Migrantenökonomie",
        "page": 18,
        "lang": "de-DE",
        "status": "draft",
        "slug": "dueren-2",
    }


def test_body_starts_after_the_closing_fence() -> None:
    source, _ = read(VALID)
    assert source is not None
    assert source.body == "\nErster Absatz.\n"
    assert source.body_line == 19  # the line right after the closing '---' (line 18)


@pytest.mark.parametrize(
    ("text", "body", "body_line"),
    [
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\n---\nText\n", "Text\n", 6, id="minimal front matter"
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\n---",
            "",
            6,
            id="a fence in the last line without its end closes the front matter",
        ),
    ],
)
def test_body_and_its_first_line(text: str, body: str, body_line: int) -> None:
    source, messages = read(text)
    assert messages == []
    assert source is not None
    assert (source.body, source.body_line) == (body, body_line)


def test_key_locations_point_at_each_key() -> None:
    source, _ = read(VALID)
    assert source is not None
    assert source.key_locations["title"] == Location(PATH, 2, 1)
    assert source.key_locations["authors"] == Location(PATH, 4, 1)
    assert source.key_locations["paper"] == Location(PATH, 12, 1)
    assert source.key_locations["slug"] == Location(PATH, 17, 1)


def test_persons_keeps_honorifics_and_affiliations() -> None:
    source, _ = read(VALID)
    assert source is not None
    assert persons(source.fields["authors"]) == (
        Person("Dr. Manfred Schmidt"),
        Person("Sybille Haussmann", "Kreis Düren"),
    )


def test_person_table_without_affiliation() -> None:
    assert persons([{"name": "Prof. Dr. Anna Muster"}]) == (Person("Prof. Dr. Anna Muster", None),)


def test_crlf_line_endings_are_accepted() -> None:
    source, messages = read("---\r\ntitle: T\r\nkind: article\r\nstatus: final\r\n---\r\nText\r\n")
    assert messages == []
    assert source is not None
    assert (source.fields["title"], source.body, source.body_line) == ("T", "Text\r\n", 6)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_lines_end_where_splitlines_ends_them(end: str) -> None:
    header = end.join(["---", "title: T", "kind: article", "status: final", "---", ""])
    source, messages = read(header + f"Text{end}zweite\x85Zeile\u2029Ende")  # breaks XML allows (not \x0c)
    assert messages == []
    assert source is not None
    assert (source.body, source.body_line) == (f"Text{end}zweite\x85Zeile\u2029Ende", 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "Nur Text.\n",
            "book/beitrag.md:1:1: error[QZ201]: a contribution starts with front matter between '---' lines",
            id="missing front matter",
        ),
        pytest.param(
            "",
            "book/beitrag.md:1:1: error[QZ201]: a contribution starts with front matter between '---' lines",
            id="empty file",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\n\nText\n",
            "book/beitrag.md:1:1: error[QZ201]: front matter is not closed by a '---' line",
            id="unclosed front matter",
        ),
        pytest.param(
            "---\ntitle: T\n  kind: article\nstatus: final\n---\n",
            "book/beitrag.md:3:7: error[QZ201]: front matter is not valid YAML: mapping values are not allowed here",
            id="malformed YAML at the file line",
        ),
        pytest.param(
            "---\ntitle: T\nkind: [article\nstatus: final\n---\n",
            "book/beitrag.md:4:7: error[QZ201]: front matter is not valid YAML: expected ',' or ']', but got ':'",
            id="unclosed flow sequence",
        ),
        pytest.param(
            "---\n---\nText\n",
            "book/beitrag.md:2:1: error[QZ201]: front matter must be a mapping of keys to values",
            id="empty front matter is not a mapping",
        ),
        pytest.param(
            "---\n- title\n---\n",
            "book/beitrag.md:2:1: error[QZ201]: front matter must be a mapping of keys to values",
            id="list front matter is not a mapping",
        ),
        pytest.param(
            "---\ntitle: A\nkind: article\ntitle: B\nstatus: final\n---\n",
            "book/beitrag.md:4:1: error[QZ201]: front matter is not valid YAML: key 'title' appears twice",
            id="a key given twice is invalid YAML",
        ),
    ],
)
def test_front_matter_that_cannot_be_read_is_qz201(text: str, message: str) -> None:
    source, messages = read(text)
    assert (source.fields, source.key_locations) == ({}, {})  # the reader makes a stand-in of it
    assert messages == [message]


@pytest.mark.parametrize(
    ("text", "body", "line"),
    [
        pytest.param("Kein Vorspann\n[Link](x.md)\n", "Kein Vorspann\n[Link](x.md)\n", 1, id="all of it is body"),
        pytest.param("---\ntitle: [\n---\nText\n", "Text\n", 4, id="the body after bad YAML"),
        pytest.param("---\ntitle: T\n\nText\n", "", 5, id="unclosed: all of it was front matter"),
    ],
)
def test_a_text_with_unreadable_front_matter_still_has_its_body(text: str, body: str, line: int) -> None:
    source, _ = read(text)
    assert (source.body, source.body_line) == (body, line)


@pytest.mark.parametrize(
    ("text", "expected", "key"),
    [
        pytest.param(
            "---\ntitel: T\nkind: article\nstatus: final\n---\n",
            [
                "book/beitrag.md:2:1: error[QZ203]: unknown front-matter key 'titel'; did you mean 'title'?",
                "book/beitrag.md:1:1: error[QZ202]: front matter needs 'title'",
            ],
            "titel",
            id="unknown key suggests the right one",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\npage: zwölf\n---\n",
            ["book/beitrag.md:5:1: error[QZ204]: 'page' must be a whole number, not 'zwölf'"],
            "page",
            id="page as a word is QZ204",
        ),
    ],
)
def test_a_bad_key_is_reported_and_left_out_of_fields(text: str, expected: list[str], key: str) -> None:
    source, messages = read(text)
    assert messages == expected
    assert source is not None and key not in source.fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\nfarbe: blau\n---\n",
            ["book/beitrag.md:5:1: error[QZ203]: unknown front-matter key 'farbe'"],
            id="unknown key without close match has no suggestion",
        ),
        pytest.param(
            "---\ntitle: T\n---\n",
            [
                "book/beitrag.md:1:1: error[QZ202]: front matter needs 'kind'",
                "book/beitrag.md:1:1: error[QZ202]: front matter needs 'status'",
            ],
            id="missing required keys are QZ202 at the fence",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\nyear: -1\npage: 1.5\n---\n",
            [
                "book/beitrag.md:5:1: error[QZ204]: 'year' must be a whole number, not -1",
                "book/beitrag.md:6:1: error[QZ204]: 'page' must be a whole number, not 1.5",
            ],
            id="negative and fractional numbers are QZ204",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\npage: true\n---\n",
            ["book/beitrag.md:5:1: error[QZ204]: 'page' must be a whole number, not true"],
            id="boolean is not a whole number",
        ),
        pytest.param(
            "---\ntitle: T\nkind: essay\nstatus: fertig\n---\n",
            [
                "book/beitrag.md:3:1: error[QZ204]: 'kind' must be one of greeting, article, position-paper, "
                "practice-example, closing, appendix, not 'essay'",
                "book/beitrag.md:4:1: error[QZ204]: 'status' must be one of draft, final, not 'fertig'",
            ],
            id="bad kind and status are QZ204",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\nauthors: Dr. X\n---\n",
            [
                "book/beitrag.md:5:1: error[QZ204]: 'authors' must be a list of names or "
                "{name: …, affiliation: …} tables, not 'Dr. X'"
            ],
            id="authors as a single string is QZ204",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\nauthors:\n  - name: X\n    role: y\n---\n",
            [
                "book/beitrag.md:5:1: error[QZ204]: 'authors' must be a list of names or "
                "{name: …, affiliation: …} tables, not [{'name': 'X', 'role': 'y'}]"
            ],
            id="author table with unknown key is QZ204",
        ),
        pytest.param(
            "---\ntitle: T\nkind: article\nstatus: final\nlang: de_DE\nslug: Düren\n---\n",
            [
                "book/beitrag.md:5:1: error[QZ204]: 'lang' must be a BCP 47 language tag, not 'de_DE'",
                "book/beitrag.md:6:1: error[QZ204]: 'slug' must be lower-case ASCII letters, digits and '-', not 'Düren'",
            ],
            id="bad lang and slug are QZ204",
        ),
        pytest.param(
            "---\ntitle:\nkind: article\nstatus: final\n---\n",
            ["book/beitrag.md:2:1: error[QZ204]: 'title' must be a non-empty text, not an empty value"],
            id="empty value is named in words",
        ),
    ],
)
def test_bad_keys_are_reported(text: str, expected: list[str]) -> None:
    _, messages = read(text)
    assert messages == expected


def test_invalid_keys_are_left_out_of_fields() -> None:
    source, _ = read("---\ntitle: T\nkind: essay\nstatus: final\nplace: Hamm\n---\n")
    assert source is not None
    assert source.fields == {"title": "T", "status": "final", "place": "Hamm"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Kein Vorspann",
            "book/beitrag.md:1:1: error[QZ201]: a contribution starts with front matter between '---' lines",
        ),
        ("---\ntitle: [\n---\nText", "book/beitrag.md:3:1: error[QZ201]: front matter is not valid YAML"),
    ],
)
def test_a_text_read_again_reports_its_problems_again(text: str, message: str) -> None:
    session = Texts()  # a watch session's memory hands the split over again
    first, again = read(text, session), read(text, session)
    assert first == again
    assert first[0].fields == {} and first[1][0].startswith(message)


def test_the_same_text_read_again_gives_the_very_same_body_and_fresh_fields() -> None:
    session = Texts()
    first, _ = read(VALID + "Text\n", session)
    again, _ = read(VALID + "Text\n", session)
    assert first is not None and again is not None
    assert again.body is first.body  # later steps recognise it without reading it again
    again.fields["title"] = "geändert"
    assert read(VALID + "Text\n", session)[0] == first  # what one caller changes, the next never sees
    fresh, _ = read(VALID + "Text\n")
    assert fresh == first and fresh is not None and fresh.body is not first.body  # no memory outside a session
