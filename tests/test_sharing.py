"""Structural sharing: equal model values are handed out as one object, and only while it lives."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from qz_ebook.convert.links import Fragment
from qz_ebook.edition.navigation import NavNode
from qz_ebook.incremental import sharing
from qz_ebook.incremental.sharing import Sharing
from qz_ebook.model import Person


@dataclass(frozen=True)
class Box:
    value: object


@dataclass
class Loose:
    value: int


def test_an_equal_value_is_the_living_one() -> None:
    sharing = Sharing()
    first = sharing.share(NavNode("Teil 1", "teil-1", (NavNode("Grußwort", "grusswort"),)))
    again = sharing.share(NavNode("Teil 1", "teil-1", (NavNode("Grußwort", "grusswort"),)))
    assert again is first
    assert again.children[0] is first.children[0]
    assert sharing.share(NavNode("Teil 2", "teil-1", first.children)).children is first.children


def test_a_value_is_shared_bottom_up_and_rebuilt_around_the_living_parts() -> None:
    sharing = Sharing()
    leaf = sharing.share(NavNode("Grußwort", "grusswort"))
    fresh = NavNode("Teil 2", "teil-2", (NavNode("Grußwort", "grusswort"), NavNode("Neu", "neu")))
    shared = sharing.share(fresh)
    assert shared == fresh and shared is not fresh  # holds the living leaf, so it is a new object
    assert shared.children[0] is leaf
    assert (
        sharing.share(NavNode("Teil 2", "teil-2", (NavNode("Grußwort", "grusswort"), NavNode("Neu", "neu")))) is shared
    )


def test_one_object_reached_twice_is_shared_once() -> None:
    sharing = Sharing()
    leaf = NavNode("Grußwort", "grusswort")
    living = sharing.share(leaf)
    both = sharing.share(Box((NavNode("Grußwort", "grusswort"), NavNode("Grußwort", "grusswort"))))
    assert both.value[0] is living and both.value[1] is living


@pytest.mark.parametrize(("one", "other"), [(1, True), (1, 1.0), ("a", Path("a")), ((1, 2), (1, (2,)))])
def test_values_of_different_types_are_never_shared(one: object, other: object) -> None:
    sharing = Sharing()
    kept = sharing.share(Box(one))
    assert sharing.share(Box(other)) is not kept
    assert sharing.share(Box(one)) is kept


def test_nothing_is_kept_alive_by_the_registry_past_the_next_walk() -> None:
    sharing = Sharing()
    person = sharing.share(Person("Erika Beispiel", "Musterstadt"))
    watcher = weakref.ref(person)
    del person
    gc.collect()
    assert watcher() is not None  # the last walk's values live until the next walk, as the last build's do
    sharing.share(Person("Max Muster"))
    gc.collect()
    assert watcher() is None
    fresh = Person("Erika Beispiel", "Musterstadt")
    assert sharing.share(fresh) is fresh  # never the dead one


def test_a_digested_field_is_left_to_its_digest() -> None:
    sharing = Sharing()
    first = sharing.share(Fragment(("<p>", "a", "</p>"), "digest-a"))
    assert sharing.share(Fragment(("<p>", "a", "</p>"), "digest-a")) is first
    assert sharing.share(Fragment(("<p>", "b", "</p>"), "digest-b")) is not first


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
    "make",
    [lambda: Box([NavNode("a", "a")]), lambda: Box({"a": NavNode("a", "a")}), lambda: Box((1, {2})),
     lambda: Box(Loose(1)), lambda: Loose(1)],
    ids=["list", "dict", "set", "loose dataclass", "loose itself"],
)  # fmt: skip
def test_mutable_values_are_kept_as_they_are(make: Callable[[], object]) -> None:
    sharing = Sharing()
    first, second = sharing.share(make()), sharing.share(make())
    assert first == second and first is not second


def test_the_living_parts_of_a_mutable_value_are_shared() -> None:
    sharing = Sharing()
    leaf = sharing.share(NavNode("a", "a"))
    shared = sharing.share({"views": [NavNode("a", "a")], "box": Box([NavNode("a", "a")])})
    assert shared["views"][0] is leaf
    assert shared["box"].value[0] is leaf


def test_a_value_walked_before_is_handed_out_again_without_a_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    sharing_ = Sharing()
    living = sharing_.share(NavNode("Grußwort", "grusswort"))
    kept = Box((NavNode("Grußwort", "grusswort"),))  # as a conversion the session's memory keeps
    first = sharing_.share(kept)
    assert first is not kept and first.value[0] is living  # rebuilt around the living leaf
    walked: list[object] = []
    original = sharing._Walk._share

    def counting(self: sharing._Walk, value: object) -> object:
        walked.append(value)
        return original(self, value)

    monkeypatch.setattr(sharing._Walk, "_share", counting)
    assert sharing_.share(kept) is first  # the next build meets the same object: no walk
    assert walked == []
