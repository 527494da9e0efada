"""YAML with source positions: values plus the location of every mapping key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qz_ebook.diagnostics import Diagnostics, Location, did_you_mean
from qz_ebook.messages import Message, Text
from qz_ebook.source import schema

# libyaml's loader is about ten times faster; without libyaml, PyYAML's own.
FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(Exception):
    """YAML that cannot be read: PyYAML's ``problem`` (its own words) or ours, and where."""

    def __init__(self, problem: Text, location: Location) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.location = location


@dataclass(frozen=True)
class Located:
    """A parsed YAML value with the place of its node and of its keys (for mappings)."""

    value: Any
    location: Location
    keys: dict[str, Location]
    items: tuple[Located, ...] = ()


def load(text: str, path: Path, first_line: int = 1) -> Located:
    """Parse ``text`` (which starts at line ``first_line`` of ``path``) safely."""
    try:
        value, node = _parse(text, FastLoader)
    except yaml.YAMLError:
        try:
            # libyaml words its errors differently; report PyYAML's, the same on every machine.
            value, node = _parse(text, yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            line, col = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
            raise YamlSyntaxError(problem, Location(path, line, col)) from None
    return _located(value, node, path, first_line)


def _parse(text: str, loader_class: type[yaml.SafeLoader]) -> tuple[Any, yaml.Node | None]:
    """The value and the node tree of one YAML document, from one parse."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def _located(value: Any, node: yaml.Node | None, path: Path, first_line: int) -> Located:
    if node is None:
        return Located(value, Location(path, first_line, 1), {})
    where = Location(path, node.start_mark.line + first_line, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        keys: dict[str, Location] = {}
        for key, _ in node.value:
            at = Location(path, key.start_mark.line + first_line, key.start_mark.column + 1)
            if key.value in keys:
                # YAML forbids repeated keys; PyYAML would silently keep the last value.
                raise YamlSyntaxError(Message("key '{key}' appears twice", key=key.value), at)
            keys[key.value] = at
        return Located(value, where, keys)
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        items = tuple(_located(v, n, path, first_line) for v, n in zip(value, node.value, strict=True))
        return Located(value, where, {}, items)
    return Located(value, where, {})


def validate_mapping(
    mapping: Located, fields: Mapping[str, schema.Field], diagnostics: Diagnostics, unknown: Text, needs: Text
) -> dict[str, Any]:
    """Check a YAML mapping against ``fields``; messages point at the offending key.

    ``unknown`` names the kind of key ("front-matter key"), ``needs`` the owner
    ("front matter", "a contact").
    """
    data = mapping.value

    def report(problem: str, key: str, expected: Text) -> None:
        where = mapping.keys.get(key, mapping.location)
        if problem == schema.UNKNOWN:
            hint = did_you_mean(key, fields)
            diagnostics.error("QZ203", Message("unknown {kind} '{key}'{hint}", kind=unknown, key=key, hint=hint), where)
        elif problem == schema.MISSING:
            diagnostics.error("QZ202", Message("{owner} needs '{key}'", owner=needs, key=key), where)
        else:
            shown = schema.shown(data[key])
            message = Message("'{key}' must be {expected}, not {value}", key=key, expected=expected, value=shown)
            diagnostics.error("QZ204", message, where)

    return schema.validate(data, fields, report)
