"""Typed key checks shared by ``book.toml`` and front matter.

A schema is a mapping of key names to ``Field``s; ``validate`` reports unknown,
missing and mistyped keys through a callback and returns only the valid keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from qz_ebook.messages import Message, Text

# A check returns None when the value is acceptable, else what was expected.
Check = Callable[[Any], Text | None]

MISSING = "missing"
UNKNOWN = "unknown"
INVALID = "invalid"

Report = Callable[[str, str, Text], None]  # (problem, key, expectation)


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


def text(value: Any) -> Text | None:
    return None if isinstance(value, str) and value.strip() else Message("a non-empty text")


def whole_number(value: Any) -> Text | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else Message("a whole number")


def whole_number_between(low: int, high: int | None = None) -> Check:
    """A whole number from ``low`` to ``high``, or at least ``low`` without ``high``."""
    expected = (
        Message("a whole number from {low} to {high}", low=low, high=high)
        if high is not None
        else Message("a whole number of at least {low}", low=low)
    )

    def check(value: Any) -> Text | None:
        ok = whole_number(value) is None and value >= low and (high is None or value <= high)
        return None if ok else expected

    return check


def one_of(*choices: str) -> Check:
    expected = Message("one of {choices}", choices=", ".join(choices))

    def check(value: Any) -> Text | None:
        return None if value in choices else expected

    return check


def matches(pattern: str, description: Text) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> Text | None:
        return None if isinstance(value, str) and compiled.fullmatch(value) else description

    return check


def list_of(item: Check, description: Text) -> Check:
    def check(value: Any) -> Text | None:
        ok = isinstance(value, list) and all(item(v) is None for v in value)
        return None if ok else description

    return check


def shown(value: Any) -> Text:
    """A value as the author wrote it in YAML or TOML, for messages."""
    if value is None:
        return Message("an empty value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def validate(values: Mapping[str, Any], schema: Mapping[str, Field], report: Report) -> dict[str, Any]:
    """Check ``values`` against ``schema``; report problems, return the valid keys."""
    valid: dict[str, Any] = {}
    for key, value in values.items():
        field = schema.get(key)
        if field is None:
            report(UNKNOWN, key, "")
            continue
        expected = field.check(value)
        if expected is not None:
            report(INVALID, key, expected)
            continue
        valid[key] = value
    for key, field in schema.items():
        if field.required and key not in values:
            report(MISSING, key, "")
    return valid
