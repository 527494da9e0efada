"""Structural sharing: equal model values are handed out as one object, and only while it lives."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest

from qz_ebook.edition.navigation import NavNode
from qz_ebook.incremental import sharing
from qz_ebook.incremental.sharing import shared
from qz_ebook.model import Person


@dataclass(frozen=True)
class Box:
    value: object


@dataclass
class Loose:
    value: int


def test_an_equal_value_is_the_living_one() -> None:
    leaf = shared(NavNode("Grußwort", "grusswort"))
    first = shared(NavNode("Teil 1", "teil-1", (leaf,)))
    again = shared(NavNode("Teil 1", "teil-1", (shared(NavNode("Grußwort", "grusswort")),)))
    assert again is first
    assert shared(NavNode("Teil 2", "teil-1", (leaf,))) is not first


def test_fields_are_compared_by_identity_below_the_value() -> None:
    # Equal children that are not the same object make a value of its own: sharing goes bottom-up.
    first = shared(NavNode("Teil 1", "teil-1", (NavNode("Grußwort", "grusswort"),)))
    other = shared(NavNode("Teil 1", "teil-1", (NavNode("Grußwort", "grusswort"),)))
    assert other == first and other is not first


@pytest.mark.parametrize(("one", "other"), [(1, True), (1, 1.0), ("a", Path("a")), ((1, 2), (1, (2,)))])
def test_values_of_different_types_are_never_shared(one: object, other: object) -> None:
    kept = shared(Box(one))
    assert shared(Box(other)) is not kept
    assert shared(Box(one)) is kept


def test_nothing_is_kept_alive_by_the_registry() -> None:
    person = shared(Person("Erika Beispiel", "Musterstadt"))
    watcher = weakref.ref(person)
    del person
    gc.collect()
    assert watcher() is None
    fresh = Person("Erika Beispiel", "Musterstadt")
    assert shared(fresh) is fresh  # never the dead one


def test_dead_entries_are_swept_once_the_registry_doubles() -> None:
    registry = sharing._Registry()
    for number in range(3 * sharing.SWEEP_FROM):
        registry.add(("Person", number), Person(str(number)))  # each dies at once
    assert len(registry.living) <= sharing.SWEEP_FROM
    kept = [Person(str(number)) for number in range(10)]
    for number, person in enumerate(kept):
        registry.add(("kept", number), person)
    assert all(registry.find(("kept", number)) is person for number, person in enumerate(kept))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Box([1, 2]), "cannot share a value holding a list"),
        (Box({"a": 1}), "cannot share a value holding a dict"),
        (Box((1, {2})), "cannot share a value holding a set"),
        (Box(Loose(1)), "cannot share a value holding a Loose"),
        (Loose(1), "only frozen dataclasses are shared, not Loose"),
    ],
)
def test_mutable_values_are_refused(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=f"^{message}$"):
        shared(value)
