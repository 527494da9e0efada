"""Structural sharing: a value equal to one still alive is that very object.

A rebuild reads the manuscript and derives the pages again, and after a small
edit almost every value comes out equal to the last build's. ``Sharing.share``
walks the new edition once, bottom-up, and hands out the living equal of each
value instead, so the fingerprints the last build made (kept in the watch
session's memory, by identity) still hold for all but what changed. The domain
never sees this: the build shares the edition it prepared, in one place.

A value equals a living one when its fields are equal scalars or the very same
objects (shared already themselves). Only frozen dataclasses of scalars, tuples
and other frozen dataclasses are shared. A value holding a list, a dict, a set
or anything else is kept as it is, its shareable parts shared; so are lists and
dicts themselves. A field marked ``model.DIGESTED`` is left out of the comparison,
and not walked: the digest beside it stands for it. A value walked before is not
walked again: what it was shared as is handed out again.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import weakref
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, TypeVar

from qz_ebook.model import DIGESTED

T = TypeVar("T")

PLAIN = frozenset({str, int, type(None)})  # their own keys
LEAVES = PLAIN | {bool, float, frozenset, type(Path())}  # nothing inside to walk (Path: this system's kind)
SCALARS = (str, int, float, enum.Enum, PurePath)
SWEEP_FROM = 4096  # entries; below this the dead are left alone


class Unshareable(Exception):
    """A value that cannot be keyed (it holds something mutable or unknown)."""


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


@dataclasses.dataclass(frozen=True)
class _Layout:
    """A frozen dataclass's compared fields, found once per type: a rebuild shares thousands of its values."""

    names: tuple[str, ...]  # the fields compared (and walked): all but the DIGESTED ones
    values: Callable[[Any], tuple[Any, ...]]  # their values, in one call


_layouts: dict[type, _Layout | None] = {}  # None: not a frozen dataclass


class Sharing:
    """The values alive from earlier builds, by their content: one per watch session."""

    def __init__(self) -> None:
        self.registry = _Registry()
        # What the last walk met, by id: (the object, what it was shared as). A value of the last
        # build that comes again (a conversion the session's memory keeps) is not walked again.
        # Held strongly, as the last build's fingerprints hold it, until the next walk.
        self.last: dict[int, tuple[object, object]] = {}

    def share(self, value: T) -> T:
        """``value`` with every part that equals a living value replaced by it, bottom-up."""
        walk = _Walk(self.registry, self.last)
        shared = walk.value(value)
        self.last = walk.done
        return shared


class _Walk:
    """One walk over a value: each object is visited once, however often it is reached."""

    def __init__(self, registry: _Registry, earlier: dict[int, tuple[object, object]]) -> None:
        self.registry = registry
        self.earlier = earlier
        self.done: dict[int, tuple[object, object]] = {}  # id → (object, its shared form); holding keeps ids

    def value(self, value: T) -> T:
        if type(value) in LEAVES:
            return value
        known = self.done.get(id(value))
        if known is not None:
            return known[1]  # type: ignore[return-value]
        known = self.earlier.get(id(value))
        if known is None or known[0] is not value:
            known = (value, self._share(value))
        self.done[id(value)] = known
        return known[1]  # type: ignore[return-value]

    def _share(self, value: Any) -> Any:
        kind = type(value)
        if kind is tuple:
            items = tuple(self.value(item) for item in value)
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if kind is list:
            return [self.value(item) for item in value]
        if kind is dict:
            return {key: self.value(item) for key, item in value.items()}
        layout = _layouts[kind] if kind in _layouts else _layout(kind)
        if layout is None:
            return value  # a scalar, a set, or a kind that is not shared
        # One pass over the compared fields: walk each, note what changed, and key the value.
        # A DIGESTED field is compared by its digest beside it: what it holds need not be shared.
        changed: dict[str, Any] = {}
        key: list[object] | None = [kind]
        for name, item in zip(layout.names, layout.values(value), strict=True):
            item_kind = type(item)
            if item_kind in PLAIN:  # most fields: their own keys, nothing to walk
                if key is not None:
                    key.append(item)
                continue
            if item_kind not in LEAVES:
                new = self.value(item)
                if new is not item:
                    changed[name] = item = new
            if key is not None:
                try:
                    key.append(_key(item))
                except Unshareable:
                    key = None
        if key is None:
            return dataclasses.replace(value, **changed) if changed else value
        found = self.registry.find(tuple(key))
        if found is None:
            found = dataclasses.replace(value, **changed) if changed else value
            self.registry.add(tuple(key), found)
        return found


def _layout(kind: type) -> _Layout | None:
    params = getattr(kind, "__dataclass_params__", None)
    layout = None
    if params is not None and params.frozen:
        names = tuple(f.name for f in dataclasses.fields(kind) if not f.metadata.get(DIGESTED))
        getter = operator.attrgetter(*names) if names else (lambda value: ())
        values = getter if len(names) != 1 else (lambda value: (getter(value),))
        layout = _Layout(names, values)
    _layouts[kind] = layout
    return layout


def _key(value: object) -> object:
    kind = type(value)
    if kind in PLAIN:
        return value
    if kind is tuple:
        return ("tuple", *map(_key, value))  # type: ignore[call-overload]
    if (_layouts[kind] if kind in _layouts else _layout(kind)) is not None:
        # Shared already, and alive as long as the entry is (its value holds it): the id is its own.
        return ("object", id(value))
    if kind is frozenset or isinstance(value, SCALARS):
        # With its type: True == 1 and a str subclass equals its text, but they are not the same value.
        return (kind, value)
    raise Unshareable(kind.__name__)
