"""Structural sharing: a model value equal to one still alive is that very object.

A rebuild reads the manuscript and derives the pages again, and after a small
edit almost every value comes out equal to the last build's. ``shared`` hands out
the living equal instead, so the fingerprints the last build made (kept in the
watch session's memory, by identity) still hold for all but what changed.

Values are shared bottom-up: a value equals a living one when its fields are equal
scalars or the very same objects (shared already themselves). Only frozen
dataclasses of scalars, tuples and other frozen dataclasses are shared; a list, a
dict or a set is an error, since sharing a mutable value would be wrong.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import weakref
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, TypeVar

T = TypeVar("T")

PLAIN = frozenset({str, int, type(None)})  # their own keys
SCALARS = (str, int, float, enum.Enum, PurePath)
SWEEP_FROM = 4096  # entries; below this the dead are left alone


class _Registry:
    """Key → a weak reference to the value: it never keeps a value alive by itself.

    No callback removes the dead: it would be Python code run wherever a value
    dies, and a Ctrl-C arriving in it would be lost. Instead the registry sweeps
    whenever it has doubled since its last sweep: O(1) per value shared.
    """

    def __init__(self) -> None:
        self.living: dict[tuple[object, ...], weakref.ref[Any]] = {}
        self.swept = 0  # entries alive after the last sweep

    def find(self, key: tuple[object, ...]) -> Any:
        known = self.living.get(key)
        return known() if known is not None else None

    def add(self, key: tuple[object, ...], value: object) -> None:
        # A dead entry's ids may belong to new objects by now, but its value is never handed out.
        self.living[key] = weakref.ref(value)
        if len(self.living) > max(SWEEP_FROM, 2 * self.swept):
            for dead in [key for key, ref in self.living.items() if ref() is None]:
                del self.living[dead]
            self.swept = len(self.living)


_registry = _Registry()
_fields: dict[type, Callable[[Any], tuple[object, ...]]] = {}  # type → its field values, in one call
_frozen: set[type] = set()  # frozen dataclasses met so far: their values are keyed by identity


def shared(value: T) -> T:
    """``value``, or the living object of its type whose fields are equal scalars or the same objects."""
    kind = type(value)
    fields = _fields.get(kind) or _field_getter(kind)
    key = (kind, *[v if type(v) in PLAIN else _key(v) for v in fields(value)])
    found = _registry.find(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    _registry.add(key, value)
    return value


def _key(value: object) -> object:
    kind = type(value)
    if kind in _frozen:
        # Alive as long as the entry is (its value holds it), so the id is its own.
        return ("object", id(value))
    if kind is tuple:
        return ("tuple", *map(_key, value))  # type: ignore[call-overload]
    if kind in PLAIN:
        return value
    if kind is frozenset or isinstance(value, SCALARS):
        # With its type: True == 1 and a str subclass equals its text, but they are not the same value.
        return (kind, value)
    if _is_frozen_dataclass(kind):
        _frozen.add(kind)
        return _key(value)
    raise TypeError(f"cannot share a value holding a {kind.__name__}")


def _field_getter(kind: type) -> Callable[[Any], tuple[object, ...]]:
    if not _is_frozen_dataclass(kind):
        raise TypeError(f"only frozen dataclasses are shared, not {kind.__name__}")
    names = [field.name for field in dataclasses.fields(kind)]
    getter = operator.attrgetter(*names)
    _fields[kind] = getter if len(names) > 1 else lambda value: (getter(value),)
    return _fields[kind]


def _is_frozen_dataclass(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return params is not None and bool(params.frozen)
