"""Parsing into a Beautiful Soup tree and fast walks over it, without bs4's search machinery.

``find_all`` with a name or attributes runs bs4's filter machinery on every node,
and ``decode`` its formatter's; plain walks over ``descendants`` do the same work
for a fraction of the cost. The results are those of bs4's own methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

from bs4 import BeautifulSoup, Comment
from bs4.element import CData, NavigableString, PreformattedString, Tag
from bs4.exceptions import ParserRejectedMarkup
from bs4.formatter import HTMLFormatter

# The string types ``get_text()`` joins: no comments, no ruby annotations.
TEXT_TYPES = frozenset({NavigableString, CData})
MINIMAL = HTMLFormatter.REGISTRY["minimal"]
CDATA_TAGS = MINIMAL.cdata_containing_tags
# A rejected '<![' and what follows it up to a space or a tag: the text to show and look for.
MARKED_SECTION = re.compile(r"<!\[[^\s<>]*")


def parse(html: str, soup: Callable[[str], BeautifulSoup] | None = None) -> tuple[BeautifulSoup, list[str]]:
    """Parse ``html`` with html.parser (into ``soup(html)`` when given); a ``<![`` the parser rejects is kept as text.

    Before Python 3.13, html.parser takes every ``<![`` for a marked section and gives
    up on one it does not know (``<![Bild](x.png)``), and Beautiful Soup with it;
    Python-Markdown passes such text through in raw HTML blocks. The ``<`` of each
    rejected section is escaped, and the sections' starts (``<![Bild](x.png)``) are returned.
    """
    # Line numbers are for error messages about the HTML; ours come from the Markdown.
    soup = soup or _plain
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


def _plain(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser", store_line_numbers=False)


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


class Census:
    """The elements, comments, text and other markup of a tree in document order, from one walk.

    ``find_all`` with a name or attributes runs bs4's filter machinery on every node;
    one plain walk serves all the steps that would each have walked the tree.
    """

    def __init__(self, root: BeautifulSoup) -> None:
        self.elements: list[Tag] = []
        self.comments: list[Comment] = []
        self.text: list[NavigableString] = []  # the strings get_text() joins
        # CDATA sections, doctypes, declarations, processing instructions: what XHTML cannot carry as parsed.
        self.markup: list[PreformattedString] = []
        self._by_name: dict[str, list[Tag]] = {}
        for node in root.descendants:
            if isinstance(node, Tag):
                self.elements.append(node)
                self._by_name.setdefault(node.name, []).append(node)
            elif isinstance(node, NavigableString) and type(node) in TEXT_TYPES:
                self.text.append(node)
                if type(node) is CData:
                    self.markup.append(node)
            elif isinstance(node, Comment):
                self.comments.append(node)
            elif isinstance(node, PreformattedString):
                self.markup.append(node)

    def named(self, name: str) -> list[Tag]:
        return self._by_name.get(name, [])

    def having(self, attribute: str) -> list[Tag]:
        return [element for element in self.elements if attribute in element.attrs]


def in_tree(element: Tag, root: Tag) -> bool:
    """Whether ``element`` is still in ``root``'s tree: a replaced element takes its descendants along."""
    while element.parent is not None:
        element = element.parent
    return element is root


def find_all(root: Tag, name: str, class_: str | None = None) -> Iterator[Tag]:
    """``root.find_all(name, class_=class_)``, lazily; bs4's filter machinery costs more than the search."""
    for node in root.descendants:
        if (
            isinstance(node, Tag)
            and node.name == name
            and (class_ is None or class_ in node.get_attribute_list("class"))
        ):
            yield node


def serialise(root: BeautifulSoup) -> str:
    """``root.decode(formatter="minimal")`` at a fraction of the cost.

    bs4 runs its formatter's generic machinery for every node; here plain tags and
    strings take a direct path, and any other node is left to bs4 itself.
    """
    out: list[str] = []
    open_tags: list[Tag] = []
    for node in root.descendants:
        parent = node.parent
        while open_tags and open_tags[-1] is not parent:
            out.append(f"</{_qualified_name(open_tags.pop())}>")
        if isinstance(node, Tag):
            out.append(_start_tag(node))
            if not node.is_empty_element:
                open_tags.append(node)
        elif type(node) is NavigableString and parent is not None and parent.name not in CDATA_TAGS:
            out.append(_escape(node))
        elif isinstance(node, NavigableString):
            out.append(node.output_ready(MINIMAL))  # comments and such, and the text of <script> and <style>
    out.extend(f"</{_qualified_name(tag)}>" for tag in reversed(open_tags))
    return "".join(out)


def _start_tag(tag: Tag) -> str:
    """The start tag as bs4 writes it: attributes sorted, void elements closed with "/"."""
    attributes = _attributes(tag) if tag.attrs else ""  # most elements have none: p, li, em, strong
    return f"<{_qualified_name(tag)}{attributes}{'/' if tag.is_empty_element else ''}>"


def _attributes(tag: Tag) -> str:
    return "".join(
        f" {name}" if value is None else f" {name}={_quoted(_escape(_attribute_text(value)))}"
        for name, value in sorted(tag.attrs.items())
    )


def _qualified_name(tag: Tag) -> str:
    return f"{tag.prefix}:{tag.name}" if tag.prefix else tag.name


def _attribute_text(value: object) -> str:
    return " ".join(value) if isinstance(value, list | tuple) else str(value)


def _escape(text: str) -> str:
    """bs4's minimal entity substitution."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    """Double quotes unless the value holds one; with both kinds, double quotes become entities."""
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'
