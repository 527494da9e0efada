"""Relations between contributions, derived from front matter and never written by hand.

A position paper leads to its practice examples; an example leads back to its paper
and on to its siblings. Contributions of one topic (``topic:``) lead to their topic
page and to each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.messages import Message
from qz_ebook.model import Book, Contribution, Section


@dataclass(frozen=True)
class Related:
    """What one contribution links to, besides its own text."""

    paper: Contribution | None = None  # the position paper a practice example illustrates
    topic: Section | None = None  # the topic page of a contribution with ``topic:``
    examples: tuple[Contribution, ...] = ()  # a position paper's practice examples
    siblings: tuple[Contribution, ...] = ()  # the other examples of the same paper or topic


def relations(book: Book) -> dict[str, Related]:
    """The relations of every contribution, by slug."""
    contributions = list(book.contributions())
    by_slug = {c.slug: c for c in contributions}
    topics = {s.topic: s for s in book.reading_order() if isinstance(s, Section)}
    # One pass each, in reading order: no scan of the whole book per contribution.
    by_paper: dict[str, list[Contribution]] = defaultdict(list)
    by_topic: dict[str, list[Contribution]] = defaultdict(list)
    for c in contributions:
        if c.paper:
            by_paper[c.paper].append(c)
        if c.topic in topics:
            by_topic[c.topic].append(c)
    examples = {c.slug: tuple(by_paper.get(c.slug, ())) for c in contributions}
    members = {name: tuple(by_topic.get(name, ())) for name in topics}
    found: dict[str, Related] = {}
    for c in contributions:
        group = examples.get(c.paper, ()) if c.paper else members.get(c.topic or "", ())
        found[c.slug] = Related(
            paper=by_slug.get(c.paper) if c.paper else None,
            topic=topics.get(c.topic) if c.topic else None,
            examples=examples[c.slug],
            siblings=tuple(s for s in group if s.slug != c.slug),
        )
    return found


def check_relations(
    book: Book,
    locations: Mapping[str, Mapping[str, Location]],
    diagnostics: Diagnostics,
    stand_ins: frozenset[str] = frozenset(),
) -> None:
    """What front matter says of relations must name what the outline holds (QZ202, QZ204–QZ206).

    ``stand_ins`` have front matter that failed its checks (reported): their kind is not known,
    so nothing is said of their relations, nor of a relation that names one of them.
    """
    by_slug: dict[str, Contribution] = {}
    for c in book.contributions():
        by_slug.setdefault(c.slug, c)  # a duplicate slug is reported already; keep the first
    papers = [c.slug for c in by_slug.values() if c.kind == "position-paper"]
    topics = {s.topic for s in book.reading_order() if isinstance(s, Section)}
    for c in by_slug.values():
        if c.slug in stand_ins or c.paper in stand_ins:
            continue
        keys = locations[c.slug]
        if c.paper is not None:
            target = by_slug.get(c.paper)
            where = keys["paper"]
            if c.kind != "practice-example":
                message = Message("'paper' belongs to a practice-example, not to kind '{kind}'", kind=c.kind)
                diagnostics.error("QZ204", message, where)
            elif target is None:
                hint = did_you_mean(c.paper, papers)
                diagnostics.error(
                    "QZ205", Message("'paper: {paper}' names no contribution{hint}", paper=c.paper, hint=hint), where
                )
            elif target.kind != "position-paper":
                message = Message(
                    "'paper: {paper}' names a contribution of kind '{kind}', not a position-paper{hint}",
                    paper=c.paper,
                    kind=target.kind,
                    hint=did_you_mean(c.paper, papers),
                )
                diagnostics.error("QZ205", message, where)
        if c.topic is not None and c.topic not in topics:
            diagnostics.error(
                "QZ206",
                Message(
                    "'topic: {topic}' is no section of the outline{hint}",
                    topic=c.topic,
                    hint=did_you_mean(c.topic, topics),
                ),
                keys["topic"],
            )
        if c.kind == "practice-example" and c.paper is None and c.topic is None:
            diagnostics.error("QZ202", Message("a practice-example needs 'paper' or 'topic'"), keys["kind"])
