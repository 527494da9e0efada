"""The rewrites of a parsed contribution body: page markers and footnotes.

Each works on the lxml tree the converter made (``parsing``), and reports what it
changes at its place in the source (``Locator``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lxml import etree

from qz_ebook.convert.links import PAGE_LABEL, format_attribute
from qz_ebook.convert.tree import EPUB_TYPE_NAME, Element, elements, first, remove, replace, unwrap
from qz_ebook.diagnostics import Location, locate
from qz_ebook.model import Contribution, Words

PAGE_COMMENT = re.compile(r"\s*(?:Seite|page)\s+([0-9]+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PageMarker:
    """An author's ``<!-- Seite 13 -->``: print page 13 starts here."""

    number: int
    location: Location


# Attributes written as they are, by element: what XML cannot hold, such as link placeholders (``links.Fragment``).
Marks = dict[Element, dict[str, str]]


def page_markers(comments: list[Element], where: Locator, marks: Marks) -> tuple[PageMarker, ...]:
    """Turn ``<!-- Seite 13 -->`` comments into page-break markers; drop other comments."""
    markers = []
    for comment in comments:
        found = PAGE_COMMENT.fullmatch(comment.text or "")
        if found is None:
            remove(comment)  # editors' notes stay out of the book
            continue
        number = int(found.group(1))
        markers.append(PageMarker(number, where((comment.text or "").strip())))
        marker = etree.Element("span", {"class": "pagebreak", "role": "doc-pagebreak", "id": page_marker_id(number),
                                        EPUB_TYPE_NAME: "pagebreak"})  # fmt: skip
        marks[marker] = {format_attribute(PAGE_LABEL): str(number)}
        parent = comment.getparent()
        replace(comment, marker)
        # Python-Markdown wraps a marker on a line of its own in a paragraph of its own (holding nothing else).
        if parent is not None and parent.tag == "p" and len(parent) == 1 and not parent.text and not marker.tail:
            unwrap(parent)
    return tuple(markers)


def page_marker_id(number: int) -> str:
    return f"qz_seite_{number}"


def footnotes(root: Element, sups: list[Element], divs: list[Element], words: Words) -> Element | None:
    """Python-Markdown's footnote list becomes asides with DPUB-ARIA roles.

    Reading systems pop up ``aside epub:type="footnote"`` (Apple Books, Kobo, Kindle);
    the note reference is the link itself, without a ``sup`` around it, and the back
    link leads each note, where Kindle expects it. The notes follow ``heading``, an h2
    of their own, which is returned (its word is not the author's). The heading and the
    back links' names are the interface's ``words``. ``divs`` may hold
    divs that leave the tree with a ``sup``.
    """
    for sup in sups:
        link = first(sup, "a", "footnote-ref") if "id" in sup.attrib else None
        if link is None:
            continue
        href = link.get("href", "")
        link.attrib.clear()
        link.attrib.update({"id": sup.get("id", ""), "href": href, "class": "noteref", "role": "doc-noteref",
                            EPUB_TYPE_NAME: "noteref"})  # fmt: skip
        replace(sup, link)
    notes = next((div for div in divs if in_tree(div, root) and "footnote" in div.get("class", "").split()), None)
    ol = first(notes, "ol") if notes is not None else None
    if notes is None or ol is None:
        return None
    # A plain div: a named region per contribution would repeat in the single-page edition.
    section = etree.Element("div", {"class": "footnotes"})
    for item in [child for child in ol if child.tag == "li"]:
        aside = etree.Element("aside", {"id": item.get("id", ""), "role": "doc-footnote", EPUB_TYPE_NAME: "footnote"})
        backref = first(item, "a", "footnote-backref")
        number = str(len(section) + 1)
        if backref is not None:
            back = etree.Element("a", {"href": backref.get("href", ""), "class": "backlink", "role": "doc-backlink",
                                       "aria-label": words.note_back.format(number=number)})  # fmt: skip
            back.text = number
            remove(backref)
            paragraph = first(item, "p")
            if paragraph is not None:
                back.tail = " " + (paragraph.text or "")
                paragraph.text = None
                paragraph.insert(0, back)
        for paragraph in list(elements(item, "p")):
            _strip_end(paragraph, "\u00a0 ")
        aside.text, item.text = item.text, None
        aside.extend(list(item))
        section.append(aside)
    title = etree.Element("h2", {"class": "footnotes-title"})
    title.text = words.notes
    section.insert(0, title)
    replace(notes, section)
    return title


def _strip_end(element: Element, characters: str) -> None:
    """Strip ``characters`` from the end of the text that ends ``element``, if text ends it."""
    if len(element):
        last = element[-1]
        if last.tail:
            last.tail = last.tail.rstrip(characters)
    elif element.text:
        element.text = element.text.rstrip(characters)


def in_tree(element: Element, root: Element) -> bool:
    """Whether ``element`` is still below ``root``: a removed element takes its descendants along."""
    return any(ancestor is root for ancestor in element.iterancestors())


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
