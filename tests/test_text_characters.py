"""Characters XML 1.0 forbids never reach an output: each is an error at its place (QZ212).

The catalogue of such inputs is in tests/test_bad_inputs.py (exact messages, exit code 1,
no traceback, the previous outputs untouched). Here: the kinds and places, and a Hypothesis
test that builds random text drawn from every code point: the build fails with QZ212 alone,
or every page is XML.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_bad_inputs import EXAMPLE, edit

from qz_ebook.build import build
from qz_ebook.characters import FORBIDDEN, LIMIT, Findings, describe
from qz_ebook.checks.epubcheck import check_epub
from qz_ebook.diagnostics import BuildFailed, Diagnostics, Location, Severity
from qz_ebook.incremental.texts import Texts
from qz_ebook.source.reader import read_manuscript

FORBIDDEN_ALL = "".join(
    map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xFFFE, 0xFFFF])
)


def test_each_kind_of_forbidden_character_is_named() -> None:
    assert str(describe("\x1f")) == "control character U+001F is not allowed in XML; remove it"
    assert str(describe("\udfff")) == "lone surrogate U+DFFF is not allowed in XML; remove it"
    assert str(describe("\ufffe")) == "noncharacter U+FFFE is not allowed in XML; remove it"
    assert [c for c in map(chr, range(0x110000)) if FORBIDDEN.match(c)] == list(FORBIDDEN_ALL[:29]) + [
        chr(c) for c in range(0xD800, 0xE000)
    ] + ["\ufffe", "\uffff"]


def test_the_text_keeps_its_columns_and_lines(tmp_path: Path) -> None:
    """Each one is read on as U+FFFD, so later messages keep their places; lines end at LF, CR LF or CR
    (not at the vertical tab, form feed, U+2028 … that str.splitlines takes for line ends)."""
    diagnostics = Diagnostics()
    with Findings(diagnostics) as findings:
        text = findings.text(tmp_path / "a.md", "a\x0bb\r\n\x0c\nc\ufffe\u2028\x85\rd\x1c")
    assert text == "a\ufffdb\r\n\ufffd\nc\ufffd\u2028\x85\rd\ufffd"
    assert [(d.location.line, d.location.col) for d in diagnostics.items] == [(1, 2), (2, 1), (3, 2), (4, 2)]


def test_more_than_the_limit_in_escapes_are_counted(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    with Findings(diagnostics) as findings:
        findings.text(tmp_path / "a.md", "\x00" * (LIMIT - 1))
        findings.string("\x01\x02\x03", Location(tmp_path / "a.md", 7, 1))
    assert len(diagnostics.items) == LIMIT + 1
    assert (
        str(diagnostics.items[-1].message)
        == "2 more characters not allowed in XML follow in this file; remove them too"
    )


def test_character_references_to_them_are_never_written(sample_book: Path, tmp_path: Path) -> None:
    """``&#0;``, surrogates and code points past U+10FFFF become U+FFFD; the others are removed (QZ316)."""
    references = "&#0; &#1; &#xD800; &#xDFFF; &#xFFFE; &#xFFFF; &#x1F; &#x110000;"
    edit(EXAMPLE, "Ein Beispiel aus", f"{references} Ein Beispiel aus")(sample_book)
    result = build(sample_book, tmp_path, ("epub", "html"))
    assert {d.code for d in result.diagnostics} == {"QZ316"}
    assert_well_formed(tmp_path)
    page = (tmp_path / "html" / "musterstadt.html").read_text(encoding="utf-8")
    assert "<p>\ufffd  \ufffd \ufffd    \ufffd Ein Beispiel aus der Praxis.</p>" in page


def test_a_watch_session_reports_them_again_for_an_unchanged_file(sample_book: Path) -> None:
    """The split kept between builds (incremental.texts) keeps its QZ212 messages too."""
    edit(EXAMPLE, "Ein Beispiel aus", "Ein\x00Beispiel aus")(sample_book)
    texts = Texts()
    for _ in range(2):
        diagnostics = Diagnostics()
        read_manuscript(sample_book, diagnostics, texts)
        assert [str(d) for d in diagnostics.items] == [
            f"{sample_book}/beitraege/musterstadt.md:12:4: error[QZ212]: "
            "control character U+0000 is not allowed in XML; remove it"
        ]


# ---- random text into a contribution's title, body, an author's name and its place ----

