"""After any sequence of edits, the cached build writes byte for byte what a build without cache writes.

The incremental build rests on this one guarantee: conversions, rendered pages and
compressed EPUB members are reused while their inputs are unchanged, ``qz-ebook watch``
keeps them in memory from one build to the next, and none of it may ever show in the
outputs. An invalid manuscript fails a cached build with the same diagnostics as a build
without cache, and leaves the last outputs as they were. test_cache and test_watch check
single edits; what a cache gets wrong hides in sequences (an edit undone, an error between
two builds, a link whose target another edit changes), so Hypothesis draws sequences here.
CI runs more of them (CI=true), as test_properties does.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from conftest import EPOCH, REPO, SAMPLE
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from qz_ebook.build import build
from qz_ebook.diagnostics import BuildFailed
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.store import save

# A build of the sample takes 10-30 ms; an example is up to 7 states, each built three times (about 0.3 s).
EXAMPLES = 300 if os.environ.get("CI") else 100

SLUGS = ("grusswort", "oeffnung", "musterstadt", "fachbeitrag")
STYLESHEETS = "../../../assets/css"  # where the sample's book.toml finds them, outside the book folder
MARKER = re.compile(r"<!--\s*(?:Seite|page)\s+([0-9]+)\s*-->", re.IGNORECASE)


def read(book: Path, name: str) -> str:
    return (book / name).read_text(encoding="utf-8")


def write(book: Path, name: str, text: str) -> None:
    (book / name).write_text(text, encoding="utf-8")


def other(choices: tuple[str, ...], wanted: str, current: str) -> str:
    """``wanted``, or the first other choice when the file already holds it: every edit changes something."""
    return wanted if wanted != current else next(choice for choice in choices if choice != current)


def toggled(text: str, one: str, another: str) -> str:
    """``text`` with ``one`` turned into ``another``, or, when ``one`` is not there (any more), back."""
    return text.replace(one, another, 1) if one in text else text.replace(another, one, 1)


def originals() -> dict[str, bytes]:
    """The sample's files by their path from its folder, and its stylesheets; read once, so that every example
    starts from the same manuscript even while someone edits the repository's assets/."""
    found = {str(p.relative_to(SAMPLE)): p.read_bytes() for p in sorted(SAMPLE.rglob("*")) if p.is_file()}
    found.update({f"{STYLESHEETS}/{p.name}": p.read_bytes() for p in sorted((REPO / "assets" / "css").glob("*.css"))})
    return found


ORIGINAL = originals()


class Edit(Protocol):
    @property
    def path(self) -> str:
        """The file of the manuscript the edit changes."""
        ...

    def apply(self, book: Path) -> str:
        """Change the file; say what changed."""
        ...


@dataclass(frozen=True)
class Body:
    """Append a block to a contribution's body (a paragraph, a heading, a table, an image, …)."""

    slug: str
    block: str

    @property
    def path(self) -> str:
        return f"beitraege/{self.slug}.md"

    def apply(self, book: Path) -> str:
        write(book, self.path, read(book, self.path).rstrip("\n") + f"\n\n{self.block}\n")
        return f"{self.path}: appended {self.block!r}"


@dataclass(frozen=True)
class Footnote:
    """Append a paragraph with a footnote, under a label the contribution has not used yet."""

    slug: str

    @property
    def path(self) -> str:
        return f"beitraege/{self.slug}.md"

    def apply(self, book: Path) -> str:
        text = read(book, self.path)
        n = next(n for n in range(1, 100) if f"[^n{n}]" not in text)
        return Body(self.slug, f"Mit Anmerkung.[^n{n}]\n\n[^n{n}]: Anmerkung {n}.").apply(book)


def link(slug: str, target: str, text: str) -> Body:
    return Body(slug, f"Siehe [{text}]({target}).")


