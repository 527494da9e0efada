"""Tests for ``qz_ebook.source.frontmatter``: splitting a contribution and checking its keys (QZ201–QZ204)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.model import Person
from qz_ebook.source.frontmatter import Source, persons, read_source

PATH = Path("book/beitrag.md")


def read(text: str) -> tuple[Source | None, list[str]]:
    diagnostics = Diagnostics()
    source = read_source(PATH, text, diagnostics)
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


def test_body_line_with_minimal_front_matter() -> None:
    source, messages = read("---\ntitle: T\nkind: article\nstatus: final\n---\nText\n")
    assert messages == []
    assert source is not None
    assert (source.body, source.body_line) == ("Text\n", 6)


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
    source, messages = read(header + f"Text{end}zweite\x0cZeile\u2029Ende")
    assert messages == []
    assert source is not None
    assert (source.body, source.body_line) == (f"Text{end}zweite\x0cZeile\u2029Ende", 6)


def test_a_fence_in_the_last_line_without_its_end_closes_the_front_matter() -> None:
    source, messages = read("---\ntitle: T\nkind: article\nstatus: final\n---")
    assert messages == []
    assert source is not None
    assert (source.body, source.body_line) == ("", 6)


def test_missing_front_matter_is_qz201() -> None:
    source, messages = read("Nur Text.\n")
    assert source is None
    assert messages == [
        "book/beitrag.md:1:1: error[QZ201]: a contribution starts with front matter between '---' lines"
    ]


def test_empty_file_is_qz201() -> None:
    source, messages = read("")
    assert source is None
    assert messages == [
        "book/beitrag.md:1:1: error[QZ201]: a contribution starts with front matter between '---' lines"
    ]


def test_unclosed_front_matter_is_qz201() -> None:
    source, messages = read("---\ntitle: T\nkind: article\n\nText\n")
    assert source is None
    assert messages == ["book/beitrag.md:1:1: error[QZ201]: front matter is not closed by a '---' line"]


def test_malformed_yaml_is_qz201_at_the_file_line() -> None:
    source, messages = read("---\ntitle: T\n  kind: article\nstatus: final\n---\n")
    assert source is None
    assert messages == [
        "book/beitrag.md:3:7: error[QZ201]: front matter is not valid YAML: mapping values are not allowed here"
    ]


def test_unclosed_flow_sequence_is_qz201() -> None:
    source, messages = read("---\ntitle: T\nkind: [article\nstatus: final\n---\n")
    assert source is None
    assert messages == [
        "book/beitrag.md:4:7: error[QZ201]: front matter is not valid YAML: expected ',' or ']', but got ':'"
    ]


def test_empty_front_matter_is_not_a_mapping() -> None:
    source, messages = read("---\n---\nText\n")
    assert source is None
    assert messages == ["book/beitrag.md:2:1: error[QZ201]: front matter must be a mapping of keys to values"]


def test_list_front_matter_is_not_a_mapping() -> None:
    source, messages = read("---\n- title\n---\n")
    assert source is None
    assert messages == ["book/beitrag.md:2:1: error[QZ201]: front matter must be a mapping of keys to values"]


def test_unknown_key_suggests_the_right_one() -> None:
    source, messages = read("---\ntitel: T\nkind: article\nstatus: final\n---\n")
    assert messages == [
        "book/beitrag.md:2:1: error[QZ203]: unknown front-matter key 'titel'; did you mean 'title'?",
        "book/beitrag.md:1:1: error[QZ202]: front matter needs 'title'",
    ]
    assert source is not None and "titel" not in source.fields


def test_unknown_key_without_close_match_has_no_suggestion() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\nfarbe: blau\n---\n")
    assert messages == ["book/beitrag.md:5:1: error[QZ203]: unknown front-matter key 'farbe'"]


def test_missing_required_keys_are_qz202_at_the_fence() -> None:
    _, messages = read("---\ntitle: T\n---\n")
    assert messages == [
        "book/beitrag.md:1:1: error[QZ202]: front matter needs 'kind'",
        "book/beitrag.md:1:1: error[QZ202]: front matter needs 'status'",
    ]


def test_page_as_a_word_is_qz204() -> None:
    source, messages = read("---\ntitle: T\nkind: article\nstatus: final\npage: zwölf\n---\n")
    assert messages == ["book/beitrag.md:5:1: error[QZ204]: 'page' must be a whole number, not 'zwölf'"]
    assert source is not None and "page" not in source.fields


def test_negative_and_fractional_numbers_are_qz204() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\nyear: -1\npage: 1.5\n---\n")
    assert messages == [
        "book/beitrag.md:5:1: error[QZ204]: 'year' must be a whole number, not -1",
        "book/beitrag.md:6:1: error[QZ204]: 'page' must be a whole number, not 1.5",
    ]


def test_boolean_is_not_a_whole_number() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\npage: true\n---\n")
    assert messages == ["book/beitrag.md:5:1: error[QZ204]: 'page' must be a whole number, not true"]


def test_bad_kind_and_status_are_qz204() -> None:
    _, messages = read("---\ntitle: T\nkind: essay\nstatus: fertig\n---\n")
    assert messages == [
        "book/beitrag.md:3:1: error[QZ204]: 'kind' must be one of greeting, article, position-paper, "
        "practice-example, closing, appendix, not 'essay'",
        "book/beitrag.md:4:1: error[QZ204]: 'status' must be one of draft, final, not 'fertig'",
    ]


def test_authors_as_a_single_string_is_qz204() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\nauthors: Dr. X\n---\n")
    assert messages == [
        "book/beitrag.md:5:1: error[QZ204]: 'authors' must be a list of names or "
        "{name: …, affiliation: …} tables, not 'Dr. X'"
    ]


def test_author_table_with_unknown_key_is_qz204() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\nauthors:\n  - name: X\n    role: y\n---\n")
    assert messages == [
        "book/beitrag.md:5:1: error[QZ204]: 'authors' must be a list of names or "
        "{name: …, affiliation: …} tables, not [{'name': 'X', 'role': 'y'}]"
    ]


def test_bad_lang_and_slug_are_qz204() -> None:
    _, messages = read("---\ntitle: T\nkind: article\nstatus: final\nlang: de_DE\nslug: Düren\n---\n")
    assert messages == [
        "book/beitrag.md:5:1: error[QZ204]: 'lang' must be a BCP 47 language tag, not 'de_DE'",
        "book/beitrag.md:6:1: error[QZ204]: 'slug' must be lower-case ASCII letters, digits and '-', not 'Düren'",
    ]


def test_invalid_keys_are_left_out_of_fields() -> None:
    source, _ = read("---\ntitle: T\nkind: essay\nstatus: final\nplace: Hamm\n---\n")
    assert source is not None
    assert source.fields == {"title": "T", "status": "final", "place": "Hamm"}


def test_empty_value_is_named_in_words() -> None:
    _, messages = read("---\ntitle:\nkind: article\nstatus: final\n---\n")
    assert messages == ["book/beitrag.md:2:1: error[QZ204]: 'title' must be a non-empty text, not an empty value"]


def test_a_key_given_twice_is_invalid_yaml() -> None:
    source, messages = read("---\ntitle: A\nkind: article\ntitle: B\nstatus: final\n---\n")
    assert source is None
    assert messages == ["book/beitrag.md:4:1: error[QZ201]: front matter is not valid YAML: key 'title' appears twice"]


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
    first, again = read(text), read(text)
    assert first == again
    assert first[0] is None and first[1][0].startswith(message)


def test_the_same_text_read_again_gives_the_very_same_body_and_fresh_fields() -> None:
    first, _ = read(VALID + "Text\n")
    again, _ = read(VALID + "Text\n")
    assert first is not None and again is not None
    assert again.body is first.body  # later steps recognise it without reading it again
    again.fields["title"] = "geändert"
    assert read(VALID + "Text\n")[0] == first  # what one caller changes, the next never sees
