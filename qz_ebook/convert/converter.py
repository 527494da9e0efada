"""Markdown → XHTML fragments: one conversion per contribution per build.

The fragment is format-neutral: images live at the same relative place
(``images/…``) in the EPUB and the HTML edition, and links to other pages are
left as ``Target``s that each writer turns into its own href.
"""

from __future__ import annotations

import mimetypes
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import parse as defused_parse
from lxml import etree

from qz_ebook.catalogues import builtin_words
from qz_ebook.characters import check_svg, kind_of
from qz_ebook.convert.fastmarkdown import FastPathsExtension, MarkerCheckingTocExtension
from qz_ebook.convert.hyphenation import SOFT_HYPHEN, hyphenate_elements
from qz_ebook.convert.limits import NESTED, TooDeep, check_depth, check_text
from qz_ebook.convert.links import (
    Fragment,
    ImageRef,
    LinkRef,
    LinkResolver,
    Target,
    placeholder,
)
from qz_ebook.convert.markdown_tree import TreeMarkdown, copy_tree
from qz_ebook.convert.parsing import Parsed, as_xml
from qz_ebook.convert.rewrites import Locator, Marks, PageMarker, footnotes, in_tree, page_markers
from qz_ebook.convert.sanitize import neutralise, remove_active_content
from qz_ebook.convert.slugs import slugify
from qz_ebook.convert.tree import Census, Element, elements, remove, serialise, text_of
from qz_ebook.convert.typography import GermanTypographyExtension
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.messages import Message, Text
from qz_ebook.model import Asset, Contribution, Limits, Words, hidden

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/svg+xml", "image/webp")
# Ids the page templates put around every fragment. The underscore keeps them apart
# from generated heading ids, which are lower-case words joined by '-' (or '_1' on repeats).
TEMPLATE_IDS = frozenset(
    {"qz_titel", "qz_inhalt", "qz_inhalt_titel", "qz_beispiele", "qz_weitere", "qz_wegweiser", "qz_seiten",
     "qz_navigation", "qz_farbschema", "qz_suchfeld", "qz_suchbegriff", "qz_suchstatus", "qz_treffer", "qz_mehr"}
)  # fmt: skip
WORDS = re.compile(r"\w+")
# Where long words get soft hyphens (convert/hyphenation.py): narrow places, large type.
HYPHENATED = ("h2", "h3", "h4", "h5", "h6", "th", "td")
# The characters XML forbids, which Python-Markdown can pass on or leak.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A numeric character reference, as the HTML parser reads one (the ';' may be missing).
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
CAPTION = re.compile(r"^\s*(?:Tabelle|Table):\s*")
# Link texts that do not say where a link goes (WCAG 2.4.4).
VAGUE_LINK_TEXTS = frozenset({"hier", "mehr", "link", "weiter", "weiterlesen", "mehr lesen", "hier klicken",
                              "klicken sie hier", "here", "more", "click here", "read more"})  # fmt: skip


@dataclass(frozen=True)
class Converted:
    """A contribution's body as an XHTML fragment, with what the writers need to know."""

    body: Fragment
    ids: frozenset[str] = field(metadata=hidden("for link checks, not page content"))
    links: tuple[LinkRef, ...] = field(metadata=hidden("for link checks, not page content"))
    page_markers: tuple[PageMarker, ...] = field(metadata=hidden("for pagination, not page content"))
    words: int
    images: tuple[Asset, ...]
    missing_alt: int


# What a contribution beyond the limits gives: nothing, and no ids for links to look for (batch.convert_book).
EMPTY = Converted(Fragment.from_serialised("", []), frozenset(), (), (), 0, (), 0)


def new_markdown() -> TreeMarkdown:
    """The Python-Markdown pipeline with our extensions and settings."""
    return TreeMarkdown(
        extensions=[
            "footnotes",
            "tables",
            "attr_list",
            "def_list",
            "abbr",
            "md_in_html",
            MarkerCheckingTocExtension(slugify=slugify, toc_depth="2-6"),
            GermanTypographyExtension(),
            FastPathsExtension(),
        ],  # fmt: skip
        extension_configs={
            # Colons in ids (fn:1) break some reading systems.
            "footnotes": {"SEPARATOR": "-"},  # its back links are replaced (rewrites.footnotes)
        },
        output_format="xhtml",
    )


