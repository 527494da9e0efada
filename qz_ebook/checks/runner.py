"""Run the checkers of the built outputs and write the report.

``built_outputs`` finds which outputs were built and which were not (``Skipped``);
``check_outputs`` is what ``qz-ebook check`` calls on those that were. Each tool an
output needs must be installed: a missing one raises ``ToolMissing`` before anything
runs, it is never skipped silently. A format that was not built is skipped, and said so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from qz_ebook.checks import ace, axe, epubcheck, pdfua, vnu
from qz_ebook.checks.java import require_java
from qz_ebook.checks.model import Skipped, ToolResult
from qz_ebook.checks.report import write_report
from qz_ebook.checks.screenshots import Screenshot, take_screenshots
from qz_ebook.edition.navigation import NavNode
from qz_ebook.messages import Message


@dataclass(frozen=True)
class ToolCount:
    """One tool's line in the summary."""

    tool: str
    version: str
    documents_checked: int
    findings: int
    error: str | None

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message(self) -> Message:
        """The line, to be shown in a language."""
        tool = f"{self.tool} {self.version}" if self.version else self.tool
        if self.error:
            return Message("{tool}: did not finish: {error}", tool=tool, error=self.error)
        return Message(
            "{tool}: {findings} finding(s) in {documents} document(s)",
            tool=tool,
            findings=self.findings,
            documents=self.documents_checked,
        )


