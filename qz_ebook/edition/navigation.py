"""Format-neutral navigation: the table-of-contents tree and the reading order.

Writers turn slugs into hrefs of their own format; the structure is built once here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from qz_ebook.model import Book, Contribution, Entry, Page, Part, Perspective


@dataclass(frozen=True)
class NavNode:
    label: str
    slug: str
    children: tuple[NavNode, ...] = ()


@dataclass(frozen=True)
class Neighbours:
    previous: Page | None
    next: Page | None


def toc_tree(book: Book) -> tuple[NavNode, ...]:
    """Parts with their entries, nested as in the outline."""
    return tuple(NavNode(part.title, part.slug, _nodes(part.children)) for part in book.parts)


def _nodes(entries: tuple[Entry, ...]) -> tuple[NavNode, ...]:
    return tuple(NavNode(_label(e), e.slug, _nodes(e.children)) for e in entries)


def _label(entry: Entry) -> str:
    return entry.label if isinstance(entry, Contribution) else entry.title


@dataclass(frozen=True)
class Sidebar:
    """The table of contents as one page shows it: its own path open, every other branch shut.

    Each page then carries the parts and its neighbourhood, not the whole book, so
    the edition grows linearly with the book. Pages that open the same branches
    (all the leaves of one part) share one tree, the very same object, so a writer
    can render each tree once; shut nodes are made once too.
    """

    toc: tuple[NavNode, ...]

    @cached_property
    def _branches(self) -> frozenset[str]:
        return frozenset(slug for slug, node in nodes_by_slug(self.toc).items() if node.children)

    @cached_property
    def _trees(self) -> dict[frozenset[str], tuple[NavNode, ...]]:
        return {}

    @cached_property
    def _shut(self) -> dict[int, NavNode]:
        return {}

    def around(self, open_slugs: frozenset[str]) -> tuple[NavNode, ...]:
        """The tree with the branches of ``open_slugs`` expanded."""
        opened = open_slugs & self._branches  # a leaf has nothing to open
        if opened not in self._trees:
            self._trees[opened] = self._branch(self.toc, opened)
        return self._trees[opened]

    def _branch(self, nodes: tuple[NavNode, ...], opened: frozenset[str]) -> tuple[NavNode, ...]:
        return tuple(
            NavNode(n.label, n.slug, self._branch(n.children, opened)) if n.slug in opened else self._closed(n)
            for n in nodes
        )

    def _closed(self, node: NavNode) -> NavNode:
        if id(node) not in self._shut:
            self._shut[id(node)] = NavNode(node.label, node.slug) if node.children else node
        return self._shut[id(node)]


def nodes_by_slug(nodes: tuple[NavNode, ...]) -> dict[str, NavNode]:
    """Every node of the tree, by slug."""
    found: dict[str, NavNode] = {}
    for node in nodes:
        found[node.slug] = node
        found.update(nodes_by_slug(node.children))
    return found


def neighbours(pages: list[Page]) -> dict[str, Neighbours]:
    """Previous and next page of every page in reading order, by slug."""
    return {
        page.slug: Neighbours(pages[i - 1] if i else None, pages[i + 1] if i + 1 < len(pages) else None)
        for i, page in enumerate(pages)
    }


def page_kind(page: Page) -> str:
    """``part``, ``section`` or the contribution's kind, for templates and semantics."""
    if isinstance(page, Part):
        return "part"
    if isinstance(page, Contribution):
        return page.kind
    return "section"


@dataclass(frozen=True)
class PageContext:
    """Where a page sits: its perspective (if any), its part, and the pages above it."""

    perspective: Perspective | None
    part: Part
    ancestors: tuple[Page, ...]  # from the part down to the parent


def page_contexts(book: Book) -> dict[str, PageContext]:
    """The context of every page, by slug.

    A perspective claims the contributions it names, then whole parts; the first
    perspective in ``book.toml`` wins where two claim the same page.
    """
    contexts: dict[str, PageContext] = {}
    for part in book.parts:
        by_part = next((p for p in book.perspectives if part.title in p.parts), None)
        contexts[part.slug] = PageContext(by_part, part, ())
        for page, ancestors in _with_ancestors(part.children, (part,)):
            named = next((p for p in book.perspectives if page.slug in p.contributions), None)
            contexts[page.slug] = PageContext(named or by_part, part, ancestors)
    return contexts


def _with_ancestors(entries: tuple[Entry, ...], above: tuple[Page, ...]) -> Iterator[tuple[Entry, tuple[Page, ...]]]:
    for entry in entries:
        yield entry, above
        yield from _with_ancestors(entry.children, (*above, entry))


def perspective_nodes(book: Book, perspective: Perspective, nodes: dict[str, NavNode]) -> tuple[NavNode, ...]:
    """What a perspective opens onto, as table-of-contents nodes (``nodes`` by slug) in reading order."""
    named = set(perspective.contributions)
    chosen = [part.slug for part in book.parts if part.title in perspective.parts]
    chosen += [c.slug for c in book.contributions() if c.slug in named]
    return tuple(nodes[slug] for slug in chosen)
