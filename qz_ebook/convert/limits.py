"""Limits of size and nesting (book.toml ``[limits]``): a located error at once, never a build without end.

Python-Markdown's time grows with the cube of a list's depth and the square of a blockquote's,
and WeasyPrint and lxml give up on deeply nested elements. So the body is scanned before
Python-Markdown sees it (lines, lists and blockquotes, footnotes, pipe tables, raw HTML that
Markdown is parsed inside), each with cheap regular expressions; and the nesting that only the
parsed tree shows (raw HTML, emphasis inside emphasis) is checked on lxml's tree (``check_depth``),
or, for markup only html.parser reads, while it builds the tree, which stops at the first element
too deep (``soup.DepthCheckingSoup``). Each limit is reported once, at its first breach.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lxml.etree import _Element

from qz_ebook.convert.rewrites import Locator
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.messages import Message, Text
from qz_ebook.model import Contribution, Limits

NESTED, TOO_MANY, TOO_LONG = "QZ319", "QZ320", "QZ321"
CODES = frozenset({NESTED, TOO_MANY, TOO_LONG})
# Elements inside each other, however few levels they count for: WeasyPrint's recursion ends
# between 130 and 160 of them, the page's own included.
MAX_ELEMENTS = 100

# Phrasing elements count as levels of their own, apart from the blocks they stand in.
PHRASING = frozenset(
    {"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
     "ins", "kbd", "label", "mark", "nobr", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike",
     "strong", "sub", "sup", "time", "tt", "u", "var"}
)  # fmt: skip
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Parts of a structure that count with it: a list item is no level beside its list.
PARTS = {
    "li": frozenset({"ul", "ol", "menu"}),
    "dt": frozenset({"dl"}),
    "dd": frozenset({"dl"}),
    "caption": frozenset({"table"}),
    "colgroup": frozenset({"table"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tfoot": frozenset({"table"}),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    "td": frozenset({"tr"}),
    "th": frozenset({"tr"}),
}
Levels = tuple[int, int]  # blocks, phrasing elements

# A line that could open more than a limit's levels: its start holds only indentation and markers.
CONTAINER_CHARACTERS = "[ \t>*+\\-.0-9]"
MARKERS = r"[ \t]*+(?:(?:>|[*+-](?=[ \t])|[0-9]{1,9}\.(?=[ \t]))[ \t]*+)+"
TOKEN = re.compile(r"(?P<space>[ \t]+)|(?P<quote>>)|(?P<item>[*+-]|[0-9]+\.)")
RULE = re.compile(r"[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t\r]*")  # * * * is a horizontal rule, not three lists
LINE_BREAK = re.compile(r"(\r\n?|\n)")  # as Python-Markdown reads them
FOOTNOTE = re.compile(r"^[ ]{0,3}\[\^[^\]\n]*\]:", re.MULTILINE)
# A pipe table's separator line, |---|:--:|; possessive (*+), never going back over a long run of blanks.
CELL = r":?-++:?[ \t]*+"
TABLE_SEPARATOR = re.compile(rf"\n([ \t]*+(?:\|[ \t]*+)?{CELL}(?:\|[ \t]*+{CELL})*+(?:\|[ \t]*+)?)\r?(?=\n|$)")
BLANK = re.compile(r"\n[ \t\r]*(?:\n|$)")
MARKDOWN_IN_HTML = re.compile(r"<[A-Za-z][^<>]*\smarkdown\s*=", re.IGNORECASE)
HTML_TAG = re.compile(r"<(/?)([A-Za-z][-A-Za-z0-9_.:]*)(?:\s[^<>]*?)?(/?)>")
CONTAINERS = {"list": Message("list"), "blockquote": Message("blockquote")}  # as ``_levels`` names them


@dataclass(frozen=True)
class Breach:
    """Where and how a body goes beyond a limit; ``index`` counts characters of the body."""

    code: str
    message: Message
    index: int


class TooDeep(Exception):  # noqa: N818 (a condition, not a failure of ours)
    """An element nested beyond the limit; ``occurrence`` counts its start tags so far, itself included."""

    def __init__(self, name: str, occurrence: int, message: Message) -> None:
        super().__init__(str(message))
        self.name, self.occurrence, self.message = name, occurrence, message


def check_text(contribution: Contribution, limits: Limits, diagnostics: Diagnostics) -> bool:
    """Whether the body is within ``limits``; each breach is reported as an error at its place."""
    body, where = contribution.body, Locator(contribution)
    nested = [breach for breach in (_containers(body, limits), _markdown_in_html(body, limits)) if breach]
    deepest = min(nested, key=lambda breach: breach.index) if nested else None  # one place for the one depth
    found = (_long_line(body, limits), deepest, _footnotes(body, limits), *_tables(body, limits))
    breaches = [breach for breach in found if breach is not None]
    for breach in breaches:
        diagnostics.error(breach.code, breach.message, where.at(breach.index))
    return not breaches


def nesting(kind: Text, levels: int, limit: int) -> Message:
    """The message for ``kind`` (a list, a blockquote, ``<div>``) nested ``levels`` deep."""
    return Message(
        "{kind} nested {levels} levels deep; at most {limit} (book.toml [limits] depth)",
        kind=kind,
        levels=levels,
        limit=limit,
    )


def level(levels: Levels, name: str, parent: str) -> Levels:
    """The levels of an element ``name`` inside ``parent``, whose levels are ``levels``."""
    blocks, phrasing = levels
    if name in PHRASING:
        return blocks, phrasing + 1
    if name in VOID or parent in PARTS.get(name, ()) or (name == "p" and parent != "p"):
        return levels
    return blocks + 1, phrasing


def too_deep(name: str, levels: Levels, elements: int, depth: int) -> Message | None:
    """Why an element ``name`` at ``levels``, inside ``elements`` elements (its own included), is too deep; or None."""
    deepest = max(levels)
    if deepest > depth:
        return nesting(f"<{name}>", deepest, depth)
    if elements > MAX_ELEMENTS:
        return Message(
            "<{element}> nested {elements} elements deep; at most {limit}, which the PDF can render",
            element=name,
            elements=elements,
            limit=MAX_ELEMENTS,
        )
    return None


def check_depth(root: _Element, depth: int) -> None:
    """Raise ``TooDeep`` at the first element below ``root``, in document order, nested too deep."""
    _check_below(root, (0, 0), 0, depth, {})


def _check_below(parent: _Element, levels: Levels, elements: int, depth: int, seen: dict[str, int]) -> None:
    """``check_depth`` for the elements below ``parent``; ``seen`` counts the elements by name so far."""
    for child in parent:
        name = child.tag
        if not isinstance(name, str):
            continue  # a comment
        seen[name] = seen.get(name, 0) + 1
        child_levels = level(levels, name, parent.tag)
        message = too_deep(name, child_levels, elements + 1, depth)
        if message is not None:
            raise TooDeep(name, seen[name], message)
        if len(child):
            _check_below(child, child_levels, elements + 1, depth, seen)


def _long_line(body: str, limits: Limits) -> Breach | None:
    limit = limits.line_length
    if len(body) <= limit:
        return None
    pieces = LINE_BREAK.split(body)  # lines with the breaks between them
    if max(map(len, pieces[::2])) <= limit:
        return None
    start = 0
    for n, piece in enumerate(pieces):
        if n % 2 == 0 and len(piece) > limit:
            message = Message(
                "line is {length} characters long; at most {limit} (book.toml [limits] line_length)",
                length=len(piece),
                limit=limit,
            )
            return Breach(TOO_LONG, message, start + limit)
        start += len(piece)
    return None  # pragma: no cover (the longest line is one of them)


@lru_cache(maxsize=8)
def _container_lines(depth: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The first line and the other lines whose start could hold more than ``depth`` levels."""
    start = f"(?={CONTAINER_CHARACTERS}{{{depth + 1}}})({MARKERS})"
    return re.compile(start), re.compile("\n" + start)  # the literal "\n" lets the search skip ahead fast


