"""Tests for ``qz_ebook.convert.converter``: Markdown bodies become well-formed XHTML fragments (QZ301–QZ305)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import markdown
import pytest
from bs4.builder import HTMLTreeBuilder
from lxml import etree
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.treeprocessors import InlineProcessor

from qz_ebook.build import read_book
from qz_ebook.convert.batch import AssetRegistry, bind_images
from qz_ebook.convert.converter import TEMPLATE_IDS, Converted, Converter, new_markdown
from qz_ebook.convert.fastmarkdown import TRIGGERS
from qz_ebook.convert.links import Linker, LinkResolver
from qz_ebook.convert.parsing import as_xml
from qz_ebook.convert.rewrites import Locator
from qz_ebook.convert.soup import as_html
from qz_ebook.convert.tree import VOID, WORD_LISTS, serialise
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.model import Asset, Contribution

REPO = Path(__file__).resolve().parents[1]
PNG = REPO / "tests" / "fixtures" / "sample" / "bilder" / "diagramm.png"
BODY_LINE = 10  # the body of every test contribution starts on line 10 of its file


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A book folder with bilder/diagramm.png, an assets folder beside it and an image outside both."""
    root = tmp_path / "book"
    (root / "bilder").mkdir(parents=True)
    shutil.copy(PNG, root / "bilder" / "diagramm.png")
    (tmp_path / "assets").mkdir()
    shutil.copy(PNG, tmp_path / "assets" / "Zeit Leiste.PNG")
    (tmp_path / "anderswo").mkdir()
    shutil.copy(PNG, tmp_path / "anderswo" / "fremd.png")
    (root / "bilder" / "plakat.pdf").write_bytes(b"%PDF-1.4\n")
    return root


def contribution(book: Path, body: str, name: str = "beitrag.md") -> Contribution:
    return Contribution(slug="beitrag", source=book / name, label="Beitrag", title="Beitrag", kind="article",
                        status="final", lang="de", body=body, body_line=BODY_LINE)  # fmt: skip


def convert(book: Path, body: str) -> tuple[Converted, list[str]]:
    diagnostics = Diagnostics()
    page = contribution(book, body)
    converter = Converter(LinkResolver([page]), (book, book.parent / "assets"), diagnostics)
    result = bind_images(converter.convert(page), AssetRegistry())
    return result, [str(d) for d in diagnostics.items]


def xhtml(result: Converted) -> str:
    """The fragment as the EPUB writer renders it on the contribution's own page."""
    return result.body.render(Linker("xhtml", "beitrag"))


def parse(xhtml: str) -> etree._Element:
    """The fragment inside a root element as the writers' pages have it; raises unless it is well-formed XML."""
    return etree.fromstring(
        f'<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">{xhtml}</div>'
    )


def all_ids(xhtml: str) -> list[str]:
    return [str(i) for i in parse(xhtml).xpath("//@id")]


def test_paragraph_becomes_a_p(book: Path) -> None:
    result, messages = convert(book, "Ein Absatz.\n")
    assert messages == []
    assert xhtml(result) == "<p>Ein Absatz.</p>"


def test_footnotes_get_ids_without_colons(book: Path) -> None:
    result, messages = convert(book, "Text.[^1]\n\n[^1]: Fußnote.\n")
    assert messages == []
    assert xhtml(result) == (
        '<p>Text.<a epub:type="noteref" id="fnref-1" class="noteref" href="#fn-1" role="doc-noteref">1</a></p>\n'
        '<div class="footnotes"><h2 class="footnotes-title">Anmerkungen</h2>'
        '<aside epub:type="footnote" id="fn-1" role="doc-footnote">\n'
        '<p><a aria-label="1, zurück zum Text" class="backlink" href="#fnref-1" role="doc-backlink">1</a> Fußnote.</p>\n'
        "</aside></div>"
    )


def test_the_notes_heading_is_in_the_contribution_language_and_not_counted_as_its_words(book: Path) -> None:
    german, _ = convert(book, "Text.[^1]\n\n[^1]: Fußnote.\n")
    assert german.words == 4  # "Text", the reference "1", the backlink "1" and "Fußnote": not "Anmerkungen"
    english = Converter(LinkResolver([]), (book,), Diagnostics()).convert(
        Contribution(slug="en", source=book / "en.md", label="E", title="E", kind="article", status="draft",
                     lang="en-GB", body="Text.[^1]\n\n[^1]: Note.\n", body_line=1)
    )  # fmt: skip
    assert '<h2 class="footnotes-title">Notes</h2>' in xhtml(english)


