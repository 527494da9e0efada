"""The check's CI reports (JSON, JUnit XML, GitHub workflow commands), the skipped formats and
what the tool modules tell them, from results made by hand: no checker runs here, except
the PDF's (pikepdf) in the one command-line test."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO
from lxml import etree
from lxml import html as lxml_html

from qz_ebook.build import build
from qz_ebook.checks import ace, ci_reports, epubcheck, runner, vnu
from qz_ebook.checks.ci_reports import github_annotations, json_report, junit_report
from qz_ebook.checks.model import Finding, Skipped, ToolResult
from qz_ebook.checks.report import render_report
from qz_ebook.cli import main

SCHEMA = etree.XMLSchema(etree.parse(str(REPO / "tests" / "data" / "junit.xsd")))
CWD = Path("/work/proj")

EPUB = Path("/work/proj/dist/buch.epub")
HTML = Path("/work/proj/dist/html")

EPUBCHECK = ToolResult(
    "EPUBCheck",
    "5.3.0",
    3,
    (
        Finding(
            "EPUBCheck", "EPUB/a.xhtml", "RSC-005", "error", "element “p” not allowed here", "EPUB/a.xhtml:3:9", "", 3
        ),
        Finding(
            "EPUBCheck",
            "EPUB/a.xhtml",
            "RSC-012",
            "error",
            "Fragment identifier is not defined.",
            "EPUB/a.xhtml:7:2",
            "",
            7,
        ),
        Finding("EPUBCheck", "buch.epub", "PKG-001", "warning", "Validating against EPUB version 3.3", "buch.epub", ""),
    ),
    documents=("EPUB/a.xhtml", "EPUB/b.xhtml", "EPUB/content.opf"),
    target=EPUB,
)
AXE = ToolResult(
    "axe-core",
    "4.10.2 (Chromium 131)",
    2,
    (
        Finding(
            "axe-core",
            "suche.html?q=Bildung",
            "color-contrast",
            "serious",
            "Contrast 100% too low,\r\nsee: help",
            "p.treffer: <p>",
            "https://dequeuniversity.com/rules/axe/4.10/color-contrast",
        ),
    ),
    documents=("index.html", "suche.html", "suche.html?q=Bildung"),
    target=HTML,
    folder=True,
)
VNU = ToolResult(
    "Nu Html Checker",
    "24.10.17",
    2,
    (
        Finding(
            "Nu Html Checker",
            "kapitel, teil 1.html",
            "Element “…” not allowed as child of element “…” in this context.",
            "error",
            "Element “div” not allowed as child of element “span” in this context.",
            "kapitel, teil 1.html:12:5: <span><div>",
            "",
            12,
        ),
        Finding("Nu Html Checker", "index.html", "non-document-error", "error", "File not found.", "index.html", ""),
    ),
    documents=("index.html", "kapitel, teil 1.html"),
    target=HTML,
    folder=True,
)
ACE_FAILED = ToolResult("Ace by DAISY", "", 0, (), error="Ace failed (exit code 1): Error: 50% done", target=EPUB)
PDF_SKIPPED = Skipped("pdf", "the PDF", Path("dist/buch.pdf"), ("PDF/UA (pikepdf)",))
KEPUB_SKIPPED = Skipped("kepub", "the Kobo kepub", Path("dist/buch.kepub.epub"), ("EPUBCheck (kepub)",))
RESULTS = [EPUBCHECK, ACE_FAILED, AXE, VNU]


# --- the documents and files findings are in ----------------------------------------------------


def test_documents_are_those_checked_then_those_only_findings_name() -> None:
    assert ci_reports.documents(EPUBCHECK) == ("EPUB/a.xhtml", "EPUB/b.xhtml", "EPUB/content.opf", "buch.epub")
    assert ci_reports.documents(ACE_FAILED) == ()


def test_a_finding_is_in_its_page_of_the_html_edition_or_in_the_epub() -> None:
    assert ci_reports.document_file(EPUBCHECK, EPUBCHECK.findings[0]) == EPUB
    assert ci_reports.document_file(AXE, AXE.findings[0]) == HTML / "suche.html"
    assert ci_reports.document_file(VNU, VNU.findings[0]) == HTML / "kapitel, teil 1.html"
    unplaced = ToolResult("axe-core", "", 1, AXE.findings)
    assert ci_reports.document_file(unplaced, AXE.findings[0]) is None


# --- JSON ---------------------------------------------------------------------------------------


def test_the_json_report_is_exact() -> None:
    expected = {
        "format_version": 1,
        "passed": False,
        "tools": [
            {
                "name": "EPUBCheck",
                "version": "5.3.0",
                "target": "/work/proj/dist/buch.epub",
                "documents_checked": 3,
                "documents": ["EPUB/a.xhtml", "EPUB/b.xhtml", "EPUB/content.opf"],
                "findings": 3,
                "error": None,
            },
            {
                "name": "Ace by DAISY",
                "version": "",
                "target": "/work/proj/dist/buch.epub",
                "documents_checked": 0,
                "documents": [],
                "findings": 0,
                "error": "Ace failed (exit code 1): Error: 50% done",
            },
        ],
        "findings": [
            {
                "tool": "EPUBCheck",
                "document": "EPUB/a.xhtml",
                "rule": "RSC-005",
                "severity": "error",
                "message": "element “p” not allowed here",
                "element": "EPUB/a.xhtml:3:9",
                "help_url": "",
                "line": 3,
                "file": "/work/proj/dist/buch.epub",
            },
            {
                "tool": "EPUBCheck",
                "document": "EPUB/a.xhtml",
                "rule": "RSC-012",
                "severity": "error",
                "message": "Fragment identifier is not defined.",
                "element": "EPUB/a.xhtml:7:2",
                "help_url": "",
                "line": 7,
                "file": "/work/proj/dist/buch.epub",
            },
            {
                "tool": "EPUBCheck",
                "document": "buch.epub",
                "rule": "PKG-001",
                "severity": "warning",
                "message": "Validating against EPUB version 3.3",
                "element": "buch.epub",
                "help_url": "",
                "line": None,
                "file": "/work/proj/dist/buch.epub",
            },
        ],
        "skipped": [
            {
                "format": "pdf",
                "label": "the PDF",
                "missing": "dist/buch.pdf",
                "command": "qz-ebook build --format pdf",
                "tools": ["PDF/UA (pikepdf)"],
            }
        ],
    }
    text = json_report([EPUBCHECK, ACE_FAILED], [PDF_SKIPPED])
    assert text == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"  # keys in this order
    assert '"message": "element “p” not allowed here"' in text  # UTF-8, not \u escapes
    assert json_report([EPUBCHECK, ACE_FAILED], [PDF_SKIPPED]) == text


def test_the_json_report_of_a_clean_run_passes_and_keeps_the_documents() -> None:
    clean = ToolResult(
        "PDF/UA (pikepdf)", "pikepdf 9.4.0", 1, (), documents=("buch.pdf",), target=Path("dist/buch.pdf")
    )
    data = json.loads(json_report([clean]))
    assert data["passed"] is True
    assert data["tools"][0]["documents"] == ["buch.pdf"] and data["findings"] == [] and data["skipped"] == []


# --- JUnit XML ----------------------------------------------------------------------------------


def parsed_junit(results: list[ToolResult], skipped: list[Skipped]) -> etree._Element:
    data = junit_report(results, skipped)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    root = etree.fromstring(data)
    SCHEMA.assertValid(root)
    return root


def counts(element: etree._Element) -> dict[str, str]:
    return {name: element.get(name) for name in ("tests", "failures", "errors", "skipped") if element.get(name)}


def test_the_junit_report_is_valid_with_a_suite_per_tool_and_a_case_per_document() -> None:
    root = parsed_junit(RESULTS, [KEPUB_SKIPPED, PDF_SKIPPED])
    assert root.tag == "testsuites" and root.get("name") == "qz-ebook check"
    suites = root.findall("testsuite")
    assert [(suite.get("name"), counts(suite)) for suite in suites] == [
        ("EPUBCheck", {"tests": "4", "failures": "2", "errors": "0", "skipped": "0"}),
        ("Ace by DAISY", {"tests": "1", "failures": "0", "errors": "1", "skipped": "0"}),
        ("axe-core", {"tests": "3", "failures": "1", "errors": "0", "skipped": "0"}),
        ("Nu Html Checker", {"tests": "2", "failures": "2", "errors": "0", "skipped": "0"}),
        ("EPUBCheck (kepub)", {"tests": "1", "failures": "0", "errors": "0", "skipped": "1"}),
        ("PDF/UA (pikepdf)", {"tests": "1", "failures": "0", "errors": "0", "skipped": "1"}),
    ]
    # The schema has no skipped count on <testsuites>; the suites' own carry it.
    assert counts(root) == {"tests": "12", "failures": "5", "errors": "1"}
    cases = [(case.getparent().get("name"), case.get("classname"), case.get("name")) for case in root.iter("testcase")]
    assert cases == [
        ("EPUBCheck", "EPUBCheck", "EPUB/a.xhtml"),
        ("EPUBCheck", "EPUBCheck", "EPUB/b.xhtml"),
        ("EPUBCheck", "EPUBCheck", "EPUB/content.opf"),
        ("EPUBCheck", "EPUBCheck", "buch.epub"),
        ("Ace by DAISY", "Ace by DAISY", "buch.epub"),
        ("axe-core", "axe-core", "index.html"),
        ("axe-core", "axe-core", "suche.html"),
        ("axe-core", "axe-core", "suche.html?q=Bildung"),
        ("Nu Html Checker", "Nu Html Checker", "index.html"),
        ("Nu Html Checker", "Nu Html Checker", "kapitel, teil 1.html"),
        ("EPUBCheck (kepub)", "EPUBCheck (kepub)", "dist/buch.kepub.epub"),
        ("PDF/UA (pikepdf)", "PDF/UA (pikepdf)", "dist/buch.pdf"),
    ]
    assert all(case.get("time") == "0" for case in root.iter("testcase"))


def test_a_failing_document_has_one_failure_listing_every_finding() -> None:
    root = parsed_junit(RESULTS, [])
    [failure] = root.xpath("//testsuite[@name='EPUBCheck']/testcase[@name='EPUB/a.xhtml']/failure")
    assert failure.get("type") == "RSC-005, RSC-012"
    assert failure.get("message") == "2 findings; the first: element “p” not allowed here"
    assert failure.text == (
        "error RSC-005: element “p” not allowed here\n"
        "  at EPUB/a.xhtml:3:9\n"
        "error RSC-012: Fragment identifier is not defined.\n"
        "  at EPUB/a.xhtml:7:2"
    )
    [single] = root.xpath("//testsuite[@name='axe-core']/testcase[@name='suche.html?q=Bildung']/failure")
    assert (single.get("type"), single.get("message")) == ("color-contrast", "Contrast 100% too low,\r\nsee: help")
    assert single.text == (
        "serious color-contrast: Contrast 100% too low,\r\nsee: help\n"
        "  at p.treffer: <p>\n"
        "  help: https://dequeuniversity.com/rules/axe/4.10/color-contrast"
    )
    assert root.xpath("//testsuite[@name='EPUBCheck']/testcase[@name='EPUB/b.xhtml']/*") == []


def test_a_tool_that_did_not_finish_is_an_error_and_a_skipped_format_a_skipped_case() -> None:
    root = parsed_junit(RESULTS, [PDF_SKIPPED])
    [error] = root.xpath("//testsuite[@name='Ace by DAISY']/testcase/error")
    assert (error.get("type"), error.get("message")) == ("tool-error", "Ace failed (exit code 1): Error: 50% done")
    assert error.text == "Ace by DAISY did not finish: Ace failed (exit code 1): Error: 50% done"
    [skipped] = root.xpath("//testsuite[@name='PDF/UA (pikepdf)']/testcase/skipped")
    assert skipped.text == "skipped the PDF: dist/buch.pdf does not exist (qz-ebook build --format pdf)"
    properties = root.xpath("//testsuite[@name='EPUBCheck']/properties/property")
    assert [(p.get("name"), p.get("value")) for p in properties] == [
        ("version", "5.3.0"),
        ("documents_checked", "3"),
        ("target", "/work/proj/dist/buch.epub"),
    ]


def test_the_junit_report_holds_what_xml_cannot() -> None:
    odd = Finding("vnu", "a.html", "rule", "error", "a \x00 b \x1b c", "<p>\x0c</p>", "")
    root = parsed_junit([ToolResult("vnu", "1", 1, (odd,), documents=("a.html",))], [])
    [failure] = root.iter("failure")
    assert failure.get("message") == "a \ufffd b \ufffd c"
    assert failure.text == "error rule: a \ufffd b \ufffd c\n  at <p>\ufffd</p>"


def test_an_empty_run_is_valid_junit_too() -> None:
    root = parsed_junit([], [])
    assert counts(root) == {"tests": "0", "failures": "0", "errors": "0"} and root.findall("testsuite") == []


# --- GitHub workflow commands -------------------------------------------------------------------


def test_github_lines_are_exact_and_escaped() -> None:
    assert github_annotations(RESULTS, CWD) == [
        "::error file=dist/buch.epub,title=EPUBCheck RSC-005::element “p” not allowed here (EPUB/a.xhtml:3:9)",
        "::error file=dist/buch.epub,title=EPUBCheck RSC-012::Fragment identifier is not defined. (EPUB/a.xhtml:7:2)",
        "::error file=dist/buch.epub,title=EPUBCheck PKG-001::Validating against EPUB version 3.3 (buch.epub)",
        "::error file=dist/buch.epub,title=Ace by DAISY did not finish::Ace failed (exit code 1): Error: 50%25 done",
        "::error file=dist/html/suche.html,title=axe-core color-contrast::"
        "Contrast 100%25 too low,%0D%0Asee: help (p.treffer: <p>)",
        "::error file=dist/html/kapitel%2C teil 1.html,line=12,"
        "title=Nu Html Checker Element “…” not allowed as child of element “…” in this context.::"
        "Element “div” not allowed as child of element “span” in this context. (kapitel, teil 1.html:12:5: <span><div>)",
        "::error file=dist/html/index.html,title=Nu Html Checker non-document-error::File not found. (index.html)",
    ]


def test_github_paths_outside_the_working_folder_stay_as_they_are() -> None:
    outside = ToolResult("PDF/UA (pikepdf)", "", 1, (), target=Path("/srv/out/buch.pdf"))
    finding = Finding("PDF/UA (pikepdf)", "buch.pdf", "06-001", "serious", "No PDF/UA: fix it", "/Metadata", "")
    relative = ToolResult("PDF/UA (pikepdf)", "", 1, (finding,), target=Path("dist/buch.pdf"))
    unplaced = ToolResult("t", "", 1, (Finding("t", "d", "r:1", "error", "m", "", ""),))
    assert github_annotations([outside, relative, unplaced], CWD) == [
        "::error file=dist/buch.pdf,title=PDF/UA (pikepdf) 06-001::No PDF/UA: fix it (/Metadata)",
        "::error title=t r%3A1::m",
    ]
    with_finding = ToolResult("PDF/UA (pikepdf)", "", 1, (finding,), target=Path("/srv/out/buch.pdf"))
    assert github_annotations([with_finding], CWD)[0].startswith("::error file=/srv/out/buch.pdf,title=")


def test_github_escaping_follows_the_toolkit() -> None:
    assert ci_reports.escape_data("100% a:b, c\r\nd") == "100%25 a:b, c%0D%0Ad"
    assert ci_reports.escape_property("100% a:b, c\r\nd") == "100%25 a%3Ab%2C c%0D%0Ad"
    assert ci_reports.escape_property("%3A") == "%253A"  # % first, so nothing is escaped twice


# --- which outputs are checked, which skipped ---------------------------------------------------


def test_built_outputs_skips_each_format_not_built(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    (out / "html").mkdir(parents=True)
    (out / "buch.pdf").write_bytes(b"%PDF-1.7")
    paths = (out / "buch.epub", out / "buch.kepub.epub", out / "html", out / "buch.pdf")
    outputs, skipped = runner.built_outputs(*paths)
    assert outputs == runner.Outputs(pdf=out / "buch.pdf") and outputs
    assert [str(skip) for skip in skipped] == [
        f"skipped the EPUB: {out}/buch.epub does not exist (qz-ebook build --format epub)",
        f"skipped the Kobo kepub: {out}/buch.kepub.epub does not exist (qz-ebook build --format kepub)",
        f"skipped the HTML edition: {out}/html/index.html does not exist (qz-ebook build --format html)",
    ]
    assert [skip.tools for skip in skipped] == [
        ("EPUBCheck", "EPUBCheck (Debian)", "Ace by DAISY"),
        ("EPUBCheck (kepub)", "EPUBCheck (kepub, Debian)"),
        ("axe-core", "Nu Html Checker"),
    ]
    (out / "buch.pdf").unlink()
    nothing, _ = runner.built_outputs(*paths)
    assert not nothing


def test_the_html_report_lists_the_skipped_formats() -> None:
    text = render_report([EPUBCHECK], EPUB, kepub=None, skipped=[KEPUB_SKIPPED, PDF_SKIPPED])
    root = lxml_html.fromstring(text)
    assert "Nicht geprüft" in [" ".join(h.text_content().split()) for h in root.xpath("//h2")]
    items = [
        " ".join(li.text_content().split())
        for li in root.xpath("//h2[@id='nicht-geprueft']/following-sibling::ul[1]/li")
    ]
    assert items == [
        "Das Kobo-E-Book (kepub): dist/buch.kepub.epub gibt es nicht; qz-ebook build --format kepub baut es. "
        "Prüfen würden es EPUBCheck (kepub).",
        "Das PDF: dist/buch.pdf gibt es nicht; qz-ebook build --format pdf baut es. Prüfen würden es PDF/UA (pikepdf).",
    ]
    checked = " ".join(root.xpath("//main/p[1]")[0].text_content().split())
    assert checked.startswith("Geprüft wurden das E-Book /work/proj/dist/buch.epub.")


# --- what the tool modules tell the reports -----------------------------------------------------


def test_epubcheck_names_every_file_it_checked_and_the_line() -> None:
    report = {
        "checker": {"checkerVersion": "5.3.0"},
        "items": [{"fileName": "EPUB/a.xhtml"}, {"fileName": "META-INF/container.xml"}, {"fileName": "mimetype"}],
        "messages": [
            {
                "ID": "RSC-005",
                "severity": "ERROR",
                "message": "m",
                "locations": [{"path": "EPUB/a.xhtml", "line": 4, "column": 2}],
            },
            {
                "ID": "OPF-085",
                "severity": "WARNING",
                "message": "n",
                "locations": [{"path": "EPUB/b.xhtml", "line": -1}],
            },
        ],
    }
    result = epubcheck.parse_report(report, "buch.epub", epubcheck.TOOL_KEPUB)
    assert result.documents == ("EPUB/a.xhtml", "META-INF/container.xml", "mimetype")
    assert [(f.tool, f.line) for f in result.findings] == [("EPUBCheck (kepub)", 4), ("EPUBCheck (kepub)", None)]
    assert epubcheck.parse_report({"messages": []}, "buch.epub").documents == ("buch.epub",)


def test_vnu_gives_the_line_and_ace_its_documents_in_order() -> None:
    messages = [
        {"type": "error", "url": "file:/x/a.html", "firstLine": 3, "lastLine": 4, "firstColumn": 1, "message": "m"},
        {"type": "error", "url": "file:/x/a.html", "lastLine": 9, "message": "n"},
        {"type": "non-document-error", "url": "file:/x/a.html", "message": "File not found."},
    ]
    findings = vnu.parse_report({"messages": messages}, {Path("/x/a.html"): "a.html"})
    assert [f.line for f in findings] == [3, 9, None]
    subjects = ["/EPUB/nav.xhtml", "/EPUB/content.opf", "EPUB/b.xhtml", "EPUB/nav.xhtml", "EPUB/a.xhtml"]
    report = {"assertions": [{"earl:testSubject": {"url": url}, "assertions": []} for url in subjects]}
    result = ace.parse_report(report)
    assert result.documents == ("EPUB/nav.xhtml", "EPUB/b.xhtml", "EPUB/a.xhtml")
    assert result.documents_checked == 3


# --- the command line, on a folder with only the PDF --------------------------------------------


def test_check_with_only_the_pdf_skips_the_rest_and_writes_the_ci_reports(sample_book: Path, tmp_path: Path) -> None:
    build(sample_book, Path("dist"), ("pdf",))  # the working folder is tmp_path
    command = ["check", "--book", str(sample_book), "--out", "dist", "--report", "junit", "--report", "json"]
    result = CliRunner().invoke(main, [*command, "--report", "github"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "skipped the EPUB: dist/beispiel.epub does not exist (qz-ebook build --format epub)",
        "skipped the Kobo kepub: dist/beispiel.kepub.epub does not exist (qz-ebook build --format kepub)",
        "skipped the HTML edition: dist/html/index.html does not exist (qz-ebook build --format html)",
    ]
    assert lines[3].startswith("PDF/UA (pikepdf) pikepdf ") and lines[3].endswith(": 0 finding(s) in 1 document(s)")
    assert lines[4:] == [
        "wrote dist/a11y-report.html",
        "wrote dist/check-report.junit.xml",
        "wrote dist/check-report.json",
    ]  # no finding, so no GitHub line
    root = etree.parse(str(tmp_path / "dist" / "check-report.junit.xml")).getroot()
    SCHEMA.assertValid(root)
    [pdf_suite] = root.xpath("testsuite[@name='PDF/UA (pikepdf)']")
    assert [(case.get("name"), len(case)) for case in pdf_suite.iter("testcase")] == [("beispiel.pdf", 0)]
    assert counts(pdf_suite) == {"tests": "1", "failures": "0", "errors": "0", "skipped": "0"}
    assert len(root.xpath("//testcase[skipped]")) == 7  # EPUBCheck 5, 4.2.6 and Ace, the kepub's two, axe-core, vnu
    data = json.loads((tmp_path / "dist" / "check-report.json").read_text(encoding="utf-8"))
    assert [tool["name"] for tool in data["tools"]] == ["PDF/UA (pikepdf)"]
    assert [skip["format"] for skip in data["skipped"]] == ["epub", "kepub", "html"]
    report = (tmp_path / "dist" / "a11y-report.html").read_text(encoding="utf-8")
    assert "Nicht geprüft" in report and "das PDF <code>dist/beispiel.pdf</code>" in report


def test_check_with_nothing_built_says_what_is_missing(sample_book: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--book", str(sample_book), "--out", "leer", "--report", "json"])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 4 and result.stdout.startswith("skipped the EPUB: leer/beispiel.epub")
    assert result.stderr == "nothing to check in leer: run 'qz-ebook build' first\n"
    assert not Path("leer/check-report.json").exists()
