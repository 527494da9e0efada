"""The common model of every checker: findings, a tool's result, a missing tool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Chromium comes from Debian (apt-get install chromium); test tools cannot download
# browsers here. Every browser the checks start is this one, headless.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root in CI; Chromium's sandbox refuses to start as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class Finding:
    """One problem a tool reported.

    ``document`` is the checked file, relative to the EPUB's root or the HTML
    edition's folder; ``severity`` is the tool's own word for it (EPUBCheck:
    fatal/error/warning, Ace and axe-core: their impact, vnu: error/warning);
    ``element`` says where in the document (a location ``file:line:col`` or a
    CSS selector with the element's markup); ``help_url`` may be empty.
    """

    tool: str
    document: str
    rule: str
    severity: str
    message: str
    element: str
    help_url: str


@dataclass(frozen=True)
class ToolResult:
    """What one tool found. ``error`` is set when the tool ran but could not finish."""

    tool: str
    version: str
    documents_checked: int
    findings: tuple[Finding, ...]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.findings


class ToolMissing(Exception):
    """A checker is not installed. The message says how to install it."""

    def __init__(self, tool: str, instruction: str) -> None:
        self.tool = tool
        self.instruction = instruction
        super().__init__(f"{tool} is not installed: {instruction}")


MAKE_TOOLS = "run 'make tools' in the project folder (it installs Java, Chromium and the npm packages)"


def project_root() -> Path:
    """The qz-ebook checkout this package lives in, when it is one; else the working folder.

    The npm tools (Ace, vnu.jar, axe-core) live in ``<root>/node_modules``.
    """
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "package.json").is_file() else Path.cwd()


def require_chromium() -> Path:
    if not CHROMIUM.is_file():
        raise ToolMissing("Chromium", f"{MAKE_TOOLS}, or as root: apt-get install chromium")
    return CHROMIUM


def require_node_file(root: Path, relative: str, tool: str) -> Path:
    """A file an npm package installs under ``root/node_modules``."""
    path = root.resolve() / "node_modules" / relative
    if not path.is_file():
        raise ToolMissing(tool, f"{path} is missing; {MAKE_TOOLS}, or run 'npm ci --ignore-scripts' in {root}")
    return path


def one_line(text: str) -> str:
    """A tool's multi-line message on one line: ``"Fix any of: a; b"``."""
    joined = ""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            joined += ("" if not joined else " " if joined.endswith(":") else "; ") + line
    return joined


def truncate(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
