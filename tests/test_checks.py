"""The validator layer: each checker on small real inputs, the runner, and the report for reviewers.

Tests that need Java, Node.js or Chromium fail when it is missing (``require``),
and so do the checkers themselves (``ToolMissing``): nothing is skipped.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, Built, require
from lxml import html as lxml_html

from qz_ebook.checks import ace, axe, epubcheck, model, runner, vnu
from qz_ebook.checks.model import Finding, ToolMissing, ToolResult
from qz_ebook.checks.report import write_report
from qz_ebook.checks.runner import CheckSummary, check_outputs


def html_page(body: str, head: str = "", title: str = "Prüfseite") -> str:
    """A small page that passes every check unless ``body`` or ``head`` break something."""
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>
<header><p>Kopfzeile</p></header>
<nav aria-label="Seiten"><ul><li><a href="index.html">Start</a></li></ul></nav>
<main id="inhalt" tabindex="-1">
<h1>Überschrift</h1>
{body}
</main>
<footer><p>Fußzeile</p></footer>
</body>
</html>
"""


# --- axe-core, reflow and first Tab stop --------------------------------------------------------

AXE_PAGES = {
    "clean.html": html_page("<p>Ein sauberer Absatz mit einem <a href='clean.html'>Link zur Seite</a>.</p>"),
    "missing-alt.html": html_page('<p>Bild: <img src="bild.png" width="10" height="10"></p>'),
    "low-contrast.html": html_page('<p style="color: #aaaaaa; background: #ffffff">Blasser Text</p>'),
    "dark-contrast.html": html_page(
        "<p>Text, der nur im dunklen Farbschema schlecht lesbar ist.</p>",
        head="<style>@media (prefers-color-scheme: dark) { body { background: #000000; color: #222222; } }</style>",
    ),
    "switched-contrast.html": html_page(
        "<p>Text, der nur mit dem Schalter auf dunkel schlecht lesbar ist.</p>",
        head="<script>document.documentElement.dataset.theme = localStorage.getItem('qz-theme') || '';</script>"
        "<style>[data-theme='dark'] body { background: #000000; color: #222222; }</style>",
    ),
    "wide.html": html_page('<div class="breit" style="width: 600px">Ein Kasten, 600 px breit.</div>'),
    "no-skip-link.html": html_page("<p>Text</p>").replace('<a class="skip-link" href="#inhalt">', '<a href="#inhalt">'),
}


@pytest.fixture(scope="module")
def axe_result(tmp_path_factory: pytest.TempPathFactory) -> ToolResult:
    require("chromium")
    folder = tmp_path_factory.mktemp("axe")
    for name, text in AXE_PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return axe.check_html(folder, REPO)


def findings_of(result: ToolResult, document: str) -> list[Finding]:
    return [f for f in result.findings if f.document == document]


def test_axe_checks_every_page_with_stock_axe_core_in_chromium(axe_result: ToolResult) -> None:
    assert axe_result.error is None
    assert axe_result.tool == "axe-core"
    assert axe_result.documents_checked == len(AXE_PAGES)
    assert axe_result.version.startswith("4.") and "Chromium" in axe_result.version
    assert {f.document for f in axe_result.findings} <= set(AXE_PAGES)


def test_axe_finds_nothing_on_a_clean_page(axe_result: ToolResult) -> None:
    assert findings_of(axe_result, "clean.html") == []


def test_axe_reports_an_image_without_alt_text(axe_result: ToolResult) -> None:
    [finding] = findings_of(axe_result, "missing-alt.html")
    assert (finding.rule, finding.severity) == ("image-alt", "critical")
    assert finding.element.startswith("img: <img")
    assert finding.message.startswith("Images must have alternative text.")
    assert "[light]" not in finding.message and "[dark]" not in finding.message  # found in both schemes, once
    assert finding.help_url.startswith("https://dequeuniversity.com/rules/axe/")


def test_axe_reports_low_contrast(axe_result: ToolResult) -> None:
    [finding] = findings_of(axe_result, "low-contrast.html")
    assert finding.rule == "color-contrast"
    assert "foreground color: #aaaaaa" in finding.message


