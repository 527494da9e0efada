"""The HTML report for reviewers: ``a11y-report.html``.

A summary table first (tool, version, documents checked, findings), the formats
not checked because they were not built, then one section per document with findings and in it one table per tool: rule,
severity, element, message and a link to the tool's help. The report is itself
accessible (German, skip link, landmarks, one ``h1``, light and dark colours,
reflows at 320 px): the tests check it with axe-core and the Nu Html Checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment

from qz_ebook import __version__
from qz_ebook.checks import ace, epubcheck, pdfua
from qz_ebook.checks.model import Finding, Skipped, ToolResult
from qz_ebook.checks.screenshots import Screenshot
from qz_ebook.output import write_file
from qz_ebook.writers.templating import make_environment

REPORT_NAME = "a11y-report.html"
EPUB_TOOLS = (epubcheck.TOOL, epubcheck.TOOL_DEBIAN, ace.TOOL)
EDITIONS = ("EPUB", "Kepub", "HTML-Ausgabe", "PDF")  # the sections' order
# The formats as the report names them: checked ("Geprüft wurden das E-Book …") and skipped.
NAMES = {"epub": "das E-Book", "kepub": "das Kobo-E-Book (kepub)", "html": "die HTML-Ausgabe", "pdf": "das PDF"}


@dataclass(frozen=True)
class ToolFindings:
    tool: str
    anchor: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class DocumentSection:
    edition: str
    name: str
    anchor: str
    tools: tuple[ToolFindings, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {tool.tool: len(tool.findings) for tool in self.tools}


@cache
def environment() -> Environment:
    """The report's own templates, in ``qz_ebook/checks/templates``."""
    return make_environment("qz_ebook.checks")


def render_report(
    results: Sequence[ToolResult],
    epub: Path | None = None,
    html_dir: Path | None = None,
    screenshots: Sequence[Screenshot] = (),
    *,
    kepub: Path | None = None,
    pdf: Path | None = None,
    skipped: Sequence[Skipped] = (),
) -> str:
    """The report as HTML text; ``screenshots`` are linked, grouped by page; ``skipped`` formats are listed."""
    shots: dict[str, list[Screenshot]] = {}
    for shot in screenshots:
        shots.setdefault(shot.page, []).append(shot)
    outputs = {"epub": epub, "kepub": kepub, "html": html_dir, "pdf": pdf}
    return (
        environment()
        .get_template("report.html")
        .render(
            results=results,
            documents=sections(results),
            checked=[(NAMES[name], path) for name, path in outputs.items() if path is not None],
            skipped=[(NAMES.get(skip.format, skip.label), skip) for skip in skipped],
            total=sum(len(result.findings) for result in results),
            failed_tools=[result for result in results if result.error],
            screenshots=shots,
            version=__version__,
        )
    )


def write_report(
    results: Sequence[ToolResult],
    report_path: Path,
    epub: Path | None = None,
    html_dir: Path | None = None,
    screenshots: Sequence[Screenshot] = (),
    *,
    kepub: Path | None = None,
    pdf: Path | None = None,
    skipped: Sequence[Skipped] = (),
) -> Path:
    """Write the report to ``report_path`` (atomically) and return the path."""
    text = render_report(results, epub, html_dir, screenshots, kepub=kepub, pdf=pdf, skipped=skipped)
    write_file(report_path, text.encode("utf-8"))
    return report_path


def sections(results: Sequence[ToolResult]) -> tuple[DocumentSection, ...]:
    """Documents with findings: the EPUB's first, then the kepub's, the HTML edition's and the PDF's,
    each in the tools' order."""
    by_document: dict[tuple[str, str], dict[str, list[Finding]]] = {}
    for result in results:
        edition = _edition(result.tool)
        for finding in result.findings:
            found = by_document.setdefault((edition, finding.document), {})
            found.setdefault(finding.tool, []).append(finding)
    order = {result.tool: index for index, result in enumerate(results)}
    keys = sorted(by_document, key=lambda key: (EDITIONS.index(key[0]), key[1]))
    documents = []
    for number, key in enumerate(keys, start=1):
        tools = sorted(by_document[key].items(), key=lambda item: order.get(item[0], len(order)))
        documents.append(
            DocumentSection(
                edition=key[0],
                name=key[1],
                anchor=f"dokument-{number}",
                tools=tuple(
                    ToolFindings(tool, f"dokument-{number}-werkzeug-{index}", tuple(findings))
                    for index, (tool, findings) in enumerate(tools, start=1)
                ),
            )
        )
    return tuple(documents)


def _edition(tool: str) -> str:
    if tool in EPUB_TOOLS:
        return "EPUB"
    if tool in (epubcheck.TOOL_KEPUB, epubcheck.TOOL_KEPUB_DEBIAN):
        return "Kepub"
    return "PDF" if tool == pdfua.TOOL else "HTML-Ausgabe"
