"""The catalogue of bad inputs: each gets its exit code, its exact located message,
and leaves the previous outputs untouched (no traceback, nothing half-written)."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qz_ebook.cli import main

FAILED = "build failed: {n} error(s); nothing was written"


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    messages: list[str]  # with {book} for the manuscript folder
    strict: bool = False


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(book: Path) -> None:
        path = book / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def write(relative: str, data: bytes | str) -> Callable[[Path], None]:
    def change(book: Path) -> None:
        path = book / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(book: Path) -> None:
        for step in changes:
            step(book)

    return change


def symlink_out(book: Path) -> None:
    (book / "bilder" / "geheim.png").symlink_to("/etc/passwd")
    edit("beitraege/oeffnung.md", "../bilder/diagramm.png", "../bilder/geheim.png")(book)


EXAMPLE = "beitraege/musterstadt.md"
PAPER = "beitraege/oeffnung.md"
ARTICLE = "beitraege/fachbeitrag.md"
HEADER = "---\ntitle: Leer\nkind: article\nstatus: draft\n---\n"
LAST_LINE = "mitten im Absatz."  # of ARTICLE, its 24th line: what is added after it starts on line 26
DEEP_LIST = "\n".join("  " * i + "- x" for i in range(3000))
FOOTNOTES = "Text." + "".join(f"[^n{i}]" for i in range(600)) + "\n\n" + "".join(f"[^n{i}]: A.\n" for i in range(600))
LONG_TABLE = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 2000
ENTITY_SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>\n'
)

CONTACTS = (
    '- person: Sybille Haussmann\n  municipality: "Kreis\\aDüren"\n  phone: \'\'\n- person: "Erika\x1bBeispiel"\n'
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">\n  <text x="1" y="5">Steuer\x07zahl</text>\n</svg>\n'
)


def xml_forbidden(where: str, text: str) -> str:
    """QZ212's message for a character XML forbids."""
    return f"{{book}}/{where}: error[QZ212]: {text} is not allowed in XML; remove it"