@dataclass(frozen=True)
class CheckSummary:
    """Counts per tool and where the report is; ``passed`` when no tool found or failed anything."""

    report: Path
    tools: tuple[ToolCount, ...]
    results: tuple[ToolResult, ...]
    screenshots: tuple[Screenshot, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {tool.tool: tool.findings for tool in self.tools}

    @property
    def findings(self) -> int:
        return sum(tool.findings for tool in self.tools)

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def __str__(self) -> str:
        return "\n".join(str(tool) for tool in self.tools)

    def lines(self) -> tuple[Message, ...]:
        """One line per tool, to be shown in a language."""
        return tuple(tool.message for tool in self.tools)


# Which tools check which format, in the order they report.
EPUB_TOOLS = (epubcheck.TOOL, epubcheck.TOOL_DEBIAN, ace.TOOL)
KEPUB_TOOLS = (epubcheck.TOOL_KEPUB, epubcheck.TOOL_KEPUB_DEBIAN)
HTML_TOOLS = (axe.TOOL, vnu.TOOL)
PDF_TOOLS = (pdfua.TOOL,)


@dataclass(frozen=True)
class Outputs:
    """The built outputs ``check`` checks; None for one that was not built."""

    epub: Path | None = None
    kepub: Path | None = None
    html_dir: Path | None = None
    pdf: Path | None = None

    def __bool__(self) -> bool:
        return any(path is not None for path in (self.epub, self.kepub, self.html_dir, self.pdf))


def built_outputs(epub: Path, kepub: Path, html_dir: Path, pdf: Path) -> tuple[Outputs, tuple[Skipped, ...]]:
    """Of the outputs a build would write, those that exist, and a ``Skipped`` for each that does not.

    The HTML edition counts as built when its ``index.html`` exists.
    """
    expected = (
        ("epub", Message("the EPUB"), epub, epub, EPUB_TOOLS),
        ("kepub", Message("the Kobo kepub"), kepub, kepub, KEPUB_TOOLS),
        ("html", Message("the HTML edition"), html_dir, html_dir / "index.html", HTML_TOOLS),
        ("pdf", Message("the PDF"), pdf, pdf, PDF_TOOLS),
    )
    found: dict[str, Path] = {}
    skipped = []
    for name, label, output, marker, tools in expected:
        if marker.is_file():
            found[name] = output
        else:
            skipped.append(Skipped(name, label, marker, tools))
    outputs = Outputs(found.get("epub"), found.get("kepub"), found.get("html"), found.get("pdf"))
    return outputs, tuple(skipped)


def require_tools(root: Path, epub: bool = True, html: bool = True, kepub: bool = False) -> None:
    """Raise ``ToolMissing`` for the first checker that is not installed, of those the outputs need."""
    if epub or kepub:
        require_java()
        epubcheck.require_jar()
        epubcheck.require_debian_jar()
    if epub:
        ace.require_ace(root)
    if html:
        axe.require_axe(root)
        vnu.require_vnu(root)


def run_checks(epub: Path | None, html_dir: Path | None, root: Path, kepub: Path | None = None) -> list[ToolResult]:
    """EPUBCheck 5 and 4.2.6 and Ace on ``epub``, EPUBCheck 5 and 4.2.6 on ``kepub``, axe-core and vnu on the
    pages of ``html_dir``: those of them that are given.

    ``root`` is the folder with ``node_modules`` (see ``tools.tools_root``).
    The tools that run as subprocesses (EPUBCheck, Ace, vnu) run one after the
    other in a worker thread while axe-core drives its browser in this thread.
    """
    require_tools(root, epub is not None, html_dir is not None, kepub is not None)
    background: list[Callable[[], ToolResult]] = []
    if epub is not None:
        background += [
            lambda: _on(epubcheck.check_epub(epub), epub),
            lambda: _on(epubcheck.check_epub(epub, debian=True), epub),
            lambda: _on(ace.check_epub(epub, root), epub),
        ]
    if kepub is not None:
        background += [
            lambda: _on(epubcheck.check_epub(kepub, tool=epubcheck.TOOL_KEPUB), kepub),
            lambda: _on(epubcheck.check_epub(kepub, debian=True, tool=epubcheck.TOOL_KEPUB_DEBIAN), kepub),
        ]
    if html_dir is not None:
        background.append(lambda: _on(vnu.check_html(html_dir, root), html_dir, folder=True))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qz-check") as pool:
        futures = [pool.submit(task) for task in background]
        axe_result = _on(axe.check_html(html_dir, root), html_dir, folder=True) if html_dir is not None else None
        results = [future.result() for future in futures]
    if axe_result is not None:
        results[-1:-1] = [axe_result]  # before vnu, the last: the HTML edition's tools in their order
    return results


def _on(result: ToolResult, target: Path, folder: bool = False) -> ToolResult:
    """``result`` with the output it checked."""
    return replace(result, target=target, folder=folder)


def check_outputs(
    epub: Path | None,
    html_dir: Path | None,
    report_path: Path,
    root: Path,
    pdf: Path | None = None,
    outline: Sequence[NavNode] = (),
    kepub: Path | None = None,
    skipped: Sequence[Skipped] = (),
) -> CheckSummary:
    """Run the checkers of the outputs given (on ``pdf`` too: its bookmarks against ``outline``),
    take the screenshots beside the report when the HTML edition is given, write the HTML report
    (naming the ``skipped`` formats) to ``report_path`` and return counts per tool."""
    results = run_checks(epub, html_dir, root, kepub) if epub or html_dir or kepub else []
    if pdf is not None:
        results.append(_on(pdfua.check_pdf(pdf, outline), pdf))
    screenshots = take_screenshots(html_dir, report_path.parent) if html_dir is not None else ()
    write_report(results, report_path, epub, html_dir, screenshots, kepub=kepub, pdf=pdf, skipped=skipped)
    return CheckSummary(
        report=report_path,
        tools=tuple(ToolCount(r.tool, r.version, r.documents_checked, len(r.findings), r.error) for r in results),
        results=tuple(results),
        screenshots=screenshots,
        skipped=tuple(skipped),
    )


def check_built(
    outputs: Outputs, report_path: Path, root: Path, outline: Sequence[NavNode] = (), skipped: Sequence[Skipped] = ()
) -> CheckSummary:
    """``check_outputs`` on the ``outputs`` ``built_outputs`` found."""
    epub, html_dir, pdf, kepub = outputs.epub, outputs.html_dir, outputs.pdf, outputs.kepub
    return check_outputs(epub, html_dir, report_path, root, pdf, outline, kepub=kepub, skipped=skipped)
