"""The tagged PDF (PDF/UA-1) made with WeasyPrint: its tags, bookmarks, links, metadata and fonts,
checked with pikepdf against the Matterhorn Protocol's machine-checkable conditions."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from conftest import EPOCH, REPO, SAMPLE, require

from qz_ebook.build import build
from qz_ebook.checks.pdfua import check_pdf
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.edition.navigation import NavNode, toc_tree
from qz_ebook.source.reader import read_manuscript
from qz_ebook.writers.pdf_artifacts import structure_elements


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
    lines = result.stdout.splitlines()
    assert (
        lines[0] == f"skipped the Kobo kepub: {out}/beispiel.kepub.epub does not exist (qz-ebook build --format kepub)"
    )
    assert lines[6].startswith("PDF/UA (pikepdf) pikepdf ")  # after EPUBCheck 5, 4.2.6, Ace, axe-core and vnu
    assert lines[6].endswith(": 0 finding(s) in 1 document(s)")


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


def artifacts(page: pikepdf.Page) -> list[tuple[str, set[str]]]:
    """(artifact type, the painting operators inside) of each artifact sequence on ``page``."""
    found: list[tuple[str, set[str]]] = []
    open_ones: list[tuple[str, set[str]] | None] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            kind = None
            if str(operands[0]) == "/Artifact":
                properties = operands[1] if name == "BDC" else {}
                kind = (str(properties.get("/Type", "")), set())
                found.append(kind)
            open_ones.append(kind)
        elif name == "EMC":
            open_ones.pop()
        elif name in ("Tj", "TJ", "Do"):
            for kind in open_ones:
                if kind is not None:
                    kind[1].add(name)
    return found


def test_running_heads_and_page_numbers_are_pagination_artifacts(made: tuple[Path, Path]) -> None:
    _, pdf = made
    with pikepdf.open(pdf) as document:
        numbered = [
            number for number, page in enumerate(document.pages, start=1) if ("/Pagination", {"TJ"}) in artifacts(page)
        ]
        assert numbered == list(range(3, len(document.pages) + 1))  # not the cover, not the title page


def test_the_checks_find_margin_boxes_outside_the_tree_and_the_writer_mends_them(tmp_path: Path) -> None:
    from weasyprint import HTML

    from qz_ebook.writers.pdf_artifacts import mark_artifacts

    source = (
        '<html lang="de"><head><title>Probe</title><style>@page { @bottom-center { content: counter(page) } }'
        "h1 { bookmark-level: 1 }</style></head><body><h1>Probe</h1><p>Text.</p></body></html>"
    )
    made = HTML(string=source).write_pdf(pdf_variant="pdf/ua-1")
    as_made, mended = tmp_path / "wie-gemacht.pdf", tmp_path / "artefakte.pdf"
    as_made.write_bytes(made)
    mended.write_bytes(mark_artifacts(made))
    assert [(f.rule, f.message, f.element) for f in check_pdf(as_made).findings] == [
        (
            "01-005",
            "Tagged content belongs to no structure element (MCID 2): mark it as an artifact.",
            "page 1",
        )
    ]
    assert check_pdf(mended).findings == ()
    with pikepdf.open(mended) as document:
        assert artifacts(document.pages[0])[-1] == ("/Pagination", {"TJ"})


def test_a_decorative_image_becomes_an_artifact(sample_book: Path, tmp_path: Path) -> None:
    chapter = sample_book / "beitraege" / "oeffnung.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\n![](../bilder/diagramm.png){.decorative}\n", encoding="utf-8")
    (pdf,) = build(sample_book, tmp_path / "out", ("pdf",)).outputs
    assert check_pdf(pdf).findings == ()
    with pikepdf.open(pdf) as document:
        figures = [e for e in structure_elements(document.Root.StructTreeRoot, pikepdf) if e.S == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == [
            read_manuscript(sample_book, Diagnostics()).book.settings.cover_alt,
            "Ein Diagramm",
        ]
        drawn = [kind for page in document.pages for kind in artifacts(page) if "Do" in kind[1]]
        assert drawn == [("/Layout", {"Do"})]


def test_the_check_compares_the_bookmarks_with_the_outline(made: tuple[Path, Path]) -> None:
    book, pdf = made
    toc = toc_tree(read_manuscript(book, Diagnostics()).book)
    assert check_pdf(pdf, toc).findings == ()
    entries = len(list(flat(toc)))
    shorter = check_pdf(pdf, toc[:-1]).findings
    assert [(f.rule, f.message, f.element) for f in shorter] == [
        (
            "bookmarks",
            f"The PDF has {1 + entries} bookmarks; "
            f"the outline asks for {1 + len(list(flat(toc[:-1])))} (contents and entries).",
            "/Outlines",
        )
    ]
    # The first part's entries lifted to its level: the bookmark of its first entry is one level too deep.
    first = next(i for i, node in enumerate(toc) if node.children)
    part = toc[first]
    lifted = (*toc[:first], NavNode(part.label, part.slug), *part.children, *toc[first + 1 :])
    number = 1 + len(list(flat(toc[:first]))) + 2
    with pikepdf.open(pdf) as document:
        title = [t for t, _ in bookmarks(document.Root.Outlines.First)[1 + first][1]][0]
    assert [(f.rule, f.message, f.element) for f in check_pdf(pdf, lifted).findings] == [
        (
            "bookmarks",
            f"Bookmark {number} is at level 2; the outline has '{part.children[0].label}' at level 1 there.",
            title,
        )
    ]


def flat(nodes: tuple[NavNode, ...]) -> Iterator[NavNode]:
    for node in nodes:
        yield node
        yield from flat(node.children)


def page_text(pdf: Path, number: int) -> str:
    return subprocess.run(
        [require("pdftotext"), "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


@pytest.mark.parametrize("made", ["brochure"], indirect=True)
def test_the_brochure_renders_its_cover_contents_and_notes_beside_their_references(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    _, pdf = made
    subprocess.run([require("pdftoppm"), "-r", "20", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    (cover,) = tmp_path.glob("p-*.ppm")
    header, pixels = cover.read_bytes().split(b"\n255\n", 1)
    assert header.split()[0] == b"P6"
    assert len(set(pixels[i : i + 3] for i in range(0, len(pixels), 3))) > 50  # a picture, not an empty page

    contents = page_text(pdf, 3).splitlines()
    assert contents[0] == "Inhalt"
    entries = [re.fullmatch(r"\s*(.+?)\s{2,}(\d+)", line) for line in contents[1:5]]
    assert [m.groups() for m in entries if m] == [
        ("Grußworte", "5"),
        ("Fritz Kuhn, Oberbürgermeister Landeshauptstadt Stuttgart", "5"),
        ("Dr. Manfred Schmidt, Präsident des Bundesamtes für Migration und Flüchtlinge", "5"),
        ("Claudia Walther, Projektmanagerin Bertelsmann Stiftung", "5"),
    ]

    with pikepdf.open(pdf) as document:
        texts = [page_text(pdf, number) for number in range(1, len(document.pages) + 1)]
    (with_reference,) = [text for text in texts if "Materialien der\nKGSt1 verweist" in text]
    assert "\n1 KGSt steht für Kommunale Gemeinschaftsstelle" in with_reference
