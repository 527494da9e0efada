"""Python-Markdown's ElementTree straight into lxml: the tree ``parsing.as_xml`` reads from its XHTML, read once.

Python-Markdown serialises its tree to XHTML, its postprocessors put the author's raw HTML
back in, and ``parsing`` reads the string again. ``copy_tree`` makes the very tree that
reading gives, from Python-Markdown's tree: Markdown's escaping undone as the XML parser
undoes it, a comment such as ``<!-- Seite 13 -->`` where its placeholder stands, the
footnotes' placeholders replaced, the ends of the document stripped as ``Markdown.convert``
strips them and white space collapsed as ``parsing`` collapses it. Whatever it would have
to read otherwise (raw HTML other than a comment, references to characters, names, tabs
in attributes and characters the string route reads differently) it declines, and the
converter takes the string route (``TreeMarkdown.serialised``, then ``parsing.parse``).
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ElementTree

from lxml import etree
from markdown import Markdown, util
from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER, FootnotePostprocessor
from markdown.extensions.md_in_html import MarkdownInHTMLPostprocessor
from markdown.postprocessors import AndSubstitutePostprocessor, RawHtmlPostprocessor
from markdown.serializers import to_xhtml_string

from qz_ebook.convert.parsing import ASCII_SPACES, KEEPS_WHITESPACE, RAW_TEXT, XML_NAME
from qz_ebook.convert.tree import BY_PREFIX, VOID, Element, new_root

# The postprocessors whose work ``copy_tree`` does (these very classes); with any other it declines.
KNOWN_POSTPROCESSORS = (RawHtmlPostprocessor, MarkdownInHTMLPostprocessor, FootnotePostprocessor,
                        AndSubstitutePostprocessor)  # fmt: skip
PLACEHOLDER = re.compile(util.HTML_PLACEHOLDER % "([0-9]+)")
# The characters XML forbids, and the carriage return, which the XML parser reads otherwise.
UNREAD = "\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"
# What the string route reads otherwise: those characters, "xmlns" anywhere, in an attribute a tab or line break.
DECLINED = re.compile(f"[{UNREAD}]|xmlns")
DECLINED_IN_ATTRIBUTE = re.compile(f"[{UNREAD}\t\n]|xmlns")
# What a text needs looked at besides: '&' (the serialiser leaves references as they are), and
# Python-Markdown's placeholders, which its markers STX and ETX (among those characters) enclose.
SPECIAL = re.compile(f"[&{UNREAD}]|xmlns")
SPECIAL_IN_ATTRIBUTE = re.compile(f"[&{UNREAD}\t\n]|xmlns")
# What the serialiser writes as it is: ``markdown.serializers.RE_AMP`` does not escape its '&'.
REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
XML_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
# A comment on a line of its own, the raw HTML copied: one the string route reads as XML.
COMMENT = re.compile(r"<!--([^<>\t\n]*)-->([ \t\n]*)")
# Far deeper than any limit (``limits.MAX_ELEMENTS``) and than lxml's XML parser reads (256).
MAX_DEPTH = 200


class TreeMarkdown(Markdown):
    """``Markdown`` whose ``convert`` comes in two halves: the tree, and the tree as XHTML."""

    def tree(self, source: str) -> ElementTree.Element:
        """Steps 1 to 3 of ``Markdown.convert``: the document after every treeprocessor; empty for a blank source."""
        if not source.strip():
            return ElementTree.Element(self.doc_tag)
        self.lines = source.split("\n")
        for preprocessor in self.preprocessors:
            self.lines = preprocessor.run(self.lines)
        root: ElementTree.Element = self.parser.parseDocument(self.lines).getroot()
        for treeprocessor in self.treeprocessors:
            new_root = treeprocessor.run(root)
            if new_root is not None:
                root = new_root
        return root

    def serialised(self, root: ElementTree.Element) -> str:
        """Steps 4 and 5 of ``Markdown.convert``: ``root`` as XHTML, raw HTML put back; what ``convert`` returns."""
        output: str = self.serializer(root)
        start = output.index(f"<{self.doc_tag}>") + len(self.doc_tag) + 2
        output = output[start : output.rindex(f"</{self.doc_tag}>")].strip()
        for postprocessor in self.postprocessors:
            output = postprocessor.run(output)
        return output.strip()


class Declined(Exception):  # noqa: N818 (a condition, not a failure)
    """The tree holds what only the string route reads as the converter always read it."""


def copy_tree(md: TreeMarkdown, root: ElementTree.Element) -> Element | None:
    """What ``parsing.as_xml`` makes of ``md.serialised(root)``, or None where the copy declines.

    Raw HTML is ``md``'s, from the conversion ``root`` is of.
    """
    if md.serializer is not to_xhtml_string or not all(type(p) in KNOWN_POSTPROCESSORS for p in md.postprocessors):
        return None
    try:
        return _Copy(md).document(root)
    except Declined:
        return None


class _Copy:
    """Copies one document; a comment's tail, which the text after a placeholder extends, is collapsed at the end."""

    def __init__(self, md: TreeMarkdown) -> None:
        self.md = md
        self.stash = md.htmlStash
        self.comments: list[tuple[Element, bool]] = []  # each with whether white space stays where it stands

    def document(self, source: ElementTree.Element) -> Element:
        if source.attrib or (source.text and not source.text.isspace()):
            raise Declined  # Python-Markdown's root holds blocks, and white space that ``convert`` strips
        root = new_root()
        children = list(source)
        for child in children[:-1]:
            self._element(child, root, False, 1, child.tail)
        if children:
            # ``convert`` strips the end of the document: the last tail, and what raw HTML left before it.
            tail = (children[-1].tail or "").rstrip()
            if SPECIAL.search(tail):
                raise Declined
            self._element(children[-1], root, False, 1, tail)
            if not tail and not isinstance(root[-1].tag, str):
                root[-1].tail = None
        for comment, keep in self.comments:
            if comment.tail:
                comment.tail = _collapsed(comment.tail, keep)
        return root

    def _element(self, source: ElementTree.Element, parent: Element, keep: bool, depth: int, tail: str | None) -> None:
        """Copy ``source`` to the end of ``parent``, then ``tail``; ``keep`` says whether white space stays there."""
        text = source.text
        if source.tag == "p" and text and text[0] == "\x02" and not source.attrib and not len(source):
            found = PLACEHOLDER.fullmatch(text)
            if found:  # ``<p>placeholder</p>``, which the raw HTML replaces (a comment is a block)
                self._raw(found, parent, keep)
                self._add(tail, parent, keep)
                return
        tag = source.tag
        if tag not in _names:
            _check_name(tag)
        if tag in RAW_TEXT or depth > MAX_DEPTH or (tag in VOID and (text or len(source))):
            raise Declined  # written as it is; too deep for the XML parser; written without its content
        attrib = source.attrib
        element = etree.SubElement(parent, tag, self._attributes(attrib) if attrib else None)
        inside = keep or tag in KEEPS_WHITESPACE
        if text:
            if SPECIAL.search(text) is None:
                element.text = text if inside or text.strip(ASCII_SPACES) else _collapsed(text, inside)
            else:
                self._add(text, element, inside)
        for child in source:
            self._element(child, element, inside, depth + 1, child.tail)
        if tail:
            if SPECIAL.search(tail) is None:
                element.tail = tail if keep or tail.strip(ASCII_SPACES) else _collapsed(tail, keep)
            else:
                self._add(tail, parent, keep)

    def _add(self, text: str | None, parent: Element, keep: bool) -> None:
        """Add ``text``, a text or tail of Python-Markdown's, at the end of ``parent``; its raw HTML as comments."""
        if not text:
            return
        position = 0
        for found in PLACEHOLDER.finditer(text):
            self._put(self._plain(text[position : found.start()]), parent, keep)
            self._raw(found, parent, keep)
            position = found.end()
        self._put(self._plain(text[position:]), parent, keep)

    def _put(self, text: str, parent: Element, keep: bool) -> None:
        """Put ``text`` at the end of ``parent``: after a comment, to its tail, which may grow."""
        if not text:
            return
        last = parent[-1] if len(parent) else None
        if last is None:
            parent.text = _collapsed(text, keep)
        elif isinstance(last.tag, str):
            last.tail = _collapsed(text, keep)
        else:
            last.tail = (last.tail or "") + text

    def _raw(self, placeholder: re.Match[str], parent: Element, keep: bool) -> None:
        """Put the raw HTML that ``placeholder`` stands for at the end of ``parent``: a comment, and white space."""
        key = int(placeholder.group(1))
        raw = self.stash.rawHtmlBlocks[key] if key < self.stash.html_counter else None
        found = COMMENT.fullmatch(raw) if isinstance(raw, str) else None
        if found is None:
            raise Declined
        text = found.group(1)
        if "--" in text or text.endswith("-") or SPECIAL.search(text):
            raise Declined  # no XML comment, or one the string route reads otherwise
        comment = etree.Comment(text)
        comment.tail = found.group(2) or None
        parent.append(comment)
        self.comments.append((comment, keep))

    def _attributes(self, attrib: dict[str, str]) -> dict[str, str]:
        """The attributes as lxml holds them, in the serialiser's order (by name); prefixed ones in their namespace."""
        held: dict[str, str] = {}
        for name in sorted(attrib):
            value = attrib[name]
            if not isinstance(value, str):
                raise Declined  # a valueless attribute, written bare
            if name not in _names and name not in BY_PREFIX:
                _check_name(name)
            held[BY_PREFIX.get(name, name)] = (
                value if SPECIAL_IN_ATTRIBUTE.search(value) is None else self._plain(value, attribute=True)
            )
        return held

    def _plain(self, text: str, attribute: bool = False) -> str:
        """``text`` as the XML parser reads it, serialised and postprocessed: references and placeholders replaced."""
        if "&" in text:
            text = REFERENCE.sub(_entity, text)
        if "\x02" in text:
            for placeholder, replacement in self.footnote_texts.items():
                if placeholder in text:
                    if replacement is None:
                        raise Declined
                    text = text.replace(placeholder, replacement)
        if (DECLINED_IN_ATTRIBUTE if attribute else DECLINED).search(text):
            raise Declined
        return text

    @functools.cached_property
    def footnote_texts(self) -> dict[str, str | None]:
        """What the footnotes' postprocessor writes for its placeholders, read as XML; None for markup."""
        if "footnote" not in self.md.postprocessors:
            return {}
        backlink = self.md.postprocessors["footnote"].footnotes.getConfig("BACKLINK_TEXT")
        try:
            read = etree.fromstring(f"<t>{backlink}</t>")
        except etree.XMLSyntaxError:
            read = None
        backlink_text = (read.text or "") if read is not None and not len(read) else None
        return {FN_BACKLINK_TEXT: backlink_text, NBSP_PLACEHOLDER: "\u00a0"}


def _collapsed(text: str, keep: bool) -> str:
    """Text of nothing but white space as ``parsing`` has it: one line break or space (unless ``keep``)."""
    if keep or text.strip(ASCII_SPACES):
        return text
    return "\n" if "\n" in text else " "


_names: set[object] = set()  # the names found to be read alike


def _check_name(name: object) -> None:
    """Decline unless XML and html.parser read ``name`` alike: a lower-case XML name without a prefix."""
    if not isinstance(name, str) or not XML_NAME.fullmatch(name) or name != name.lower() or "xmlns" in name:
        raise Declined
    _names.add(name)


def _entity(reference: re.Match[str]) -> str:
    """The character an entity of XML's own stands for; the string route reads any other reference otherwise."""
    character = XML_ENTITIES.get(reference.group())
    if character is None:
        raise Declined
    return character