@dataclass(frozen=True)
class PageMarker:
    """Append ``<!-- Seite N -->``: forward, N lies between the pages before and after it (at the book's
    end when there is no room); otherwise N is ``back`` pages before the last one, which fails the build."""

    slug: str
    forward: bool
    back: int

    @property
    def path(self) -> str:
        return f"beitraege/{self.slug}.md"

    def apply(self, book: Path) -> str:
        order = re.findall(r"\]\(beitraege/([a-z]+)\.md\)", read(book, "SUMMARY.md"))
        pages = {slug: print_pages(read(book, f"beitraege/{slug}.md")) for slug in order}
        here = order.index(self.slug)
        before = max((n for slug in order[: here + 1] for n in pages[slug]), default=0)
        after = min((n for slug in order[here + 1 :] for n in pages[slug]), default=None)
        slug, number = self.slug, before + 1 if self.forward else max(1, before - self.back)
        if self.forward and after is not None and number >= after:
            slug, number = order[-1], max((n for found in pages.values() for n in found), default=0) + 1
        return Body(slug, f"<!-- Seite {number} -->\n\nWeiter auf Seite {number}.").apply(book)


def print_pages(text: str) -> list[int]:
    """The print pages a contribution names: its ``page``, then its markers."""
    page = re.search(r"(?m)^page: ([0-9]+)$", text)
    return ([int(page.group(1))] if page else []) + [int(n) for n in MARKER.findall(text)]


@dataclass(frozen=True)
class Heading:
    """Rename a heading that links point at (``#interkulturelle-oeffnung``, ``#zwei-abschnitte``), or back."""

    slug: str

    @property
    def path(self) -> str:
        return f"beitraege/{self.slug}.md"

    def apply(self, book: Path) -> str:
        one, another = HEADINGS[self.slug]
        write(book, self.path, toggled(read(book, self.path), one, another))
        return f"{self.path}: {one!r} <-> {another!r}"


HEADINGS = {
    "oeffnung": ("## Interkulturelle Öffnung", "## Öffnung der Verwaltung"),
    "fachbeitrag": ("## Zwei Abschnitte", "## Zwei Teile"),
}


@dataclass(frozen=True)
class FrontMatter:
    """Set a front-matter key ("-": remove it; "+1": the next page)."""

    slug: str
    key: str
    value: str

    @property
    def path(self) -> str:
        return f"beitraege/{self.slug}.md"

    def apply(self, book: Path) -> str:
        text = read(book, self.path)
        end = text.index("\n---\n", 3) + 1
        head, body = text[:end], text[end:]
        found = re.search(rf"(?m)^{self.key}:.*\n", head)
        current = found.group()[len(self.key) + 1 :].strip() if found else "-"
        value = other(FIELDS[self.key], self.value, current)
        if value == "+1":
            value = str(int(current) + 1) if current.isdigit() else "1"
        line = "" if value == "-" else f"{self.key}: {value}\n"
        head = head[: found.start()] + line + head[found.end() :] if found else head + line
        write(book, self.path, head + body)
        return f"{self.path}: {self.key}: {current} -> {value}"


# The values include those of test_cache.EDITS, and a few that fail the build.
FIELDS: dict[str, tuple[str, ...]] = {  # '""' is an empty title, an error
    "title": ("Ein neuer Titel", "Ein Beispiel", "Titel mit »Anführungszeichen«", '""'),
    "subtitle": ("In sieben Schritten", "Ein Untertitel", "-"),
    "place": ("Neustadt", "Musterstadt", "-"),
    "page": ("+1", "-", "30"),  # pages follow the outline (QZ208), and markers follow pages (QZ306)
    "status": ("final", "draft", "unbekannt"),
}


@dataclass(frozen=True)
class Outline:
    """Change SUMMARY.md: an entry's label, its nesting, a part's or a section's name, the parts' order.

    ``label`` is an entry's new label; for a part, which one: the "first" or the one a perspective names.
    """

    change: str
    slug: str = ""
    label: str = ""
    path = "SUMMARY.md"

    def apply(self, book: Path) -> str:
        text = read(book, self.path)
        if self.change == "label":
            entry = re.compile(rf"\[([^\]]*)\]\(beitraege/{self.slug}\.md\)")
            current = entry.search(text)
            assert current is not None
            label = other(LABELS, self.label, current.group(1))
            text = entry.sub(f"[{label}](beitraege/{self.slug}.md)", text)
        elif self.change == "nesting":
            entry = re.compile(rf"(?m)^( *)- (\[[^\]]*\]\(beitraege/{self.slug}\.md\))")
            text = entry.sub(lambda m: ("- " if m.group(1) else "  - ") + m.group(2), text)
        elif self.change == "part":  # a perspective names 'Handreichungen': renamed, the build fails
            first = re.findall(r"(?m)^# (.*)$", text)[0].removesuffix(" und mehr")
            name = first if self.label == "first" else "Handreichungen"
            text = toggled(text, f"# {name}\n", f"# {name} und mehr\n")
        elif self.change == "section":
            text = toggled(text, "- 1. Einbürgerung", "- 2. Einbürgerung")
        else:  # "order": the last two parts trade places
            head, *parts = re.split(r"(?m)^(?=# )", text)
            parts = [part.rstrip("\n") + "\n" for part in parts]
            parts[-2], parts[-1] = parts[-1], parts[-2]
            text = head + "\n".join(parts)
        write(book, self.path, text)
        return f"{self.path}: {self}"


