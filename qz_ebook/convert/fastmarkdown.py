"""Python-Markdown's stock processors, doing less work for the same output.

The inline processor tries every inline pattern on every piece of text, and most
of its time goes to calling a pattern only for its regular expression to find
nothing. Most stock patterns need a certain string to match (a link needs ``[``,
an entity ``&``), so a text without it skips the pattern altogether: the result
is the same, in half the time.

A link's text is found by scanning from its ``[`` to the bracket that closes it. The stock
processor computes the closing bracket of every position of the paragraph's text instead,
and again after each link (the link's place holder changes the text): quadratic in a
paragraph of many links (250 links in 10 KB took 6 s, 100 KB never finished).

The toc extension looks for its ``[TOC]`` marker by joining the text below every
element of the document; an element whose own text is not the marker rules it out.
The attr_list extension looks at every element for an attribute list, which
cannot be there when the document's text holds no ``{``.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor

# What the regular expression of a stock pattern cannot match without. Other patterns
# (em_strong, which needs "*" or "_", and any other extension's) are always tried.
TRIGGERS = {
    "backtick": "`",
    "escape": "\\",
    "footnote": "[^",
    "reference": "[",
    "link": "[",
    "image_link": "![",
    "image_reference": "![",
    "short_reference": "[",
    "short_image_ref": "![",
    "autolink": "<",
    "automail": "<",
    "linebreak": "  \n",
    "html": "<",
    "entity": "&",
}


class TriggeredInlineProcessor(InlineProcessor):
    """``InlineProcessor`` that skips a pattern when the text lacks the pattern's trigger."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        # A plain list: indexing the registry checks its sort order on every access.
        self.inlinePatterns = list(self.md.inlinePatterns)
        self.triggers = [""] * len(self.inlinePatterns)  # the empty string is in every text
        for name, trigger in TRIGGERS.items():
            if name in self.md.inlinePatterns:
                self.triggers[self.md.inlinePatterns.get_index_for_name(name)] = trigger
        return super().run(tree, ancestors)  # type: ignore[no-any-return]

    # Overrides the name-mangled ``InlineProcessor.__handleInline``, line for line but for the skip.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        if not isinstance(data, util.AtomicString):
            startIndex = 0
            while patternIndex < len(self.inlinePatterns):
                if self.triggers[patternIndex] in data:
                    data, matched, startIndex = self._InlineProcessor__applyPattern(
                        self.inlinePatterns[patternIndex], data, patternIndex, startIndex
                    )
                else:
                    matched, startIndex = False, 0  # what ``__applyPattern`` returns when nothing matches
                if not matched:
                    patternIndex += 1
        return data


# How far the scan for a link text's closing bracket goes before it hands over to the stock
# table of every position, which an unclosed bracket needs (it is computed once per text).
LINK_TEXT_SCAN = 4096


def link_text_finder(pattern: LinkInlineProcessor) -> Callable[[str, int], tuple[str, int, bool]]:
    """``pattern.getText``, scanning forward from ``index`` to the bracket that closes the link text."""
    stock = pattern.getText

    def get_text(data: str, index: int) -> tuple[str, int, bool]:
        if getattr(pattern, "_bracket_data", None) is data:  # the stock table of this very text is there
            return stock(data, index)  # type: ignore[no-any-return]
        depth = 0
        for position in range(index, min(len(data), index + LINK_TEXT_SCAN)):
            character = data[position]
            if character == "[":
                depth += 1
            elif character == "]":
                if depth == 0:
                    return data[index:position], position + 1, True
                depth -= 1
        return stock(data, index)  # type: ignore[no-any-return]  # unclosed, or longer than any link text

    return get_text


class BraceCheckingAttrListTreeprocessor(AttrListTreeprocessor):
    """``AttrListTreeprocessor`` that skips documents without a ``{``: all its patterns start with one."""

    def run(self, doc: etree.Element) -> None:
        if any("{" in text for text in doc.itertext()):
            super().run(doc)


class FastPathsExtension(Extension):
    """Replaces the stock inline and attr_list processors; comes after every other extension."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TriggeredInlineProcessor(md), "inline", 20)
        for pattern in md.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):  # links, images, references
                pattern.getText = link_text_finder(pattern)
        if "attr_list" in md.treeprocessors:
            md.treeprocessors.register(BraceCheckingAttrListTreeprocessor(md), "attr_list", 8)


class MarkerCheckingTocTreeprocessor(TocTreeprocessor):
    """``TocTreeprocessor`` that searches for the ``[TOC]`` marker only when some element's text is the marker."""

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        # The stock search replaces an element whose own text, stripped, is the marker.
        if any(element.text and element.text.strip() == self.marker for element in root.iter()):
            super().replace_marker(root, elem)


class MarkerCheckingTocExtension(TocExtension):
    TreeProcessorClass = MarkerCheckingTocTreeprocessor
