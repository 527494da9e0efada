"""Fingerprints of template contexts: equal inputs give equal digests, any visible change another."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from qz_ebook.edition.pages import Assembled
from qz_ebook.incremental.fingerprint import Fingerprinter
from qz_ebook.model import Contribution, Part

CONTRIBUTION = Contribution(
    slug="dueren", source=Path("book/dueren.md"), label="Düren", title="Düren", kind="practice-example",
    status="draft", lang="de", body="Text", body_line=8,
)  # fmt: skip


def digest(value: object) -> str:
    return Fingerprinter()(value)


def test_equal_values_give_equal_digests_whatever_their_identity_or_key_order() -> None:
    assert digest({"a": 1, "b": (CONTRIBUTION,)}) == digest({"b": (replace(CONTRIBUTION),), "a": 1})


@pytest.mark.parametrize(
    "changed",
    [
        replace(CONTRIBUTION, title="Düren (Kreis)"),
        replace(CONTRIBUTION, page=12),
        replace(CONTRIBUTION, place="Düren"),
    ],
)
def test_a_visible_field_changes_the_digest(changed: Contribution) -> None:
    assert digest(changed) != digest(CONTRIBUTION)


def test_fields_templates_may_not_read_leave_the_digest_alone() -> None:
    edited = replace(CONTRIBUTION, body="Ganz anderer Text", body_line=9, children=(CONTRIBUTION,))
    assert digest(edited) == digest(CONTRIBUTION)
    assert digest(Part("teil", "Teil", (CONTRIBUTION,))) == digest(Part("teil", "Teil"))


@pytest.mark.parametrize(
    ("a", "b"),
    [("1", 1), (1, True), (None, "None"), (("ab", "c"), ("a", "bc")), ([], {}), (Path("a"), "a")],
)
def test_values_that_print_alike_are_told_apart(a: object, b: object) -> None:
    assert digest(a) != digest(b)


def test_a_value_it_does_not_know_is_an_error_not_a_guess() -> None:
    with pytest.raises(TypeError, match="cannot fingerprint a object; teach qz_ebook.incremental.fingerprint about it"):
        digest({"x": object()})


def test_the_last_builds_digests_hold_for_the_same_immutable_objects_only(walked: list[object]) -> None:
    pages = [CONTRIBUTION]
    context = {"pages": pages, "part": Part("teil-1", "Teil 1", (CONTRIBUTION,))}
    last = Fingerprinter()
    before = last(context)
    pages.append(replace(CONTRIBUTION, slug="aachen"))  # a mutable value changed since
    walked.clear()
    after = Fingerprinter(last.memo)(context)
    # The dict and the list are walked again, and the new contribution; the part and the first one are not.
    assert {id(value) for value in walked} == {id(context), id(pages), id(pages[1])}
    assert after != before == digest({"pages": [CONTRIBUTION], "part": context["part"]})
    assert after == digest({"pages": pages, "part": context["part"]})


@dataclass(frozen=True)
class Shown:
    """A page's source, as the single page's: what it shows besides the sections, and the sections."""

    part: Part
    sections: Assembled


def test_the_memo_keeps_neither_the_value_asked_for_nor_a_value_a_digest_stands_for() -> None:
    # Such values may be as large as the book (the single page's sections), and a build's memo lasts as long as it.
    sections = Assembled((b"<section>Eins</section>", b"<section>Zwei</section>"), "d1")
    part = Part("teil-1", "Teil 1", (CONTRIBUTION,))
    source = Shown(part, sections)
    fingerprinter = Fingerprinter()
    fingerprinter(source)
    assert [value for value, _ in fingerprinter.memo.values()] == [part]
    assert fingerprinter(Shown(part, Assembled((b"<section>Drei</section>",), "d1"))) == digest(source)
    assert fingerprinter(Shown(part, Assembled(sections.parts, "d2"))) != digest(source)
