"""The rewrites of a parsed contribution body: page markers, footnotes, raw markup, format attributes.

Each works on the Beautiful Soup tree the converter made, and reports what it
changes at its place in the source (``Locator``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment
from bs4.element import CData, Doctype, NavigableString, PreformattedString, ProcessingInstruction, Tag

from qz_ebook.convert.links import EPUB_TYPE, ID, PAGE_LABEL, XML_LANG, format_attribute
from qz_ebook.convert.soup import find_all, in_tree
from qz_ebook.diagnostics import Diagnostics, Location, locate
from qz_ebook.messages import Message
from qz_ebook.model import Contribution, Words

PAGE_COMMENT = re.compile(r"\s*(?:Seite|page)\s+([0-9]+)\s*", re.IGNORECASE)
# Where the start of a marked section or processing instruction to show and look for ends.
MARKUP_START_END = re.compile(r"[\s<>?]")


@dataclass(frozen=True)
class PageMarker:
    """An author's ``<!-- Seite 13 -->``: print page 13 starts here."""

    number: int
    location: Location


def remove_markup(markup: list[PreformattedString], where: Locator, diagnostics: Diagnostics) -> None:
    """CDATA sections become plain text; doctypes, marked sections and processing instructions are removed.

    An XHTML page could hold a CDATA section, but an HTML page reads it as a comment.
    The rest has no place inside a page's body, and Beautiful Soup writes a marked section
    as a processing instruction (``<?INCLUDE[ z ?>``). A browser shows none of them
    either, so the book reads as the author's HTML preview did.
    """
    shown: list[str] = []  # the starts reported so far, in lower case, to tell repeated ones apart
    for node in markup:
        if type(node) is CData:
            node.replace_with(NavigableString(node))
            continue
        text = MARKUP_START_END.split(node, maxsplit=1)[0]
        if isinstance(node, Doctype):
            kind, start = Message("doctype"), "<!DOCTYPE"
        elif isinstance(node, ProcessingInstruction):
            kind, start = Message("processing instruction"), f"<?{text}"
        else:  # html.parser hands over every '<![' that is no CDATA section as a declaration
            kind, start = Message("marked section"), f"<![{text}"
        occurrence = 1 + sum(earlier.startswith(start.lower()) for earlier in shown)
        shown.append(start.lower())
        # The parser keeps no spelling of the doctype keyword, and the source's may be '<!doctype'.
        start, location = where.ignoring_case(start, occurrence)
        message = Message(
            "raw HTML {kind} '{start}' removed: it has no place in a contribution; write '&lt;' for a literal '<'",
            kind=kind,
            start=start,
        )
        diagnostics.warning("QZ315", message, location)
        node.extract()


def page_markers(soup: BeautifulSoup, comments: list[Comment], where: Locator) -> tuple[PageMarker, ...]:
    """Turn ``<!-- Seite 13 -->`` comments into page-break markers; drop other comments."""
    markers = []
    for comment in comments:
        found = PAGE_COMMENT.fullmatch(str(comment))
        if found is None:
            comment.extract()  # editors' notes stay out of the book
            continue
        number = int(found.group(1))
        markers.append(PageMarker(number, where(str(comment).strip())))
        marker = soup.new_tag("span", attrs={"class": "pagebreak", "role": "doc-pagebreak"})
        marker["id"] = page_marker_id(number)
        marker["epub:type"] = "pagebreak"
        marker[format_attribute(PAGE_LABEL)] = str(number)
        parent = comment.parent
        comment.replace_with(marker)
        # Python-Markdown wraps a marker on a line of its own in a paragraph of its own (holding nothing else).
        if parent is not None and parent.name == "p" and len(parent.contents) == 1:
            parent.unwrap()
    return tuple(markers)


def page_marker_id(number: int) -> str:
    return f"qz_seite_{number}"


