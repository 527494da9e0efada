"""Python-Markdown's XHTML → one lxml tree, read as html.parser reads it, parsed once.

Python-Markdown writes well-formed XHTML unless an author's raw HTML is not, and lxml's
XML parser reads that in a twentieth of the time html.parser and Beautiful Soup take.
Whatever the XML parser cannot read, or would read otherwise than html.parser (upper-case
names, content in a void element, references to windows-1252 characters, whitespace in a
tag), is read by html.parser through Beautiful Soup as it always was, and copied into lxml
(``soup.as_html``). Most bodies never come here as a string: ``markdown_tree`` copies
Python-Markdown's tree into the tree ``as_xml`` would read, and hands over only what it declines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from qz_ebook.convert.tree import NAMESPACES, PREFIXED, VOID, Element

# What the XML parser reads otherwise than html.parser, or not at all: doctypes, marked
# sections and processing instructions, namespaces of an author's own, carriage returns,
# and tabs and line breaks inside a tag, which XML turns into spaces in attribute values.
NOT_AS_XML = re.compile(r"<[?!](?!--)|xmlns|\r|<[^<>]*[\t\n]")
# References to 128–159, which html.parser reads as windows-1252 characters ("&#150;" is "–").
WINDOWS_1252 = re.compile(r"&#(?:0*1(?:2[89]|[3-5][0-9])|[xX]0*[89][0-9a-fA-F]);")
OPEN = "<div " + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items()) + ">"
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, collect_ids=False, strip_cdata=True)
# What Beautiful Soup collapses when a text holds nothing else, and where it does not.
ASCII_SPACES = " \n\t\f\r"
KEEPS_WHITESPACE = frozenset({"pre", "textarea"})
# XML names without a namespace prefix; html.parser accepts far more (``<a*>``, ``a$b=``).
XML_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*")
# The elements html.parser reads as text (its CDATA_CONTENT_ELEMENTS): they hold no elements.
RAW_TEXT = frozenset({"script", "style"})
# Where the start of a marked section or processing instruction to show and look for ends.
MARKUP_START_END = re.compile(r"[\s<>?]")


@dataclass(frozen=True)
class Parsed:
    """A body's tree (its content inside a root ``div``), and whether characters XML forbids were dropped."""

    root: Element
    dropped_characters: bool


def as_xml(html: str) -> Element | None:
    """The tree of ``html`` when the XML parser reads it as html.parser would, else None."""
    if NOT_AS_XML.search(html) or WINDOWS_1252.search(html):
        return None
    try:
        root = etree.fromstring(f"{OPEN}{html}</div>", XML_PARSER)
    except etree.XMLSyntaxError:
        return None
    return root if _read_alike(root) else None


def _read_alike(parent: Element, keep_whitespace: bool = False) -> bool:
    """Whether html.parser makes the same tree below ``parent``: it writes names in lower case and knows no namespaces.

    Text of nothing but ASCII white space becomes one line break or space, as Beautiful Soup
    makes it (outside ``pre`` and ``textarea``).
    """
    if not keep_whitespace:
        parent.text = _collapsed(parent.text)
    for child in parent:
        if not keep_whitespace:
            child.tail = _collapsed(child.tail)
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment
        if tag != tag.lower() or tag[0] == "{":
            return False
        if (tag in RAW_TEXT and len(child)) or (tag in VOID and (len(child) or child.text)):
            return False  # html.parser closes a void element at once, and reads raw text as text
        for name in child.attrib:
            if name not in PREFIXED and (name != name.lower() or name[0] == "{"):
                return False
        if not _read_alike(child, keep_whitespace or tag in KEEPS_WHITESPACE):
            return False
    return True


def _collapsed(text: str | None) -> str | None:
    if not text or text.strip(ASCII_SPACES):
        return text
    return "\n" if "\n" in text else " "
