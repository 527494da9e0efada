"""Parse the outline (``SUMMARY.md``): parts, contributions and sections, nested.

The syntax follows mdBook's SUMMARY.md; see docs/manuscript.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qz_ebook.characters import Findings
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.messages import Message, Text

PART = re.compile(r"#\s+(?P<title>\S.*?)\s*#*\s*$")
ITEM = re.compile(r"(?P<indent>[ \t]*)[-*+]\s+(?P<content>\S.*?)\s*$")
LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<path>[^()\s]*)\)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class OutlineItem:
    """A contribution (with ``path``) or a section (without) as written in the outline."""

    label: str
    path: str | None
    location: Location
    children: list[OutlineItem] = field(default_factory=list)


@dataclass
class OutlinePart:
    title: str
    location: Location
    items: list[OutlineItem] = field(default_factory=list)


def parse_outline(path: Path, text: str, diagnostics: Diagnostics) -> list[OutlinePart]:
    """Return the parts of the outline; problems go to ``diagnostics``."""
    with Findings(diagnostics) as forbidden:
        text = forbidden.text(path, text)  # the characters XML forbids, read on as U+FFFD
    text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    parts: list[OutlinePart] = []
    stack: list[OutlineItem] = []  # the open item at each nesting level
    unit = 0  # spaces per level, fixed by the first indented item
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if part := PART.match(line):
            parts.append(OutlinePart(part.group("title"), Location(path, number, 1)))
            stack = []
            continue
        item = ITEM.match(line)
        if item is None:
            diagnostics.error(
                "QZ101",
                Message("expected '# Part title', '- [Label](file.md)' or '- Section title'"),
                Location(path, number, len(line) - len(line.lstrip()) + 1),
            )
            continue
        indent = item.group("indent")
        location = Location(path, number, len(indent) + 1)
        if not parts:
            diagnostics.error("QZ101", Message("an entry before the first part; start with '# Part title'"), location)
            continue
        if "\t" in indent:
            diagnostics.error("QZ104", Message("indent with spaces, not tabs"), location)
            continue
        problem = _indentation_problem(len(indent), unit, len(stack))
        if problem:
            message = Message("bad indentation: {spaces} spaces, {problem}", spaces=len(indent), problem=problem)
            diagnostics.error("QZ104", message, location)
            continue
        unit = unit or len(indent)
        level = len(indent) // unit if unit else 0
        entry = _entry(item.group("content"), location, diagnostics)
        if entry is None:
            continue
        siblings = stack[level - 1].children if level else parts[-1].items
        siblings.append(entry)
        del stack[level:]
        stack.append(entry)
    return parts


def _indentation_problem(spaces: int, unit: int, open_levels: int) -> Text | None:
    """Why ``spaces`` of indentation are wrong here, or None when they are right."""
    if spaces == 0:
        return None
    if not unit and spaces not in (2, 4):
        return Message("expected 2 or 4 spaces per level")
    step = unit or spaces
    if spaces % step:
        return Message("expected {step} spaces per level", step=step)
    if spaces // step > open_levels:
        return Message("deeper than the entry above allows")
    return None


def _entry(content: str, location: Location, diagnostics: Diagnostics) -> OutlineItem | None:
    if not content.startswith("["):
        return OutlineItem(content, None, location)
    link = LINK.fullmatch(content)
    if link is None or not link.group("path").endswith(".md"):
        diagnostics.error("QZ101", Message("a contribution is written '- [Label](path/to/file.md)'"), location)
        return None
    return OutlineItem(link.group("label").strip(), link.group("path"), location)