CASES = [
    Case("malformed YAML", edit(EXAMPLE, "title: Ein Beispiel", "title: [Ein Beispiel"),
         ["{book}/beitraege/musterstadt.md:3:8: error[QZ201]: front matter is not valid YAML: expected ',' or ']', but got ':'"]),
    Case("unknown key with suggestion", edit(EXAMPLE, "place: Musterstadt", "plase: Musterstadt"),
         ["{book}/beitraege/musterstadt.md:5:1: error[QZ203]: unknown front-matter key 'plase'; did you mean 'place'?"]),
    Case("missing key", edit(EXAMPLE, "status: draft\n", ""),
         ["{book}/beitraege/musterstadt.md:1:1: error[QZ202]: front matter needs 'status'"]),
    Case("wrong type", edit(EXAMPLE, "page: 18", "page: zwölf"),
         ["{book}/beitraege/musterstadt.md:8:1: error[QZ204]: 'page' must be a whole number, not 'zwölf'"]),
    Case("pages run backwards", edit(EXAMPLE, "page: 18", "page: 2"),
         ["{book}/beitraege/musterstadt.md:8:1: error[QZ208]: page 2 comes after page 12 of 'oeffnung' in the outline"]),
    Case("file in the outline is missing", edit("SUMMARY.md", "beitraege/musterstadt.md", "beitraege/musterstat.md"),
         ["{book}/SUMMARY.md:10:3: error[QZ102]: file 'beitraege/musterstat.md' does not exist",
          "{book}/beitraege/musterstadt.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it"]),
    Case("Markdown file not in the outline", write("beitraege/notiz.md", HEADER + "Text.\n"),
         ["{book}/beitraege/notiz.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it"], strict=True),
    Case("duplicate slug", both(write("andere/oeffnung.md", HEADER + "Text.\n"),
                                edit("SUMMARY.md", "- 1. Einbürgerung", "- [Zweite](andere/oeffnung.md)\n- 1. Einbürgerung")),
         ["{book}/SUMMARY.md:14:1: error[QZ105]: slug 'oeffnung' is already used at {book}/SUMMARY.md:9:1; set a different 'slug:' in the front matter"]),
    Case("duplicate heading id", edit(ARTICLE, "## Zwei Abschnitte", "## Eins {#gleich}\n\n## Zwei {#gleich}"),
         ["{book}/beitraege/fachbeitrag.md:15:11: error[QZ301]: id 'gleich' is used twice in this contribution"]),
    Case("unknown paper", edit(EXAMPLE, "paper: oeffnung", "paper: oefnung"),
         ["{book}/beitraege/musterstadt.md:7:1: error[QZ205]: 'paper: oefnung' names no contribution; did you mean 'oeffnung'?"]),
    Case("outline nests badly", edit("SUMMARY.md", "  - [Musterstadt", "      - [Musterstadt"),
         ["{book}/SUMMARY.md:10:7: error[QZ104]: bad indentation: 6 spaces, expected 2 or 4 spaces per level",
          "{book}/beitraege/musterstadt.md:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it"]),
    Case("not UTF-8", write(EXAMPLE, HEADER.encode() + "Stra\xdfe\n".encode("latin-1")),
         ["{book}/beitraege/musterstadt.md:1:1: error[QZ207]: file is not UTF-8 (invalid continuation byte at byte 52)"]),
    Case("empty contribution", write(EXAMPLE, HEADER.replace("article", "practice-example\npaper: oeffnung")),
         ["{book}/beitraege/musterstadt.md:1:1: warning[QZ308]: the contribution has no text after its front matter"], strict=True),
    Case("50 MB contribution", write(EXAMPLE, HEADER + "Wort " * 10_000_000),
         ["{book}/beitraege/musterstadt.md:1:1: error[QZ211]: file is 50.0 MB; a contribution may have at most 10 MB (book.toml [limits] file_mb); split it"]),
    Case("broken link", edit(ARTICLE, "(oeffnung.md#interkulturelle-oeffnung)", "(oefnung.md)"),
         ["{book}/beitraege/fachbeitrag.md:11:68: error[QZ401]: link 'oefnung.md' has no target: no such file; did you mean 'oeffnung.md'?"]),
    Case("broken fragment", edit(ARTICLE, "#interkulturelle-oeffnung)", "#ziele)"),
         ["{book}/beitraege/fachbeitrag.md:11:68: error[QZ402]: link 'oeffnung.md#ziele' has no target: no id 'ziele' on that page"]),
    Case("link to a file name with a NUL", edit(ARTICLE, "(oeffnung.md#interkulturelle-oeffnung)", "(oeff%00nung.md)"),
         ["{book}/beitraege/fachbeitrag.md:11:68: error[QZ401]: link 'oeff%00nung.md' has no target: no such file; did you mean 'oeffnung.md'?"]),
    Case("image file name with a NUL", edit(PAPER, "../bilder/diagramm.png", "../bilder/dia%00gramm.png"),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '../bilder/dia%00gramm.png' does not exist"]),
    Case("missing image", edit(PAPER, "../bilder/diagramm.png", "../bilder/fehlt.png"),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '../bilder/fehlt.png' does not exist"]),
    Case("image outside the book", edit(PAPER, "../bilder/diagramm.png", "../../../../../../etc/passwd"),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '../../../../../../etc/passwd' lies outside the book and assets folders"]),
    Case("absolute image path", edit(PAPER, "../bilder/diagramm.png", "/etc/passwd"),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '/etc/passwd' must be a relative path to a file in the book"]),
    Case("symlink escaping the tree", symlink_out,
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '../bilder/geheim.png' lies outside the book and assets folders"]),
    Case("image without alt text", edit(PAPER, "![Ein Diagramm]", "![]"),
         ["{book}/beitraege/oeffnung.md:24:5: error[QZ305]: image '../bilder/diagramm.png' has no alt text; write ![description](../bilder/diagramm.png), or mark a decorative image with {{.decorative}}"]),
    Case("unsupported image type", both(write("bilder/plakat.pdf", b"%PDF-1.4\n"), edit(PAPER, "../bilder/diagramm.png", "../bilder/plakat.pdf")),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ304]: image '../bilder/plakat.pdf' is not a supported type (jpeg, png, gif, svg+xml, webp)"]),
    Case("SVG with entity expansion", both(write("bilder/lol.svg", ENTITY_SVG), edit(PAPER, "../bilder/diagramm.png", "../bilder/lol.svg")),
         ["{book}/beitraege/oeffnung.md:24:17: error[QZ309]: SVG image '../bilder/lol.svg' is rejected: it declares a DTD, entities or external references"]),
    Case("raw script", edit(ARTICLE, "Ein Beitrag zum Thema", "<script>alert(1)</script>Ein Beitrag zum Thema"),
         ["{book}/beitraege/fachbeitrag.md:11:1: warning[QZ310]: raw <script> removed: the book carries no active content"], strict=True),
    Case("raw iframe", edit(ARTICLE, "Text mit", '<iframe src="https://example.org"></iframe>\n\nText mit'),
         ["{book}/beitraege/fachbeitrag.md:15:1: warning[QZ310]: raw <iframe> removed: the book carries no active content"], strict=True),
    Case("event handler", edit(ARTICLE, "<span lang=\"fr\">", "<span lang=\"fr\" onclick=\"alert(1)\">"),
         ["{book}/beitraege/fachbeitrag.md:24:36: warning[QZ311]: event handler 'onclick' removed from <span>"], strict=True),
    Case("javascript URL", edit(ARTICLE, "(https://www.example.org/a?b=1&c=2)", "(javascript:alert(1))"),
         ["{book}/beitraege/fachbeitrag.md:11:132: warning[QZ312]: javascript: URL removed from <a href>"], strict=True),
    Case("malformed raw HTML", edit(ARTICLE, "Ein Beitrag zum Thema", "<b*>fett</b*> <i x$y=1>kursiv</i> Ein Beitrag zum Thema"),
         ["{book}/beitraege/fachbeitrag.md:11:1: warning[QZ313]: malformed raw HTML <b*> kept as text only",
          "{book}/beitraege/fachbeitrag.md:11:18: warning[QZ313]: malformed attribute 'x$y' removed from <i>"], strict=True),
    Case("marked section html.parser rejects", edit(ARTICLE, "Text mit", '<div class="kasten">\n<![Bild](x.png)\n</div>\n\nText mit'),
         ["{book}/beitraege/fachbeitrag.md:16:1: warning[QZ314]: malformed raw HTML '<![Bild](x.png)' kept as text; write '&lt;' for a literal '<'"], strict=True),
    Case("doctype and processing instruction in raw HTML", edit(ARTICLE, "Text mit", '<div class="kasten">\n<!DOCTYPE html>\n<?php echo 1 ?>\n</div>\n\nText mit'),
         ["{book}/beitraege/fachbeitrag.md:16:1: warning[QZ315]: raw HTML doctype '<!DOCTYPE' removed: it has no place in a contribution; write '&lt;' for a literal '<'",
          "{book}/beitraege/fachbeitrag.md:17:1: warning[QZ315]: raw HTML processing instruction '<?php' removed: it has no place in a contribution; write '&lt;' for a literal '<'"], strict=True),
    Case("five errors in five files, reported in one run",
         both(edit(PAPER, "year: 2009", "year: [2009"), edit(EXAMPLE, "Ein Beispiel aus der Praxis.", "Siehe [fehlt](gibtsnicht.md)."),
              edit(ARTICLE, "Text mit", "![Bild](../bilder/fehlt.png)\n\nText mit"), edit("beitraege/grusswort.md", "status: final", "status: fertig"),
              edit("book.toml", 'contributions = ["grusswort"]', 'contributions = ["grußwort"]')),
         ["{book}/beitraege/grusswort.md:10:1: error[QZ204]: 'status' must be one of draft, final, not 'fertig'",
          "{book}/beitraege/oeffnung.md:5:7: error[QZ201]: front matter is not valid YAML: expected ',' or ']', but got ':'",
          "{book}/book.toml:43:1: error[QZ210]: perspective 'ausblicke' names contribution 'grußwort', which the outline lacks; did you mean 'grusswort'?",
          "{book}/beitraege/musterstadt.md:12:15: error[QZ401]: link 'gibtsnicht.md' has no target: no such file",
          "{book}/beitraege/fachbeitrag.md:15:9: error[QZ304]: image '../bilder/fehlt.png' does not exist"]),
    Case("data URL that is no image", edit(ARTICLE, "(https://www.example.org/a?b=1&c=2)", "(data:text/html,hallo)"),
         ["{book}/beitraege/fachbeitrag.md:11:132: warning[QZ312]: data: URL removed from <a href>"], strict=True),
    Case("style attribute", edit(ARTICLE, "Text mit", '<p style="background:url(javascript:alert(1))">Hallo</p>\n\nText mit'),
         ["{book}/beitraege/fachbeitrag.md:15:4: warning[QZ317]: style attribute removed from <p>: the book's stylesheets style it; use a class"], strict=True),
    Case("raw style element", edit(ARTICLE, "Text mit", "<style>p { position: fixed }</style>\n\nText mit"),
         ["{book}/beitraege/fachbeitrag.md:15:1: warning[QZ318]: raw <style> removed: the book's stylesheets style it; use a class"], strict=True),
    Case("list 3,000 levels deep", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + DEEP_LIST),
         ["{book}/beitraege/fachbeitrag.md:66:81: error[QZ319]: list nested 21 levels deep; at most 20 (book.toml [limits] depth)"]),
    Case("blockquote 5,000 levels deep", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + ">" * 5000 + " tief"),
         ["{book}/beitraege/fachbeitrag.md:26:21: error[QZ319]: blockquote nested 5000 levels deep; at most 20 (book.toml [limits] depth)"]),
    Case("5,000 nested raw divs", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + "<div>" * 5000 + "x" + "</div>" * 5000),
         ["{book}/beitraege/fachbeitrag.md:26:101: error[QZ319]: <div> nested 21 levels deep; at most 20 (book.toml [limits] depth)"]),
    Case("line of 200,000 characters", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + "Wort " * 40000),
         ["{book}/beitraege/fachbeitrag.md:26:100001: error[QZ321]: line is 200000 characters long; at most 100000 (book.toml [limits] line_length)"]),
    Case("600 footnotes", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + FOOTNOTES),
         ["{book}/beitraege/fachbeitrag.md:527:1: error[QZ320]: 601 footnotes; a contribution may have at most 500 (book.toml [limits] footnotes)"]),
    Case("table of 2,000 rows", edit(ARTICLE, LAST_LINE, LAST_LINE + "\n\n" + LONG_TABLE),
         ["{book}/beitraege/fachbeitrag.md:528:1: error[QZ320]: table has 2000 rows; at most 500 (book.toml [limits] table_rows)"]),
    Case("NUL in a body", edit(EXAMPLE, "Ein Beispiel aus", "Ein Beispiel\x00 aus"),
         [xml_forbidden("beitraege/musterstadt.md:12:13", "control character U+0000")]),
    Case("vertical tab in a front-matter title", edit(EXAMPLE, "title: Ein Beispiel", "title: Ein\x0bBeispiel"),
         [xml_forbidden("beitraege/musterstadt.md:2:11", "control character U+000B")]),
    Case("escape in a front-matter title", edit(EXAMPLE, "title: Ein Beispiel", 'title: "A\\u0000B"'),
         [xml_forbidden("beitraege/musterstadt.md:2:1", "control character U+0000")]),
    Case("surrogate escape in an author's name", edit(EXAMPLE, "  - Anna Muster", '  - "Anna \\ud800"'),
         [xml_forbidden("beitraege/musterstadt.md:3:1", "lone surrogate U+D800")]),
    Case("U+FFFF in the outline", edit("SUMMARY.md", "[Musterstadt: Ein", "[Musterstadt\uffff: Ein"),
         [xml_forbidden("SUMMARY.md:10:17", "noncharacter U+FFFF")]),
    Case("escape in book.toml's title", edit("book.toml", 'title = "Beispielbuch"', 'title = "Beispiel\\u0000buch"'),
         [xml_forbidden("book.toml:2:1", "control character U+0000")]),
    Case("U+FFFE in a creator's name", edit("book.toml", 'name = "Redaktion"', 'name = "Redaktion\\uFFFE"'),
         [xml_forbidden("book.toml:13:1", "noncharacter U+FFFE")]),
    Case("control characters in a contact list",
         both(write("beitraege/kontakte.yaml", CONTACTS), edit(ARTICLE, "kind: article", "kind: article\ncontacts: kontakte.yaml")),
         [xml_forbidden("beitraege/kontakte.yaml:4:17", "control character U+001B"),
          xml_forbidden("beitraege/kontakte.yaml:2:3", "control character U+0007")]),
    Case("a contact list that is not UTF-8",
         both(write("beitraege/kontakte.yaml", "- person: Stra\xdfe\n".encode("latin-1")),
              edit(ARTICLE, "kind: article", "kind: article\ncontacts: kontakte.yaml")),
         ["{book}/beitraege/kontakte.yaml:1:1: error[QZ207]: file is not UTF-8 (invalid continuation byte at byte 14)"]),
    Case("control character in an SVG's text",
         both(write("bilder/steuer.svg", SVG), edit(PAPER, "../bilder/diagramm.png", "../bilder/steuer.svg")),
         [xml_forbidden("bilder/steuer.svg:2:27", "control character U+0007")]),
    Case("the same SVG in two contributions, and twice in one: reported once",
         both(write("bilder/steuer.svg", SVG), edit(PAPER, "../bilder/diagramm.png", "../bilder/steuer.svg"),
              edit(EXAMPLE, "Ein Beispiel aus", "![A](../bilder/steuer.svg) ![B](../bilder/steuer.svg) Ein Beispiel aus")),
         [xml_forbidden("bilder/steuer.svg:2:27", "control character U+0007")]),
    Case("a pasted binary: twenty listed, the rest counted", edit(EXAMPLE, "Ein Beispiel aus", "\x01\x02" * 15 + "Ein Beispiel aus"),
         [xml_forbidden(f"beitraege/musterstadt.md:12:{n}", f"control character U+000{1 + (n - 1) % 2}") for n in range(1, 21)]
         + ["{book}/beitraege/musterstadt.md:12:21: error[QZ212]: 10 more characters not allowed in XML follow in this file; remove them too"]),
    Case("with the errors of other files, in one run",
         both(edit(EXAMPLE, "Ein Beispiel aus", "Ein\x00Beispiel aus"), edit(ARTICLE, "Text mit", "![Bild](../bilder/fehlt.png)\n\nText mit")),
         [xml_forbidden("beitraege/musterstadt.md:12:4", "control character U+0000"),
          "{book}/beitraege/fachbeitrag.md:15:9: error[QZ304]: image '../bilder/fehlt.png' does not exist"]),
]  # fmt: skip


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_and_leaves_outputs_untouched(case: Case, sample_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", str(out)]).exit_code == 0
    before = digest(out)
    case.change(sample_book)
    args = ["build", "--book", str(sample_book), "--out", str(out)] + (["--strict"] if case.strict else [])
    result = runner.invoke(main, args)
    expected = [m.format(book=sample_book) for m in case.messages]
    assert result.exception is None or isinstance(result.exception, SystemExit)  # never a traceback
    assert result.exit_code == 1
    failures = sum("error[" in m or case.strict for m in expected)
    assert result.stderr.splitlines() == [*expected, FAILED.format(n=failures)]
    assert digest(out) == before
    assert sorted(os.listdir(out)) == ["beispiel.epub", "html"]  # no temporary files left behind


def test_warnings_alone_still_build_without_strict(sample_book: Path, tmp_path: Path) -> None:
    edit(ARTICLE, "Ein Beitrag zum Thema", "<script>alert(1)</script>Ein Beitrag zum Thema")(sample_book)
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path)])
    assert result.exit_code == 0
    for page in [tmp_path / "html" / "fachbeitrag.html", tmp_path / "html" / "gesamt.html"]:
        assert "alert(1)" not in page.read_text(encoding="utf-8")  # the author's script is gone (ours stay)


