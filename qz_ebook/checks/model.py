"""The common model of every checker: findings, a tool's result, a missing tool."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from qz_ebook.messages import Message, Text

# Chromium comes from the system (Debian: apt-get install chromium); test tools cannot
# download browsers here. Every browser the checks start is this one, headless.
# QZ_EBOOK_CHROMIUM names another build of it (GitHub's runners have /usr/bin/google-chrome).
CHROMIUM = Path(os.environ.get("QZ_EBOOK_CHROMIUM") or "/usr/bin/chromium")
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
    CSS selector with the element's markup); ``help_url`` may be empty; ``line``
    is the line in the document where the tool gives one (EPUBCheck, vnu).
    """

    tool: str
    document: str
    rule: str
    severity: str
    message: str
    element: str
    help_url: str
    line: int | None = None


@dataclass(frozen=True)
class ToolResult:
    """What one tool found. ``error`` is set when the tool ran but could not finish.

    ``documents`` names the documents the tool checked, as its findings name them, in
    the tool's order (findings may name one more: EPUBCheck and Ace the EPUB's package
    document or the EPUB itself; axe-core lists the search page with results as a
    document of its own). ``target`` is the output checked: an EPUB or the PDF, whose
    documents are parts of it, or, with ``folder``, the HTML edition's folder, whose
    documents are its files.
    """

    tool: str
    version: str
    documents_checked: int
    findings: tuple[Finding, ...]
    error: str | None = None
    documents: tuple[str, ...] = ()
    target: Path | None = None
    folder: bool = False

    @property
    def passed(self) -> bool:
        return self.error is None and not self.findings


@dataclass(frozen=True)
class Skipped:
    """A format ``qz-ebook check`` did not check because it was not built.

    ``format`` is the writer's name (``qz-ebook build --format <format>`` builds it),
    ``label`` what the user reads, ``missing`` the file that does not exist and ``tools``
    the tools that would have checked it.
    """

    format: str
    label: Text
    missing: Path
    tools: tuple[str, ...]

    @property
    def command(self) -> str:
        return f"qz-ebook build --format {self.format}"

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message(self) -> Message:
        """The line that says so, to be shown in a language."""
        return Message(
            "skipped {label}: {missing} does not exist ({command})",
            label=self.label,
            missing=self.missing,
            command=self.command,
        )


class ToolMissing(Exception):
    """A checker is not installed. The message says how to install it (``str()`` in English)."""

    def __init__(self, tool: str, instruction: Text) -> None:
        self.tool = tool
        self.instruction = instruction
        self.message = Message("{tool} is not installed: {instruction}", tool=tool, instruction=instruction)
        super().__init__(str(self.message))


# One line per platform for each system tool; sys.platform picks the line (Linux: Debian and Ubuntu).
SYSTEM_TOOLS = {
    "Java": {
        "linux": "sudo apt-get install default-jre-headless",
        "darwin": "brew install openjdk",
        "win32": "winget install EclipseAdoptium.Temurin.17.JRE",
    },
    "Chromium": {
        "linux": "sudo apt-get install chromium",
        "darwin": "brew install --cask chromium",
        "win32": "winget install Hibbiki.Chromium",
    },
    "Node.js": {
        "linux": "sudo apt-get install nodejs npm",
        "darwin": "brew install node",
        "win32": "winget install OpenJS.NodeJS.LTS",
    },
}


def install_line(tool: str) -> str:
    """The command that installs ``tool`` on this platform."""
    lines = SYSTEM_TOOLS[tool]
    return lines.get(sys.platform, lines["linux"])


def require_chromium() -> Path:
    if not CHROMIUM.is_file():
        raise ToolMissing(
            "Chromium", Message("{path} is missing: {command}", path=CHROMIUM, command=install_line("Chromium"))
        )
    return CHROMIUM


def require_node_file(root: Path, relative: str, tool: str) -> Path:
    """A file an npm package installs under ``root/node_modules``."""
    path = root.resolve() / "node_modules" / relative
    if not path.is_file():
        raise ToolMissing(
            tool,
            Message("{path} is missing; run 'qz-ebook tools install' (in a qz-ebook checkout: make tools)", path=path),
        )
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
