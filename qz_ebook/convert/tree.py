"""The tree a contribution's body is rewritten in: lxml elements, and the walks and edits the rewrites need.

lxml holds text as an element's ``text`` (before its first child) and ``tail`` (after
its end), not as nodes of its own; the helpers here keep a tail in place when an
element leaves, and read text as Beautiful Soup's ``get_text`` did: comments and ruby
annotations (``rt``, ``rp``) are no text. Attributes with a prefix (``epub:type``)
are held in their namespace and written with their prefix again (``serialise``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeAlias

from lxml import etree

from qz_ebook.convert.links import EPUB_TYPE, ID, XML_LANG, format_attribute

Element: TypeAlias = etree._Element
EPUB_NAMESPACE = "http://www.idpf.org/2007/ops"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
# The prefixed attribute names a contribution may use, as lxml holds them.
EPUB_TYPE_NAME = f"{{{EPUB_NAMESPACE}}}type"
XML_LANG_NAME = f"{{{XML_NAMESPACE}}}lang"
PREFIXED = {EPUB_TYPE_NAME: "epub:type", XML_LANG_NAME: "xml:lang", f"{{{XLINK_NAMESPACE}}}href": "xlink:href"}
BY_PREFIX = {prefixed: name for name, prefixed in PREFIXED.items()}
NAMESPACES = {"epub": EPUB_NAMESPACE, "xlink": XLINK_NAMESPACE}
# Elements whose text is no text of the page (bs4's string containers): ruby annotations.
ANNOTATIONS = frozenset({"rt", "rp"})
# The elements HTML writes without an end tag (Beautiful Soup's list): "<br/>" when empty.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem", "meta", "param",
     "source", "track", "wbr", "basefont", "bgsound", "command", "frame", "image", "isindex", "nextid", "spacer"}
)  # fmt: skip
# Attributes HTML reads as lists of words, on any element ("*") or on some: written with
# single spaces between the words (Beautiful Soup's list, which the fragments have always followed).
WORD_LISTS = {"*": frozenset({"accesskey", "class", "dropzone"}), "a": frozenset({"rel", "rev"}),
              "link": frozenset({"rel", "rev"}), "td": frozenset({"headers"}), "th": frozenset({"headers"}),
              "form": frozenset({"accept-charset"}), "object": frozenset({"archive"}), "area": frozenset({"rel"}),
              "icon": frozenset({"sizes"}), "iframe": frozenset({"sandbox"}), "output": frozenset({"for"})}  # fmt: skip
NO_WORD_LISTS: frozenset[str] = frozenset()


def new_root() -> Element:
    """The element a body's content is held in; it is not part of the fragment."""
    return etree.Element("div", nsmap=NAMESPACES)


def html_name(name: str) -> str:
    """An attribute's name as HTML writes it: ``epub:type`` for lxml's ``{…ops}type``."""
    return PREFIXED.get(name, name)


def elements(root: Element, name: str) -> Iterator[Element]:
    """The elements named ``name`` below ``root``, in document order."""
    yield from root.iterdescendants(name)


def first(root: Element, name: str, class_: str | None = None) -> Element | None:
    """The first element ``name`` below ``root`` (with the word ``class_`` in its class), or None."""
    for element in root.iterdescendants(name):
        if class_ is None or class_ in element.get("class", "").split():
            return element
    return None


def text_of(element: Element, leave_out: Element | None = None) -> str:
    """The text inside ``element``, as a reader sees it: no comments, no ruby annotations.

    The text inside ``leave_out`` (an element below ``element``) is left out too.
    """
    out: list[str] = []
    _gather(element, leave_out, out)
    return "".join(out)


def _gather(element: Element, leave_out: Element | None, out: list[str]) -> None:
    if element.text and element.tag not in ANNOTATIONS and element is not leave_out:
        out.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in ANNOTATIONS and child is not leave_out:
            _gather(child, leave_out, out)
        if child.tail:
            out.append(child.tail)


def texts(top: Element) -> Iterator[tuple[str, Element, Callable[[str], None]]]:
    """Each text inside ``top`` (not its tail): the text, the element it stands in, and how to replace it.

    Text in ruby annotations is left out, as ``text_of`` leaves it out.
    """
    if top.text:
        yield top.text, top, _text_setter(top)
    for child in top:
        if isinstance(child.tag, str) and child.tag not in ANNOTATIONS:
            yield from texts(child)
        if child.tail:
            yield child.tail, top, _tail_setter(child)


def _text_setter(element: Element) -> Callable[[str], None]:
    def set_text(text: str) -> None:
        element.text = text

    return set_text