def test_footnote_markup_has_no_epub_attributes_in_html(book: Path) -> None:
    result, _ = convert(book, "Text.[^1]\n\n[^1]: Fußnote.\n")
    html = result.body.render(Linker("html", "beitrag"))
    assert html.startswith('<p>Text.<a id="fnref-1" class="noteref" href="#fn-1" role="doc-noteref">1</a></p>')
    assert "epub:" not in html and "xml:lang" not in html


def test_named_footnotes_keep_their_labels_in_ids(book: Path) -> None:
    result, messages = convert(book, "A.[^kgst] B.[^zwei]\n\n[^kgst]: Eins.\n[^zwei]: Zwei.\n")
    assert messages == []
    assert all_ids(xhtml(result)) == ["fnref-kgst", "fnref-zwei", "fn-kgst", "fn-zwei"]
    assert not any(":" in i for i in all_ids(xhtml(result)))


def test_footnote_ids_restart_for_each_contribution(book: Path) -> None:
    diagnostics = Diagnostics()
    converter = Converter(LinkResolver([]), (book,), diagnostics)
    first = converter.convert(contribution(book, "A.[^1]\n\n[^1]: x\n"))
    second = converter.convert(contribution(book, "B.[^1]\n\n[^1]: y\n"))
    assert diagnostics.items == []
    assert all_ids(xhtml(first)) == all_ids(xhtml(second)) == ["fnref-1", "fn-1"]


def test_abbreviations_do_not_leak_into_the_next_contribution(book: Path) -> None:
    converter = Converter(LinkResolver([]), (book,), Diagnostics())
    converter.convert(contribution(book, "Die KGSt.\n\n*[KGSt]: Kommunale Gemeinschaftsstelle\n"))
    assert xhtml(converter.convert(contribution(book, "Die KGSt.\n"))) == "<p>Die KGSt.</p>"


