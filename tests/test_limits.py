"""Limits of size and nesting (book.toml ``[limits]``, QZ319–QZ321, QZ211): the worst input of each
limit fails, or builds, within seconds with one located error, never a build without end; book.toml
moves each limit, and a moved limit checks cached conversions again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qz_ebook.build import build
from qz_ebook.cli import main
from qz_ebook.convert.converter import Converter
from qz_ebook.convert.links import LinkResolver
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.model import Contribution, Limits

ARTICLE = "beitraege/fachbeitrag.md"
PAPER = "beitraege/oeffnung.md"
LAST_LINE = "mitten im Absatz."  # the last line of ARTICLE, its 24th: what follows it starts on line 26
SECONDS = 10  # the bound for any one build, however bad its input


def nested_list(levels: int, indent: str = "    ") -> str:
    return "\n".join(indent * i + "- x" for i in range(levels))


def footnotes(count: int) -> str:
    return (
        "Text." + "".join(f"[^n{i}]" for i in range(count)) + "\n\n" + "".join(f"[^n{i}]: A.\n" for i in range(count))
    )


def table(rows: int, columns: int) -> str:
    line = "|" + "|".join("x" for _ in range(columns)) + "|\n"
    return line + "|" + "|".join("-" for _ in range(columns)) + "|\n" + line * rows + "\nTabelle: Groß.\n"


# What is appended to ARTICLE, and the code of the one error it gives (None: it builds).
WORST = {
    "list 3,000 levels deep": (nested_list(3000, "  "), "QZ319"),
    "list 1,000 levels deep by four spaces": (nested_list(1000), "QZ319"),
    "blockquote one level deeper on each of 3,000 lines": ("\n".join(">" * i + " x" for i in range(1, 3001)), "QZ319"),
    "blockquote 5,000 levels deep on one line": (">" * 5000 + " x", "QZ319"),
    "50,000 nested raw divs": ("<div>\n" * 50_000 + "x\n" + "</div>\n" * 50_000, "QZ319"),
    "20,000 nested spans with text between": ("Text\n" + "<span>a\n" * 20_000, "QZ319"),
    "emphasis inside emphasis 5,000 deep": ("*" * 5000 + "x" + "*" * 5000, "QZ319"),
    "Markdown inside 5,000 nested raw divs": ('<div markdown="1">\n' * 5000 + "x\n" + "</div>\n" * 5000, "QZ319"),
    "one line of 9 MB": ("Wort " * 1_800_000, "QZ321"),
    "5,000 footnotes": (footnotes(5000), "QZ320"),
    "table of 100,000 rows": (table(100_000, 2), "QZ320"),
    "table of 1,000 columns": (table(2, 1000), "QZ320"),
    "list 20 levels deep": (nested_list(20), None),
    "blockquote 20 levels deep": (">" * 20 + " x", None),
    "20 nested raw divs": ("<div>" * 20 + "x" + "</div>" * 20, None),
    "line of 100,000 characters": ("Wort " * 20_000, None),
    "500 footnotes": (footnotes(499), None),  # and the one ARTICLE has
    "table of 500 rows and 30 columns": (table(500, 30), None),
    "a paragraph of 1,000 links": ("\n".join(f"[Verweis [{i}]](https://example.org/{i})" for i in range(1000)), None),
}


def append(book: Path, relative: str, text: str) -> None:
    path = book / relative
    source = path.read_text(encoding="utf-8")
    assert LAST_LINE in source
    path.write_text(source.replace(LAST_LINE, f"{LAST_LINE}\n\n{text}"), encoding="utf-8")


def cli_build(book: Path, out: Path) -> tuple[int, list[str], float]:
    """Exit code, message lines and seconds of a ``qz-ebook build``."""
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", "--book", str(book), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit)  # never a traceback
    return result.exit_code, result.stderr.splitlines(), time.monotonic() - started


@pytest.mark.parametrize("name", WORST)
def test_the_worst_case_of_each_limit_fails_or_builds_within_seconds(
    name: str, sample_book: Path, tmp_path: Path
) -> None:
    text, code = WORST[name]
    append(sample_book, ARTICLE, text)
    exit_code, lines, seconds = cli_build(sample_book, tmp_path / "dist")
    assert seconds < SECONDS, f"{name}: {seconds:.1f} s"
    errors = [line for line in lines if "error[" in line]
    if code is None:
        assert (exit_code, errors) == (0, [])
    else:
        assert exit_code == 1
        assert len(errors) == 1 and f"/{ARTICLE}:" in errors[0] and f"error[{code}]" in errors[0], lines


def test_a_file_beyond_the_size_limit_fails_at_once(sample_book: Path, tmp_path: Path) -> None:
    append(sample_book, ARTICLE, "Wort\n" * 2_400_000)  # 12 MB
    exit_code, lines, seconds = cli_build(sample_book, tmp_path / "dist")
    assert seconds < SECONDS
    assert (exit_code, lines) == (1, [
        f"{sample_book}/{ARTICLE}:1:1: error[QZ211]: file is 12.0 MB; a contribution may have at most 10 MB "
        "(book.toml [limits] file_mb); split it",
        "build failed: 1 error(s); nothing was written",
    ])  # fmt: skip


def set_limits(book: Path, *lines: str) -> int:
    """Add a ``[limits]`` table with ``lines`` to book.toml; the line number of its first key."""
    toml = book / "book.toml"
    text = toml.read_text(encoding="utf-8").rstrip("\n") + "\n\n[limits]\n"
    toml.write_text(text + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return text.count("\n") + 1


def test_a_lower_limit_in_book_toml_rejects_what_the_default_accepts(sample_book: Path, tmp_path: Path) -> None:
    set_limits(sample_book, "depth = 3")
    append(sample_book, ARTICLE, nested_list(4))
    assert cli_build(sample_book, tmp_path / "dist")[:2] == (1, [
        f"{sample_book}/{ARTICLE}:29:13: error[QZ319]: list nested 4 levels deep; at most 3 (book.toml [limits] depth)",
        "build failed: 1 error(s); nothing was written",
    ])  # fmt: skip


def test_a_higher_limit_in_book_toml_accepts_what_the_default_rejects(sample_book: Path, tmp_path: Path) -> None:
    append(sample_book, ARTICLE, footnotes(600))
    assert cli_build(sample_book, tmp_path / "one")[0] == 1
    set_limits(sample_book, "footnotes = 1000")
    assert cli_build(sample_book, tmp_path / "two")[:2] == (0, [])


def test_a_smaller_file_limit_in_book_toml(sample_book: Path, tmp_path: Path) -> None:
    set_limits(sample_book, "file_mb = 1")
    append(sample_book, ARTICLE, "Wort\n" * 300_000)  # 1.5 MB
    assert cli_build(sample_book, tmp_path / "dist")[:2] == (1, [
        f"{sample_book}/{ARTICLE}:1:1: error[QZ211]: file is 1.5 MB; a contribution may have at most 1 MB "
        "(book.toml [limits] file_mb); split it",
        "build failed: 1 error(s); nothing was written",
    ])  # fmt: skip


def test_unknown_and_mistyped_limits_are_qz003_and_qz004(sample_book: Path, tmp_path: Path) -> None:
    line = set_limits(sample_book, "deph = 30", "depth = 100", "footnotes = 0", 'line_length = "lang"')
    toml = f"{sample_book}/book.toml"
    assert cli_build(sample_book, tmp_path / "dist")[:2] == (1, [
        f"{toml}:{line}:1: error[QZ003]: unknown key 'limits.deph' in book.toml; did you mean 'depth'?",
        f"{toml}:{line + 1}:1: error[QZ004]: 'limits.depth' must be a whole number from 1 to 40",
        f"{toml}:{line + 2}:1: error[QZ004]: 'limits.footnotes' must be a whole number of at least 1",
        f"{toml}:{line + 3}:1: error[QZ004]: 'limits.line_length' must be a whole number of at least 1",
        "build failed: 4 error(s); nothing was written",
    ])  # fmt: skip


def test_a_changed_limit_checks_cached_conversions_again(sample_book: Path, tmp_path: Path) -> None:
    append(sample_book, ARTICLE, nested_list(4))
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "one", cache_dir=store)
    set_limits(sample_book, "depth = 3")
    with pytest.raises(BuildFailed) as failed:
        build(sample_book, tmp_path / "two", cache_dir=store)
    assert [d.code for d in failed.value.diagnostics] == ["QZ319"]


def test_links_into_a_page_beyond_the_limits_wait_for_its_conversion(sample_book: Path, tmp_path: Path) -> None:
    # ARTICLE links to PAPER#interkulturelle-oeffnung: PAPER, not converted, has no ids to check it against.
    path = sample_book / PAPER
    path.write_text(path.read_text(encoding="utf-8") + "\n" + nested_list(30), encoding="utf-8")
    exit_code, lines, _ = cli_build(sample_book, tmp_path / "dist")
    assert exit_code == 1
    assert [line.split(": ")[1] for line in lines[:-1]] == ["error[QZ319]"]


def converted(body: str, limits: Limits | None = None) -> list[str]:
    page = Contribution(slug="b", source=Path("/book/b.md"), label="B", title="B", kind="article", status="final",
                        lang="de", body=body, body_line=1)  # fmt: skip
    diagnostics = Diagnostics()
    Converter(LinkResolver([page]), (Path("/book"),), diagnostics, limits=limits).convert(page)
    return [str(d) for d in diagnostics.items]


@pytest.mark.parametrize(
    "body",
    [
        "* " * 30 + "*\n",  # a horizontal rule, not 31 lists
        "- - - - - - - - - - - - - - - - - - - - - - - -\n",
        "Text\n\n" + "|" * 60 + "\n\nText\n",  # pipes, but no table
        "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3 + "\n" + "Zeile\n" * 2000,  # many lines after a small table
        "<table><tr><td>" * 20 + "x" + "</td></tr></table>" * 20 + "\n",  # rows and cells are no levels of their own
        "> " * 19 + "- x\n",
        "Text " + "<b><i>" * 10 + "x" + "</i></b>" * 10 + "\n",  # 20 phrasing elements
    ],
)
def test_what_stays_within_the_limits_gives_no_error(body: str) -> None:
    assert [message for message in converted(body) if "error" in message] == []


def test_lists_inside_blockquotes_count_both() -> None:
    assert converted("> " * 3 + "- x\n", Limits(depth=3)) == [
        "/book/b.md:1:7: error[QZ319]: list nested 4 levels deep; at most 3 (book.toml [limits] depth)"
    ]


def test_tables_nested_beyond_what_the_pdf_renders_are_rejected_whatever_the_depth() -> None:
    body = "<table><tbody><tr><td>" * 30 + "x" + "</td></tr></tbody></table>" * 30 + "\n"
    assert converted(body, Limits(depth=40)) == [
        "/book/b.md:1:551: error[QZ319]: <table> nested 101 elements deep; at most 100, which the PDF can render"
    ]