def footnotes(soup: BeautifulSoup, sups: list[Tag], divs: list[Tag], words: Words) -> Tag | None:
    """Python-Markdown's footnote list becomes asides with DPUB-ARIA roles.

    Reading systems pop up ``aside epub:type="footnote"`` (Apple Books, Kobo, Kindle);
    the note reference is the link itself, without a ``sup`` around it, and the back
    link leads each note, where Kindle expects it. The notes follow ``heading``, an h2
    of their own, which is returned (its word is not the author's). The heading and the
    back links' names are the interface's ``words``. ``divs`` may hold
    divs that leave the tree with a ``sup``.
    """
    for sup in sups:
        link = next(find_all(sup, "a", "footnote-ref"), None) if "id" in sup.attrs else None
        if link is None:
            continue
        link.attrs = {"id": sup["id"], "href": link["href"], "class": "noteref", "role": "doc-noteref",
                      "epub:type": "noteref"}  # fmt: skip
        sup.replace_with(link)
    notes = next((div for div in divs if in_tree(div, soup) and "footnote" in div.get_attribute_list("class")), None)
    ol = next(find_all(notes, "ol"), None) if notes is not None else None
    if notes is None or ol is None:
        return None
    # A plain div: a named region per contribution would repeat in the single-page edition.
    section = soup.new_tag("div", attrs={"class": "footnotes"})
    for item in [child for child in ol.children if isinstance(child, Tag) and child.name == "li"]:
        aside = soup.new_tag("aside", attrs={"id": str(item["id"]), "role": "doc-footnote", "epub:type": "footnote"})
        backref = next(find_all(item, "a", "footnote-backref"), None)
        number = str(len(section.contents) + 1)
        if backref is not None:
            back = soup.new_tag("a", attrs={"href": str(backref["href"]), "class": "backlink", "role": "doc-backlink",
                                            "aria-label": words.note_back.format(number=number)})  # fmt: skip
            back.string = number
            backref.extract()
            first = next(find_all(item, "p"), None)
            if first is not None:
                first.insert(0, " ")
                first.insert(0, back)
        for paragraph in list(find_all(item, "p")):
            if paragraph.contents and isinstance(paragraph.contents[-1], NavigableString):
                paragraph.contents[-1].replace_with(str(paragraph.contents[-1]).rstrip("\u00a0 "))
        aside.extend(list(item.contents))
        section.append(aside)
    title = soup.new_tag("h2", attrs={"class": "footnotes-title"})
    title.string = words.notes
    section.insert(0, title)
    notes.replace_with(section)
    return title


def mark_format_attributes(elements: list[Tag]) -> None:
    """Move attributes that differ between formats to marked names (see ``links.Fragment``)."""
    for element in elements:
        if "id" in element.attrs:
            element[format_attribute(ID)] = element.attrs.pop("id")
        if "epub:type" in element.attrs:
            element[format_attribute(EPUB_TYPE)] = element.attrs.pop("epub:type")
        if "lang" in element.attrs:
            element[format_attribute(XML_LANG)] = element["lang"]  # EPUB readers look for xml:lang too


class Locator:
    """Finds the source line of a piece of converted content."""

    def __init__(self, contribution: Contribution) -> None:
        self.contribution = contribution

    def __call__(self, needle: str, occurrence: int = 1) -> Location:
        line, col = locate(self.contribution.body, needle, self.contribution.body_line, occurrence)
        return Location(self.contribution.source, line, col)

    def at(self, index: int) -> Location:
        """The place of the body's ``index``-th character."""
        body = self.contribution.body
        line = self.contribution.body_line + body.count("\n", 0, index)
        return Location(self.contribution.source, line, index - body.rfind("\n", 0, index))

    def matching(self, pattern: str, occurrence: int = 1) -> Location | None:
        """The place of the first group of the ``occurrence``-th match of ``pattern`` (ignoring case), or None."""
        matches = re.finditer(pattern, self.contribution.body, re.IGNORECASE)
        found = next(itertools.islice(matches, occurrence - 1, None), None)
        return self.at(found.start(1)) if found else None

    def ignoring_case(self, needle: str, occurrence: int = 1) -> tuple[str, Location]:
        """The source's spelling of the ``occurrence``-th ``needle``, matched ignoring case, and its place."""
        found = re.findall(re.escape(needle), self.contribution.body, re.IGNORECASE)[:occurrence]
        if len(found) < occurrence:
            return needle, self(needle, occurrence)
        spelled = found[-1]
        return spelled, self(spelled, found.count(spelled))