class Converter:
    """Converts contributions of one book, checking ids and images as it goes.

    ``words`` are the interface's words by language (``notes_words``); a language
    not among them gets its built-in words.
    """

    def __init__(
        self,
        resolver: LinkResolver,
        allowed_roots: tuple[Path, ...],
        diagnostics: Diagnostics,
        words: Mapping[str, Words] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.md = new_markdown()
        self.resolver = resolver
        self.allowed_roots = tuple(r.resolve() for r in allowed_roots)
        self.diagnostics = diagnostics
        self.words = words or {}
        self.limits = limits or Limits()

    def convert(self, contribution: Contribution) -> Converted:
        """The contribution's body as a fragment; one beyond the limits gives an empty one (and errors)."""
        if not check_text(contribution, self.limits, self.diagnostics):
            return EMPTY  # Python-Markdown would take minutes, or give up
        self.md.reset()
        # NUL is not allowed in XML and marks link placeholders in our fragments.
        tree = self.md.tree(contribution.body.replace("\x00", "\ufffd"))
        where = Locator(contribution)
        try:
            parsed = self._parse(tree, where)
        except TooDeep as deep:
            self.diagnostics.error(NESTED, deep.message, where.ignoring_case(f"<{deep.name}", deep.occurrence)[1])
            return EMPTY
        root, marks = parsed.root, Marks()
        census = Census(root)
        if remove_active_content(census.elements, where, self.diagnostics):
            census = Census(root)  # what was removed took its content along
        neutralise(census.elements, where, self.diagnostics)
        markers = page_markers(census.comments, where, marks)
        # The author's headings and cells; not the notes' heading, which is the interface's word.
        hyphenate_elements([element for name in HYPHENATED for element in census.named(name)], contribution.lang)
        words = self.words.get(contribution.lang) or builtin_words(contribution.lang)
        notes = footnotes(root, census.named("sup"), census.named("div"), words)
        self._tables(root, census.named("table"), where)
        final = Census(root)
        self._check_headings(final.named("h1"), where)
        ids = self._check_ids(final.having("id"), where)
        targets: list[Target | ImageRef] = []
        images, missing_alt = self._images(final.named("img"), contribution, where, targets, marks)
        links = self._links(final.named("a"), contribution, where, targets, marks)
        if parsed.dropped_characters:
            self._report_illegal_references(contribution, where)
        return Converted(
            body=Fragment.from_serialised(serialise(root, marks), targets),
            ids=ids,
            links=links,
            page_markers=markers,
            # Counted by ``subn``, which makes no string per word as ``findall`` does.
            words=WORDS.subn("", text_of(root, leave_out=notes).replace(SOFT_HYPHEN, ""))[1],
            images=images,
            missing_alt=missing_alt,
        )

    def _parse(self, tree: ElementTree.Element, where: Locator) -> Parsed:
        """The body's lxml tree: copied from Python-Markdown's tree, or read from its XHTML where the copy declines.

        Raises ``limits.TooDeep`` at the first element nested deeper than the limit.
        """
        root = copy_tree(self.md, tree)
        if root is not None:
            check_depth(root, self.limits.depth)
            return Parsed(root, False)
        # XML forbids most control characters; Python-Markdown can leak its own
        # placeholder markers (STX/ETX) in rare inputs such as escapes inside footnotes.
        html = XML_ILLEGAL.sub("", self.md.serialised(tree))
        root = as_xml(html)
        if root is None:
            from qz_ebook.convert.soup import as_html  # Beautiful Soup: only a body with such raw HTML needs it

            return as_html(html, where, self.diagnostics, self.limits.depth)
        check_depth(root, self.limits.depth)
        return Parsed(root, False)

    def _report_illegal_references(self, contribution: Contribution, where: Locator) -> None:
        """Report each character reference to a character XML forbids (``&#xb;``); they are removed."""
        seen: list[str] = []
        for match in CHARACTER_REFERENCE.finditer(contribution.body):
            hexadecimal, decimal = match.groups()
            code = int(hexadecimal, 16) if hexadecimal else int(decimal)
            # The parser itself turns &#0; into U+FFFD, which XML allows.
            if code == 0 or code > 0x10FFFF or not XML_ILLEGAL.match(chr(code)):
                continue
            reference = match.group()
            seen.append(reference)
            message = Message(
                "character reference '{reference}' names U+{code}, a {kind} XHTML forbids: removed",
                reference=reference,
                code=f"{code:04X}",
                kind=kind_of(code),
            )
            self.diagnostics.warning("QZ316", message, where(reference, seen.count(reference)))

    def _links(
        self,
        anchors: list[Element],
        contribution: Contribution,
        where: Locator,
        targets: list[Target | ImageRef],
        marks: Marks,
    ) -> tuple[LinkRef, ...]:
        refs: list[LinkRef] = []
        for anchor in anchors:
            raw = anchor.get("href")
            if raw is None:
                continue
            location = where(raw)
            text = text_of(anchor)
            if " ".join(text.split()).lower() in VAGUE_LINK_TEXTS:
                message = Message(
                    "link text '{text}' does not say where the link goes; name its target", text=text.strip()
                )
                self.diagnostics.warning("QZ404", message, location)
            target = self.resolver.resolve(contribution, raw, location, self.diagnostics)
            if target is not None:
                refs.append(LinkRef(raw, target, location))
                marks.setdefault(anchor, {})["href"] = placeholder(len(targets))
                targets.append(target)
        return tuple(refs)

    def _tables(self, root: Element, tables: list[Element], where: Locator) -> None:
        """A paragraph "Tabelle: …" right after a table becomes its caption; header cells get a scope.

        ``tables`` may hold tables that the footnote step took out of the tree.
        """
        for table in [table for table in tables if in_tree(table, root)]:
            for th in elements(table, "th"):
                th.set("scope", "col" if any(a.tag == "thead" for a in th.iterancestors("thead")) else "row")
            following = table.getnext()
            text = text_of(following) if following is not None and following.tag == "p" else ""
            found = CAPTION.match(text)
            if following is not None and found:
                caption = etree.Element("caption")
                caption.text = CAPTION.sub("", following.text, count=1) if following.text else None
                caption.extend(list(following))
                remove(following)
                # Where the table's own first text stood, before its first row: after the caption.
                caption.tail, table.text = table.text, None
                table.insert(0, caption)
            else:
                header = " | ".join(text_of(th) for th in elements(table, "th"))
                message = Message("a table needs a caption: write 'Tabelle: …' in the line after it")
                self.diagnostics.warning("QZ307", message, where(header or "|"))

    def _check_headings(self, h1s: list[Element], where: Locator) -> None:
        for h1 in h1s:
            message = Message("a level-1 heading in the body; the title is the h1, start with '##'")
            self.diagnostics.error("QZ303", message, where(text_of(h1)))

    def _check_ids(self, elements: list[Element], where: Locator) -> frozenset[str]:
        seen: set[str] = set(TEMPLATE_IDS)
        for element in elements:
            value = element.attrib["id"]
            if ":" in value:
                message = Message("id '{id}' contains ':', which some reading systems reject", id=value)
                self.diagnostics.error("QZ302", message, where(value))
            if value in seen:
                # Point at the repetition; a clash with a template id has no first use in the source.
                repeat = 1 if value in TEMPLATE_IDS else 2
                message = Message("id '{id}' is used twice in this contribution", id=value)
                self.diagnostics.error("QZ301", message, where(value, repeat))
            seen.add(value)
        return frozenset(seen)

    def _images(
        self,
        imgs: list[Element],
        contribution: Contribution,
        where: Locator,
        targets: list[Target | ImageRef],
        marks: Marks,
    ) -> tuple[tuple[Asset, ...], int]:
        """Check every image; its href is assigned later, the same for the whole book."""
        assets: list[Asset] = []
        missing_alt = 0
        for img in imgs:
            src = img.get("src", "")
            asset = self._image_asset(contribution.source.parent, src, where(src))
            if asset is not None:
                marks.setdefault(img, {})["src"] = placeholder(len(targets))
                targets.append(ImageRef(asset.source))
                assets.append(asset)
            if "decorative" in img.get("class", "").split():
                img.set("alt", "")
            elif not img.get("alt", "").strip():
                missing_alt += 1
                message = Message(
                    "image '{src}' has no alt text; write ![description]({src}), "
                    "or mark a decorative image with {{.decorative}}",
                    src=src,
                )
                self.diagnostics.error("QZ305", message, where(src))
        return tuple(assets), missing_alt

    def _image_asset(self, base: Path, src: str, location: Location) -> Asset | None:
        if re.match(r"[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("/"):
            message = Message("image '{src}' must be a relative path to a file in the book", src=src)
            self.diagnostics.error("QZ304", message, location)
            return None
        path = base / unquote(src)  # Markdown writes spaces in paths as %20
        if "\x00" in str(path):  # no file is named so, nor can the path be resolved
            self.diagnostics.error("QZ304", Message("image '{src}' does not exist", src=src), location)
            return None
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in self.allowed_roots):
            message = Message("image '{src}' lies outside the book and assets folders", src=src)
            self.diagnostics.error("QZ304", message, location)
            return None
        if not resolved.is_file():
            self.diagnostics.error("QZ304", Message("image '{src}' does not exist", src=src), location)
            return None
        media_type = mimetypes.guess_type(resolved.name)[0]
        if media_type not in IMAGE_TYPES:
            supported = ", ".join(t.removeprefix("image/") for t in IMAGE_TYPES)
            message = Message("image '{src}' is not a supported type ({supported})", src=src, supported=supported)
            self.diagnostics.error("QZ304", message, location)
            return None
        if media_type == "image/svg+xml":
            if check_svg(resolved, Path(os.path.normpath(path)), self.diagnostics):
                return None  # each character XML forbids is reported where it stands in the SVG (QZ212)
            problem = svg_problem(resolved)
            if problem:
                message = Message("SVG image '{src}' is rejected: {problem}", src=src, problem=problem)
                self.diagnostics.error("QZ309", message, location)
                return None
        return Asset(resolved, "", media_type)  # href assigned by ``bind_images``


def svg_problem(path: Path) -> Text | None:
    """Why an SVG file is unsafe to publish, or None.

    Parsed with defusedxml: DTDs, entity declarations (billion laughs) and
    external references are refused, and so is anything that could run.
    """
    try:
        root = defused_parse(path, forbid_dtd=True, forbid_entities=True, forbid_external=True).getroot()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        return Message("it declares a DTD, entities or external references")
    except ParseError as exc:
        return Message("it is not well-formed XML ({problem})", problem=str(exc))
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in ("script", "foreignObject") or any(a.lower().startswith("on") for a in element.attrib):
            return Message("it contains <{element}> or event handlers", element=tag)
    return None