ANY_CHARACTER = st.characters(exclude_categories=())  # every code point: C0 controls, surrogates too
MARKDOWN_ASCII = frozenset("!\"#$'()*+,-./:;=>?@[\\]^_`{|}~")


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character outside printable ASCII as an escape."""
    escaped = (
        c if " " <= c <= "~" and c not in '"\\' else f"\\{c}" if c in '"\\' else
        f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
        for c in text
    )  # fmt: skip
    return '"' + "".join(escaped) + '"'


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: ASCII punctuation escaped, no lone surrogates (no UTF-8 file holds one)."""
    entities = {"<": "&lt;", "&": "&amp;"}
    kept = (c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return "".join(entities.get(c) or (f"\\{c}" if c in MARKDOWN_ASCII else c) for c in kept)


def toml_quoted(text: str) -> str:
    """``text`` as a TOML basic string with escapes; without lone surrogates, which TOML cannot hold at all."""
    kept = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return yaml_quoted(kept)  # the same escapes: \\, \", \uXXXX and \UXXXXXXXX


def book_with(text: str, folder: Path) -> Path:
    """A copy of the sample book in ``folder`` that holds ``text`` in every text field the pages show:
    the example's title, subtitle, series, author and affiliation, place and body, and book.toml's
    subtitle, description and rights."""
    book = folder / "tests" / "fixtures" / "book"
    shutil.copytree(SAMPLE, book)
    (folder / "assets").symlink_to(REPO / "assets")
    header = (
        f"---\ntitle: {yaml_quoted('T' + text)}\nsubtitle: {yaml_quoted('U' + text)}\n"
        f"series: {yaml_quoted('S' + text)}\nauthors:\n  - {yaml_quoted('A' + text)}\n"
        f"  - name: {yaml_quoted('N' + text)}\n    affiliation: {yaml_quoted('F' + text)}\n"
        f"place: {yaml_quoted('P' + text)}\nkind: practice-example\npaper: oeffnung\npage: 18\nstatus: draft\n---\n\n"
    )
    (book / EXAMPLE).write_text(header + f"Vor {markdown_text(text)} nach.\n", encoding="utf-8")
    toml = (book / "book.toml").read_text(encoding="utf-8")
    for key in ("subtitle", "description", "rights"):
        line = f"{key} = {toml_quoted(key[0].upper() + text)}"
        toml = re.sub(rf'^{key} = ".*"$', line.replace("\\", "\\\\"), toml, count=1, flags=re.M)
    (book / "book.toml").write_text(toml, encoding="utf-8")
    return book


def assert_well_formed(out: Path) -> None:
    """Every XML document of the EPUB and every page of the HTML edition parses as XML."""
    with zipfile.ZipFile(out / "beispiel.epub") as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                etree.fromstring(epub.read(name))
    for page in (out / "html").glob("*.html"):
        etree.parse(str(page))


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(ANY_CHARACTER, max_size=30))
@example(text=FORBIDDEN_ALL)
@example(text="Grüße\x85aus\u2028Köln \x7f\x80\x9f \ufeff\u200d \U0001f600 \ufdd0 \U0010fffd \t\r\n")
def test_random_text_fails_with_qz212_alone_or_gives_xml(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("example")
    book = book_with(text, folder)
    try:
        build(book, folder / "dist", ("epub", "html"))
    except BuildFailed as failure:
        errors = [d for d in failure.diagnostics if d.severity is Severity.ERROR]
        assert errors and {d.code for d in errors} == {"QZ212"}, [str(d) for d in errors]
        assert FORBIDDEN.search(text)  # and only because the text holds one
        event("failed with QZ212")
        return
    assert not FORBIDDEN.search(text)
    event("built")
    assert_well_formed(folder / "dist")


SAMPLES = [
    "Grüße\x85aus\u2028Köln\u2029 \x7f\x80\x9f \xa0\xad",
    "\ufeff\u200d\u200e\u202e \U0001f600 \ufdd0\ufdef \U0001fffe \U0010fffd \ue000",
    "Tab\tCR\rLF\n  \u0301a\u0308 \u3000 \uff21 \U00020000",
]


@pytest.mark.parametrize("text", SAMPLES, ids=["line breaks and C1", "format and noncharacters", "whitespace"])
def test_odd_but_allowed_text_passes_epubcheck(text: str, tmp_path: Path) -> None:
    book = book_with(text, tmp_path)
    build(book, tmp_path / "dist", ("epub",))
    result = check_epub(tmp_path / "dist" / "beispiel.epub")
    assert result.error is None
    assert result.findings == ()
