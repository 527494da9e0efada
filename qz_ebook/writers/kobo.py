"""Kobo's markup in an XHTML content document, as Kobo's own kepubs and kepubify have it.

Kobo's reader (on a sideloaded ``.kepub.epub``) takes reading statistics, page turns,
highlights and the position of bookmarks from ``<span class="koboSpan" id="kobo.P.S">``
around each sentence: P counts the document's blocks, S the pieces of text in one.
The body's content is wrapped in ``div#book-columns > div#book-inner``, which its
pagination styles address, and ``style#kobostylehacks`` zeroes the inner margins.
Nothing a reader sees or hears changes: the spans hold the very text they replace.
"""

from __future__ import annotations

import re

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
H = f"{{{XHTML}}}"
# A block starts a new paragraph number: its pieces of text count from 1 again.
BLOCKS = frozenset(
    H + name
    for name in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "th", "td", "caption",
                 "figcaption", "blockquote", "ol", "ul", "table", "aside", "header", "footer")
)  # fmt: skip
# Text in these is left as it is: preformatted, or not text a reader reads.
UNTOUCHED = frozenset(H + name for name in ("pre", "script", "style", "svg", "math", "title"))
# A sentence ends at . ! ? or : with any closing quote, then its spaces (as kepubify splits).
SENTENCE = re.compile(r".*?[.!?:…][\"'”’“«»‹›]*\s*|.+", re.DOTALL)
STYLE_HACKS = "div#book-inner { margin-top: 0; margin-bottom: 0; }"


def koboise(document: bytes) -> bytes:
    """``document`` (an XHTML content document) with Kobo's spans, wrappers and style."""
    root = etree.fromstring(document, etree.XMLParser(remove_blank_text=False, resolve_entities=False))
    head, body = root.find(H + "head"), root.find(H + "body")
    assert head is not None and body is not None, "a content document has a head and a body"
    _Spans().add(body)
    style = etree.SubElement(head, H + "style", {"type": "text/css", "id": "kobostylehacks"})
    style.text = STYLE_HACKS
    style.tail = "\n"
    _wrap(body)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>")) + b"\n"


def _wrap(body: etree._Element) -> None:
    columns = etree.Element(H + "div", {"id": "book-columns"})
    inner = etree.SubElement(columns, H + "div", {"id": "book-inner"})
    inner.text, body.text = body.text, "\n"
    for child in list(body):
        inner.append(child)  # moves it, with its tail
    body.append(columns)
    columns.tail = "\n"


class _Spans:
    """Numbers blocks and the pieces of text in them while wrapping each piece in a span."""

    def __init__(self) -> None:
        self.paragraph = 0
        self.segment = 0

    def add(self, element: etree._Element) -> None:
        if element.tag in UNTOUCHED or not isinstance(element.tag, str):
            return
        if element.tag in BLOCKS:
            self.paragraph += 1
            self.segment = 0
        if element.text:
            spans = self._spans(element.text)
            if spans:
                element.text = None
                for index, span in enumerate(spans):
                    element.insert(index, span)
        for child in list(element):
            if child.get("class") == "koboSpan":
                continue  # made here, from the element's own text
            self.add(child)
            if child.tail:
                spans = self._spans(child.tail)
                if spans:
                    child.tail = None
                    position = element.index(child)
                    for offset, span in enumerate(spans, start=1):
                        element.insert(position + offset, span)

    def _spans(self, text: str) -> list[etree._Element]:
        """``text`` as spans, one a sentence; none when it is only white space (kept as it is)."""
        if not text.strip():
            return []
        spans = []
        for sentence in SENTENCE.findall(text):
            self.segment += 1
            span = etree.Element(H + "span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.{self.segment}"})
            span.text = sentence
            spans.append(span)
        return spans