def test_axe_checks_the_dark_colour_scheme_too(axe_result: ToolResult) -> None:
    found = findings_of(axe_result, "dark-contrast.html")
    assert {f.rule for f in found} == {"color-contrast"}
    assert all(f.message.startswith("[dark] ") for f in found)


def test_axe_checks_the_colour_scheme_the_theme_switch_chose(axe_result: ToolResult) -> None:
    found = findings_of(axe_result, "switched-contrast.html")
    assert {f.rule for f in found} == {"color-contrast"}
    assert all(f.message.startswith("[dark by the switch] Elements must meet") for f in found)


def test_a_page_wider_than_320_px_does_not_reflow(axe_result: ToolResult) -> None:
    [finding] = findings_of(axe_result, "wide.html")
    assert finding.rule == "reflow-320"
    assert "div.breit" in finding.element
    assert "scrolls sideways" in finding.message


def test_the_first_tab_stop_must_be_the_skip_link(axe_result: ToolResult) -> None:
    [finding] = findings_of(axe_result, "no-skip-link.html")
    assert finding.rule == "first-tab-stop"
    assert finding.element == '<a href="#inhalt">Zum Inhalt springen</a>'


# --- Nu Html Checker ----------------------------------------------------------------------------

POLYGLOT = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="de">
<head>
<meta charset="utf-8"/>
<title>Polyglott</title>
<link rel="stylesheet" href="book.css"/>
</head>
<body>
<p>Zeile eins<br/>Zeile zwei</p>
</body>
</html>
"""


@pytest.fixture(scope="module")
def vnu_result(tmp_path_factory: pytest.TempPathFactory) -> ToolResult:
    require("java")
    folder = tmp_path_factory.mktemp("vnu")
    (folder / "polyglot.html").write_text(POLYGLOT, encoding="utf-8")
    (folder / "invalid.html").write_text(
        POLYGLOT.replace("<p>Zeile eins", '<div/><p>Bild <img src="a.png"/> Zeile eins'), encoding="utf-8"
    )
    (folder / "sub").mkdir()
    (folder / "sub" / "untitled.html").write_text(POLYGLOT.replace("<title>Polyglott</title>\n", ""), encoding="utf-8")
    return vnu.check_html(folder, REPO)


def test_vnu_accepts_polyglot_void_elements(vnu_result: ToolResult) -> None:
    assert vnu_result.error is None
    assert vnu_result.documents_checked == 3
    assert vnu_result.version
    assert [f for f in vnu_result.findings if f.document == "polyglot.html"] == []


def test_vnu_reports_errors_with_their_place(vnu_result: ToolResult) -> None:
    invalid = [
        (f.severity, f.rule, f.element.split(":")[:3]) for f in vnu_result.findings if f.document == "invalid.html"
    ]
    assert invalid[:2] == [
        (
            "error",
            "Self-closing syntax (“…”) used on a non-void HTML element. Ignoring the slash and treating as a start tag.",
            ["invalid.html", "9", "1"],
        ),
        (
            "error",
            "An “…” element must have an “…” attribute, except under certain conditions. For details, consult guidance on providing text alternatives for images.",
            ["invalid.html", "9", "15"],
        ),
    ]
    assert all(severity == "error" for severity, _, _ in invalid)  # the open <div> trails two more errors
    untitled = [(f.document, f.message) for f in vnu_result.findings if f.document.startswith("sub/")]
    assert untitled == [
        ("sub/untitled.html", "Element “head” is missing a required instance of child element “title”.")
    ]


def test_vnu_ignores_plain_info_but_keeps_warnings() -> None:
    page = Path("/x/a.html")
    messages = [
        {
            "type": "info",
            "url": "file:/x/a.html",
            "lastLine": 4,
            "message": "Trailing slash on void elements has no effect and interacts badly with unquoted attribute values.",
        },
        {
            "type": "info",
            "subType": "warning",
            "url": "file:/x/a.html",
            "lastLine": 5,
            "firstColumn": 2,
            "message": "Consider adding a “lang” attribute to the “html” start tag to declare the language of this document.",
        },
        {"type": "non-document-error", "url": "file:/x/a.html", "message": "File not found."},
    ]
    findings = vnu.parse_report({"messages": messages}, {page: "a.html"})
    assert [(f.severity, f.rule, f.element) for f in findings] == [
        (
            "warning",
            "Consider adding a “…” attribute to the “…” start tag to declare the language of this document.",
            "a.html:5:2",
        ),
        ("error", "non-document-error", "a.html"),
    ]


# --- EPUBCheck ----------------------------------------------------------------------------------

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier><dc:title>T</dc:title><dc:language>de</dc:language></metadata>
<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="c"/></spine>
</package>"""
BROKEN_XHTML = '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><p>Absatz</body></html>'


