"""The check's results for CI, beside the HTML report: JSON, JUnit XML and GitHub workflow commands.

Pure functions from the tools' results and the skipped formats to text; the command
line writes the files (``check-report.json``, ``check-report.junit.xml``) and prints
the GitHub lines.

- ``json_report``: every tool (with the documents it checked), every finding and every
  skipped format, keys in a fixed order, nothing that changes from run to run.
- ``junit_report``: one ``<testsuite>`` per tool and one ``<testcase>`` per document it
  checked; a document with findings fails with one ``<failure>`` listing them all, a tool
  that did not finish gives an ``<error>``, and the tools of a format that was not built
  have one skipped test case each. Valid against Jenkins' JUnit schema (``junit-4.xsd``),
  which GitLab reads too; that schema has no ``skipped`` count on ``<testsuites>``, so
  only the suites carry one.
- ``github_annotations``: one ``::error`` workflow command per finding (and per tool that
  did not finish), at the file in the output folder the finding is in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from qz_ebook.checks.model import Finding, Skipped, ToolResult

JSON_NAME = "check-report.json"
JUNIT_NAME = "check-report.junit.xml"
FORMAT_VERSION = 1  # of the JSON report: raised when a key changes meaning or goes away
SUITES = "qz-ebook check"
ERROR_TYPE = "tool-error"
FORMS = ("json", "junit", "github")  # qz-ebook check --report
# Characters XML 1.0 has no place for.
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def report_files(forms: Iterable[str], results: Sequence[ToolResult], skipped: Sequence[Skipped]) -> dict[str, bytes]:
    """The files ``forms`` asks for (``json``, ``junit``; ``github`` is no file), by name, in the order asked."""
    makers = {
        "json": (JSON_NAME, lambda: json_report(results, skipped).encode("utf-8")),
        "junit": (JUNIT_NAME, lambda: junit_report(results, skipped)),
    }
    return {makers[form][0]: makers[form][1]() for form in dict.fromkeys(forms) if form in makers}


def document_file(result: ToolResult, finding: Finding) -> Path | None:
    """The file in the output folder ``finding`` is about: its page of the HTML edition, or the EPUB or
    PDF it is part of; None when the result does not say what it checked."""
    if result.target is None:
        return None
    if not result.folder:
        return result.target
    return result.target / finding.document.split("?", 1)[0]  # the search page with a query: its file


def documents(result: ToolResult) -> tuple[str, ...]:
    """The documents ``result`` checked, then those only its findings name, each once, in order."""
    named = dict.fromkeys(result.documents)
    named.update(dict.fromkeys(finding.document for finding in result.findings))
    return tuple(named)


# --- JSON ---------------------------------------------------------------------------------------


def json_report(results: Sequence[ToolResult], skipped: Sequence[Skipped] = ()) -> str:
    """The results as JSON text: ``format_version``, ``passed``, ``tools``, ``findings``, ``skipped``."""
    data = {
        "format_version": FORMAT_VERSION,
        "passed": all(result.passed for result in results),
        "tools": [
            {
                "name": result.tool,
                "version": result.version,
                "target": _posix(result.target),
                "documents_checked": result.documents_checked,
                "documents": list(result.documents),
                "findings": len(result.findings),
                "error": result.error,
            }
            for result in results
        ],
        "findings": [_finding(result, finding) for result in results for finding in result.findings],
        "skipped": [
            {
                "format": skip.format,
                "label": str(skip.label),
                "missing": skip.missing.as_posix(),
                "command": skip.command,
                "tools": list(skip.tools),
            }
            for skip in skipped
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _finding(result: ToolResult, finding: Finding) -> dict[str, Any]:
    return {
        "tool": finding.tool,
        "document": finding.document,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "element": finding.element,
        "help_url": finding.help_url,
        "line": finding.line,
        "file": _posix(document_file(result, finding)),
    }


def _posix(path: Path | None) -> str | None:
    return None if path is None else path.as_posix()


# --- JUnit XML ----------------------------------------------------------------------------------


def junit_report(results: Sequence[ToolResult], skipped: Sequence[Skipped] = ()) -> bytes:
    """The results as JUnit XML: a suite per tool (those that ran, then those of the skipped formats)."""
    suites = [_suite(result.tool, _result_cases(result), _properties(result)) for result in results]
    for skip in skipped:
        suites += [
            _suite(tool, [_case(skip.missing.as_posix(), tool, "skipped", str(skip))], {}) for tool in skip.tools
        ]
    totals = {
        count: str(sum(int(suite.get(count, "0")) for suite in suites)) for count in ("tests", "failures", "errors")
    }
    root = etree.Element("testsuites", {"name": SUITES, **totals, "time": "0"})
    root.extend(suites)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _properties(result: ToolResult) -> dict[str, str]:
    properties = {"version": result.version, "documents_checked": str(result.documents_checked)}
    if result.target is not None:
        properties["target"] = result.target.as_posix()
    return properties


def _result_cases(result: ToolResult) -> Iterator[etree._Element]:
    by_document: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_document.setdefault(finding.document, []).append(finding)
    for document in documents(result):
        found = by_document.get(document, [])
        if not found:
            yield _case(document, result.tool)
            continue
        rules = ", ".join(dict.fromkeys(finding.rule for finding in found))
        first = found[0].message
        message = first if len(found) == 1 else f"{len(found)} findings; the first: {first}"
        text = "\n".join(_described(finding) for finding in found)
        yield _case(document, result.tool, "failure", text, type=rules, message=message)
    if result.error is not None:
        name = result.target.name if result.target is not None else result.tool
        text = f"{result.tool} did not finish: {result.error}"
        yield _case(name, result.tool, "error", text, type=ERROR_TYPE, message=result.error)


def _described(finding: Finding) -> str:
    """One finding in a failure's text: ``error RSC-005: message`` and where, and the help."""
    text = f"{finding.severity} {finding.rule}: {finding.message}"
    if finding.element:
        text += f"\n  at {finding.element}"
    if finding.help_url:
        text += f"\n  help: {finding.help_url}"
    return text


