"""One resolver for every link, in both formats.

Authors link to other contributions by their Markdown file (``../bildung/dueren.md#ziele``).
The converter turns such links into ``Target``s inside a ``Fragment``; after every
contribution is converted, ``check_fragments`` judges each fragment against the
collected anchors (two passes); each writer renders targets with ``href``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.digests import digest
from qz_ebook.messages import Message
from qz_ebook.model import Contribution, Words, digested

# Kept exactly as written and never fetched.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Placeholders in serialised XHTML start with NUL, which cannot occur in XML text,
# so they never collide with content: ``\x00<n>\x00`` stands for the n-th link target.


@dataclass(frozen=True)
class Target:
    """A page of the book, and optionally an id on it."""

    slug: str
    fragment: str | None = None


def href(target: Target, extension: str, current: str | None = None) -> str:
    """The link to ``target`` from page ``current`` in a format whose pages end in ``extension``."""
    if target.slug == current and target.fragment:
        return "#" + target.fragment
    page = f"{target.slug}.{extension}"
    return f"{page}#{target.fragment}" if target.fragment else page


# Attributes whose markup depends on the format, marked in the serialised fragment
# as `` \x00<kind>="value"`` (see ``format_attribute``).
EPUB_TYPE, XML_LANG, ID, PAGE_LABEL = "E", "X", "I", "P"
# In our own serialisation a "<" only opens a tag (text and attribute values escape it).
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
MARKED = re.compile('\x00([0-9]+)\x00| \x00([EXIP])="([^"]*)"')


@dataclass(frozen=True)
class Attribute:
    """``epub:type`` and ``xml:lang`` exist only in the EPUB; ids differ in the single-page edition."""

    kind: str
    value: str


def format_attribute(kind: str) -> str:
    """The attribute name under which the converter marks a format-dependent attribute."""
    return "\x00" + kind


@dataclass(frozen=True)
class Linker:
    """Hrefs, ids and format-dependent attributes in one format, as seen from one page.

    ``extension`` is ``xhtml`` (EPUB) or ``html``; ``current`` is the page's slug.
    ``on_page`` names the pages merged into one document (the single-page edition):
    links to them become in-page anchors, and their ids get the page's slug as prefix.
    ``words`` name the HTML edition's page markers.
    """

    extension: str
    current: str | None = None
    on_page: frozenset[str] = frozenset()
    words: Words | None = None

    def __call__(self, to: str | Target) -> str:
        target = to if isinstance(to, Target) else Target(to)
        if target.slug in self.on_page:
            return "#" + (f"{target.slug}--{target.fragment}" if target.fragment else target.slug)
        return href(target, self.extension, self.current)

    def anchor(self, value: str) -> str:
        """The id ``value`` on the current page, unique even when pages are merged."""
        return f"{self.current}--{value}" if self.on_page else value

    def at(self, slug: str) -> Linker:
        """The same linker, as seen from page ``slug``."""
        return Linker(self.extension, slug, self.on_page, self.words)

    def page_label(self, number: str) -> str:
        """The attributes that name the marker of print page ``number`` in this format.

        Reading systems and Ace expect ``aria-label`` with the bare page number; stock
        axe-core forbids ``aria-label`` on a ``span`` in a web page, so the HTML edition
        names the marker with ``title``, and shows ``data-page`` through the stylesheet
        (a separator's content is never read, so it is not read twice).
        """
        if self.extension == "xhtml":
            return f' aria-label="{html.escape(number, quote=True)}"'
        if self.words is None:
            raise ValueError("an HTML page's linker names its page markers with the interface's words")
        name, shown = (
            html.escape(w.format(number=number), quote=True) for w in (self.words.page, self.words.page_marker)
        )
        return f' title="{name}" data-page="{shown}"'

    def attribute(self, attribute: Attribute) -> str:
        value = html.escape(attribute.value, quote=True)
        if attribute.kind == ID:
            return f' id="{html.escape(self.anchor(attribute.value), quote=True)}"'
        if attribute.kind == PAGE_LABEL:
            return self.page_label(attribute.value)
        if self.extension != "xhtml":
            return ""
        return f' epub:type="{value}"' if attribute.kind == EPUB_TYPE else f' xml:lang="{value}"'


@dataclass(frozen=True)
class ImageRef:
    """An image file whose href is given once every contribution is converted."""

    source: Path


@dataclass(frozen=True)
class Fragment:
    """Serialised XHTML with links and format-dependent attributes left open.

    One conversion serves every format: each writer renders the open parts.
    Image sources are bound to their hrefs once, after conversion (``bind_images``).
    ``digest`` identifies the parts, computed once where the fragment is made, so
    that page fingerprints need not walk every part again.
    """

    parts: tuple[str | Target | Attribute | ImageRef, ...] = field(
        metadata=digested("rendered through the fragment's methods")
    )
    digest: str

    @classmethod
    def from_serialised(cls, text: str, targets: list[Target | ImageRef]) -> Fragment:
        parts: list[str | Target | Attribute | ImageRef] = []
        position = 0
        for match in MARKED.finditer(text):
            parts.append(text[position : match.start()])
            index, kind, value = match.groups()
            parts.append(targets[int(index)] if index is not None else Attribute(kind, html.unescape(value)))
            position = match.end()
        parts.append(text[position:])
        return cls(tuple(p for p in parts if p != ""), digest(text, repr(targets)))

    def bind_images(self, hrefs: Mapping[Path, str]) -> Fragment:
        """The same fragment with every image source replaced by its href."""
        bound = tuple(html.escape(hrefs[p.source], quote=True) if isinstance(p, ImageRef) else p for p in self.parts)
        images = (hrefs[p.source] for p in self.parts if isinstance(p, ImageRef))
        return Fragment(bound, digest(self.digest, *images))

    def render(self, linker: Linker, heading_offset: int = 0) -> str:
        """The fragment in ``linker``'s format; ``heading_offset`` moves h2 down to h(2+offset)."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Target):
                out.append(html.escape(linker(part), quote=True))
            elif isinstance(part, Attribute):
                out.append(linker.attribute(part))
            else:
                raise ValueError(f"image {part.source} was never bound to an href")
        text = "".join(out)
        return (
            HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + heading_offset, 6)}", text) if heading_offset else text
        )