def test_table(book: Path) -> None:
    result, messages = convert(book, "| Schritt | Inhalt |\n|---|---|\n| 1 | Ziele |\n\nTabelle: Die *Schritte*\n")
    assert messages == []
    assert xhtml(result) == (
        "<table><caption>Die <em>Schritte</em></caption>\n<thead>\n<tr>\n"
        '<th scope="col">Schritt</th>\n<th scope="col">Inhalt</th>\n</tr>\n</thead>\n'
        "<tbody>\n<tr>\n<td>1</td>\n<td>Ziele</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_table_without_caption_is_a_warning(book: Path) -> None:
    _, messages = convert(book, "Vorher.\n\n| Schritt | Inhalt |\n|---|---|\n| 1 | Ziele |\n")
    assert messages == [
        f"{book}/beitrag.md:12:3: warning[QZ307]: a table needs a caption: write 'Tabelle: …' in the line after it"
    ]


def test_definition_list(book: Path) -> None:
    result, _ = convert(book, "Öffnung\n: Zugang für alle.\n")
    assert xhtml(result) == "<dl>\n<dt>Öffnung</dt>\n<dd>Zugang für alle.</dd>\n</dl>"


def test_abbreviation(book: Path) -> None:
    result, _ = convert(book, "Die KGSt hat.\n\n*[KGSt]: Kommunale Gemeinschaftsstelle für Verwaltungsmanagement\n")
    assert xhtml(result) == (
        '<p>Die <abbr title="Kommunale Gemeinschaftsstelle für Verwaltungsmanagement">KGSt</abbr> hat.</p>'
    )


def test_attribute_list_sets_class_and_id(book: Path) -> None:
    result, messages = convert(book, "Ein Hinweis.\n{: .hinweis #mein-hinweis }\n")
    assert messages == []
    assert xhtml(result) == '<p id="mein-hinweis" class="hinweis">Ein Hinweis.</p>'


def test_heading_ids_are_readable_ascii(book: Path) -> None:
    result, messages = convert(book, "## Interkulturelle Öffnung\n\n## Straße\n\n### Ziel: Teilhabe für alle\n")
    assert messages == []
    assert xhtml(result) == (
        '<h2 id="interkulturelle-oeffnung">Inter\u00adkul\u00adtu\u00adrelle Öffnung</h2>\n'
        '<h2 id="strasse">Straße</h2>\n'
        '<h3 id="ziel-teilhabe-fuer-alle">Ziel: Teilhabe für alle</h3>'
    )


def test_repeated_heading_gets_a_unique_id(book: Path) -> None:
    result, messages = convert(book, "## Straße\n\n## Straße\n")
    assert messages == []
    assert all_ids(xhtml(result)) == ["strasse", "strasse_1"]


def test_heading_with_only_symbols_gets_the_fallback_id(book: Path) -> None:
    result, _ = convert(book, "## ???\n")
    assert xhtml(result) == '<h2 id="abschnitt">???</h2>'


def test_heading_id_set_by_hand(book: Path) -> None:
    result, messages = convert(book, "## Öffnung {#oeffnen}\n")
    assert messages == []
    assert xhtml(result) == '<h2 id="oeffnen">Öffnung</h2>'


def test_heading_named_like_the_template_title_id_is_not_an_error(book: Path) -> None:
    # The page template's <h1 id="qz_titel"> must not turn a single '## Titel' into a duplicate id.
    result, messages = convert(book, "## Titel\n")
    assert messages == []
    assert all_ids(xhtml(result)) != [] and not set(all_ids(xhtml(result))) & TEMPLATE_IDS


def test_dashes_and_ellipsis_are_characters(book: Path) -> None:
    result, _ = convert(book, "2009 -- 2014 --- ein Rückblick...\n")
    assert xhtml(result) == "<p>2009 – 2014 — ein Rückblick…</p>"


def test_html_entities_in_the_source_become_characters(book: Path) -> None:
    result, _ = convert(book, "A&nbsp;B &mdash; &copy; &amp; 1 &lt; 2\n")
    assert xhtml(result) == "<p>A\u00a0B — © &amp; 1 &lt; 2</p>"


def test_output_has_no_named_entities_and_is_well_formed(book: Path) -> None:
    body = (
        '## Öffnung -- "Teilhabe"\n\nText...[^1] mit *KGSt* &nbsp; &hellip;\n\n'
        "| A | B |\n|---|---|\n| 1 | 2 |\n\nTabelle: Zahlen\n\nBegriff\n: Erklärung\n\n"
        "![Diagramm](bilder/diagramm.png)\n\n---\n\n[^1]: Fußnote.\n\n*[KGSt]: Gemeinschaftsstelle\n"
    )
    result, messages = convert(book, body)
    assert messages == []
    assert re.findall(r"&(?!amp;|lt;|gt;|quot;)\w+;", xhtml(result)) == []
    assert re.findall(r"&#", xhtml(result)) == []
    parse(xhtml(result))  # raises on anything that is not well-formed XML


def test_void_elements_are_self_closed(book: Path) -> None:
    result, _ = convert(book, "Zeile  \nzwei\n\n---\n")
    assert xhtml(result) == "<p>Zeile<br/>\nzwei</p>\n<hr/>"


def test_no_id_contains_a_colon(book: Path) -> None:
    result, messages = convert(book, "## Ziel: Teilhabe\n\nText.[^a]\n\n[^a]: Eins.\n")
    assert messages == []
    assert all_ids(xhtml(result)) == ["ziel-teilhabe", "fnref-a", "fn-a"]


def test_duplicate_hand_written_id_is_qz301(book: Path) -> None:
    result, messages = convert(book, "## Eins {#ziele}\n\nText\n\n## Zwei {#ziele}\n")
    # The message points at the repetition, the second 'ziele' in the source.
    assert messages == [f"{book}/beitrag.md:14:11: error[QZ301]: id 'ziele' is used twice in this contribution"]


def test_generated_heading_id_avoids_a_hand_written_id(book: Path) -> None:
    result, messages = convert(book, "## Ziele\n\nAbsatz\n{: #ziele }\n")
    assert messages == []
    assert all_ids(xhtml(result)) == ["ziele_1", "ziele"]


def test_duplicate_id_on_a_paragraph_and_a_heading_is_qz301(book: Path) -> None:
    _, messages = convert(book, "Absatz\n{: #ziele }\n\n## Ziele {#ziele}\n")
    assert messages == [f"{book}/beitrag.md:13:12: error[QZ301]: id 'ziele' is used twice in this contribution"]


def test_id_with_colon_is_qz302(book: Path) -> None:
    _, messages = convert(book, "Text\n\n## Eins {#teil:eins}\n")
    assert messages == [
        f"{book}/beitrag.md:12:11: error[QZ302]: id 'teil:eins' contains ':', which some reading systems reject"
    ]


def test_level_one_heading_in_body_is_qz303(book: Path) -> None:
    _, messages = convert(book, "Text\n\n# Überschrift\n")
    assert messages == [
        f"{book}/beitrag.md:12:3: error[QZ303]: a level-1 heading in the body; the title is the h1, start with '##'"
    ]


def test_image_src_is_rewritten_and_listed(book: Path) -> None:
    result, messages = convert(book, "![Diagramm der Ziele](bilder/diagramm.png)\n")
    assert messages == []
    assert xhtml(result) == '<p><img alt="Diagramm der Ziele" src="images/diagramm.png"/></p>'
    assert result.images == (Asset(book / "bilder" / "diagramm.png", "images/diagramm.png", "image/png"),)
    assert result.missing_alt == 0


def test_image_from_the_assets_folder_gets_a_slug_name(book: Path) -> None:
    result, messages = convert(book, "![Zeitleiste](<../assets/Zeit Leiste.PNG>)\n")
    assert messages == []
    assert xhtml(result) == '<p><img alt="Zeitleiste" src="images/zeit-leiste.png"/></p>'
    assert [(a.href, a.media_type) for a in result.images] == [("images/zeit-leiste.png", "image/png")]


def test_images_with_the_same_name_get_distinct_hrefs(book: Path) -> None:
    (book / "andere").mkdir()
    shutil.copy(PNG, book / "andere" / "diagramm.png")
    result, messages = convert(book, "![A](bilder/diagramm.png) ![B](andere/diagramm.png)\n")
    assert messages == []
    assert [a.href for a in result.images] == ["images/diagramm.png", "images/diagramm-2.png"]


def test_missing_image_is_qz304(book: Path) -> None:
    result, messages = convert(book, "Text\n\n![Diagramm](bilder/fehlt.png)\n")
    assert messages == [f"{book}/beitrag.md:12:13: error[QZ304]: image 'bilder/fehlt.png' does not exist"]
    assert result.images == ()


def test_image_outside_book_and_assets_is_qz304(book: Path) -> None:
    _, messages = convert(book, "![Fremd](../anderswo/fremd.png)\n")
    assert messages == [
        f"{book}/beitrag.md:10:10: error[QZ304]: image '../anderswo/fremd.png' lies outside the book and assets folders"
    ]


def test_absolute_image_path_is_qz304(book: Path) -> None:
    _, messages = convert(book, "![Bild](/tmp/bild.png)\n")
    assert messages == [
        f"{book}/beitrag.md:10:9: error[QZ304]: image '/tmp/bild.png' must be a relative path to a file in the book"
    ]


def test_image_url_is_qz304(book: Path) -> None:
    _, messages = convert(book, "![Bild](https://example.org/bild.png)\n")
    assert messages == [
        f"{book}/beitrag.md:10:9: error[QZ304]: image 'https://example.org/bild.png' must be a relative path "
        "to a file in the book"
    ]


def test_unsupported_image_type_is_qz304(book: Path) -> None:
    _, messages = convert(book, "![Plakat](bilder/plakat.pdf)\n")
    assert messages == [
        f"{book}/beitrag.md:10:11: error[QZ304]: image 'bilder/plakat.pdf' is not a supported type "
        "(jpeg, png, gif, svg+xml, webp)"
    ]


def test_image_without_alt_is_qz305(book: Path) -> None:
    result, messages = convert(book, "Text\n\n![](bilder/diagramm.png)\n")
    assert messages == [
        f"{book}/beitrag.md:12:5: error[QZ305]: image 'bilder/diagramm.png' has no alt text; "
        "write ![description](bilder/diagramm.png), or mark a decorative image with {.decorative}"
    ]
    assert result.missing_alt == 1


def test_image_with_blank_alt_is_qz305(book: Path) -> None:
    result, messages = convert(book, "![ ](bilder/diagramm.png)\n")
    assert messages == [
        f"{book}/beitrag.md:10:6: error[QZ305]: image 'bilder/diagramm.png' has no alt text; "
        "write ![description](bilder/diagramm.png), or mark a decorative image with {.decorative}"
    ]
    assert result.missing_alt == 1


def test_decorative_image_gets_empty_alt_and_no_error(book: Path) -> None:
    result, messages = convert(book, "![](bilder/diagramm.png){.decorative}\n")
    assert messages == []
    assert xhtml(result) == '<p><img alt="" class="decorative" src="images/diagramm.png"/></p>'
    assert result.missing_alt == 0


def test_decorative_image_drops_its_alt_text(book: Path) -> None:
    result, _ = convert(book, "![Ornament](bilder/diagramm.png){.decorative}\n")
    assert xhtml(result) == '<p><img alt="" class="decorative" src="images/diagramm.png"/></p>'


def test_word_count(book: Path) -> None:
    result, _ = convert(book, "## Zwei Wörter\n\nDrei weitere Wörter, und *noch* zwei.\n")
    assert result.words == 8


def test_word_count_of_empty_body(book: Path) -> None:
    result, _ = convert(book, "")
    assert (xhtml(result), result.words, result.images, result.missing_alt) == ("", 0, (), 0)


def test_new_markdown_renders_xhtml_void_elements() -> None:
    assert new_markdown().convert("Zeile  \nzwei") == "<p>Zeile<br />\nzwei</p>"


def test_percent_encoded_image_path_is_decoded(book: Path) -> None:
    result, messages = convert(book, "![Zeitleiste](../assets/Zeit%20Leiste.PNG)\n")
    assert messages == []
    assert xhtml(result) == '<p><img alt="Zeitleiste" src="images/zeit-leiste.png"/></p>'


@pytest.mark.parametrize(
    "markup",
    [
        '<p class=" a  b" title=\'sagt "ja"\' data-x="it\'s &quot;so&quot;">1 &lt; 2 &amp; 3 &gt; 0</p>',
        '<br/><hr/><img src="x.png" alt=""/><p>leer</p><span></span><p/>',
        "<!-- Notiz --><p>Text<!-- Seite 3 --> mehr</p>",
        '<ruby>漢<rt>kan</rt></ruby> <a href="#x" rel="  next ">&#8617;&#160;&#x2014;</a>',
        '<p id="a" lang="en" epub:type="note" xml:lang="en">x</p><td headers=" a  b ">y</td>',
        "<ol>\n<li>a</li>\n</ol>\n<!-- Seite 7 -->\n\n<p>  <em>x</em> \t </p><pre>\n\n<b>a</b>  </pre>  ",
    ],
)
def test_the_xml_parser_reads_well_formed_markup_as_html_parser_does(markup: str, book: Path) -> None:
    from_xml = as_xml(markup)
    from_html = as_html(markup, Locator(contribution(book, markup)), Diagnostics(), 20).root
    assert from_xml is not None
    assert serialise(from_xml, {}) == serialise(from_html, {})


@pytest.mark.parametrize(
    "markup",
    [
        "<P>gross</P>",  # html.parser writes names in lower case
        '<p CLASS="x">y</p>',
        "<br>x</br>",  # a void element is closed at once
        "<script><b>fett</b></script>",  # raw text
        '<p title="a\nb">x</p>',  # XML makes the line break a space
        "<p>&#150;</p>",  # windows-1252: an en dash for html.parser
        "<p>&nbsp;</p>",  # no such entity in XML
        "<p>a<?php echo 1 ?></p>",
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "<p>offen",
    ],
)
def test_markup_the_xml_parser_reads_otherwise_goes_to_html_parser(markup: str) -> None:
    assert as_xml(markup) is None


def stock_markdown() -> markdown.Markdown:
    """``new_markdown()`` with Python-Markdown's own processors in place of the fast paths."""
    md = new_markdown()
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    md.treeprocessors.register(AttrListTreeprocessor(md), "attr_list", 8)
    toc = next(e for e in md.registeredExtensions if isinstance(e, TocExtension))
    md.treeprocessors.register(TocTreeprocessor(md, toc.getConfigs()), "toc", 5)
    for pattern in md.inlinePatterns:
        vars(pattern).pop("getText", None)  # the class's own again
    vars(md.parser).pop("parseBlocks")
    return md


@pytest.mark.parametrize(
    "source",
    [
        "Ein `Code` mit \\*Stern\\*, ``a ` b`` und \\` allein",
        "[Link](x.md) [Verweis][1] [1] ![Bild](b.png) ![Bild][b] ![b] [^1] [^fehlt] [leer]()\n\n[1]: y.md\n[b]: c.png\n\n[^1]: Notiz",
        "<http://example.org/a_b> <a@b.de> <span>roh</span> <!-- Seite 3 --> < kein Tag",
        "Zeile  \nzwei &copy; &#169; AT&T & so *kursiv* __fett__ ***beides*** a*b*c _x_y_",
        "## Titel {: #eigen .klasse }\n\nAbsatz\n{: .rechts }\n\n*   Punkt\n    {: .p }\n\n{ keine Liste }",
        "[TOC]\n\n## Eins\n\n### Zwei `[TOC]`\n\n    [TOC]",
        "*[HTML]: Hypertext\n*[A&amp;B]: Und\n\nHTML ist \"gut\" -- oder 'nicht'... A&amp;B",
        "[a [b] c](x) [offen [x](y) ] [[x]](z) ![i [j]](k.png) [r [s]][1] [\\]](e) ]\n\n[1]: t",
        "[" + "Wort " * 1000 + "](lang.md) und [kurz](k.md)",  # a link text past the forward scan
        " ".join(f"[x [y {i}](u{i}) [z" for i in range(50)),
        # Blocks, each with and without the string its processor looks for.
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\nkein | Tisch\n\n|\n|-\n\nBegriff\n:   Erklärung\n\nkein: Begriff",
        "> Zitat\n> > tief\n\nkein > Zitat\n\nTitel\n-----\n\nZwei\nZeilen\n\n## Kopf ##\n\nkein # Kopf",
        "Text[^1]\n\n[^1]: Note\n    weiter\n\n[x]: y.md\n*[Q]: Quelle\n\nQ [x] [^1]\n\nkein ]: Verweis",
        '- a\n\n    mehr\n\n        code\n\n1. b\n    * c\n\n* * *\n\n    Code\n\n<div markdown="1">\n*x*\n</div>',
    ],
)
def test_fast_paths_give_the_output_of_the_stock_processors(source: str) -> None:
    assert new_markdown().convert(source) == stock_markdown().convert(source)


@pytest.mark.parametrize("folder", ["book", "tests/fixtures/sample"])
def test_fast_paths_give_the_stock_output_for_every_chapter(folder: str) -> None:
    fast, stock = new_markdown(), stock_markdown()
    for page in read_book(REPO / folder, Diagnostics()).contributions():
        fast.reset()
        stock.reset()
        assert fast.convert(page.body) == stock.convert(page.body), page.source


def test_inline_processor_still_has_the_method_the_fast_path_overrides() -> None:
    # Renamed upstream, the override would be skipped silently: correct output, but slow.
    assert hasattr(InlineProcessor, "_InlineProcessor__handleInline")
    md = new_markdown()
    assert all(name in md.inlinePatterns for name in TRIGGERS)


def test_emphasis_is_skipped_only_where_its_regular_expression_finds_nothing() -> None:
    # The fast path tries em_strong only on a text holding one of its tokens.
    emphasis = new_markdown().inlinePatterns["em_strong"]
    assert sorted(emphasis.tokens) == ["*", "_"]
    assert emphasis.getCompiledRegExp().pattern == "|".join(re.escape(token) for token in emphasis.tokens)


def test_inline_patterns_apply_after_a_text_without_their_trigger(book: Path) -> None:
    result, _ = convert(book, "`a` <b>fett</b> \\*kein\\* &copy; [Verweis](#x) **stark**\n")
    assert xhtml(result) == (
        '<p><code>a</code> <b>fett</b> *kein* \u00a9 <a href="#x">Verweis</a> <strong>stark</strong></p>'
    )


def test_toc_marker_becomes_a_table_of_contents(book: Path) -> None:
    result, _ = convert(book, "[TOC]\n\n## Eins\n")
    assert xhtml(result) == (
        '<div class="toc">\n<ul>\n<li><a href="#eins">Eins</a></li>\n</ul>\n</div>\n<h2 id="eins">Eins</h2>'
    )


def test_marked_section_the_parser_rejects_is_kept_as_text_qz314(book: Path) -> None:
    # Markdown passes raw HTML blocks through; html.parser (before Python 3.13) takes any '<![' for a marked section.
    result, messages = convert(book, "Vorher.\n\n<div>\n<![Bild](x.png) und <![ leer ]>\n</div>\n")
    assert xhtml(result) == "<p>Vorher.</p>\n<div>\n&lt;![Bild](x.png) und &lt;![ leer ]&gt;\n</div>"
    assert messages == [
        f"{book}/beitrag.md:13:1: warning[QZ314]: malformed raw HTML '<![Bild](x.png)' kept as text; "
        "write '&lt;' for a literal '<'",
        f"{book}/beitrag.md:13:21: warning[QZ314]: malformed raw HTML '<![' kept as text; "
        "write '&lt;' for a literal '<'",
    ]


def test_repeated_rejected_marked_section_points_at_each_occurrence(book: Path) -> None:
    _, messages = convert(book, "<p><![x</p>\n\n<p><![x</p>\n")
    assert [m.split(": ")[0] for m in messages] == [f"{book}/beitrag.md:10:4", f"{book}/beitrag.md:12:4"]


QZ316 = "character XHTML forbids: removed"
QZ315 = "it has no place in a contribution; write '&lt;' for a literal '<'"


QZ315_CASES = {
    "doctype": (
        "Vorher.\n\n<div>\n<!DOCTYPE html>\n</div>\n\n<div>\n<!doctype html>\n</div>\n",
        "<p>Vorher.</p>\n<div>\n\n</div>\n<div>\n\n</div>",
        [(13, 1, "doctype '<!DOCTYPE'"), (17, 1, "doctype '<!doctype'")],
    ),
    # An unterminated '<?' runs to the next '>', as in a browser: here it takes the '</div' along.
    "processing instruction": (
        "<div>\n<?xml x?> a <?php echo 1 ?>\n</div>\n\nText <?pi?> mehr.\n\n<div>\n<? pi\n</div>\n",
        "<div>\n a \n</div>\n<p>Text  mehr.</p>\n<div>\n</div>",
        [
            (11, 1, "processing instruction '<?xml'"),
            (11, 13, "processing instruction '<?php'"),
            (14, 6, "processing instruction '<?pi'"),
            (17, 1, "processing instruction '<?'"),
        ],
    ),
    # html.parser reads '<![INCLUDE[ z ]]>' as one declaration, and Beautiful Soup would write it as '<?INCLUDE[ z ?>'.
    "marked section": (
        "<div>\n<![INCLUDE[ z ]]> <![if !IE]>x<![endif]> <![IGNORE[ y ]]>\n</div>\n",
        "<div>\n x \n</div>",
        [
            (11, 1, "marked section '<![INCLUDE['"),
            (11, 19, "marked section '<![if'"),
            (11, 31, "marked section '<![endif'"),
            (11, 42, "marked section '<![IGNORE['"),
        ],
    ),
}


@pytest.mark.parametrize("case", QZ315_CASES, ids=list(QZ315_CASES))
def test_markup_with_no_place_in_raw_html_is_removed_qz315(book: Path, case: str) -> None:
    body, expected, removed = QZ315_CASES[case]
    result, messages = convert(book, body)
    assert xhtml(result) == expected
    assert messages == [
        f"{book}/beitrag.md:{line}:{col}: warning[QZ315]: raw HTML {what} removed: {QZ315}"
        for line, col, what in removed
    ]


def test_references_to_characters_xml_forbids_are_removed_qz316(book: Path) -> None:
    result, messages = convert(book, "a &#1; b &#Xb c &#x0; d &#65; &#xFFFE;\n\nText[^1].\n\n[^1]: &#xb;\n")
    assert xhtml(result).startswith("<p>a  b  c \ufffd d A </p>")  # NUL becomes U+FFFD, as in a browser
    parse(xhtml(result))  # well-formed
    assert messages == [
        f"{book}/beitrag.md:10:3: warning[QZ316]: character reference '&#1;' names U+0001, a control {QZ316}",
        f"{book}/beitrag.md:10:10: warning[QZ316]: character reference '&#Xb' names U+000B, a control {QZ316}",
        f"{book}/beitrag.md:10:31: warning[QZ316]: character reference '&#xFFFE;' names U+FFFE, a non{QZ316}",
        f"{book}/beitrag.md:14:7: warning[QZ316]: character reference '&#xb;' names U+000B, a control {QZ316}",
    ]


def test_repeated_processing_instruction_points_at_each_occurrence(book: Path) -> None:
    _, messages = convert(book, "<p><?a?></p>\n\n<p><?a b?></p>\n")
    assert [m.split(": ")[0] for m in messages] == [f"{book}/beitrag.md:10:4", f"{book}/beitrag.md:12:4"]


def test_cdata_section_in_raw_html_becomes_escaped_text(book: Path) -> None:
    # XML reads a CDATA section as text; in an HTML page it would be a comment and vanish.
    result, messages = convert(book, "<div>\n<![CDATA[x < y & z]]> Wörter\n</div>\n")
    assert messages == []
    assert xhtml(result) == "<div>\nx &lt; y &amp; z Wörter\n</div>"
    assert result.body.render(Linker("html", "beitrag")) == xhtml(result)
    assert result.words == 4


NASTY_RAW_HTML = [
    "<![Bild](bilder/diagramm.png)\n",
    "Text <![Bild](bilder/diagramm.png) mehr <b>fett</b>\n",
    "<div>\n\\<![Bild](x.png)\n</div>\n",
    '<div markdown="1">\n<![Bild](bilder/diagramm.png)\n</div>\n',
    "<div><![x</div>\n",
    "<div>\n<![\n",
    "<div>\n<!DOCTYPE html>\n</div>\n",
    "<!DOCTYPE html>\n\nText <!doctype x> mehr\n",
    '<div>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "x.dtd" [ <!ENTITY a \'b\'> ]>\n</div>\n',
    "<div>\n<? pi\n</div>\n",
    "<div>\n<?xml version='1.0'?><?php echo '<b>'; ?>\n</div>\n",
    "Text <?pi x?> und <?\n",
    "<div>\n<![INCLUDE[ z ]]>\n</div>\n",
    "<div>\n<![IGNORE[ <p>z</p> ]]>\n</div>\n",
    "<div>\n<![CDATA[x < y & ]]]]><![CDATA[> z]]>\n</div>\n",
    "<div>\n<![CDATA[ offen\n</div>\n",
    "<div>\n<![CDATA[ offen\n",
    "<div>\n<![CDATA[x]]> <![if !IE]>y<![endif]> <![INCLUDE[ z ]]>\n</div>\n",
    "<div>\n<!ENTITY x 'y'> <!ELEMENT p ANY> <!ATTLIST p a CDATA #IMPLIED>\n</div>\n",
    "<div>\n<!ENTITY x 'y'> <!DOCTYPE [ <!ELEMENT> <!x\n</div>\n",
    "<div>\n<!-- a -- b --> <!-- c --->  <!----> <!--> <!--->\n</div>\n",
    "<div>\n<!> <!x y> <! > <!-->\n</div>\n",
    '<div>\n<? pi <?xml x?> <!-- <![x --> <span title="<![x <?y <!DOCTYPE">t</span>\n</div>\n',
    "<![if !IE]>x<![endif]> <!ENTITY x> <? y\n",
    "<svg><![CDATA[a<b]]><?pi?></svg>\n",
    "Text.[^1]\n\n[^1]: Notiz <?pi?> <!-- x -->\n",
]


@pytest.mark.parametrize("body", NASTY_RAW_HTML)
def test_nasty_raw_html_gives_well_formed_xhtml_and_located_warnings(book: Path, body: str) -> None:
    result, messages = convert(book, body)
    assert all("warning[QZ314]" in m or "warning[QZ315]" in m for m in messages)
    for linker in (Linker("xhtml", "beitrag"), Linker("html", "beitrag")):
        fragment = result.body.render(linker)
        # No markup but elements, escaped text and the writers' entities survives: no '<!' or '<?'.
        assert "<!" not in fragment and "<?" not in fragment
        parse(fragment)  # raises on anything that is not well-formed XML


def test_every_style_attribute_goes_with_a_warning_at_its_place_qz317(book: Path) -> None:
    body = 'Text.\n\n<div class="kasten">\n<p title="x" STYLE="position: fixed">a</p> <p style="display:none">b</p>\n</div>\n\nAbsatz\n{: style="color: red" }\n'
    result, messages = convert(book, body)
    assert "style" not in xhtml(result)
    assert messages == [
        f"{book}/beitrag.md:{BODY_LINE + 3}:14: warning[QZ317]: style attribute removed from <p>: the book's stylesheets style it; use a class",
        f"{book}/beitrag.md:{BODY_LINE + 3}:47: warning[QZ317]: style attribute removed from <p>: the book's stylesheets style it; use a class",
        f"{book}/beitrag.md:{BODY_LINE + 7}:4: warning[QZ317]: style attribute removed from <p>: the book's stylesheets style it; use a class",
    ]  # fmt: skip


def test_the_alignment_of_a_table_column_stays(book: Path) -> None:
    result, messages = convert(book, "| a | b |\n|:--|--:|\n| x | y |\n\nTabelle: Ausgerichtet.\n")
    assert messages == []
    assert '<td style="text-align: left;">x</td>' in xhtml(result)


def test_the_brochure_is_read_by_the_xml_parser_as_html_parser_reads_it() -> None:
    book = read_book(REPO / "book", Diagnostics())
    md = new_markdown()
    for page in book.contributions():
        md.reset()
        html = md.convert(page.body)
        from_xml = as_xml(html)
        assert from_xml is not None, f"{page.source} left the fast path"
        from_html = as_html(html, Locator(page), Diagnostics(), 20).root
        assert serialise(from_xml, {}) == serialise(from_html, {}), page.source


def test_void_elements_and_word_lists_are_beautiful_soups() -> None:
    # The fallback reads with Beautiful Soup; the XML path must write what it would write.
    assert VOID == HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS
    assert WORD_LISTS == HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
