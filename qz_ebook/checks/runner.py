"""Run every checker on the built outputs and write the report.

``check_outputs`` is what ``qz-ebook check`` calls. Each tool must be
installed: a missing one raises ``ToolMissing`` before anything runs, it is
never skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from qz_ebook.checks import ace, axe, epubcheck, pdfua, vnu
from qz_ebook.checks.java import require_java
from qz_ebook.checks.model import ToolResult
from qz_ebook.checks.report import write_report
from qz_ebook.checks.screenshots import Screenshot, take_screenshots
from qz_ebook.edition.navigation import NavNode


@dataclass(frozen=True)
class ToolCount:
    """One tool's line in the summary."""

    tool: str
    version: str
    documents_checked: int
    findings: int
    error: str | None

    def __str__(self) -> str:
        version = f" {self.version}" if self.version else ""
        if self.error:
            return f"{self.tool}{version}: did not finish: {self.error}"
        return f"{self.tool}{version}: {self.findings} finding(s) in {self.documents_checked} document(s)"


@dataclass(frozen=True)
class CheckSummary:
    """Counts per tool and where the report is; ``passed`` when no tool found or failed anything."""

    report: Path
    tools: tuple[ToolCount, ...]
    results: tuple[ToolResult, ...]
    screenshots: tuple[Screenshot, ...] = ()

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


def require_tools(root: Path) -> None:
    """Raise ``ToolMissing`` for the first checker that is not installed."""
    require_java()
    epubcheck.require_jar()
    epubcheck.require_debian_jar()
    ace.require_ace(root)
    axe.require_axe(root)
    vnu.require_vnu(root)


def run_checks(epub: Path, html_dir: Path, root: Path) -> list[ToolResult]:
    """EPUBCheck 5 and 4.2.6 and Ace on ``epub``, axe-core and vnu on the pages of ``html_dir``.

    ``root`` is the folder with ``node_modules`` (see ``model.project_root``).
    The tools that run as subprocesses (EPUBCheck, Ace, vnu) run one after the
    other in a worker thread while axe-core drives its browser in this thread.
    """
    require_tools(root)
    background: Sequence[Callable[[], ToolResult]] = (
        lambda: epubcheck.check_epub(epub),
        lambda: epubcheck.check_epub(epub, debian=True),
        lambda: ace.check_epub(epub, root),
        lambda: vnu.check_html(html_dir, root),
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qz-check") as pool:
        futures = [pool.submit(task) for task in background]
        axe_result = axe.check_html(html_dir, root)
        epubcheck_result, debian_result, ace_result, vnu_result = (future.result() for future in futures)
    return [epubcheck_result, debian_result, ace_result, axe_result, vnu_result]


def check_outputs(
    epub: Path, html_dir: Path, report_path: Path, root: Path, pdf: Path | None = None, outline: Sequence[NavNode] = ()
) -> CheckSummary:
    """Run every checker (on ``pdf`` too, when given: its bookmarks against ``outline``), take the
    screenshots beside the report, write the HTML report to ``report_path`` and return counts per tool."""
    results = run_checks(epub, html_dir, root) + ([pdfua.check_pdf(pdf, outline)] if pdf is not None else [])
    screenshots = take_screenshots(html_dir, report_path.parent)
    write_report(results, report_path, epub, html_dir, screenshots)
    return CheckSummary(
        report=report_path,
        tools=tuple(ToolCount(r.tool, r.version, r.documents_checked, len(r.findings), r.error) for r in results),
        results=tuple(results),
        screenshots=screenshots,
    )
