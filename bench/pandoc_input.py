"""The bench book as a Pandoc user writes it: one Markdown file, a ``# Title`` per chapter.

Given one file per chapter, each with its own front matter and no level-1 heading,
Pandoc makes a single giant chapter; that is not how its users call it. This file
has every chapter's title as a level-1 heading with the chapter's name as its id,
links between chapters pointing at those ids, footnote labels made unique per
chapter and image paths relative to the book folder, where Pandoc runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
CHAPTER_LINK = re.compile(r"\]\((?:\.\./[^)/]+/)?([^)/#]+)\.md(#[^)]*)?\)")
NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
UP_LINK = re.compile(r"\]\(\.\./")


def single_markdown(book: Path, files: list[str]) -> Path:
    """Write ``<book>.pandoc.md`` beside the book folder (inside, qz-ebook would warn of a file
    not in its outline) from the chapter ``files`` in reading order, and return it."""
    parts = []
    for name in files:
        text = (book / name).read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        title = yaml.safe_load(match.group(1))["title"] if match else Path(name).stem
        body = text[match.end() :] if match else text
        chapter = Path(name).stem
        body = CHAPTER_LINK.sub(lambda m: f"](#{m.group(1)})", body)
        body = NOTE_LABEL.sub(rf"[^{chapter}-\1]", body)
        body = UP_LINK.sub("](", body)  # ../bilder/x.png from a part's folder is bilder/x.png from the book's
        parts.append(f"# {title} {{#{chapter}}}\n\n{body.strip()}\n")
    target = book.with_name(f"{book.name}.pandoc.md")
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