def _containers(body: str, limits: Limits) -> Breach | None:
    """The first line nested in more lists and blockquotes than the limit allows."""
    first, other = _container_lines(limits.depth)
    found = first.match(body)
    for match in itertools.chain([found] if found else [], other.finditer(body)):
        start = match.start(1)
        end = body.find("\n", start)
        if RULE.fullmatch(body, start, len(body) if end < 0 else end):
            continue
        levels = list(_levels(match.group(1)))
        if len(levels) > limits.depth:
            kind, offset = levels[limits.depth]
            return Breach(NESTED, nesting(CONTAINERS[kind], len(levels), limits.depth), start + offset)
    return None


def _levels(prefix: str) -> Iterator[tuple[str, int]]:
    """The list and blockquote levels a line's start opens, each with the offset of its marker.

    Indentation at the start of a line or inside a blockquote stands for one list level per four columns.
    """
    previous = None
    for token in TOKEN.finditer(prefix):
        if token.lastgroup == "space" and previous in (None, "quote"):
            width = len(token.group().expandtabs(4)) - (1 if previous == "quote" else 0)
            yield from [("list", token.end())] * (width // 4)
        elif token.lastgroup == "quote":
            yield "blockquote", token.start()
        elif token.lastgroup == "item":
            yield "list", token.start()
        previous = token.lastgroup


def _markdown_in_html(body: str, limits: Limits) -> Breach | None:
    """Raw HTML nested too deep where Markdown is parsed inside it: Python-Markdown recurses into each element."""
    if "markdown" not in body or not MARKDOWN_IN_HTML.search(body):
        return None
    stack: list[tuple[str, Levels]] = [("", (0, 0))]
    for tag in HTML_TAG.finditer(body):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        names = [entry[0] for entry in stack]
        if closing:
            if name in names[1:]:
                del stack[len(names) - 1 - names[::-1].index(name) :]
            continue
        levels = level(stack[-1][1], name, stack[-1][0])
        if max(levels) > limits.depth:
            return Breach(NESTED, nesting(f"<{name}>", max(levels), limits.depth), tag.start())
        if not self_closing and name not in VOID:
            stack.append((name, levels))
    return None


def _footnotes(body: str, limits: Limits) -> Breach | None:
    limit = limits.footnotes
    if body.count("[^") <= limit:
        return None
    found = FOOTNOTE.findall(body)
    if len(found) <= limit:
        return None
    beyond = next(m for n, m in enumerate(FOOTNOTE.finditer(body)) if n == limit)
    message = Message(
        "{count} footnotes; a contribution may have at most {limit} (book.toml [limits] footnotes)",
        count=len(found),
        limit=limit,
    )
    return Breach(TOO_MANY, message, beyond.start() + len(beyond.group()) - len(beyond.group().lstrip()))


def _tables(body: str, limits: Limits) -> tuple[Breach | None, Breach | None]:
    """The first table with too many rows and the first with too many columns (pipe tables)."""
    rows = columns = None
    if body.count("\n") <= limits.table_rows and body.count("|") < limits.table_columns - 1:
        return rows, columns  # too few lines for too many rows, too few pipes for too many columns
    for separator in TABLE_SEPARATOR.finditer(body):
        cells = separator.group(1).strip()
        if "|" not in cells:
            continue  # a horizontal rule or a heading's underline
        header = body.rfind("\n", 0, separator.start()) + 1
        width = cells.strip("|").count("|") + 1
        if columns is None and width > limits.table_columns:
            message = Message(
                "table has {count} columns; at most {limit} (book.toml [limits] table_columns)",
                count=width,
                limit=limits.table_columns,
            )
            columns = Breach(TOO_MANY, message, header)
        below = separator.end()
        blank = BLANK.search(body, below)
        end = blank.start() if blank else len(body)
        count = body.count("\n", below, end)
        if rows is None and count > limits.table_rows:
            row = below
            for _ in range(limits.table_rows + 1):
                row = body.index("\n", row) + 1
            message = Message(
                "table has {count} rows; at most {limit} (book.toml [limits] table_rows)",
                count=count,
                limit=limits.table_rows,
            )
            rows = Breach(TOO_MANY, message, row)
        if rows is not None and columns is not None:
            break
    return rows, columns
