"""Tests for ``qz_ebook.source.outline.parse_outline``: the SUMMARY.md outline and its QZ101/QZ104 messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.source.outline import OutlineItem, OutlinePart, parse_outline

SUMMARY = Path("SUMMARY.md")


def parse(text: str) -> tuple[list[OutlinePart], list[str]]:
    diagnostics = Diagnostics()
    parts = parse_outline(SUMMARY, text, diagnostics)
    return parts, [str(d) for d in diagnostics.items]


def shape(items: list[OutlineItem]) -> list[tuple]:
    """(label, path, line, col, children) for a compact comparison of a tree."""
    return [(i.label, i.path, i.location.line, i.location.col, shape(i.children)) for i in items]


def test_parts_hold_their_contributions_in_order() -> None:
    parts, messages = parse(
        "# Grußworte\n\n- [Kuhn](grussworte/kuhn.md)\n- [Schmidt](grussworte/schmidt.md)\n\n# Anhang\n- [Adressen](anhang/kontakte.md)\n"
    )
    assert messages == []
    assert [(p.title, p.location) for p in parts] == [
        ("Grußworte", Location(SUMMARY, 1, 1)),
        ("Anhang", Location(SUMMARY, 6, 1)),
    ]
    assert shape(parts[0].items) == [
        ("Kuhn", "grussworte/kuhn.md", 3, 1, []),
        ("Schmidt", "grussworte/schmidt.md", 4, 1, []),
    ]
    assert shape(parts[1].items) == [("Adressen", "anhang/kontakte.md", 7, 1, [])]


def test_part_title_drops_closing_hashes_and_spaces() -> None:
    parts, messages = parse("#   VI. Weitere Themen  ##\n")
    assert messages == []
    assert [p.title for p in parts] == ["VI. Weitere Themen"]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        pytest.param(
            "# Teil\n- [Papier](p.md)\n  - [Beispiel](b.md)\n    - [Unter](u.md)\n  - [Zweites](z.md)\n- [Danach](d.md)\n",
            [
                (
                    "Papier",
                    "p.md",
                    2,
                    1,
                    [
                        ("Beispiel", "b.md", 3, 3, [("Unter", "u.md", 4, 5, [])]),
                        ("Zweites", "z.md", 5, 3, []),
                    ],
                ),
                ("Danach", "d.md", 6, 1, []),
            ],
            id="two-space nesting builds a tree",
        ),
        pytest.param(
            "# Teil\n- [Papier](p.md)\n    - [Beispiel](b.md)\n        - [Unter](u.md)\n- [Danach](d.md)\n",
            [
                ("Papier", "p.md", 2, 1, [("Beispiel", "b.md", 3, 5, [("Unter", "u.md", 4, 9, [])])]),
                ("Danach", "d.md", 5, 1, []),
            ],
            id="four-space nesting builds the same tree",
        ),
        pytest.param(
            "# VI. Weitere\n- 1. Migrantenökonomie\n  - [Hidden Champions](weitere/leicht.md)\n",
            [("1. Migrantenökonomie", None, 2, 1, [("Hidden Champions", "weitere/leicht.md", 3, 3, [])])],
            id="item without link is a section with children",
        ),
        pytest.param(
            "# Teil\n* [A](a.md)\n+ [B](b.md)\n",
            [("A", "a.md", 2, 1, []), ("B", "b.md", 3, 1, [])],
            id="star and plus bullets are items too",
        ),
        pytest.param(
            "# Teil\n- [  Fritz Kuhn: Grußwort ](kuhn.md)\n",
            [("Fritz Kuhn: Grußwort", "kuhn.md", 2, 1, [])],
            id="link label is stripped",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n\n  - [B](b.md)\n",
            [("A", "a.md", 2, 1, [("B", "b.md", 4, 3, [])])],
            id="blank lines between parent and child do not break nesting",
        ),
    ],
)
def test_entries_build_a_tree(text: str, items: list[tuple]) -> None:
    parts, messages = parse(text)
    assert messages == []
    assert shape(parts[0].items) == items


def test_comments_are_ignored_and_keep_line_numbers() -> None:
    text = "<!-- Gliederung -->\n# Teil\n<!-- - [Alt](alt.md)\n     - kaputt\n-->\n- [A](a.md)\n"
    parts, messages = parse(text)
    assert messages == []
    assert [(p.title, p.location.line) for p in parts] == [("Teil", 2)]
    assert shape(parts[0].items) == [("A", "a.md", 6, 1, [])]


@pytest.mark.parametrize(
    ("text", "message", "items"),
    [
        pytest.param(
            "# Teil\n- [A](a.md)\nEinfach Text\n",
            "SUMMARY.md:3:1: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'",
            [("A", "a.md", 2, 1, [])],
            id="plain text line is QZ101",
        ),
        pytest.param(
            "- [A](a.md)\n# Teil\n- [B](b.md)\n",
            "SUMMARY.md:1:1: error[QZ101]: an entry before the first part; start with '# Part title'",
            [("B", "b.md", 3, 1, [])],
            id="entry before first part is QZ101",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n\t- [B](b.md)\n",
            "SUMMARY.md:3:2: error[QZ104]: indent with spaces, not tabs",
            [("A", "a.md", 2, 1, [])],
            id="tab indentation is QZ104",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [B](b.md)\n      - [C](c.md)\n",
            "SUMMARY.md:4:7: error[QZ104]: bad indentation: 6 spaces, deeper than the entry above allows",
            [("A", "a.md", 2, 1, [("B", "b.md", 3, 3, [])])],
            id="skipping a level is QZ104",
        ),
    ],
)
def test_a_bad_line_is_reported_and_the_good_entries_kept(text: str, message: str, items: list[tuple]) -> None:
    parts, messages = parse(text)
    assert messages == [message]
    assert shape(parts[0].items) == items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "# Teil\n   Text\n",
            ["SUMMARY.md:2:4: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'"],
            id="indented plain text is QZ101 at its first character",
        ),
        pytest.param(
            "# Teil\n- [A](a.md) und mehr\n",
            ["SUMMARY.md:2:1: error[QZ101]: a contribution is written '- [Label](path/to/file.md)'"],
            id="link followed by text is QZ101",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [B]()\n",
            ["SUMMARY.md:3:3: error[QZ101]: a contribution is written '- [Label](path/to/file.md)'"],
            id="nested bad link is QZ101 at its indentation",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [B](b.md)\n   - [C](c.md)\n",
            ["SUMMARY.md:4:4: error[QZ104]: bad indentation: 3 spaces, expected 2 spaces per level"],
            id="indent not a multiple of the unit is QZ104",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n  - [B](b.md)\n- [C](c.md)\n    - [D](d.md)\n",
            ["SUMMARY.md:5:5: error[QZ104]: bad indentation: 4 spaces, deeper than the entry above allows"],
            id="switching from two to four spaces is QZ104",
        ),
        pytest.param(
            "# Teil\n- [A](a.md)\n    - [B](b.md)\n- [C](c.md)\n  - [D](d.md)\n",
            ["SUMMARY.md:5:3: error[QZ104]: bad indentation: 2 spaces, expected 4 spaces per level"],
            id="switching from four to two spaces is QZ104",
        ),
        pytest.param(
            # docs/manuscript.md: "two or four spaces per level"; the first indentation must not set a unit of 3.
            "# Teil\n- [A](a.md)\n   - [B](b.md)\n",
            ["SUMMARY.md:3:4: error[QZ104]: bad indentation: 3 spaces, expected 2 or 4 spaces per level"],
            id="three-space indentation is rejected",
        ),
        pytest.param(
            "- [A](a.md)\n# Teil\nText\n\t- [B](b.md)\n- [C](c.txt)\n",
            [
                "SUMMARY.md:1:1: error[QZ101]: an entry before the first part; start with '# Part title'",
                "SUMMARY.md:3:1: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'",
                "SUMMARY.md:4:2: error[QZ104]: indent with spaces, not tabs",
                "SUMMARY.md:5:1: error[QZ101]: a contribution is written '- [Label](path/to/file.md)'",
            ],
            id="all problems of an outline are reported",
        ),
    ],
)
def test_bad_lines_are_reported(text: str, expected: list[str]) -> None:
    _, messages = parse(text)
    assert messages == expected


def test_heading_without_space_is_not_a_part() -> None:
    parts, messages = parse("#Teil\n")
    assert parts == []
    assert messages == [
        "SUMMARY.md:1:1: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'"
    ]


def test_second_level_heading_is_not_a_part() -> None:
    parts, messages = parse("# Teil\n## Unterteil\n")
    assert [p.title for p in parts] == ["Teil"]
    assert messages == [
        "SUMMARY.md:2:1: error[QZ101]: expected '# Part title', '- [Label](file.md)' or '- Section title'"
    ]


def test_link_to_a_non_markdown_file_is_qz101() -> None:
    parts, messages = parse("# Teil\n- [Plakat](plakat.pdf)\n")
    assert messages == ["SUMMARY.md:2:1: error[QZ101]: a contribution is written '- [Label](path/to/file.md)'"]
    assert parts[0].items == []


def test_indented_item_directly_under_a_part_does_not_fix_the_unit() -> None:
    # The rejected line 2 must not make 4 spaces the unit, so the 2-space nesting below stays valid.
    diagnostics = Diagnostics()
    parts = parse_outline(SUMMARY, "# Teil\n    - [X](x.md)\n- [A](a.md)\n  - [B](b.md)\n", diagnostics)
    assert [(d.code, d.location) for d in diagnostics.items] == [("QZ104", Location(SUMMARY, 2, 5))]
    assert shape(parts[0].items) == [("A", "a.md", 3, 1, [("B", "b.md", 4, 3, [])])]


def test_indentation_message_does_not_contradict_itself() -> None:
    _, messages = parse("# Teil\n    - [X](x.md)\n")
    assert len(messages) == 1
    assert messages == ["SUMMARY.md:2:5: error[QZ104]: bad indentation: 4 spaces, deeper than the entry above allows"]
