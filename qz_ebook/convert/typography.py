"""German typography for Python-Markdown: quotes „…“ ‚…‘ and ’, dashes – —, ellipses ….

Smarty's patterns look at one quote at a time and use the same character for a
closing single quote and an apostrophe, which is wrong in German (‘ vs ’). This
treeprocessor reads each block's text as one run across inline elements, pairs
opening and closing quotes, and turns every unpaired single quote into ’.

It also writes ``--``, ``---`` and ``...`` as characters, with smarty's rules, but
as plain text in the same walk: smarty stashes every dash as raw HTML and costs a
fifth of the whole conversion.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

OPEN_DOUBLE, CLOSE_DOUBLE = "\u201e", "\u201c"  # „ “
OPEN_SINGLE, CLOSE_SINGLE = "\u201a", "\u2018"  # ‚ ‘
APOSTROPHE = "\u2019"  # ’

INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "del", "dfn", "em", "i", "ins", "mark", "q", "s",
          "small", "span", "strong", "sub", "sup", "u"}  # fmt: skip
VERBATIM = {"code", "kbd", "pre", "samp", "script", "style", "math", "svg"}
WORD = "\ue000"  # stands for verbatim inline content, which reads like a word
BREAK = "\n"  # stands for a nested block or an image
# Colloquial elisions that start with an apostrophe: 's Kind, 'n Tag, 'ne Frage, 'rum.
ELISION = re.compile(r"'(s|n|ne|nen|nem|ner|m|em|rum|raus|rein|runter|nauf|nüber)(?![\w])", re.IGNORECASE)
# Smarty's patterns: exactly two or three hyphens, exactly three dots; each after the text it needs.
DASHES_AND_ELLIPSES = (
    ("---", re.compile(r"(?<!-)---(?!-)"), "\u2014"),
    ("--", re.compile(r"(?<!-)--(?!-)"), "\u2013"),
    ("...", re.compile(r"(?<!\.)\.{3}(?!\.)"), "\u2026"),
)
TO_SET = re.compile(r"[\"']|--|\.\.\.")  # what educate() and set_dashes() change
OPENING_CONTEXT = set(" \t\n\u00a0([{/-\u2013\u2014" + OPEN_DOUBLE + OPEN_SINGLE)


def educate(text: str) -> str:
    """Replace straight quotes in one run of text with German quotation marks."""
    out = list(text)
    double_open = False
    single_open_at: int | None = None
    for i, char in enumerate(text):
        if char not in "\"'":
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        opens = before in OPENING_CONTEXT and not after.isspace()
        if char == '"':
            double_open = opens and not double_open
            out[i] = OPEN_DOUBLE if double_open else CLOSE_DOUBLE
        elif _is_word(before) and _is_word(after) or opens and (after.isdigit() or ELISION.match(text, i)):
            out[i] = APOSTROPHE  # geht's, '90er, 's Kind
        elif opens:
            single_open_at = i
            out[i] = OPEN_SINGLE
        elif single_open_at is not None:
            single_open_at = None
            out[i] = CLOSE_SINGLE
        else:
            out[i] = APOSTROPHE  # Hans' Buch
    if single_open_at is not None:
        out[single_open_at] = APOSTROPHE  # never closed: an elision such as 's
    return "".join(out)


def set_dashes(text: str) -> str:
    """``--`` → –, ``---`` → —, ``...`` → … in one text node."""
    for needed, pattern, character in DASHES_AND_ELLIPSES:
        if needed in text:
            text = pattern.sub(character, text)
    return text


def _is_word(char: str) -> bool:
    return char.isalnum() or char == WORD


class _Run:
    """The text slots of one block, in reading order, with stand-ins between them."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.slots: list[tuple[etree.Element, str, int]] = []  # (element, "text"/"tail", offset)
        self.length = 0

    def add_slot(self, element: etree.Element, attribute: str) -> None:
        value = getattr(element, attribute)
        if isinstance(value, AtomicString):
            self._append(WORD)  # meant verbatim, such as the text of an autolink
        elif value:
            value = set_dashes(value)
            setattr(element, attribute, value)
            self.slots.append((element, attribute, self.length))
            self._append(value)

    def _append(self, value: str) -> None:
        self.pieces.append(value)
        self.length += len(value)

    def collect(self, block: etree.Element) -> None:
        self.add_slot(block, "text")
        for child in block:
            if child.tag in INLINE:
                self.collect(child)
            else:
                self._append(WORD if child.tag in VERBATIM else BREAK)
            self.add_slot(child, "tail")

    def apply(self) -> None:
        educated = educate("".join(self.pieces))
        for element, attribute, offset in self.slots:
            setattr(element, attribute, educated[offset : offset + len(getattr(element, attribute))])


class GermanTypographyProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in INLINE or element.tag in VERBATIM:
                continue
            # Most blocks hold nothing to set; finding that out in C saves the walk below.
            if not TO_SET.search(_run_text(element)):
                continue
            run = _Run()
            run.collect(element)
            if any(q in piece for piece in run.pieces for q in "\"'"):
                run.apply()


def _run_text(block: etree.Element) -> str:
    """The text of ``block``'s run (``_Run``), or more: without an inline child, its text and its children's tails.

    Not all the text below it: a list or the document would be joined again for every block inside it.
    """
    if any(child.tag in INLINE for child in block):
        return "".join(block.itertext())
    return "".join([block.text or "", *(child.tail or "" for child in block)])


class GermanTypographyExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After inline parsing (20), so emphasis and links are elements, and after attr_list (8), which
        # takes ``{: title="…"}`` out of the text: its straight quotes are the list's, not typography.
        # Before abbr (7), toc (5).
        md.treeprocessors.register(GermanTypographyProcessor(md), "german_typography", 7.5)
        md.ESCAPED_CHARS.extend(['"', "'"])
