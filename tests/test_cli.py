"""The command line: exact output, exit codes, and untouched outputs on failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, build_by_script

from qz_ebook.build import build
from qz_ebook.cli import ProgressLine, main
from qz_ebook.incremental.collector import COLLECTION_THRESHOLD
from qz_ebook.messages import Text


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="qz-ebook")
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_both_formats_and_summarises(sample_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    code, stdout, stderr = run("build", "--book", str(sample_book), "--out", str(out))
    assert (code, stderr) == (0, "")
    assert stdout == (
        f"wrote {out}/beispiel.epub\n"
        f"wrote {out}/html\n"
        "34 pages rendered, 0 unchanged from .qz-cache/\n"
        "4 contributions (3 draft, 1 final), 97 words, 0 images without alt text\n"
    )
    assert (out / "beispiel.epub").is_file() and (out / "html" / "index.html").is_file()
    assert run("build", "--book", str(sample_book), "--out", str(out))[1].splitlines()[2] == (
        "0 pages rendered, 34 unchanged from .qz-cache/"
    )
    assert run("build", "--no-cache", "--book", str(sample_book), "--out", str(out))[1].splitlines()[2] == (
        "34 pages rendered"
    )


def test_build_one_format_only(sample_book: Path, tmp_path: Path) -> None:
    code, stdout, _ = run("build", "--format", "epub", "--book", str(sample_book), "--out", str(tmp_path))
    assert code == 0 and stdout.splitlines()[0] == f"wrote {tmp_path}/beispiel.epub"
    assert not (tmp_path / "html").exists()


def test_build_several_formats_and_all(sample_book: Path, tmp_path: Path) -> None:
    args = ("--book", str(sample_book), "--no-cache")
    code, stdout, _ = run("build", "--format", "kepub", "--format", "epub", *args, "--out", str(tmp_path / "two"))
    assert code == 0 and stdout.splitlines()[:2] == [
        f"wrote {tmp_path}/two/beispiel.epub",  # in the registry's order, not the command line's
        f"wrote {tmp_path}/two/beispiel.kepub.epub",
    ]
    assert not (tmp_path / "two" / "html").exists()
    code, stdout, _ = run("build", "--format", "all", *args, "--out", str(tmp_path / "all"))
    assert code == 0 and stdout.splitlines()[:3] == [
        f"wrote {tmp_path}/all/beispiel.epub",
        f"wrote {tmp_path}/all/html",
        f"wrote {tmp_path}/all/beispiel.kepub.epub",
    ]


def test_errors_are_located_exit_1_and_keep_previous_outputs(sample_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert run("build", "--book", str(sample_book), "--out", str(out))[0] == 0
    before = (out / "beispiel.epub").read_bytes(), (out / "html" / "oeffnung.html").read_bytes()
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("page: 18", "page: zwölf"), encoding="utf-8")
    code, stdout, stderr = run("build", "--book", str(sample_book), "--out", str(out))
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"{page}:8:1: error[QZ204]: 'page' must be a whole number, not 'zwölf'\n"
        "build failed: 1 error(s); nothing was written\n"
    )
    assert ((out / "beispiel.epub").read_bytes(), (out / "html" / "oeffnung.html").read_bytes()) == before
    assert sorted(p.name for p in out.iterdir()) == ["beispiel.epub", "html"]  # no temporary files left


def test_warnings_pass_but_fail_under_strict(sample_book: Path, tmp_path: Path) -> None:
    stray = sample_book / "notiz.md"
    stray.write_text("# Notiz\n", encoding="utf-8")
    warning = f"{stray}:1:1: warning[QZ106]: not in the outline SUMMARY.md; add it or remove it\n"
    code, _, stderr = run("build", "--book", str(sample_book), "--out", str(tmp_path / "a"))
    assert (code, stderr) == (0, warning)
    code, _, stderr = run("build", "--strict", "--book", str(sample_book), "--out", str(tmp_path / "b"))
    assert (code, stderr) == (1, warning + "build failed: 1 error(s); nothing was written\n")
    assert not (tmp_path / "b").exists()


def test_usage_errors_exit_2(sample_book: Path) -> None:
    code, _, stderr = run("build", "--format", "docx", "--book", str(sample_book))
    assert code == 2
    assert "Invalid value for '--format': 'docx' is not one of 'epub', 'html', 'kepub', 'pdf', 'all'." in stderr
    code, _, stderr = run("build", "--book", str(sample_book / "missing"))
    assert code == 2 and "Directory" in stderr and "does not exist" in stderr


def test_help_texts() -> None:
    code, stdout, _ = run("--help")
    assert code == 0
    assert stdout.startswith("Usage: qz-ebook [OPTIONS] COMMAND [ARGS]...\n\n  qz-ebook: turn a Markdown manuscript")
    assert stdout.endswith(
        "Commands:\n"
        "  build   Build the EPUB and the HTML edition, or the formats --format...\n"
        "  check   Check the built outputs: the EPUB with EPUBCheck 5 and 4.2.6 and...\n"
        "  clean   Remove the build cache (--cache) of the working folder, and say...\n"
        "  init    Start a new book in FOLDER (default: here): book.toml, outline,...\n"
        "  serve   Build, serve the HTML edition, and build again whenever a file of...\n"
        "  status  Show every contribution: status, print page, words, images...\n"
        "  tools   The checkers' own tools: the npm packages (Ace, vnu.jar,...\n"
        "  watch   Build, then build again whenever a file of the manuscript...\n"
    )
    code, stdout, _ = run("build", "--help")
    assert code == 0
    for option in ("--format [epub|html|kepub|pdf|all]", "--out DIRECTORY", "--book DIRECTORY", "--strict"):
        assert option in stdout


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qz_ebook", "--version"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert (result.returncode, result.stdout) == (0, "qz-ebook, version 0.1.0\n")


def test_build_without_book_toml_is_a_located_error(tmp_path: Path) -> None:
    code, _, stderr = run("build", "--book", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 1
    assert stderr == (
        f"{tmp_path}/book.toml:1:1: error[QZ005]: no book.toml in '{tmp_path}'\n"
        "build failed: 1 error(s); nothing was written\n"
    )


def test_status_shows_missing_alt_text_per_contribution(sample_book: Path) -> None:
    page = sample_book / "beitraege" / "oeffnung.md"
    page.write_text(page.read_text(encoding="utf-8").replace("![Ein Diagramm]", "![]"), encoding="utf-8")
    code, stdout, stderr = run("status", "--book", str(sample_book))
    assert code == 1
    assert stderr == (
        f"{page}:24:5: error[QZ305]: image '../bilder/diagramm.png' has no alt text; write "
        "![description](../bilder/diagramm.png), or mark a decorative image with {.decorative}\n"
    )
    assert stdout == (
        "status  page  words no-alt  kind             contribution\n"
        f"final      3     12      0  greeting         {sample_book}/beitraege/grusswort.md\n"
        f"draft     12     33      1  position-paper   {page}\n"
        f"draft     18      5      0  practice-example {sample_book}/beitraege/musterstadt.md\n"
        f"draft     20     47      0  article          {sample_book}/beitraege/fachbeitrag.md\n"
        "4 contributions (3 draft, 1 final), 97 words, 1 images without alt text\n"
    )


def test_progress_line_stays_silent_without_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ProgressLine, "DELAY", 0.0)
    with ProgressLine() as progress:  # stderr is captured, not a terminal
        progress("Converting", 1, 2)
    assert capsys.readouterr().err == ""


def drawn(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    calls: list[tuple[Text, int, int]],
) -> str:
    """What the progress line in ``language`` draws on a terminal when told ``calls`` (stage, done, total)."""
    monkeypatch.setattr(ProgressLine, "DELAY", 0.0)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with ProgressLine(language) as progress:
        for call in calls:
            progress(*call)
    return capsys.readouterr().err


def test_progress_line_shows_and_clears_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[Text, int, int]] = [
        ("Converting", 1, 4),
        ("Converting", 2, 4),  # too soon after the last: not drawn
        ("Converting", 4, 4),  # a stage's end always is
        ("EPUB", 0, 0),
    ]
    assert drawn(monkeypatch, capsys, "en", calls) == (
        "\rConverting [#####---------------] 1/4\x1b[K"
        "\rConverting [####################] 4/4\x1b[K"
        "\rEPUB [####################] 0/0\x1b[K"
        "\r\x1b[K"
    )


def test_build_progress_counts_every_stage_up_to_its_total(sample_book: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    build(sample_book, tmp_path / "out", progress=lambda stage, *counts: calls.append((str(stage), *counts)))
    stages = {stage: [(done, total) for s, done, total in calls if s == stage] for stage, _, _ in calls}
    # The HTML edition first: the EPUB renders while it waits for its search index (rendering._Turns).
    assert list(stages) == ["Converting", "HTML", "EPUB"]
    for counts in stages.values():
        total = counts[0][1]
        assert counts == [(n, total) for n in range(1, total + 1)]
    assert [counts[-1][1] for counts in stages.values()] == [4, 21, 13]


def test_a_build_settles_the_garbage_collector_for_building(sample_book: Path, tmp_path: Path) -> None:
    script = (
        "import gc, sys\n"
        "from qz_ebook.cli import main\n"
        "main(sys.argv[1:], standalone_mode=False)\n"
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0)\n"
    )
    assert build_by_script(script, sample_book, tmp_path)[-1] == f"{COLLECTION_THRESHOLD} True"


def test_progress_counts_the_epub_rendered_beside_the_html_edition(
    sample_book: Path, tmp_path: Path, epub_beside: None
) -> None:
    calls: list[tuple[str, int, int]] = []
    build(sample_book, tmp_path / "out", progress=lambda stage, *counts: calls.append((str(stage), *counts)))
    together = [(done, total) for stage, done, total in calls if stage == "EPUB and HTML"]
    assert [stage for stage, _, _ in calls if stage != "EPUB and HTML"] == ["Converting"] * 4
    assert together[-1] == (34, 34)  # 21 HTML pages and the EPUB's 12 documents and its NCX
    assert [done for done, _ in together] == sorted(done for done, _ in together)
    assert {total for _, total in together} == {34}


def test_the_build_machinery_imports_beautiful_soup_only_for_a_body_that_needs_it() -> None:
    probe = "import sys, qz_ebook.build, qz_ebook.writers.registry; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert {"bs4", "soupsieve", "qz_ebook.convert.soup"} & set(loaded) == set()


def test_the_command_line_starts_without_the_build_machinery() -> None:
    """`qz-ebook --help`, init and the rest do not wait for Markdown, Beautiful Soup, Jinja2 or the writers."""
    probe = "import sys, qz_ebook.cli; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    )
    heavy = {
        "qz_ebook.build",
        "qz_ebook.writers.registry",
        "qz_ebook.preview",
        "markdown",
        "bs4",
        "jinja2",
        "weasyprint",
    }
    assert heavy & loaded == set()