@pytest.mark.parametrize(
    ("debian", "tool", "version"), [(False, "EPUBCheck", "5."), (True, "EPUBCheck (Debian)", "4.2.6")]
)
def test_epubcheck_reports_a_broken_epub(tmp_path: Path, debian: bool, tool: str, version: str) -> None:
    require("java")
    epub = tmp_path / "kaputt.epub"
    with zipfile.ZipFile(epub, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("content.opf", OPF)
        archive.writestr("c.xhtml", BROKEN_XHTML)
    result = epubcheck.check_epub(epub, debian=debian)
    assert result.error is None
    assert result.tool == tool and result.version.startswith(version)
    found = {(f.severity, f.rule, f.document) for f in result.findings}
    assert ("fatal", "RSC-016", "c.xhtml") in found  # the unclosed <p>
    assert ("error", "RSC-005", "content.opf") in found  # no nav document, no dcterms:modified
    fatal = next(f for f in result.findings if f.rule == "RSC-016")
    assert fatal.element.startswith("c.xhtml:1:")
    assert "must be terminated by the matching end-tag" in fatal.message


def test_epubcheck_report_parsing_keeps_every_location_and_drops_usage_and_info() -> None:
    report = {
        "checker": {"checkerVersion": "5.3.0"},
        "items": [{}, {}],
        "messages": [
            {
                "ID": "OPF-085",
                "severity": "WARNING",
                "message": "m1",
                "suggestion": "Fix it.",
                "locations": [
                    {"path": "EPUB/a.xhtml", "line": 3, "column": 7},
                    {"path": "EPUB/b.xhtml", "line": -1, "column": -1},
                ],
            },
            {"ID": "PKG-001", "severity": "ERROR", "message": "m2", "locations": []},
            {"ID": "ACC-002", "severity": "USAGE", "message": "m3", "locations": []},
            {"ID": "INF-001", "severity": "INFO", "message": "m4", "locations": []},
        ],
    }
    result = epubcheck.parse_report(report, "buch.epub")
    assert (result.version, result.documents_checked) == ("5.3.0", 2)
    assert [(f.rule, f.severity, f.document, f.element, f.message) for f in result.findings] == [
        ("OPF-085", "warning", "EPUB/a.xhtml", "EPUB/a.xhtml:3:7", "m1 Fix it."),
        ("OPF-085", "warning", "EPUB/b.xhtml", "EPUB/b.xhtml", "m1 Fix it."),
        ("PKG-001", "error", "buch.epub", "buch.epub", "m2"),
    ]


# --- Ace ----------------------------------------------------------------------------------------


def test_ace_report_parsing_takes_failed_assertions_of_every_document() -> None:
    metadata = {
        "earl:result": {
            "earl:outcome": "fail",
            "dct:description": "Publications must declare the 'schema:accessMode' metadata",
        },
        "earl:test": {
            "earl:impact": "serious",
            "dct:title": "metadata-accessmode",
            "help": {
                "url": "http://kb.daisy.org/publishing/docs/metadata/schema.org/index.html",
                "dct:description": "Add it.",
            },
        },
    }
    image = {
        "earl:result": {
            "earl:outcome": "fail",
            "dct:description": "Element does not have an alt attribute\naria-label attribute does not exist",
            "earl:pointer": {"cfi": ["/4/2"], "css": ["img"]},
            "html": '<img src="a.png">',
        },
        "earl:test": {
            "earl:impact": "critical",
            "dct:title": "image-alt",
            "help": {"url": "http://kb.daisy.org/x", "dct:description": "Images must have alternative text"},
        },
    }
    report = {
        "earl:assertedBy": {"doap:release": {"doap:revision": "1.4.6"}},
        "assertions": [
            {
                "earl:testSubject": {"url": "/EPUB/content.opf"},
                "earl:result": {"earl:outcome": "fail"},
                "assertions": [metadata],
            },
            {
                "earl:testSubject": {"url": "/EPUB/a.xhtml"},
                "earl:result": {"earl:outcome": "fail"},
                "assertions": [image],
            },
            {"earl:testSubject": {"url": "/EPUB/b.xhtml"}, "earl:result": {"earl:outcome": "pass"}, "assertions": []},
        ],
    }
    result = ace.parse_report(report)
    assert (result.tool, result.version, result.documents_checked) == ("Ace by DAISY", "1.4.6", 2)
    assert [(f.document, f.rule, f.severity, f.element, f.message) for f in result.findings] == [
        (
            "EPUB/content.opf",
            "metadata-accessmode",
            "serious",
            "",
            "Publications must declare the 'schema:accessMode' metadata — Add it.",
        ),
        (
            "EPUB/a.xhtml",
            "image-alt",
            "critical",
            'img: <img src="a.png">',
            "Element does not have an alt attribute; aria-label attribute does not exist — Images must have alternative text",
        ),
    ]


TINY_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="de">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:uuid:0b8f4c1e-3d2a-4f5b-9c6d-7e8f9a0b1c2d</dc:identifier>
<dc:title>Klein</dc:title><dc:language>de</dc:language>
<meta property="dcterms:modified">2014-05-13T16:53:20Z</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>
<item id="bild" href="bild.svg" media-type="image/svg+xml"/>
</manifest>
<spine><itemref idref="c"/></spine>
</package>"""
TINY_NAV = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="de" xml:lang="de">
<head><title>Inhalt</title></head>
<body><nav epub:type="toc" role="doc-toc"><h1>Inhalt</h1><ol><li><a href="c.xhtml">Kapitel</a></li></ol></nav></body>
</html>"""
TINY_CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="de" xml:lang="de"><head><title>Kapitel</title></head>
<body><main><h1>Kapitel</h1><p>Ein Bild ohne Alternativtext: <img src="bild.svg"/></p></main></body>
</html>"""
TINY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def test_ace_reports_missing_metadata_and_alt_text_in_a_valid_tiny_epub(tmp_path: Path) -> None:
    for tool in ("java", "node", "chromium"):
        require(tool)
    epub = tmp_path / "klein.epub"
    with zipfile.ZipFile(epub, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER)
        for name, text in [
            ("content.opf", TINY_OPF),
            ("nav.xhtml", TINY_NAV),
            ("c.xhtml", TINY_CHAPTER),
            ("bild.svg", TINY_SVG),
        ]:
            archive.writestr(name, text)
    assert epubcheck.check_epub(epub).findings == ()  # valid, so what Ace finds is about accessibility only
    result = ace.check_epub(epub, REPO)
    assert result.error is None
    assert result.documents_checked == 2  # nav.xhtml and c.xhtml; content.opf carries the metadata checks
    found = {(f.document, f.rule, f.severity) for f in result.findings}
    assert found == {
        ("content.opf", "metadata-accessmode", "serious"),
        ("content.opf", "metadata-accessibilityfeature", "serious"),
        ("content.opf", "metadata-accessibilityhazard", "serious"),
        ("content.opf", "metadata-accessibilitysummary", "moderate"),
        ("content.opf", "metadata-accessmodesufficient", "moderate"),
        ("c.xhtml", "image-alt", "critical"),
    }
    image = next(f for f in result.findings if f.rule == "image-alt")
    assert image.element.startswith("img: <img")
    assert image.help_url == "http://kb.daisy.org/publishing/docs/html/images.html"
    assert "\n" not in image.message


# --- all four on the sample book, and the report ------------------------------------------------


@pytest.fixture(scope="module")
def sample_checked(sample_built: Built, tmp_path_factory: pytest.TempPathFactory) -> CheckSummary:
    for tool in ("java", "node", "chromium"):
        require(tool)
    report = tmp_path_factory.mktemp("report") / "a11y-report.html"
    return check_outputs(sample_built.epub, sample_built.html, report, REPO)


def test_check_outputs_runs_all_four_tools_and_writes_the_report(sample_checked: CheckSummary) -> None:
    tools = ["EPUBCheck", "EPUBCheck (Debian)", "Ace by DAISY", "axe-core", "Nu Html Checker"]
    assert [t.tool for t in sample_checked.tools] == tools
    assert [r.error for r in sample_checked.results] == [None] * 5
    assert all(t.version and t.documents_checked > 0 for t in sample_checked.tools)
    assert sample_checked.counts == {r.tool: len(r.findings) for r in sample_checked.results}
    assert sample_checked.passed == (sample_checked.findings == 0)
    assert str(sample_checked).splitlines()[0].startswith("EPUBCheck 5.")
    text = sample_checked.report.read_text(encoding="utf-8")
    assert all(tool in text for tool in tools)


def test_ace_runs_headless_on_the_sample_epub(sample_checked: CheckSummary) -> None:
    result = next(r for r in sample_checked.results if r.tool == ace.TOOL)
    assert result.error is None
    assert result.version.startswith("1.")
    assert result.documents_checked >= 10  # every content document of the sample
    # The EPUB's accessibility metadata is being fixed elsewhere: whatever Ace finds must be well-formed.
    assert all(f.rule and f.severity and f.document.startswith("EPUB/") for f in result.findings)


def assert_report_is_clean(report: Path) -> None:
    """The report itself passes axe-core (both schemes, reflow, first Tab stop) and vnu."""
    for result in (axe.check_pages([report], report.parent, REPO), vnu.check_pages([report], report.parent, REPO)):
        assert result.error is None
        assert result.documents_checked == 1
        assert list(result.findings) == [], result.tool


def test_the_report_of_the_sample_is_accessible_and_valid(sample_checked: CheckSummary) -> None:
    assert_report_is_clean(sample_checked.report)


SYNTHETIC = [
    ToolResult(
        "EPUBCheck",
        "5.3.0",
        12,
        (
            Finding(
                "EPUBCheck",
                "EPUB/a.xhtml",
                "RSC-005",
                "error",
                "Error while parsing file: element “p” not allowed here",
                "EPUB/a.xhtml:3:9",
                "",
            ),
        ),
    ),
    ToolResult(
        "Ace by DAISY",
        "1.4.6",
        10,
        (
            Finding(
                "Ace by DAISY",
                "EPUB/content.opf",
                "metadata-accessmode",
                "serious",
                "Publications must declare the 'schema:accessMode' metadata",
                "",
                "http://kb.daisy.org/publishing/docs/metadata/schema.org/index.html",
            ),
            Finding(
                "Ace by DAISY",
                "EPUB/a.xhtml",
                "image-alt",
                "critical",
                "Element does not have an alt attribute <script>alert(1)</script>",
                'img: <img src="a.png">',
                "http://kb.daisy.org/publishing/docs/html/images.html",
            ),
        ),
    ),
    ToolResult(
        "axe-core",
        "4.14.1 (Chromium 156)",
        3,
        (
            Finding(
                "axe-core",
                "sehr-langer-dateiname-einer-seite-der-html-ausgabe-ohne-jede-moeglichkeit-zum-umbruch.html",
                "color-contrast",
                "serious",
                "[dark] Elements must meet minimum color contrast ratio thresholds.",
                "#qz_inhalt > div.sehr-lange-klasse-ohne-umbruch-moeglichkeit > p:nth-child(12345678901234567890)",
                "https://dequeuniversity.com/rules/axe/4.14/color-contrast?application=axeAPI",
            ),
            Finding(
                "axe-core",
                "index.html",
                "reflow-320",
                "serious",
                "At a viewport 320 px wide the page is 400 px wide.",
                "nav.book-nav a “Text”",
                "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
            ),
        ),
    ),
    ToolResult("Nu Html Checker", "26.9.27", 3, (), error="vnu wrote no JSON report: java.lang.OutOfMemoryError"),
]


def test_a_report_with_many_findings_is_accessible_and_valid(tmp_path: Path) -> None:
    report = write_report(SYNTHETIC, tmp_path / "a11y-report.html", Path("dist/buch.epub"), Path("dist/html"))
    assert_report_is_clean(report)
    text = report.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text  # everything from the tools is escaped


def test_the_report_has_its_summary_first_and_one_section_per_document(tmp_path: Path) -> None:
    report = write_report(SYNTHETIC, tmp_path / "a11y-report.html", Path("dist/buch.epub"), Path("dist/html"))
    root = lxml_html.parse(str(report)).getroot()
    assert root.get("lang") == "de"
    focusable = root.xpath("//a[@href] | //*[@tabindex and @tabindex != '-1']")
    assert focusable[0].get("class") == "skip-link" and focusable[0].get("href") == "#inhalt"
    assert [e.tag for e in root.xpath("/html/body/*")] == ["a", "header", "nav", "main", "footer"]
    assert len(root.xpath("//h1")) == 1
    summary = root.xpath("//table")[0]
    assert [" ".join(c.text_content().split()) for c in summary.xpath(".//tbody/tr/*[1] | .//tbody/tr/*[4]")] == [
        "EPUBCheck", "1", "Ace by DAISY", "2", "axe-core", "2", "Nu Html Checker", "0",
    ]  # fmt: skip
    headings = [" ".join(h.text_content().split()) for h in root.xpath("//h2")]
    assert headings == [
        "Übersicht", "Werkzeuge, die nicht fertig wurden", "Dokumente mit Befunden",
        "EPUB: EPUB/a.xhtml", "EPUB: EPUB/content.opf", "HTML-Ausgabe: index.html",
        "HTML-Ausgabe: sehr-langer-dateiname-einer-seite-der-html-ausgabe-ohne-jede-moeglichkeit-zum-umbruch.html",
    ]  # fmt: skip
    links = [(a.text_content(), a.get("href")) for a in root.xpath("//main//td/a")]
    assert ("Hilfe zur Regel image-alt", "http://kb.daisy.org/publishing/docs/html/images.html") in links


# --- missing tools fail loudly ------------------------------------------------------------------


def test_missing_npm_packages_raise_tool_missing_with_an_instruction(tmp_path: Path) -> None:
    with pytest.raises(ToolMissing, match="run 'qz-ebook tools install'"):
        runner.require_tools(tmp_path)
    with pytest.raises(ToolMissing, match="vnu.jar is missing"):
        vnu.check_pages([], tmp_path, tmp_path)


def test_missing_chromium_raises_tool_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(model, "CHROMIUM", tmp_path / "chromium")
    with pytest.raises(ToolMissing, match="chromium is missing: sudo apt-get install chromium"):
        axe.check_pages([], tmp_path, REPO)


def test_missing_java_raises_tool_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissing, match="Java is not installed"):
        epubcheck.check_epub(tmp_path / "buch.epub")


def test_missing_debian_epubcheck_raises_tool_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(epubcheck, "DEBIAN_JAR", tmp_path / "epubcheck.jar")
    message = (
        f"EPUBCheck (Debian) is not installed: {tmp_path}/epubcheck.jar is missing; install Debian's epubcheck package"
    )
    with pytest.raises(ToolMissing, match=re.escape(message)):
        epubcheck.check_epub(tmp_path / "buch.epub", debian=True)
    with pytest.raises(ToolMissing, match=re.escape(message)):
        runner.require_tools(REPO)
