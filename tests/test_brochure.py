"""The brochure manuscript in book/: the printed contents, honestly drafted, built."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import REPO, Built
from lxml import etree
from PIL import Image

from qz_ebook.build import read_book
from qz_ebook.cli import main
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.model import Book, Contribution, Section

XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
PRINT_TOC = yaml.safe_load((Path(__file__).parent / "data" / "print_toc.yaml").read_text(encoding="utf-8"))
SVG = {"s": "http://www.w3.org/2000/svg"}


def book() -> Book:
    return read_book(REPO / "book", Diagnostics(strict=True))


def expected_tree(entries: list[dict]) -> list[tuple[str, list]]:
    return [(e.get("label") or e["section"], expected_tree(e.get("entries", []))) for e in entries]


def nav_tree(ol: etree._Element) -> list[tuple[str, list]]:
    tree = []
    for li in ol.xpath("x:li", namespaces=XHTML):
        label = li.xpath("x:a", namespaces=XHTML)[0].text
        children = li.xpath("x:ol", namespaces=XHTML)
        tree.append((label, nav_tree(children[0]) if children else []))
    return tree


def expected_contributions(entries: list[dict]) -> list[dict]:
    found = []
    for entry in entries:
        if "label" in entry:
            found.append(entry)
        found += expected_contributions(entry.get("entries", []))
    return found


def test_epub_toc_lists_the_printed_contents_in_order_under_their_parts(brochure: Built) -> None:
    nav = etree.parse(str(brochure.unpacked / "EPUB" / "nav.xhtml")).getroot()
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=XHTML)[0]
    expected = [(part["part"], expected_tree(part["entries"])) for part in PRINT_TOC["parts"]]
    assert nav_tree(toc) == [("Wegweiser", []), *expected]


def test_each_of_the_34_contributions_carries_its_title_persons_and_page() -> None:
    expected = [c for part in PRINT_TOC["parts"] for c in expected_contributions(part["entries"])]
    actual = list(book().contributions())
    assert len(actual) == len(expected) == 34
    for contribution, printed in zip(actual, expected, strict=True):
        assert contribution.label == printed["label"]
        assert contribution.title == printed["title"]
        assert [p.name for p in contribution.authors] == printed["persons"]
        assert contribution.page == printed["page"]
        for person in printed["persons"]:
            assert person.split()[-1] in printed["label"]  # the printed line names the person


def test_persons_appear_on_the_contribution_pages(brochure: Built) -> None:
    for contribution in book().contributions():
        page = etree.parse(str(brochure.unpacked / "EPUB" / f"{contribution.slug}.xhtml")).getroot()
        shown = page.xpath("//x:span[@class='person']/text()", namespaces=XHTML)
        assert shown == [p.name for p in contribution.authors], contribution.slug


def test_practice_examples_of_i_to_v_name_their_position_paper() -> None:
    handreichungen = book().parts[2]
    papers = [e for e in handreichungen.children if isinstance(e, Contribution)]
    assert [p.kind for p in papers] == ["position-paper"] * 5
    examples = [(paper.slug, child) for paper in papers for child in paper.children]
    assert len(examples) == 11
    for paper_slug, example in examples:
        assert (example.kind, example.paper) == ("practice-example", paper_slug)


def test_vi_groups_ten_contributions_under_seven_topics() -> None:
    vi = book().parts[3]
    assert vi.title == "VI. Weitere Schwerpunktthemen mit Praxisbeispielen"
    topics = [t for t in vi.children if isinstance(t, Section)]
    assert len(topics) == 7
    contributions = [(t, c) for t in topics for c in t.children]
    assert len(contributions) == 10
    for topic, contribution in contributions:
        assert re.sub(r"^\d+\.\s+", "", topic.title) == contribution.topic


def test_every_contribution_is_a_marked_draft_with_a_visible_note(brochure: Built) -> None:
    contributions = list(book().contributions())
    assert {c.status for c in contributions} == {"draft"}
    note = book().settings.draft_note
    assert note and "Druckausgabe" in note
    for c in contributions:
        html = etree.parse(str(brochure.html / f"{c.slug}.html")).getroot()
        assert html.xpath("//x:p[@class='draft-note']/text()", namespaces=XHTML) == [note], c.slug


def test_series_and_years_come_from_the_printed_contents() -> None:
    papers = {c.slug: (c.year, c.series) for c in book().contributions() if c.kind == "position-paper"}
    assert papers == {
        "bildungsmanagement": (2009, None),
        "politische-partizipation": (2010, None),
        "religioese-vielfalt": (2012, None),
        "integrationsmonitoring": (None, "KGSt-Materialien 2/2006"),
        "interkulturelle-oeffnung": (None, "KGSt-Materialien 5/2008"),
    }


def test_contact_list_holds_persons_and_municipalities_only(brochure: Built) -> None:
    appendix = next(c for c in book().contributions() if c.kind == "appendix")
    assert len(appendix.contacts) == 17
    assert all(c.municipality and not (c.address or c.phone or c.email) for c in appendix.contacts)
    page = etree.parse(str(brochure.html / f"{appendix.slug}.html")).getroot()
    items = page.xpath("//x:ul[@class='contacts']/x:li", namespaces=XHTML)
    first = [" ".join(p.itertext()) for p in items[0].xpath("x:p", namespaces=XHTML)]
    assert (len(items), first) == (17, ["Sybille Haussmann", "Kreis Düren"])


def test_cover_is_drawn_by_its_script_and_large_enough(tmp_path: Path) -> None:
    cover = REPO / "assets" / "cover.png"
    with Image.open(cover) as image:
        assert image.format == "PNG" and image.width >= 1600
    redrawn = tmp_path / "cover.png"
    script = REPO / "assets" / "cover" / "make_cover.py"
    subprocess.run([sys.executable, str(script), str(redrawn)], check=True, capture_output=True)
    assert hashlib.sha256(redrawn.read_bytes()).digest() == hashlib.sha256(cover.read_bytes()).digest()


def test_timeline_figure_has_a_full_text_alternative(brochure: Built) -> None:
    svg = etree.parse(str(REPO / "assets" / "images" / "zeitleiste.svg"), etree.XMLParser(resolve_entities=False))
    root = svg.getroot()
    assert root.get("role") == "img"
    desc = " ".join(root.xpath("s:desc//text()", namespaces=SVG))
    for milestone in ("2/2006", "5/2008", "2009", "2010", "2012", "2014"):
        assert milestone in desc
    page = etree.parse(str(brochure.unpacked / "EPUB" / "rueckblicke.xhtml")).getroot()
    image = page.xpath("//x:img[@src='images/zeitleiste.svg']", namespaces=XHTML)[0]
    assert image.get("alt", "").startswith("Zeitleiste")
    assert "images/zeitleiste.svg" in etree.tostring(
        etree.parse(str(brochure.unpacked / "EPUB" / "content.opf")), encoding="unicode"
    )


def test_status_lists_every_contribution() -> None:
    result = CliRunner().invoke(main, ["status", "--book", str(REPO / "book")], prog_name="qz-ebook")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0] == "status  page  words no-alt  kind             contribution"
    assert len(lines) == 36
    assert re.fullmatch(r"draft      3 +\d+      0  greeting         .*book/grussworte/kuhn\.md", lines[1])
    assert re.fullmatch(r"34 contributions \(34 draft\), \d+ words, 0 images without alt text", lines[-1])