LABELS = ("Musterstadt: Ein anderes Beispiel", "Ein neuer Eintrag", "Erika Beispiel, Bürgermeisterin")


@dataclass(frozen=True)
class Setting:
    """Set a value in book.toml."""

    name: str
    value: str
    path = "book.toml"

    def apply(self, book: Path) -> str:
        key, nth = SETTINGS[self.name]
        text = read(book, self.path)
        found = list(re.finditer(rf'(?m)^{key} = "([^"\n]*)"$', text))[nth]
        value = other(SETTING_VALUES[self.name], self.value, found.group(1))
        write(book, self.path, text[: found.start()] + f'{key} = "{value}"' + text[found.end() :])
        return f"{self.path}: {self.name}: {found.group(1)!r} -> {value!r}"


SETTINGS = {  # name → (key, which of the lines with that key)
    "book title": ("title", 0),
    "book subtitle": ("subtitle", 0),
    "draft note": ("draft_note", 0),
    "first perspective": ("label", 0),
    "second perspective": ("label", 1),
    "accessibility summary": ("summary", 0),
}
SETTING_VALUES = {
    "book title": ("Beispielbuch, zweite Auflage", "Beispielbuch"),
    "book subtitle": ("Ein geändertes Manuskript", "Ein kleines Manuskript für die Tests"),
    "draft note": ("Noch nicht freigegeben.", "Entwurf der Redaktion."),
    "first perspective": ("Rückblick", "Rückblicke"),
    "second perspective": ("Ausblick", "Ausblicke"),
    "accessibility summary": (
        "Ein kleines Testbuch mit Inhaltsverzeichnis, Seitenliste und Textalternativen für alle Bilder.",
        "Ein Testbuch mit Inhaltsverzeichnis, Seitenliste und Textalternativen für alle Bilder.",
    ),
}


@dataclass(frozen=True)
class Image:
    """Rewrite an image: the same bytes again (only its times change), or its next version (a PNG text chunk;
    after an undo, the versions come again)."""

    name: str
    same_bytes: bool

    @property
    def path(self) -> str:
        return f"bilder/{self.name}"

    def apply(self, book: Path) -> str:
        image = book / self.path
        if self.same_bytes:
            image.write_bytes(image.read_bytes())
            return f"{self.path}: saved again unchanged"
        png, now = ORIGINAL[self.path], re.search(rb"Fassung ([0-9]+)", image.read_bytes())
        version = int(now.group(1)) + 1 if now else 1
        assert png[-8:-4] == b"IEND"
        chunk = b"tEXt" + b"Comment\0" + f"Fassung {version}".encode()
        framed = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
        image.write_bytes(png[:-12] + framed + png[-12:])  # before the IEND chunk
        return f"{self.path}: new bytes, version {version}"


@dataclass(frozen=True)
class Stylesheet:
    """Append a rule to a stylesheet (outside the book folder)."""

    name: str

    @property
    def path(self) -> str:
        return f"{STYLESHEETS}/{self.name}"

    def apply(self, book: Path) -> str:
        css = read(book, self.path)
        version = 1 + len(re.findall(r"/\* Fassung", css))
        write(book, self.path, css + f"\n/* Fassung {version} */\nh2 {{ letter-spacing: {version}px; }}\n")
        return f"{self.path}: rule {version} appended"


@dataclass(frozen=True)
class Undo:
    """Give a file back its original content (the editor's "revert")."""

    path: str

    def apply(self, book: Path) -> str:
        (book / self.path).write_bytes(ORIGINAL[self.path])
        return f"{self.path}: restored"