def _tail_setter(element: Element) -> Callable[[str], None]:
    def set_tail(text: str) -> None:
        element.tail = text

    return set_tail


def remove(node: Element) -> None:
    """Take ``node`` out of its tree with its content; the text after it stays."""
    _keep_tail(node)
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)


def replace(node: Element, new: Element) -> None:
    """Put ``new`` where ``node`` is; the text after ``node`` stays, after ``new``."""
    new.tail = node.tail
    node.tail = None
    parent = node.getparent()
    if parent is not None:
        parent.replace(node, new)


def unwrap(element: Element) -> None:
    """Replace ``element`` by its content: its text and children take its place."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    content, tail = list(element), element.tail
    element.tail = None
    _append_text(parent, index, element.text)
    for offset, child in enumerate(content):
        parent.insert(index + offset, child)  # moves it, with its tail
    if content:
        content[-1].tail = (content[-1].tail or "") + (tail or "") or None
    else:
        _append_text(parent, index, tail)
    parent.remove(element)


def _append_text(parent: Element, index: int, text: str | None) -> None:
    """Add ``text`` to what stands before child ``index`` of ``parent``."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text


def _keep_tail(node: Element) -> None:
    """Hand ``node``'s tail to what stands before it, for ``node`` to leave."""
    parent = node.getparent()
    if parent is not None and node.tail:
        _append_text(parent, parent.index(node), node.tail)
    node.tail = None


class Census:
    """The elements and comments of a tree in document order, from one walk."""

    def __init__(self, root: Element) -> None:
        self.elements: list[Element] = []
        self.comments: list[Element] = []
        self._by_name: dict[str, list[Element]] = {}
        for node in root.iterdescendants():
            tag = node.tag
            if isinstance(tag, str):
                self.elements.append(node)
                self._by_name.setdefault(tag, []).append(node)
            elif tag is etree.Comment:
                self.comments.append(node)

    def named(self, name: str) -> list[Element]:
        return self._by_name.get(name, [])

    def having(self, attribute: str) -> list[Element]:
        return [element for element in self.elements if attribute in element.attrib]


def serialise(root: Element, replaced: Mapping[Element, Mapping[str, str]]) -> str:
    """The content of ``root`` as XHTML, with format-dependent attributes marked (``links.Fragment``).

    Attributes are written sorted by name, void elements closed with "/", text with
    ``&``, ``<`` and ``>`` escaped. ``replaced`` gives, by element, attribute values
    written as they are (link placeholders, which XML could not hold).
    """
    out: list[str] = []
    if root.text:
        out.append(_escape(root.text))
    for child in root:
        _write(child, replaced, out)
    return "".join(out)


def _write(element: Element, replaced: Mapping[Element, Mapping[str, str]], out: list[str]) -> None:
    tag = element.tag
    if isinstance(tag, str):
        out.append(_start_tag(element, replaced.get(element)))
        if tag in VOID and element.text is None and not len(element):
            out[-1] = out[-1][:-1] + "/>"
        else:
            if element.text:
                out.append(_escape(element.text))
            for child in element:
                _write(child, replaced, out)
            out.append(f"</{tag}>")
    elif tag is etree.Comment:
        out.append(f"<!--{element.text or ''}-->")
    if element.tail:
        out.append(_escape(element.tail))


def _start_tag(element: Element, replaced: Mapping[str, str] | None) -> str:
    attributes = element.attrib
    if not attributes:
        return f"<{element.tag}>"  # most elements have none: p, li, em, strong
    named: dict[str, str] = {}
    lists = WORD_LISTS.get(element.tag, NO_WORD_LISTS)
    for name, value in attributes.items():
        name = PREFIXED.get(name, name)
        if name in WORD_LISTS["*"] or name in lists:
            value = " ".join(value.split())
        if name == "id":
            name = format_attribute(ID)
        elif name == "epub:type":
            name = format_attribute(EPUB_TYPE)
        elif name == "lang":
            named[format_attribute(XML_LANG)] = _quoted(_escape(value))  # EPUB readers look for xml:lang too
        named[name] = _quoted(_escape(value))
    if replaced:
        named.update((name, f'"{value}"') for name, value in replaced.items())
    return f"<{element.tag}{''.join(f' {name}={named[name]}' for name in sorted(named))}>"


def _escape(text: str) -> str:
    """Beautiful Soup's minimal entity substitution, which the fragments have always had."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    """Double quotes unless the value holds one; with both kinds, double quotes become entities."""
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'
