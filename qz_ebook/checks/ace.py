"""Ace by DAISY on the EPUB, run headless in Debian's Chromium.

Invoked as (``root`` is the folder with ``node_modules``)::

    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \\
    node <root>/node_modules/@daisy/ace/bin/ace-puppeteer.js \\
        --exiterror2 --force --outdir <tmp>/report --tempdir <tmp>/work <epub>

``ace-puppeteer`` drives Chromium through puppeteer (``ace`` itself needs
Electron, which ``npm ci --ignore-scripts`` never downloads). ``--exiterror2``
(alias ``-E``; the config key is ``return-2-on-validation-error``) makes Ace exit
with 2 when it found violations, 0 when none, 1 when it failed.

Ace's puppeteer runner launches Chromium headless with ``--no-sandbox
--disable-setuid-sandbox`` hard-coded (``@daisy/ace-axe-runner-puppeteer``), so
it runs as root; puppeteer adds a fresh ``--user-data-dir``,
``--disable-background-networking --disable-sync --no-first-run`` and takes the
browser from ``PUPPETEER_EXECUTABLE_PATH``. Neither passes further arguments
through, so that variable names a two-line wrapper script in the temporary folder
which execs ``/usr/bin/chromium`` with our :data:`CHROMIUM_FLAGS` (less
``--headless``, which puppeteer sets itself) and puppeteer's arguments: every
Chromium of the checks runs with the same flags. The XDG folders point into the
temporary folder too, so Ace's config store and log file neither read the user's
settings nor litter ``$HOME``.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qz_ebook.checks.model import (
    CHROMIUM_FLAGS,
    Finding,
    ToolMissing,
    ToolResult,
    install_line,
    one_line,
    require_chromium,
    require_node_file,
    truncate,
)
from qz_ebook.messages import Message

TOOL = "Ace by DAISY"
ACE = "@daisy/ace/bin/ace-puppeteer.js"
TIMEOUT = 1200  # seconds for the whole run; Ace itself allows 240 s per document
VIOLATIONS = 2  # exit code with --exiterror2


def require_ace(root: Path) -> tuple[Path, Path]:
    """``node`` and Ace's ``ace-puppeteer`` script; raises ``ToolMissing``."""
    node = shutil.which("node")
    if node is None:
        raise ToolMissing(
            TOOL, Message("{tool} is not installed: {instruction}", tool="Node.js", instruction=install_line("Node.js"))
        )
    script = require_node_file(root, ACE, TOOL)
    require_chromium()
    return Path(node), script


def check_epub(epub: Path, root: Path) -> ToolResult:
    """Run Ace on ``epub``. Raises ``ToolMissing`` without Node.js, Ace or Chromium."""
    node, script = require_ace(root)
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="qz-ace-") as tmp:
        work = Path(tmp)
        outdir = work / "report"
        command = [str(node), str(script), "--exiterror2", "--force"]
        command += ["--outdir", str(outdir), "--tempdir", str(work / "work"), str(epub.resolve())]
        env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(_chromium_wrapper(work, chromium)))
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[name] = str(work / name.lower())
        (work / "work").mkdir()
        try:
            run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return ToolResult(TOOL, "", 0, (), f"Ace did not finish within {TIMEOUT} s")
        report = outdir / "report.json"
        if run.returncode not in (0, VIOLATIONS) or not report.is_file():
            output = "\n".join(part for part in (run.stdout, run.stderr) if part)
            return ToolResult(TOOL, "", 0, (), f"Ace failed (exit code {run.returncode}): {truncate(output, 600)}")
        return parse_report(json.loads(report.read_text(encoding="utf-8")))


def _chromium_wrapper(folder: Path, chromium: Path) -> Path:
    """A script that starts ``chromium`` with our flags and then puppeteer's arguments."""
    flags = " ".join(shlex.quote(flag) for flag in CHROMIUM_FLAGS if flag != "--headless")
    wrapper = folder / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(str(chromium))} {flags} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def parse_report(report: dict[str, Any]) -> ToolResult:
    """Ace's ``report.json``: every failed assertion of every document is a finding.

    The package document's assertions are Ace's metadata checks
    (``metadata-accessmode`` …); the content documents' come from axe-core.
    """
    findings: list[Finding] = []
    documents: dict[str, None] = {}  # in Ace's order
    for document in report.get("assertions", []):
        # The navigation document comes twice: "/EPUB/nav.xhtml" (Ace's nav checks), "EPUB/nav.xhtml" (axe-core).
        name = str(document.get("earl:testSubject", {}).get("url", "")).lstrip("/")
        if not name.endswith(".opf"):
            documents[name] = None
        findings += (_finding(name, assertion) for assertion in _failures(document))
    release = report.get("earl:assertedBy", {}).get("doap:release", {})
    version = str(release.get("doap:revision", ""))
    return ToolResult(TOOL, version, len(documents), tuple(findings), documents=tuple(documents))


def _failures(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for assertion in document.get("assertions", []):
        if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
            yield assertion


def _finding(document: str, assertion: dict[str, Any]) -> Finding:
    test = assertion.get("earl:test", {})
    result = assertion.get("earl:result", {})
    help_ = test.get("help", {})
    message = one_line(str(result.get("dct:description") or test.get("dct:description") or ""))
    fix = one_line(str(help_.get("dct:description") or ""))
    if fix:
        message = f"{message} — {fix}" if message else fix
    css = result.get("earl:pointer", {}).get("css") or []
    html = str(result.get("html") or "")
    element = ", ".join(str(selector) for selector in css)
    if html:
        element = f"{element}: {truncate(html)}" if element else truncate(html)
    return Finding(
        tool=TOOL,
        document=document,
        rule=str(test.get("dct:title", "")),
        severity=str(test.get("earl:impact", "")),
        message=message,
        element=element,
        help_url=str(help_.get("url", "")),
    )
