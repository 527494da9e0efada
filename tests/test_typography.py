"""Tests for German typography: ``qz_ebook.convert.typography`` and the Markdown pipeline around it."""

from __future__ import annotations

import pytest

from qz_ebook.convert.converter import new_markdown
from qz_ebook.convert.typography import educate


def html(source: str) -> str:
    md = new_markdown()
    return md.convert(source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Text"', "„Text“"),
        ("'Text'", "‚Text‘"),
        ('Ein "Text", oder', "Ein „Text“, oder"),
        ('"a" und "b"', "„a“ und „b“"),
        ("'a' und 'b'", "‚a‘ und ‚b‘"),
        ('("Text")', "(„Text“)"),
        ('"Ja"-Sager', "„Ja“-Sager"),
        ("Die 'Ausnahme'-Regel", "Die ‚Ausnahme‘-Regel"),
        ('"90 Tage"', "„90 Tage“"),
    ],
)
def test_educate_pairs_double_and_single_quotes(text: str, expected: str) -> None:
    assert educate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("geht's", "geht’s"),
        ("Das ist's.", "Das ist’s."),
        ("Hans' Buch", "Hans’ Buch"),
        ("Max' und Moritz'", "Max’ und Moritz’"),
        ("'s ist gut", "’s ist gut"),
        ("die '90er Jahre", "die ’90er Jahre"),
        ("'90er", "’90er"),
    ],
)
def test_educate_turns_apostrophes_into_right_single_quotes(text: str, expected: str) -> None:
    assert educate(text) == expected


def test_educate_nests_single_in_double_quotes() -> None:
    assert educate("\"Er sagte: 'Nein'.\"") == "„Er sagte: ‚Nein‘.“"


def test_educate_nests_double_in_single_quotes() -> None:
    assert educate("'Er sagte: \"Nein\".'") == "‚Er sagte: „Nein“.‘"


def test_educate_mixes_quotes_and_apostrophes() -> None:
    assert educate("Sie hat's \"gesagt\", 'halb' und Hans' Buch.") == "Sie hat’s „gesagt“, ‚halb‘ und Hans’ Buch."


def test_educate_leaves_text_without_quotes_alone() -> None:
    assert educate("Keine Anführungszeichen – nur Text.") == "Keine Anführungszeichen – nur Text."


def test_educate_keeps_typographic_quotes() -> None:
    assert educate("„Schon“ richtig") == "„Schon“ richtig"


def test_markdown_paragraph_gets_german_quotes() -> None:
    assert html("Ein \"Grußwort\" mit 'halben' Zeichen, und es geht's.") == (
        "<p>Ein „Grußwort“ mit ‚halben‘ Zeichen, und es geht’s.</p>"
    )


def test_quotes_around_emphasis() -> None:
    assert html('"*betont*"') == "<p>„<em>betont</em>“</p>"


def test_quotes_inside_emphasis() -> None:
    assert html('Das *"betont"* Wort') == "<p>Das <em>„betont“</em> Wort</p>"


def test_quotes_around_strong_and_emphasis() -> None:
    assert html("\"**fett**\" und '*kursiv*'") == "<p>„<strong>fett</strong>“ und ‚<em>kursiv</em>‘</p>"


def test_quotes_around_a_link() -> None:
    assert html('"[Link](https://example.org/)"') == '<p>„<a href="https://example.org/">Link</a>“</p>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Ein "Absatz".\n{: title="Ein Titel" }', '<p title="Ein Titel">Ein „Absatz“.</p>'),
        ('## Kopf "zitiert" {: title="a b" }', '<h2 id="kopf-zitiert" title="a b">Kopf „zitiert“</h2>'),
        ('[Link](x.md){: title="a b" }', '<p><a href="x.md" title="a b">Link</a></p>'),
    ],
)
def test_quotes_in_an_attribute_list_are_the_lists_own(source: str, expected: str) -> None:
    assert html(source) == expected


