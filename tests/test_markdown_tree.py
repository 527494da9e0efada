"""Tests for ``qz_ebook.convert.markdown_tree``: Python-Markdown's tree copied into lxml is the tree
that its XHTML reads as (``parsing.as_xml``); what the copy cannot make the same, it declines."""

from __future__ import annotations

import markdown
import pytest
from conftest import REPO
from hypothesis import given
from lxml import etree
from markdown.postprocessors import Postprocessor
from test_properties import manuscript

from qz_ebook.build import read_book
from qz_ebook.convert.converter import XML_ILLEGAL, new_markdown
from qz_ebook.convert.markdown_tree import TreeMarkdown, copy_tree
from qz_ebook.convert.parsing import as_xml
from qz_ebook.convert.tree import Element
from qz_ebook.diagnostics import Diagnostics


def both_routes(source: str) -> tuple[Element | None, Element | None]:
    """The copy of ``source``'s tree (None where it declines) and the tree the string route reads."""
    md = new_markdown()
    tree = md.tree(source)
    copied = copy_tree(md, tree)
    return copied, as_xml(XML_ILLEGAL.sub("", md.serialised(tree)))


def written(root: Element | None) -> bytes:
    """Everything of ``root``: names, attributes in their order, texts, tails and comments."""
    assert root is not None
    return etree.tostring(root, encoding="utf-8")


def agrees(source: str) -> bool:
    """Whether the copy of ``source`` is the tree of the string route; True where the copy declines."""
    copied, read = both_routes(source)
    return copied is None or written(copied) == written(read)


@pytest.mark.parametrize("folder", ["book", "tests/fixtures/sample"])
def test_the_two_halves_of_a_conversion_give_what_convert_gives(folder: str) -> None:
    md, whole = new_markdown(), new_markdown()
    assert TreeMarkdown.convert is markdown.Markdown.convert  # the stock one, in one piece
    for page in read_book(REPO / folder, Diagnostics()).contributions():
        md.reset()
        whole.reset()
        assert md.serialised(md.tree(page.body)) == whole.convert(page.body), page.source


def test_every_brochure_chapter_is_copied_as_its_xhtml_reads() -> None:
    for page in read_book(REPO / "book", Diagnostics()).contributions():
        copied, read = both_routes(page.body)
        assert copied is not None, f"{page.source} left the copy"
        assert written(copied) == written(read), page.source


@pytest.mark.parametrize(
    "source",
    [
        "Absatz.\n\n<!-- Seite 3 -->\n\nNoch einer.\n",  # a page marker between blocks
        "<!-- Seite 1 -->\n\nText.\n\n<!-- Seite 2 -->\n",  # at the start and the end of the document
        "Text <!-- Seite 4 --> mitten <!-- Seite 5 -->im Satz.",  # inline, twice in one text
        "- eins\n\n    <!-- Seite 6 -->\n\n- zwei\n",  # inside a list item
        "> Zitat\n>\n> <!-- Seite 7 -->\n",  # inside a blockquote
        "<!---->\n\nleerer Kommentar",
        "`a & b < c > d` und `&amp;` und ``x`` <https://example.org/?a=1&b=2>",  # escaped by Markdown
        "    code & <tag>\n        eingerückt\n\nText",
        "Text[^1] und mehr[^zwei].\n\n[^1]: Eine Note.\n[^zwei]: Noch eine.\n",  # the footnotes' placeholders
        "## Titel {: #eigen lang=en }\n\nAbsatz\n{: .k data-x=a>b<c }",
        "Absatz\n{: .k epub:type=note id=x xml:lang=en aria-label=y }",  # prefixed attributes in their order
        '<div markdown="1">\n*Markdown* darin\n</div>',  # the element itself is in the tree
        "Zeile  \nzwei\n\n* * *\n\nTitel\n=====\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nTabelle: T",
        "Begriff\n:   Erklärung\n\n*[HTML]: Hypertext\n\nHTML ist \"gut\" -- 'nicht' ... oder?",
        "1. eins\n2. zwei\n    - tief\n\n          code\n",
        "   \n\n   ",  # blank: no tree at all
        "Text\n{: tabindex=\"1\" style='a\tb' }",  # the tab is expanded before attr_list reads it
    ],
)
def test_the_copy_is_the_tree_the_xhtml_reads_as(source: str) -> None:
    copied, read = both_routes(source)
    assert copied is not None
    assert written(copied) == written(read)


@pytest.mark.parametrize(
    "source",
    [
        "&copy; &#169; &#150;",  # references, which only html.parser reads all of
        "<b>raw</b> HTML",
        "<div>\nein Block\n</div>",
        "<!-- zwei -- Striche -->",  # no XML comment
        "<!-- über\nzwei Zeilen -->",
        "<!-- &#150; -->",
        "ein xmlns im Text",
        "Steuerzeichen \x0b im Text",
        "<a@example.org>",  # the address is written with references
        '## Titel {: data-X="gross" }',  # html.parser writes attribute names in lower case
    ],
)
def test_what_the_copy_cannot_make_the_same_it_declines(source: str) -> None:
    copied, _ = both_routes(source)
    assert copied is None


def test_a_postprocessor_of_another_kind_makes_the_copy_decline() -> None:
    class Shouting(Postprocessor):
        def run(self, text: str) -> str:
            return text.upper()

    md = new_markdown()
    assert copy_tree(md, md.tree("Text")) is not None
    md.postprocessors.register(Shouting(md), "shouting", 5)
    assert copy_tree(md, md.tree("Text")) is None


@given(manuscript())
def test_any_copy_is_the_tree_the_xhtml_reads_as(body: str) -> None:
    assert agrees(body.replace("Notiz", "Seite 3"))