def placeholder(index: int) -> str:
    return f"\x00{index}\x00"


@dataclass(frozen=True)
class LinkRef:
    """A link an author wrote, with where it was written."""

    raw: str
    target: Target
    location: Location


def contribution_files(contributions: Iterable[Contribution]) -> dict[str, str]:
    """Each contribution's file, resolved as ``Path.resolve`` does, → its slug."""
    resolved = LinkedFiles()
    return {resolved.file(*os.path.split(c.source)): c.slug for c in contributions}


class LinkResolver:
    """Maps an author's ``href`` in a contribution to a ``Target``."""

    def __init__(self, contributions: Iterable[Contribution]) -> None:
        self.by_file = contribution_files(contributions)
        self.linked = LinkedFiles()

    def resolve(
        self, contribution: Contribution, raw: str, location: Location, diagnostics: Diagnostics
    ) -> Target | None:
        """The target of ``raw``; None for external links and for errors (reported)."""
        parts = urlsplit(raw)
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in EXTERNAL_SCHEMES:
                allowed = ", ".join(sorted(EXTERNAL_SCHEMES))
                message = Message("link '{link}' uses a scheme other than {allowed}", link=raw, allowed=allowed)
                diagnostics.error("QZ403", message, location)
            return None
        fragment = unquote(parts.fragment) or None
        if not parts.path:
            return Target(contribution.slug, fragment)
        file = self.linked(contribution, parts.path)
        slug = self.by_file.get(file)
        if slug is None:
            known = [os.path.relpath(f, contribution.source.parent.resolve()) for f in self.by_file]
            reason = (
                Message("no such file")
                if not Path(file).exists()
                else Message("the file is not a contribution in the outline")
            )
            hint = did_you_mean(parts.path, known)
            message = Message("link '{link}' has no target: {reason}{hint}", link=raw, reason=reason, hint=hint)
            diagnostics.error("QZ401", message, location)
            return None
        return Target(slug, fragment)


class LinkedFiles:
    """``linked_file`` as a string, for many links: a book has many links to few files in few folders.

    Each folder is resolved once, each file once, and a file itself only when it is a symbolic
    link. One per build: files may come and go between builds. Paths are joined as strings:
    a rebuild checks every link of every stored conversion (``incremental.conversions``).
    """

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}  # a folder as joined → resolved
        self._files: dict[str, str] = {}  # a file in a resolved folder → resolved
        self._parents: dict[str, str] = {}  # a contribution's file → its folder

    def __call__(self, contribution: Contribution, path: str) -> str:
        """The file a link's ``path`` (percent-encoded, relative to the contribution) names, resolved."""
        unquoted = unquote(path)
        if "\x00" in unquoted:  # no file is named so (nor can it be resolved): the link leads nowhere
            return os.path.join(contribution.source.parent, unquoted)
        folder, name = os.path.split(unquoted)
        if name in ("", ".", ".."):
            return str(linked_file(contribution, path))  # no file name of its own to join
        source = str(contribution.source)
        parent = self._parents.get(source)
        if parent is None:
            parent = self._parents[source] = os.path.dirname(source)
        return self.file(os.path.join(parent, folder) if folder else parent, name)

    def file(self, folder: str, name: str) -> str:
        """The file ``name`` in ``folder``, resolved: the folder once, the file only when it is a symbolic link."""
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        file = os.path.join(real, name)
        found = self._files.get(file)
        if found is None:
            found = self._files[file] = os.path.realpath(file) if os.path.islink(file) else file
        return found


def linked_file(contribution: Contribution, path: str) -> Path:
    """The file a link's ``path`` (percent-encoded, relative to the contribution) names."""
    return (contribution.source.parent / unquote(path)).resolve()


def check_fragments(
    links: Mapping[str, Iterable[LinkRef]], anchors: Mapping[str, frozenset[str]], diagnostics: Diagnostics
) -> None:
    """Second pass: every ``#fragment`` must name an id on its target page."""
    for refs in links.values():
        for ref in refs:
            fragment = ref.target.fragment
            ids = anchors.get(ref.target.slug, frozenset())
            if fragment is not None and fragment not in ids:
                # Template ids (qz_…) are no author's anchors; never suggest them.
                hint = did_you_mean(fragment, sorted(i for i in ids if not i.startswith("qz_")))
                message = Message(
                    "link '{link}' has no target: no id '{fragment}' on that page{hint}",
                    link=ref.raw,
                    fragment=fragment,
                    hint=hint,
                )
                diagnostics.error("QZ402", message, ref.location)
