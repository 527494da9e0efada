"""The Nu Html Checker (``vnu.jar`` from the ``vnu-jar`` npm package) on HTML pages.

Invoked once for all pages, so one JVM start serves the whole edition::

    java -jar <root>/node_modules/vnu-jar/build/dist/vnu.jar \\
        --format json --exit-zero-always --stdout <page.html> …

Errors (and ``non-document-error``s: a page it could not read) and warnings
(``info`` with ``subType: warning``) are findings; plain ``info`` messages are not.
That is a deliberate choice for our pages: they are written in polyglot syntax
(``<br/>``, ``<meta charset="utf-8"/>``) so the same templates serve the EPUB's
XHTML. For such a void element vnu says, as plain ``info``, "Trailing slash on
void elements has no effect and interacts badly with unquoted attribute values"
(older versions: "Self-closing tag syntax in text/html documents is widely
discouraged"). The slash is allowed by HTML, has no effect, and we always quote
attribute values, so it is noise here. The harmful case, ``<div/>`` on a non-void
element, is an *error* in vnu ("Self-closing syntax (“/>”) used on a non-void HTML
element") and stays a finding.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from qz_ebook.checks.java import require_java
from qz_ebook.checks.model import Finding, ToolResult, require_node_file, truncate

TOOL = "Nu Html Checker"
JAR = "vnu-jar/build/dist/vnu.jar"
TIMEOUT = 600  # seconds
QUOTED = re.compile(r"“[^”]*”")


def require_vnu(root: Path) -> tuple[Path, Path]:
    """``java`` and ``vnu.jar``; raises ``ToolMissing``."""
    return require_java(), require_node_file(root, JAR, TOOL)


def check_html(html_dir: Path, root: Path) -> ToolResult:
    """Validate every ``*.html`` page under ``html_dir``."""
    return check_pages(sorted(html_dir.rglob("*.html")), html_dir, root)


def check_pages(pages: Sequence[Path], base: Path, root: Path) -> ToolResult:
    """Validate ``pages``; documents are named relative to ``base``."""
    java, jar = require_vnu(root)
    version = _version(root)
    if not pages:
        return ToolResult(TOOL, version, 0, ())
    command = [str(java), "-jar", str(jar), "--format", "json", "--exit-zero-always", "--stdout"]
    command += [str(page) for page in pages]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return ToolResult(TOOL, version, 0, (), f"vnu did not finish within {TIMEOUT} s")
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return ToolResult(TOOL, version, 0, (), f"vnu wrote no JSON report: {truncate(run.stderr or run.stdout)}")
    names = {page.resolve(): page.resolve().relative_to(base.resolve()).as_posix() for page in pages}
    findings = parse_report(report, names)
    return ToolResult(TOOL, version, len(pages), findings, documents=tuple(names.values()))


def parse_report(report: dict[str, Any], names: dict[Path, str]) -> tuple[Finding, ...]:
    """vnu's JSON messages as findings; ``names`` maps each page's path to its document name."""
    findings = []
    for message in report.get("messages", []):
        kind, sub_type = message.get("type"), message.get("subType")
        if kind == "info" and sub_type != "warning":
            continue  # plain info, see the module's docstring
        severity = "warning" if kind == "info" else "error"
        path = Path(unquote(urlparse(str(message.get("url", ""))).path))
        document = names.get(path, path.name)
        text = str(message.get("message", ""))
        line = message.get("firstLine") or message.get("lastLine")  # vnu omits firstLine when it is lastLine
        element = document if line is None else f"{document}:{line}:{message.get('firstColumn') or 1}"
        known = line if isinstance(line, int) and line > 0 else None
        extract = str(message.get("extract") or "")
        if extract:
            element = f"{element}: {truncate(extract, 200)}"
        # vnu has no rule ids: the message with its quoted names blanked out serves as one.
        rule = "non-document-error" if kind == "non-document-error" else QUOTED.sub("“…”", text)
        findings.append(Finding(TOOL, document, rule, severity, text, element, "", known))
    return tuple(findings)


def _version(root: Path) -> str:
    package = root / "node_modules" / "vnu-jar" / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""