BLOCKS = (
    "Ein *anderes* Beispiel.",
    "Ein \"neuer\" Absatz mit 'halben' Anführungszeichen, und es geht's weiter.",
    "## Nachtrag\n\nEin Nachtrag.",  # id 'nachtrag', a link target below
    "| A | B |\n|---|---|\n| 1 | 2 |",  # no caption: a warning
    'Ein <span onclick="x()">Absatz</span> mit Ereignis.',  # the handler is removed: a warning
    "![Das Diagramm noch einmal](../bilder/diagramm.png)",  # one more contribution that uses the image
    "![Fehlt](../bilder/fehlt.png)",  # an error
)
LINK_TARGETS = (
    "oeffnung.md",
    "musterstadt.md",
    "grusswort.md",
    "fachbeitrag.md",
    "fachbeitrag.md#zwei-abschnitte",
    "oeffnung.md#interkulturelle-oeffnung",
    "musterstadt.md#nachtrag",  # broken until a '## Nachtrag' there
    "fehlt.md",  # an error
)


CONTRIBUTION = st.sampled_from(SLUGS)
BODY_EDITS = st.one_of(
    st.builds(Body, CONTRIBUTION, st.sampled_from(BLOCKS)),
    st.builds(Footnote, CONTRIBUTION),
    st.builds(link, CONTRIBUTION, st.sampled_from(LINK_TARGETS), st.sampled_from(["den Beitrag", "hier"])),
    st.builds(PageMarker, CONTRIBUTION, st.sampled_from([True, True, False]), st.integers(0, 3)),
    st.builds(Heading, st.sampled_from(sorted(HEADINGS))),
)
# The title twice as often: it shows on most pages (the tables of contents, the relation blocks, "Weiter:").
FRONT_MATTER_EDITS = st.sampled_from(["title", "title", "subtitle", "place", "page", "status"]).flatmap(
    lambda key: st.builds(FrontMatter, CONTRIBUTION, st.just(key), st.sampled_from(FIELDS[key]))
)
OUTLINE_EDITS = st.one_of(
    st.builds(Outline, st.just("label"), CONTRIBUTION, st.sampled_from(LABELS)),
    st.builds(Outline, st.just("label"), CONTRIBUTION, st.sampled_from(LABELS)),
    st.builds(Outline, st.just("nesting"), st.sampled_from(["musterstadt", "fachbeitrag"])),
    st.builds(Outline, st.just("part"), label=st.sampled_from(["first", "referenced"])),
    st.just(Outline("section")),
    st.just(Outline("order")),
)
SETTING_EDITS = st.sampled_from(sorted(SETTINGS)).flatmap(
    lambda name: st.builds(Setting, st.just(name), st.sampled_from(SETTING_VALUES[name]))
)
IMAGE_EDITS = st.builds(Image, st.sampled_from(["diagramm.png", "umschlag.png"]), st.booleans())
STYLESHEET_EDITS = st.builds(Stylesheet, st.sampled_from(["epub.css", "html.css"]))
# Kinds of edits, weighted: authors edit text most. (Hypothesis would flatten nested one_of()s into one
# choice among all their branches, so the kind is drawn first.)
KINDS = (BODY_EDITS, BODY_EDITS, BODY_EDITS, FRONT_MATTER_EDITS, FRONT_MATTER_EDITS, OUTLINE_EDITS, OUTLINE_EDITS,
         SETTING_EDITS, IMAGE_EDITS, STYLESHEET_EDITS)  # fmt: skip


@st.composite
def edit_sequences(draw: st.DrawFn) -> list[Edit]:
    """1 to 6 edits; an undo gives back a file an earlier edit of the sequence changed."""
    sequence: list[Edit] = []
    for _ in range(draw(st.integers(1, 6))):
        changed = sorted({edit.path for edit in sequence})
        undo = (st.sampled_from(changed).map(Undo),) if changed else ()
        sequence.append(draw(st.sampled_from(KINDS + undo).flatmap(lambda kind: kind)))
    return sequence


