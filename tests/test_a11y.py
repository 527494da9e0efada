"""The bar of the accessibility issue: every validator the field trusts finds nothing.

EPUBCheck 5 and 4.2.6 and Ace on the EPUB; axe-core (light and dark, reflow at 320 px, first Tab
stop) and the Nu checker on every page of the HTML edition, for the brochure and for
the sample manuscript (images, a table, footnotes, other languages, page markers).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SAMPLE, Built
from PIL import Image

from qz_ebook.checks.runner import CheckSummary, check_outputs
from qz_ebook.checks.tools import tools_root
from qz_ebook.cli import main

TOOLS = ["EPUBCheck", "EPUBCheck (Debian)", "Ace by DAISY", "axe-core", "Nu Html Checker"]


@pytest.fixture(scope="module", params=["brochure", "sample_built"])
def checked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> CheckSummary:
    built: Built = request.getfixturevalue(request.param)
    report = tmp_path_factory.mktemp("report") / "a11y-report.html"
    return check_outputs(built.epub, built.html, report, tools_root())


def test_every_tool_ran_and_found_nothing(checked: CheckSummary) -> None:
    assert [t.tool for t in checked.tools] == TOOLS
    problems = [f"{f.tool}: {f.document}: {f.rule}: {f.element}" for r in checked.results for f in r.findings]
    assert problems == []
    assert all(t.error is None and t.documents_checked > 0 for t in checked.tools)
    assert checked.passed


def test_check_command_writes_the_report_and_exits_0(sample_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", str(out)]).exit_code == 0
    result = runner.invoke(main, ["check", "--book", str(sample_book), "--out", str(out)], prog_name="qz-ebook")
    assert result.exit_code == 0, result.stderr
    skipped, lines = result.stdout.splitlines()[:2], result.stdout.splitlines()[2:]
    assert skipped == [
        f"skipped the Kobo kepub: {out}/beispiel.kepub.epub does not exist (qz-ebook build --format kepub)",
        f"skipped the PDF: {out}/beispiel.pdf does not exist (qz-ebook build --format pdf)",
    ]
    assert [line.split(" ")[0] for line in lines[:5]] == ["EPUBCheck", "EPUBCheck", "Ace", "axe-core", "Nu"]
    assert lines[1].startswith("EPUBCheck (Debian) 4.2.6: ")
    assert all(" 0 finding(s) in " in line for line in lines[:5])
    assert lines[5] == f"wrote {out}/a11y-report.html"
    assert lines[6] == f"wrote {out}/screenshots: 20 screenshots, linked from the report"
    report = (out / "a11y-report.html").read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>")
    pages = ["index", "oeffnung", "musterstadt", "perspektive-ausblicke", "suche"]
    shots = [f"{page}-{width}-{scheme}.png" for page in pages for width in (375, 1280) for scheme in ("light", "dark")]
    assert sorted(p.name for p in (out / "screenshots").iterdir()) == sorted(shots)
    assert re.findall(r'<a href="(screenshots/[^"]+)">', report) == [f"screenshots/{shot}" for shot in shots]
    assert "<li>Positionspapier (oeffnung.html): " in report and "<li>Praxisbeispiel (musterstadt.html): " in report
    with Image.open(out / "screenshots" / "oeffnung-375-dark.png") as shot:
        assert shot.size == (375, 800)
        assert shot.getpixel((370, 790))[:3] == (0x12, 0x14, 0x17)  # the dark scheme's background


def test_check_command_fails_on_findings(sample_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", str(out)]).exit_code == 0
    page = out / "html" / "grusswort.html"
    page.write_text(page.read_text(encoding="utf-8").replace('lang="de"', ""), encoding="utf-8")
    result = runner.invoke(main, ["check", "--book", str(sample_book), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("check failed: ")
    assert "html-has-lang" in (out / "a11y-report.html").read_text(encoding="utf-8")


def test_check_without_a_build_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--book", str(SAMPLE), "--out", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (1, f"nothing to check in {tmp_path}: run 'qz-ebook build' first\n")


def test_tools_live_in_this_checkout() -> None:
    assert tools_root() == REPO
