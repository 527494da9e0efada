"""Typed key checks shared by ``book.toml`` and front matter.

A schema is a mapping of key names to ``Field``s; ``validate`` reports unknown,
missing and mistyped keys through a callback and returns only the valid keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# A check returns None when the value is acceptable, else what was expected.
Check = Callable[[Any], str | None]

MISSING = "missing"
UNKNOWN = "unknown"
INVALID = "invalid"

Report = Callable[[str, str, str], None]  # (problem, key, expectation)


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty text"


def whole_number(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "a whole number"


def whole_number_between(low: int, high: int | None = None) -> Check:
    """A whole number from ``low`` to ``high``, or at least ``low`` without ``high``."""
    expected = f"a whole number from {low} to {high}" if high is not None else f"a whole number of at least {low}"

    def check(value: Any) -> str | None:
        ok = whole_number(value) is None and value >= low and (high is None or value <= high)
        return None if ok else expected

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(choices)

    return check


def matches(pattern: str, description: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and compiled.fullmatch(value) else description

    return check


def list_of(item: Check, description: str) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, list) and all(item(v) is None for v in value)
        return None if ok else description

    return check


def shown(value: Any) -> str:
    """A value as the author wrote it in YAML or TOML, for messages."""
    if value is None:
        return "an empty value"
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
