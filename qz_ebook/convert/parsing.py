"""Python-Markdown's XHTML → one lxml tree, read as html.parser reads it, parsed once.

Python-Markdown writes well-formed XHTML unless an author's raw HTML is not, and lxml's
XML parser reads that in a twentieth of the time html.parser and Beautiful Soup take.
Whatever the XML parser cannot read, or would read otherwise than html.parser (upper-case
names, content in a void element, references to windows-1252 characters, whitespace in a
tag), is read by html.parser through Beautiful Soup as it always was, and copied into lxml.
What XHTML cannot hold is reported and left out on the way: names no XML name is made of,
doctypes, processing instructions and marked sections; a CDATA section becomes its text.
Most bodies never come here as a string: ``markdown_tree`` copies Python-Markdown's tree
into the tree ``as_xml`` would read, and hands over only what it declines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Comment
from bs4.element import CData, Doctype, NavigableString, PreformattedString, ProcessingInstruction, Tag
from lxml import etree

from qz_ebook.characters import FORBIDDEN
from qz_ebook.convert.limits import DepthCheckingSoup, check_depth
from qz_ebook.convert.rewrites import Locator
from qz_ebook.convert.sanitize import ACTIVE_ELEMENTS
from qz_ebook.convert.soup import parse as parse_soup
from qz_ebook.convert.tree import BY_PREFIX, NAMESPACES, PREFIXED, VOID, Element, new_root
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.messages import Message

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


def parse(html: str, where: Locator, diagnostics: Diagnostics, depth: int) -> Parsed:
    """Parse ``html``; raises ``limits.TooDeep`` at the first element nested deeper than ``depth``."""
    root = as_xml(html)
    if root is None:
        return as_html(html, where, diagnostics, depth)
    check_depth(root, depth)
    return Parsed(root, False)


def as_html(html: str, where: Locator, diagnostics: Diagnostics, depth: int) -> Parsed:
    """``html`` read by html.parser, as Beautiful Soup builds it, copied into lxml."""
    soup, rejected = parse_soup(html, lambda markup: DepthCheckingSoup(markup, depth))
    _report_rejected(rejected, where, diagnostics)
    copy = _Copy(where, diagnostics)
    copy.content(soup, copy.root, active=False)
    return Parsed(copy.root, copy.dropped_characters)


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


def _report_rejected(rejected: list[str], where: Locator, diagnostics: Diagnostics) -> None:
    """Report each '<![…' the HTML parser rejected; ``soup.parse`` kept it as text."""
    for n, start in enumerate(rejected):
        # Each earlier one that begins with the same text is an earlier use of it in the source.
        occurrence = 1 + sum(earlier.startswith(start) for earlier in rejected[:n])
        message = Message("malformed raw HTML '{start}' kept as text; write '&lt;' for a literal '<'", start=start)
        diagnostics.warning("QZ314", message, where(start, occurrence))


class _Copy:
    """Copies a Beautiful Soup tree into lxml, reporting what XHTML cannot hold.

    Inside an active element (``sanitize.ACTIVE_ELEMENTS``), which leaves the tree with its
    content, nothing is reported: the author hears of the element, not of its content.
    """

    def __init__(self, where: Locator, diagnostics: Diagnostics) -> None:
        self.where = where
        self.diagnostics = diagnostics
        self.root = new_root()
        self.dropped_characters = False
        self._shown: list[str] = []  # the markup starts reported so far, in lower case

    def content(self, tag: Tag, into: Element, active: bool) -> None:
        for node in tag.contents:
            if isinstance(node, Tag):
                self._element(node, into, active)
            elif isinstance(node, Comment):
                # XML comments hold no "--": such a comment is no page marker, which is all a comment is kept for.
                if "--" not in node and not node.endswith("-"):
                    into.append(etree.Comment(self._legal(str(node))))
            elif isinstance(node, PreformattedString) and type(node) is not CData:
                if not active:
                    self._report_markup(node)
            elif isinstance(node, NavigableString):
                _append_text(into, self._legal(str(node)))

    def _element(self, tag: Tag, into: Element, active: bool) -> None:
        if not XML_NAME.fullmatch(tag.name):
            if not active:
                message = Message("malformed raw HTML <{element}> kept as text only", element=tag.name)
                self.diagnostics.warning("QZ313", message, self.where(f"<{tag.name}"))
            self.content(tag, into, active)  # its content takes its place
            return
        active = active or tag.name in ACTIVE_ELEMENTS
        element = etree.SubElement(into, tag.name)
        for name, value in tag.attrs.items():
            held = name if XML_NAME.fullmatch(name) else BY_PREFIX.get(name)
            if held is None:
                if not active:
                    message = Message(
                        "malformed attribute '{name}' removed from <{element}>", name=name, element=tag.name
                    )
                    self.diagnostics.warning("QZ313", message, self.where(name))
                continue
            element.set(held, self._legal(" ".join(value) if isinstance(value, list) else str(value)))
        self.content(tag, element, active)

    def _legal(self, text: str) -> str:
        """``text`` without the characters XML forbids; they are reported from the source (QZ316)."""
        if FORBIDDEN.search(text) is None:
            return text
        self.dropped_characters = True
        return FORBIDDEN.sub("", text)

    def _report_markup(self, node: PreformattedString) -> None:
        """Report a doctype, marked section or processing instruction, which is left out.

        An XHTML page could hold none of them inside its body, and a browser shows none
        of them either, so the book reads as the author's HTML preview did.
        """
        text = MARKUP_START_END.split(node, maxsplit=1)[0]
        if isinstance(node, Doctype):
            kind, start = Message("doctype"), "<!DOCTYPE"
        elif isinstance(node, ProcessingInstruction):
            kind, start = Message("processing instruction"), f"<?{text}"
        else:  # html.parser hands over every '<![' that is no CDATA section as a declaration
            kind, start = Message("marked section"), f"<![{text}"
        occurrence = 1 + sum(earlier.startswith(start.lower()) for earlier in self._shown)
        self._shown.append(start.lower())
        # The parser keeps no spelling of the doctype keyword, and the source's may be '<!doctype'.
        start, location = self.where.ignoring_case(start, occurrence)
        message = Message(
            "raw HTML {kind} '{start}' removed: it has no place in a contribution; write '&lt;' for a literal '<'",
            kind=kind,
            start=start,
        )
        self.diagnostics.warning("QZ315", message, location)


def _append_text(element: Element, text: str) -> None:
    """Add ``text`` at the end of ``element``'s content."""
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text