def _case(name: str, tool: str, outcome: str | None = None, text: str = "", **attributes: str) -> etree._Element:
    case = etree.Element("testcase", {"name": _xml(name), "classname": _xml(tool), "time": "0"})
    if outcome is not None:
        child = etree.SubElement(case, outcome, {key: _xml(value) for key, value in attributes.items()})
        child.text = _xml(text)
    return case


def _suite(name: str, cases: Iterable[etree._Element], properties: dict[str, str]) -> etree._Element:
    cases = list(cases)
    counts = {
        f"{outcome}s" if outcome != "skipped" else outcome: str(sum(case.find(outcome) is not None for case in cases))
        for outcome in ("failure", "error", "skipped")
    }
    suite = etree.Element("testsuite", {"name": _xml(name), "tests": str(len(cases)), **counts, "time": "0"})
    if properties:
        listed = etree.SubElement(suite, "properties")
        for key, value in properties.items():
            etree.SubElement(listed, "property", {"name": key, "value": _xml(value)})
    suite.extend(cases)
    return suite


def _xml(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (control characters a tool passed on) as U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


# --- GitHub workflow commands -------------------------------------------------------------------


def github_annotations(results: Sequence[ToolResult], cwd: Path) -> list[str]:
    """One ``::error`` line per finding and per tool that did not finish; files relative to ``cwd``.

    A finding in a page of the HTML edition names the page and, where the tool gives one, the
    line; one in an EPUB or the PDF names that file, and the line inside the EPUB's document
    stays in the message's element (``EPUB/a.xhtml:3:9``): a line of a zip means nothing.
    """
    lines = []
    for result in results:
        for finding in result.findings:
            properties = []
            file = document_file(result, finding)
            if file is not None:
                properties.append(("file", _relative(file, cwd)))
                if result.folder and finding.line is not None:
                    properties.append(("line", str(finding.line)))
            properties.append(("title", f"{finding.tool} {finding.rule}"))
            message = f"{finding.message} ({finding.element})" if finding.element else finding.message
            lines.append(_command("error", properties, message))
        if result.error is not None:
            properties = [("file", _relative(result.target, cwd))] if result.target is not None else []
            properties.append(("title", f"{result.tool} did not finish"))
            lines.append(_command("error", properties, result.error))
    return lines


def _command(name: str, properties: Sequence[tuple[str, str]], message: str) -> str:
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{name} {listed}::{escape_data(message)}" if listed else f"::{name}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``escapeProperty``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` where it lies below it (a relative path already is), else as it is."""
    if path.is_absolute() and path.is_relative_to(cwd):
        return path.relative_to(cwd).as_posix()
    return path.as_posix()