def test_repeated_headings_get_unique_ids(sample_book: Path, tmp_path: Path) -> None:
    edit(ARTICLE, "## Zwei Abschnitte", "## Gleich\n\nA.\n\n## Gleich")(sample_book)
    assert CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path)]).exit_code == 0
    page = etree.parse(str(tmp_path / "html" / "fachbeitrag.html")).getroot()
    assert page.xpath("//*[local-name()='h2']/@id")[:2] == ["gleich", "gleich_1"]


def test_malformed_raw_html_still_gives_well_formed_pages(sample_book: Path, tmp_path: Path) -> None:
    edit(ARTICLE, "Ein Beitrag zum Thema", "<div><b>offen <i>verschachtelt</b> Ein Beitrag zum Thema")(sample_book)
    assert CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path)]).exit_code == 0
    etree.parse(str(tmp_path / "html" / "fachbeitrag.html"))
    etree.parse(str(tmp_path / "html" / "gesamt.html"))


def test_declarations_in_raw_html_still_give_well_formed_documents(sample_book: Path, tmp_path: Path) -> None:
    nasty = (
        "<div>\n<!DOCTYPE html> <? pi <?xml x?> <![INCLUDE[ z ]]> <![IGNORE[ y ]]> <![if !IE]>w<![endif]>\n"
        "<![CDATA[a < b]]> <!ENTITY e 'f'> <!-- a -- b --> <!> <![CDATA[ offen\n</div>\n\n"
    )
    edit(ARTICLE, "Text mit", nasty + "Text mit")(sample_book)
    assert CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path)]).exit_code == 0
    with zipfile.ZipFile(tmp_path / "beispiel.epub") as epub:
        documents = [name for name in epub.namelist() if name.endswith(".xhtml")]
        assert "EPUB/fachbeitrag.xhtml" in documents
        for name in documents:
            etree.fromstring(epub.read(name))  # raises on anything that is not well-formed XML
    for page in (tmp_path / "html").glob("*.html"):
        etree.parse(str(page))
