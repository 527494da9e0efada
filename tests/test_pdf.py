"""The tagged PDF (PDF/UA-1) made with WeasyPrint: its tags, bookmarks, links, metadata and fonts,
checked with pikepdf against the Matterhorn Protocol's machine-checkable conditions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from conftest import EPOCH, REPO, SAMPLE

from qz_ebook.build import build
from qz_ebook.checks.pdfua import check_pdf
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.edition.navigation import NavNode, toc_tree
from qz_ebook.source.reader import read_manuscript


@pytest.fixture(scope="module", params=["brochure", "sample"])
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the book folder, its PDF)."""
    book = REPO / "book" if request.param == "brochure" else SAMPLE
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        (pdf,) = build(book, tmp_path_factory.mktemp("pdf"), ("pdf",)).outputs
    return book, pdf


def bookmarks(item: pikepdf.Dictionary | None) -> list[tuple[str, list[object]]]:
    found = []
    while item is not None:
        found.append((str(item.Title), bookmarks(item.get("/First"))))
        item = item.get("/Next")
    return found


def outline(nodes: tuple[NavNode, ...]) -> Iterator[list[object]]:
    for node in nodes:
        yield list(outline(node.children))


def test_the_pdf_passes_the_pdf_ua_checks(made: tuple[Path, Path]) -> None:
    _, pdf = made
    result = check_pdf(pdf)
    assert result.error is None
    assert [f"{f.rule}: {f.message} {f.element}" for f in result.findings] == []


def test_bookmarks_nest_as_the_outline_after_the_contents(made: tuple[Path, Path]) -> None:
    book, pdf = made
    toc = toc_tree(read_manuscript(book, Diagnostics()).book)
    with pikepdf.open(pdf) as document:
        found = bookmarks(document.Root.Outlines.First)
    assert found[0] == ("Inhalt", [])

    def shape(tree: list[tuple[str, list[object]]]) -> list[object]:
        return [shape(children) for _, children in tree]  # type: ignore[arg-type]

    assert shape(found[1:]) == list(outline(toc))
    assert "\u00ad" not in repr(found)  # no soft hyphen reaches a bookmark


def test_metadata_dates_language_and_title(made: tuple[Path, Path]) -> None:
    book, pdf = made
    meta = read_manuscript(book, Diagnostics()).book.meta
    with pikepdf.open(pdf) as document:
        info = document.docinfo
        assert (str(info.Title), str(info.CreationDate), str(info.ModDate)) == (
            meta.title,
            "D:20140513165320Z",
            "D:20140513165320Z",
        )
        assert str(document.Root.Lang) == meta.language
        xmp = bytes(document.Root.Metadata.read_bytes()).decode()
        assert 'pdfuaid:part="1"' in xmp and "<xmp:CreateDate>2014-05-13T16:53:20Z</xmp:CreateDate>" in xmp


def test_two_builds_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first, second = (build(SAMPLE, tmp_path / name, ("pdf",)).outputs[0].read_bytes() for name in ("a", "b"))
    assert first == second


def test_the_checks_find_an_untagged_pdf(tmp_path: Path) -> None:
    from weasyprint import HTML

    plain = tmp_path / "schlicht.pdf"
    plain.write_bytes(HTML(string="<p>Ohne Tags.</p>").write_pdf())
    rules = sorted({f.rule for f in check_pdf(plain).findings})
    assert rules == ["01-001", "06-001", "06-003", "07-001", "11-001", "bookmarks"]


def test_a_book_without_a_print_stylesheet_says_what_to_set(sample_book: Path, tmp_path: Path) -> None:
    toml = sample_book / "book.toml"
    toml.write_text(
        "\n".join(line for line in toml.read_text(encoding="utf-8").splitlines() if "print_stylesheet" not in line),
        encoding="utf-8",
    )
    with pytest.raises(BuildFailed) as failed:
        build(sample_book, tmp_path / "out", ("pdf",))
    assert [str(d) for d in failed.value.diagnostics] == [
        f"{tmp_path}/out/beispiel.pdf:1:1: error[QZ602]: the PDF needs a print stylesheet: "
        "set build.print_stylesheet in book.toml"
    ]


def test_check_checks_a_built_pdf_too(sample_book: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qz_ebook.cli import main

    out = tmp_path / "dist"
    runner = CliRunner()
    formats = ["--format", "epub", "--format", "html", "--format", "pdf"]
    assert runner.invoke(main, ["build", *formats, "--book", str(sample_book), "--out", str(out)]).exit_code == 0
    result = runner.invoke(main, ["check", "--book", str(sample_book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[5].startswith("PDF/UA (pikepdf) pikepdf ")
    assert result.stdout.splitlines()[5].endswith(": 0 finding(s) in 1 document(s)")


def test_pages_take_the_size_book_toml_names_and_tables_keep_their_header_cells(made: tuple[Path, Path]) -> None:
    book, pdf = made
    size = read_manuscript(book, Diagnostics()).book.settings.page_size
    with pikepdf.open(pdf) as document:
        boxes = {tuple(round(float(x)) for x in page.MediaBox) for page in document.pages}
        assert boxes == {{"A4": (0, 0, 595, 842), "A5": (0, 0, 420, 595)}[size]}
        kinds: set[str] = set()
        stack = [document.Root.StructTreeRoot]
        while stack:
            kids = stack.pop().get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    kinds.add(str(kid.S))
                    stack.append(kid)
    assert {"/Document", "/H1", "/H2", "/P", "/L", "/LI", "/Link", "/Figure"} <= kinds
    if book == SAMPLE:  # its Fachbeitrag has a table
        assert {"/Table", "/TH", "/TD", "/Caption"} <= kinds