def test_quotes_inside_code_are_untouched() -> None:
    assert html("`\"x\" and 'y'`") == "<p><code>\"x\" and 'y'</code></p>"


def test_quotes_around_code_pair_across_it() -> None:
    assert html('"Text `"code"` Text"') == '<p>„Text <code>"code"</code> Text“</p>'


def test_closing_quote_right_after_code() -> None:
    assert html('Er sagte: "`code`"') == "<p>Er sagte: „<code>code</code>“</p>"


def test_indented_code_block_is_untouched() -> None:
    assert html('    print("Hallo")\n') == '<pre><code>print("Hallo")\n</code></pre>'


def test_backslash_keeps_a_straight_double_quote() -> None:
    assert html('Ein \\"Zitat\\" bleibt') == '<p>Ein "Zitat" bleibt</p>'


def test_backslash_keeps_a_straight_single_quote() -> None:
    assert html("It's \\'quoted\\'") == "<p>It’s 'quoted'</p>"


def test_quotes_span_a_line_break() -> None:
    assert html('"Zeile  \nzwei"') == "<p>„Zeile<br />\nzwei“</p>"


def test_quotes_in_headings_lists_and_blockquotes() -> None:
    assert html('## "Titel"') == '<h2 id="titel">„Titel“</h2>'
    assert html("- \"a\"\n- 'b'") == "<ul>\n<li>„a“</li>\n<li>‚b‘</li>\n</ul>"
    assert html('> "Zitat"') == "<blockquote>\n<p>„Zitat“</p>\n</blockquote>"


def test_quotes_in_table_cells() -> None:
    assert "<th>„A“</th>" in html("| \"A\" |\n|---|\n| 'b' |")
    assert "<td>‚b‘</td>" in html("| \"A\" |\n|---|\n| 'b' |")


def test_quotes_in_footnotes() -> None:
    assert "<p>Ein „Zitat“." in html('Text[^1]\n\n[^1]: Ein "Zitat".')


def test_closing_quote_before_footnote_reference() -> None:
    assert html('Ein "Zitat"[^1].\n\n[^1]: x').startswith('<p>Ein „Zitat“<sup id="fnref-1">')


def test_quotes_around_an_abbreviation() -> None:
    assert html('"KGSt"\n\n*[KGSt]: Kommunale Gemeinschaftsstelle') == (
        '<p>„<abbr title="Kommunale Gemeinschaftsstelle">KGSt</abbr>“</p>'
    )


def test_dashes_and_ellipsis_next_to_quotes() -> None:
    assert html("\"A\" -- 'B' --- C...") == "<p>„A“ – ‚B‘ — C…</p>"


def test_elisions_at_word_start_are_apostrophes() -> None:
    assert educate("'s Kind und Hans' Buch") == "\u2019s Kind und Hans\u2019 Buch"
    assert educate("'n Tag und 'ne Frage") == "\u2019n Tag und \u2019ne Frage"
    assert educate("'so' sagte er") == "\u201aso\u2018 sagte er"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("2009--2014", "<p>2009–2014</p>"),
        ("Rückblick --- Ausblick", "<p>Rückblick — Ausblick</p>"),
        ("Und so weiter...", "<p>Und so weiter…</p>"),
        ("vier ---- und zwei Punkte .. oder vier ....", "<p>vier ---- und zwei Punkte .. oder vier ....</p>"),
        ("*betont*--und", "<p><em>betont</em>–und</p>"),
        ("`a -- b ...`", "<p><code>a -- b ...</code></p>"),
        ("\\-\\- und \\.\\.\\.", "<p>-- und ...</p>"),
        ("<https://example.org/a--b...c>", '<p><a href="https://example.org/a--b...c">https://example.org/a--b...c</a></p>'),
        ('Er -- "wörtlich"', "<p>Er – „wörtlich“</p>"),
    ],
)  # fmt: skip
def test_dashes_and_ellipses_follow_smartys_rules(source: str, expected: str) -> None:
    assert html(source) == expected
