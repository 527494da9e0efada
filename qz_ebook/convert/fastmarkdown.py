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

The block parser likewise tries every block processor on every block, most of them only
for a regular expression to find nothing, or for a test that passes every block and a run
that gives it back (``reference``, ``footnote``, ``abbr``): a block without the string such
a processor cannot do without skips it.

The toc extension looks for its ``[TOC]`` marker by joining the text below every
element of the document; an element whose own text is not the marker rules it out.
Without the marker, it need not build (and serialise) the table of contents either.
The attr_list extension looks at every element for an attribute list, which
cannot be there when the document's text holds no ``{``.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping

from markdown import Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor

# What the regular expression of a stock pattern cannot match without. Other patterns
# are always tried (any other extension's), but em_strong, which needs one of its tokens.
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


# What a stock block processor's test cannot pass without, or its run without giving the block
# back (returning False, having changed nothing). "indent", "defindent" and "code" need a
# tab's width of spaces (``block_triggers``); "hr", the lists and "paragraph" are always tried.
BLOCK_TRIGGERS = {
    "markdown_block": util.STX,  # a raw HTML placeholder
    "table": "|",
    "hashheader": "#",
    "setextheader": "\n",
    "deflist": ":",
    "quote": ">",
    "footnote": "[^",
    "abbr": "*[",
    "reference": "]:",
}
INDENTED_BLOCKS = ("indent", "defindent", "code")


class TriggeredInlineProcessor(InlineProcessor):
    """``InlineProcessor`` that skips a pattern when the text lacks the pattern's trigger."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        # A plain list: indexing the registry checks its sort order on every access.
        self.inlinePatterns = list(self.md.inlinePatterns)
        # Two strings per pattern, either of which it needs; the empty string is in every text.
        self.triggers = [("", "")] * len(self.inlinePatterns)
        patterns = self.md.inlinePatterns
        for name, trigger in TRIGGERS.items():
            if name in patterns:
                self.triggers[patterns.get_index_for_name(name)] = (trigger, trigger)
        # Python-Markdown 3.11's em_strong (a DelimiterProcessor) matches one of its tokens, "*" or "_".
        tokens = getattr(patterns["em_strong"], "tokens", None) if "em_strong" in patterns else None
        if tokens and len(tokens) <= 2:
            self.triggers[patterns.get_index_for_name("em_strong")] = (tokens[0], tokens[-1])
        return super().run(tree, ancestors)  # type: ignore[no-any-return]

    # Overrides the name-mangled ``InlineProcessor.__handleInline``, line for line but for the skip.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        if not isinstance(data, util.AtomicString):
            startIndex = 0
            while patternIndex < len(self.inlinePatterns):
                first, second = self.triggers[patternIndex]
                if first in data or second in data:
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


def block_triggers(md: Markdown) -> dict[str, str]:
    """``BLOCK_TRIGGERS`` with the indented blocks' spaces: as many as ``md`` counts for a tab."""
    return BLOCK_TRIGGERS | dict.fromkeys(INDENTED_BLOCKS, " " * md.tab_length)


def triggered_block_parsing(
    parser: BlockParser, triggers: Mapping[str, str]
) -> Callable[[etree.Element, list[str]], None]:
    """``parser.parseBlocks``, trying a block processor only on a block that holds its trigger."""
    processors: list[tuple[BlockProcessor, str]] = []

    def parse_blocks(parent: etree.Element, blocks: list[str]) -> None:
        if not processors:  # a plain list once the extensions are in: iterating the registry sorts and copies it
            registry = parser.blockprocessors
            found = [""] * len(registry)  # the empty string is in every block
            for name, trigger in triggers.items():
                if name in registry:
                    found[registry.get_index_for_name(name)] = trigger
            processors.extend(zip(registry, found, strict=True))
        # The stock loop, line for line but for the skip.
        while blocks:
            for processor, trigger in processors:
                if trigger in blocks[0] and processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        # run returns True or None
                        break

    return parse_blocks


class BraceCheckingAttrListTreeprocessor(AttrListTreeprocessor):
    """``AttrListTreeprocessor`` that skips documents without a ``{``: all its patterns start with one."""

    def run(self, doc: etree.Element) -> None:
        if any("{" in text for text in doc.itertext()):
            super().run(doc)


class FastPathsExtension(Extension):
    """Replaces the stock inline and attr_list processors and the block loop; comes after every other extension."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TriggeredInlineProcessor(md), "inline", 20)
        md.parser.parseBlocks = triggered_block_parsing(md.parser, block_triggers(md))
        for pattern in md.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):  # links, images, references
                pattern.getText = link_text_finder(pattern)
        if "attr_list" in md.treeprocessors:
            md.treeprocessors.register(BraceCheckingAttrListTreeprocessor(md), "attr_list", 8)


class MarkerCheckingTocTreeprocessor(TocTreeprocessor):
    """``TocTreeprocessor`` that builds its table of contents only for a document with the ``[TOC]`` marker.

    Without one, the table goes nowhere but ``md.toc``, which nothing reads: it stays empty.
    """

    def run(self, doc: etree.Element) -> None:
        # The stock search replaces an element whose own text, stripped, is the marker.
        self.marked = any(element.text and element.text.strip() == self.marker for element in doc.iter())
        super().run(doc)

    def build_toc_div(self, toc_list: list[dict[str, object]]) -> etree.Element:
        return super().build_toc_div(toc_list) if self.marked else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.marked:
            super().replace_marker(root, elem)


class MarkerCheckingTocExtension(TocExtension):
    TreeProcessorClass = MarkerCheckingTocTreeprocessor
