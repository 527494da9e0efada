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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.model import Contribution

# Kept exactly as written and never fetched.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Stands for a target inside serialised XHTML until a writer fills in its href.
# NUL cannot occur in XML text, so it never collides with content.
PLACEHOLDER = re.compile("\x00([0-9]+)\x00")


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


@dataclass(frozen=True)
class Linker:
    """Hrefs in one format (``extension``), as seen from one page (``current``)."""

    extension: str
    current: str | None = None

    def __call__(self, to: str | Target) -> str:
        return href(to if isinstance(to, Target) else Target(to), self.extension, self.current)


@dataclass(frozen=True)
class Fragment:
    """Serialised XHTML with targets left open, so one conversion serves every format."""

    parts: tuple[str | Target, ...]

    @classmethod
    def from_serialised(cls, text: str, targets: list[Target]) -> Fragment:
        pieces = PLACEHOLDER.split(text)
        # re.split alternates text and captured placeholder numbers.
        parts = [targets[int(p)] if i % 2 else p for i, p in enumerate(pieces)]
        return cls(tuple(p for p in parts if p != ""))

    def render(self, link: Callable[[Target], str]) -> str:
        return "".join(p if isinstance(p, str) else html.escape(link(p), quote=True) for p in self.parts)


def placeholder(index: int) -> str:
    return f"\x00{index}\x00"


@dataclass(frozen=True)
class LinkRef:
    """A link an author wrote, with where it was written."""

    raw: str
    target: Target
    location: Location


class LinkResolver:
    """Maps an author's ``href`` in a contribution to a ``Target``."""

    def __init__(self, contributions: Iterable[Contribution]) -> None:
        self.by_file = {c.source.resolve(): c.slug for c in contributions}

    def resolve(
        self, contribution: Contribution, raw: str, location: Location, diagnostics: Diagnostics
    ) -> Target | None:
        """The target of ``raw``; None for external links and for errors (reported)."""
        parts = urlsplit(raw)
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in EXTERNAL_SCHEMES:
                allowed = ", ".join(sorted(EXTERNAL_SCHEMES))
                diagnostics.error("QZ403", f"link '{raw}' uses a scheme other than {allowed}", location)
            return None
        fragment = unquote(parts.fragment) or None
        if not parts.path:
            return Target(contribution.slug, fragment)
        file = (contribution.source.parent / unquote(parts.path)).resolve()
        slug = self.by_file.get(file)
        if slug is None:
            known = [os.path.relpath(f, contribution.source.parent.resolve()) for f in self.by_file]
            reason = "no such file" if not file.exists() else "the file is not a contribution in the outline"
            hint = did_you_mean(parts.path, known)
            diagnostics.error("QZ401", f"link '{raw}' has no target: {reason}{hint}", location)
            return None
        return Target(slug, fragment)


def check_fragments(
    links: Mapping[str, Iterable[LinkRef]], anchors: Mapping[str, frozenset[str]], diagnostics: Diagnostics
) -> None:
    """Second pass: every ``#fragment`` must name an id on its target page."""
    for refs in links.values():
        for ref in refs:
            fragment = ref.target.fragment
            ids = anchors.get(ref.target.slug, frozenset())
            if fragment is not None and fragment not in ids:
                hint = did_you_mean(fragment, sorted(ids))
                message = f"link '{ref.raw}' has no target: no id '{fragment}' on that page{hint}"
                diagnostics.error("QZ402", message, ref.location)
