"""Split a contribution into YAML front matter and Markdown body, and check the keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qz_ebook import characters
from qz_ebook.characters import Findings
from qz_ebook.diagnostics import Diagnostic, Diagnostics, Location
from qz_ebook.messages import Message, Text
from qz_ebook.model import KINDS, STATUSES, Person
from qz_ebook.source import schema, yamlsource
from qz_ebook.source.schema import Field

FENCE = "---"
# Where str.splitlines ends a line ("\r\n" ends one line, not two).
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# One line with its end, as str.splitlines(keepends=True) gives it; never empty.
LINE = re.compile(f"[^{BREAKS}]*(?:\r\n|[{BREAKS}])|.+", re.DOTALL)


def _person(value: Any) -> Text | None:
    if isinstance(value, str):
        return schema.text(value)
    if isinstance(value, dict) and set(value) <= {"name", "affiliation"} and schema.text(value.get("name")) is None:
        return None if value.get("affiliation") is None else schema.text(value["affiliation"])
    return Message("a name")


FIELDS = {
    "title": Field(schema.text, required=True),
    "subtitle": Field(schema.text),
    "authors": Field(schema.list_of(_person, Message("a list of names or {{name: …, affiliation: …}} tables"))),
    "place": Field(schema.text),
    "year": Field(schema.whole_number),
    "series": Field(schema.text),
    "kind": Field(schema.one_of(*KINDS), required=True),
    "page": Field(schema.whole_number),
    "paper": Field(schema.text),
    "topic": Field(schema.text),
    "contacts": Field(schema.matches(r".+\.ya?ml", Message("the path of a YAML contact list"))),
    "lang": Field(schema.matches(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*", Message("a BCP 47 language tag"))),
    "status": Field(schema.one_of(*STATUSES), required=True),
    "slug": Field(schema.matches(r"[a-z][a-z0-9-]*", Message("lower-case ASCII letters, digits and '-'"))),
}


@dataclass(frozen=True)
class Source:
    """A contribution file split into checked front matter and body."""

    fields: dict[str, Any]
    key_locations: dict[str, Location]
    body: str
    body_line: int


# The checked front matter, the body and its first line, with the problems found. Front matter
# that cannot be read gives no fields (its problems say why): the body is still there to check.
Split = tuple[tuple[dict[str, Any], dict[str, Location], str, int], tuple[Diagnostic, ...]]


def read_source(
    path: Path, text: str, diagnostics: Diagnostics, recall: Callable[[Path, str], Split] | None = None
) -> Source:
    """Parse front matter, reporting its problems; the fields are those that passed their checks.

    ``recall`` may hand over the split of the same text made before (``reader.Recall``).
    """
    split, problems = recall(path, text) if recall is not None else split_source(path, text)
    diagnostics.items.extend(problems)
    fields, key_locations, body, body_line = split
    return Source(dict(fields), dict(key_locations), body, body_line)


def split_source(path: Path, text: str) -> Split:
    """The checked front matter of ``text``, its body and the body's first line, with the problems found.

    Characters XML forbids are reported first, wherever they stand, and read on as U+FFFD.
    """
    found = Diagnostics()
    with Findings(found) as forbidden:
        split, problems = _split(path, forbidden.text(path, text), forbidden)
    return split, (*found.items, *problems)


def _split(path: Path, text: str, forbidden: Findings) -> Split:
    """``split_source`` of a text without characters XML forbids; ``forbidden`` takes those of escapes."""
    lines: list[str] = []  # up to the closing fence; the body is sliced off, never split
    for match in LINE.finditer(text):
        lines.append(match.group())
        if len(lines) == 1 and lines[0].rstrip() != FENCE:
            break
        if len(lines) > 1 and lines[-1].rstrip() == FENCE:
            (fields, key_locations), problems = _checked_header(path, "".join(lines[1:-1]), forbidden)
            return (fields, key_locations, text[match.end() :], len(lines) + 1), problems
    diagnostics = Diagnostics()
    if not lines or lines[0].rstrip() != FENCE:
        missing = Message("a contribution starts with front matter between '---' lines")
        diagnostics.error("QZ201", missing, Location(path))
        return ({}, {}, text, 1), tuple(diagnostics.items)  # all of it is body
    diagnostics.error("QZ201", Message("front matter is not closed by a '---' line"), Location(path))
    return ({}, {}, "", len(lines) + 1), tuple(diagnostics.items)  # all of it was taken for front matter


def _checked_header(
    path: Path, yaml: str, forbidden: Findings
) -> tuple[tuple[dict[str, Any], dict[str, Location]], tuple[Diagnostic, ...]]:
    """The checked fields of one front matter and their locations (none if unreadable), with the problems found.

    A key whose value holds a character XML forbids is left out, as one that fails its check.
    """
    diagnostics = Diagnostics()
    try:
        header = yamlsource.load(yaml, path, first_line=2)
    except yamlsource.YamlSyntaxError as exc:
        diagnostics.error(
            "QZ201", Message("front matter is not valid YAML: {problem}", problem=exc.problem), exc.location
        )
        return ({}, {}), tuple(diagnostics.items)
    if not isinstance(header.value, dict):
        diagnostics.error("QZ201", Message("front matter must be a mapping of keys to values"), Location(path, 2, 1))
        return ({}, {}), tuple(diagnostics.items)
    # Missing keys are reported at the opening fence.
    header = yamlsource.Located(header.value, Location(path, 1, 1), header.keys)
    fields = yamlsource.validate_mapping(
        header, FIELDS, diagnostics, Message("front-matter key"), Message("front matter")
    )
    if "\\" in yaml:  # the text has none left (split_source): only an escape ("\\0") can write one
        for keys, value in characters.tainted(header.value):
            forbidden.string(value, header.keys.get(str(keys[0]), header.location))
            fields.pop(str(keys[0]), None)
    return (fields, header.keys), tuple(diagnostics.items)


def persons(values: list[Any]) -> tuple[Person, ...]:
    """Turn checked ``authors`` items into ``Person``s."""
    return tuple(Person(v) if isinstance(v, str) else Person(v["name"], v.get("affiliation")) for v in values)