@dataclass(frozen=True)
class Outcome:
    diagnostics: tuple[str, ...]
    outputs: dict[str, bytes] | None  # None: the build failed


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def contents(out: Path) -> dict[str, bytes]:
    """Every file in ``out`` (the EPUB's raw bytes among them), and each EPUB member unpacked as 'x.epub:member'."""
    found = files(out)
    for name in [name for name in found if name.endswith(".epub")]:
        with zipfile.ZipFile(out / name) as epub:
            found.update({f"{name}:{info.filename}": epub.read(info) for info in epub.infolist()})
    return found


def built(book: Path, out: Path, cache_dir: Path | None = None, memory: Memory | None = None) -> Outcome:
    """Build; a failed build must leave ``out`` as it was."""
    before = contents(out) if out.exists() else {}
    try:
        result = build(book, out, cache_dir=cache_dir, memory=memory)
    except BuildFailed as failed:
        assert differing(contents(out) if out.exists() else {}, before) == [], "a failed build touched the outputs"
        return Outcome(tuple(str(d) for d in failed.diagnostics), None)
    return Outcome(tuple(str(d) for d in result.diagnostics), contents(out))


def without_cache(book: Path, folder: Path) -> Outcome:
    """A build without cache of the manuscript as it is now, from a copy of it: nothing this process
    remembers about the editor's files (by their paths) can reach it."""
    copy = copy_of(book, folder)
    outcome = built(copy, folder / "out")
    return Outcome(tuple(d.replace(str(copy), str(book)) for d in outcome.diagnostics), outcome.outputs)


def differing(got: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    return sorted(name for name in got.keys() | expected.keys() if got.get(name) != expected.get(name))


def assert_same(session: str, got: Outcome, expected: Outcome) -> None:
    assert got.diagnostics == expected.diagnostics, f"{session}: other diagnostics than without cache"
    if expected.outputs is None or got.outputs is None:
        assert got.outputs is expected.outputs is None, f"{session}: only one of the builds failed"
    else:
        assert differing(got.outputs, expected.outputs) == [], f"{session}: these outputs differ from without cache"


def original_manuscript(folder: Path) -> Path:
    """The sample at its depth in ``folder`` (as ``sample_book`` lays it out), with its own stylesheets."""
    book = folder / "tests" / "fixtures" / "book"
    for name, data in ORIGINAL.items():
        path = Path(os.path.normpath(book / name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return book


def copy_of(book: Path, folder: Path) -> Path:
    """``book`` as it is now, at the same depth in ``folder``, beside a link to its stylesheets."""
    copy = folder / "tests" / "fixtures" / "book"
    shutil.copytree(book, copy)
    (folder / "assets").symlink_to(Path(os.path.normpath(book / STYLESHEETS)).parent)
    return copy


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=edit_sequences())
# Sequences the random ones find only now and then, kept as explicit examples:
# a warning, then a front-matter line more above it (the warning's line moves);
@example(sequence=[Body("oeffnung", "| A | B |\n|---|---|\n| 1 | 2 |"), FrontMatter("oeffnung", "place", "Neustadt")])
# the same for the page markers an error names;
@example(sequence=[FrontMatter("fachbeitrag", "place", "Neustadt"), FrontMatter("fachbeitrag", "page", "30")])
# a broken link that an edit of another contribution mends, and an edit that breaks it again.
@example(sequence=[link("grusswort", "musterstadt.md#nachtrag", "den Beitrag"), Body("musterstadt", BLOCKS[2]),
                   Undo("beitraege/musterstadt.md")])  # fmt: skip
def test_any_sequence_of_edits_builds_what_a_build_without_cache_builds(
    sequence: list[Edit], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        book = original_manuscript(root / "editor")
        # Both sessions share the cache folder, as 'qz-ebook watch' and 'qz-ebook build' share .qz-cache/;
        # each writes into one output folder, every time.
        store, memory, failing = root / "cache", Memory(), 0
        for step, edit in enumerate([None, *sequence]):
            if edit is not None:
                note(f"edit {step}: {edit.apply(book)}")
            expected = without_cache(book, root / f"reference-{step}")
            failing += expected.outputs is None
            assert_same(f"watch session after edit {step}", built(book, root / "watched", store, memory), expected)
            assert_same(f"new process after edit {step}", built(book, root / "built", store), expected)
        event("some state fails to build" if failing else "every state builds")
        save(store, memory)  # the watch session ends
        assert_same("new process after the watch session", built(book, root / "built", store), expected)
