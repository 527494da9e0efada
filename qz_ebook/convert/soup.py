"""Raw HTML that lxml's XML parser cannot read as html.parser does (``parsing``): read by html.parser
into a Beautiful Soup tree and copied into lxml, reporting what XHTML cannot hold on the way: names
no XML name is made of, doctypes, processing instructions and marked sections; a CDATA section
becomes its text. Imported only when a body needs it: Beautiful Soup takes 50 ms to import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from bs4 import BeautifulSoup, Comment
from bs4.element import CData, Doctype, NavigableString, PreformattedString, ProcessingInstruction, Tag
from bs4.exceptions import ParserRejectedMarkup
from lxml import etree

from qz_ebook.characters import FORBIDDEN
from qz_ebook.convert.limits import Levels, TooDeep, level, too_deep
from qz_ebook.convert.parsing import MARKUP_START_END, XML_NAME, Parsed
from qz_ebook.convert.rewrites import Locator
from qz_ebook.convert.sanitize import ACTIVE_ELEMENTS
from qz_ebook.convert.tree import BY_PREFIX, Element, new_root
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.messages import Message

# A rejected '<![' and what follows it up to a space or a tag: the text to show and look for.
MARKED_SECTION = re.compile(r"<!\[[^\s<>]*")


def parse_soup(html: str, soup: Callable[[str], BeautifulSoup]) -> tuple[BeautifulSoup, list[str]]:
    """Parse ``html`` into ``soup(html)``, with html.parser; a ``<![`` the parser rejects is kept as text.

    Before Python 3.13, html.parser takes every ``<![`` for a marked section and gives
    up on one it does not know (``<![Bild](x.png)``), and Beautiful Soup with it;
    Python-Markdown passes such text through in raw HTML blocks. The ``<`` of each
    rejected section is escaped, and the sections' starts (``<![Bild](x.png)``) are returned.
    """
    try:
        return soup(html), []
    except ParserRejectedMarkup:
        # Only now: markup the parser accepts is parsed exactly as before, and once.
        starts = _RejectedSections.find(html)
        if not starts:
            raise
    rejected = [found[0] for start in starts if (found := MARKED_SECTION.match(html, start))]
    for start in reversed(starts):
        html = f"{html[:start]}&lt;{html[start + 1 :]}"
    return soup(html), rejected


class _RejectedSections(HTMLParser):
    """Reads markup as Beautiful Soup's html.parser does, noting the marked sections it rejects."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)  # as Beautiful Soup sets it
        self.length = len(html)
        self.starts: list[int] = []

    @classmethod
    def find(cls, html: str) -> list[int]:
        """Where the rejected sections start in ``html``, in order."""
        parser = cls(html)
        parser.feed(html)
        parser.close()
        return parser.starts

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            # ``i`` counts in what is left of the input; read on as if the '<' were escaped.
            self.starts.append(self.length - len(self.rawdata) + i)
            self.handle_data("<")
            return i + 1


def as_html(html: str, where: Locator, diagnostics: Diagnostics, depth: int) -> Parsed:
    """``html`` read by html.parser, as Beautiful Soup builds it, copied into lxml."""
    soup, rejected = parse_soup(html, lambda markup: DepthCheckingSoup(markup, depth))
    _report_rejected(rejected, where, diagnostics)
    copy = _Copy(where, diagnostics)
    copy.content(soup, copy.root, active=False)
    return Parsed(copy.root, copy.dropped_characters)


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


class DepthCheckingSoup(BeautifulSoup):
    """A tree parsed with html.parser that raises ``TooDeep`` at the first element nested too deep.

    Beautiful Soup's time to link a text after a deep element grows with the depth: the
    parse stops there rather than finish a tree the build would reject. An element with
    no more ancestors than the limit's levels is within it, so most are let through at once.
    """

    def __init__(self, markup: str, depth: int) -> None:
        self.qz_depth = depth
        self.qz_stack_within = depth + 1  # the soup itself is on the stack
        self.qz_levels: dict[int, Levels] = {}  # of the deep elements judged, by id: the tree holds on to them
        # Line numbers are for error messages about the HTML; ours come from the Markdown.
        super().__init__(markup, "html.parser", store_line_numbers=False)

    def pushTag(self, tag: Tag) -> None:  # noqa: N802 (Beautiful Soup's name)
        BeautifulSoup.pushTag(self, tag)  # called for every element: spare super()'s lookup
        if len(self.tagStack) > self.qz_stack_within:
            self._judge(self.tagStack)

    def _judge(self, stack: list[Tag]) -> None:
        """Raise ``TooDeep`` when the element on top of ``stack``, its ancestors below it, is too deep."""
        known = self.qz_levels
        start = len(stack) - 2
        while start > 0 and id(stack[start]) not in known:
            start -= 1
        levels = known.get(id(stack[start]), (0, 0))
        for parent, child in zip(stack[start:], stack[start + 1 :], strict=False):
            levels = known[id(child)] = level(levels, child.name, parent.name)
        name = stack[-1].name
        message = too_deep(name, levels, len(stack) - 1, self.qz_depth)
        if message is not None:
            raise TooDeep(name, self._count(name), message)

    def _count(self, name: str) -> int:
        """How many elements ``name`` the tree holds so far."""
        count, waiting = 0, list[Tag]([self])
        while waiting:
            children = [child for child in waiting.pop().contents if isinstance(child, Tag)]
            count += sum(child.name == name for child in children)
            waiting.extend(children)
        return count
