"""The HTML edition: index, one page per contribution, shared stylesheet, navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Built, build_into
from lxml import etree
from markupsafe import Markup

from qz_ebook.convert.links import Linker
from qz_ebook.edition.navigation import NavNode
from qz_ebook.writers import sidebar as sidebars
from qz_ebook.writers.tocmarkup import toc_list, with_current

NS = {"h": "http://www.w3.org/1999/xhtml"}


def page(built: Built, name: str) -> etree._Element:
    return etree.parse(str(built.html / name)).getroot()


def texts(root: etree._Element, xpath: str) -> list[str]:
    """The text of each element as read: soft hyphens (tests/test_hyphenation.py) show only at a line's end."""
    return [" ".join("".join(e.itertext()).replace("\u00ad", "").split()) for e in root.xpath(xpath, namespaces=NS)]


def test_edition_has_index_pages_stylesheet_and_images(sample_built: Built) -> None:
    files = sorted(str(p.relative_to(sample_built.html)) for p in sample_built.html.rglob("*") if p.is_file())
    bundle = [name for name in files if name.startswith("pagefind/1/")]  # the search index (tests/test_search.py)
    assert [name for name in files if name not in bundle] == [
        "1-einbuergerung.html", "css/book.css", "fachbeitrag.html", "gesamt.html", "grusswort.html", "images/cover.png",
        "images/diagramm.png", "index.html", "js/book.js", "js/search.js", "musterstadt.html", "oeffnung.html",
        "perspektive-ausblicke.html", "perspektive-rueckblicke.html", "suche.html", "teil-grussworte.html",
        "teil-handreichungen.html", "teil-weitere-themen.html",
    ]  # fmt: skip
    assert "pagefind/1/pagefind.js" in bundle


def test_index_shows_cover_title_and_table_of_contents(sample_built: Built) -> None:
    index = page(sample_built, "index.html")
    assert [(i.get("src"), i.get("alt")) for i in index.xpath("//h:main//h:img", namespaces=NS)] == [
        ("images/cover.png", "Umschlag des Beispielbuchs")
    ]
    assert texts(index, "//h:h1") == ["Beispielbuch"]
    assert texts(index, "//h:nav[@aria-labelledby='qz_inhalt_titel']//h:a") == [
        "Grußworte", "Erika Beispiel, Bürgermeisterin", "Handreichungen", "I. Interkulturelle Öffnung",
        "Musterstadt: Ein Beispiel", "Weitere Themen", "1. Einbürgerung", "Dr. Max Muster: Ein Fachbeitrag",
    ]  # fmt: skip
    assert texts(index, "//h:nav[@class='pager']//h:a") == ["Weiter: Grußworte"]


def all_pages(built: Built) -> list[Path]:
    return sorted(built.html.glob("*.html"))


@pytest.mark.parametrize("which", ["brochure", "sample_built"])
def test_every_page_is_well_formed_xml_with_one_h1_and_the_stylesheet(
    which: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(which)
    for path in all_pages(built):
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
        assert root.get("lang") == "de", path
        assert len(root.xpath("//h:h1", namespaces=NS)) == 1, path
        assert root.xpath("//h:link[@rel='stylesheet']/@href", namespaces=NS) == ["css/book.css"], path
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), path


def test_every_book_page_has_book_nav_start_link_and_current_marker(brochure: Built) -> None:
    for path in all_pages(brochure):
        if path.name in ("index.html", "gesamt.html", "suche.html") or path.name.startswith("perspektive-"):
            continue
        root = etree.parse(str(path)).getroot()
        current = root.xpath("//h:details[@class='book-nav']/h:nav//h:a[@aria-current='page']/@href", namespaces=NS)
        assert current == [path.name], path
        footer = root.xpath("//h:footer[@class='site-footer']//h:a/@href", namespaces=NS)
        assert "index.html" in footer, path


def sidebar(built: Built, name: str) -> list[tuple[int, str, str | None]]:
    """The sidebar's links: (nesting depth, text, aria-current)."""
    links = page(built, name).xpath("//h:details[@class='book-nav']/h:nav//h:a", namespaces=NS)
    return [(len(a.xpath("ancestor::h:ol", namespaces=NS)), a.text, a.get("aria-current")) for a in links]


def test_sidebar_opens_only_the_path_to_the_current_page(sample_built: Built) -> None:
    # Every page carries the parts and its own neighbourhood, not the whole book.
    assert sidebar(sample_built, "musterstadt.html") == [
        (1, "Grußworte", None), (1, "Handreichungen", None), (2, "I. Interkulturelle Öffnung", None),
        (3, "Musterstadt: Ein Beispiel", "page"), (1, "Weitere Themen", None),
    ]  # fmt: skip
    assert sidebar(sample_built, "teil-weitere-themen.html") == [
        (1, "Grußworte", None), (1, "Handreichungen", None), (1, "Weitere Themen", "page"),
        (2, "1. Einbürgerung", None),
    ]  # fmt: skip
    parts_only = [(1, "Grußworte", None), (1, "Handreichungen", None), (1, "Weitere Themen", None)]
    assert sidebar(sample_built, "gesamt.html") == sidebar(sample_built, "suche.html") == parts_only
    assert sidebar(sample_built, "perspektive-ausblicke.html") == parts_only


def test_each_sidebar_is_rendered_once_a_build_and_joined_into_every_page_but_the_index(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[list[str]] = []  # each tree rendered: the slugs shown with what they hold
    original = sidebars.toc_list

    def recording(nodes: tuple[NavNode, ...], href: Linker) -> Markup:
        def walk(nodes: tuple[NavNode, ...]) -> list[str]:
            return [slug for n in nodes for slug in ([n.slug] if n.children else []) + walk(n.children)]

        opened.append(walk(nodes))
        return original(nodes, href)

    monkeypatch.setattr(sidebars, "toc_list", recording)
    built = build_into(sample_book, tmp_path / "out")
    # The pages of a part share its tree, and so do a page and what it holds; the single page links within itself.
    assert opened == [
        ["teil-grussworte"], ["teil-handreichungen"], ["teil-handreichungen", "oeffnung"], ["teil-weitere-themen"],
        ["teil-weitere-themen", "1-einbuergerung"], [], [],
    ]  # fmt: skip
    joined = [p.name for p in all_pages(built) if b'<details class="book-nav"' in p.read_bytes()]
    assert joined == [p.name for p in all_pages(built) if p.name != "index.html"]


def test_the_current_page_is_marked_by_its_whole_href() -> None:
    nodes = (NavNode("A", "a"), NavNode("Ba", "ba", (NavNode("A.1", "a-1"),)))
    markup = str(toc_list(nodes, Linker("html"))).encode()
    assert with_current(markup, "a.html").decode() == (
        '<ol class="toc">\n<li><a href="a.html" aria-current="page">A</a></li>\n'
        '<li><a href="ba.html">Ba</a><ol class="toc">\n<li><a href="a-1.html">A.1</a></li>\n</ol></li>\n</ol>'
    )
    assert with_current(markup, "gesamt.html") == markup  # a page the outline does not name


def test_previous_and_next_follow_the_reading_order(sample_built: Built) -> None:
    order = ["index.html", "teil-grussworte.html", "grusswort.html", "teil-handreichungen.html", "oeffnung.html",
             "musterstadt.html", "teil-weitere-themen.html", "1-einbuergerung.html", "fachbeitrag.html"]  # fmt: skip
    for before, name, after in zip([None, *order[:-1]], order, [*order[1:], None], strict=True):
        root = page(sample_built, name)
        previous = root.xpath("//h:a[@rel='prev']/@href", namespaces=NS)
        following = root.xpath("//h:a[@rel='next']/@href", namespaces=NS)
        assert previous == ([before] if before and before != "index.html" else []), name
        assert following == ([after] if after else []), name


def test_skip_link_comes_first_and_targets_main(sample_built: Built) -> None:
    root = page(sample_built, "oeffnung.html")
    first_link = root.xpath("(//h:a)[1]", namespaces=NS)[0]
    assert (first_link.get("href"), first_link.text) == ("#qz_inhalt", "Zum Inhalt springen")
    assert root.xpath("//h:main/@id", namespaces=NS) == ["qz_inhalt"]


def test_group_page_lists_what_it_holds(sample_built: Built) -> None:
    root = page(sample_built, "1-einbuergerung.html")
    assert texts(root, "//h:main//h:h1") == ["1. Einbürgerung"]
    assert root.xpath("//h:main/h:section//h:a/@href", namespaces=NS) == ["fachbeitrag.html"]


def test_contribution_page_shows_persons_facts_and_draft_note(sample_built: Built) -> None:
    root = page(sample_built, "grusswort.html")
    assert texts(root, "//h:p[@class='authors']") == ["Erika Beispiel, Bürgermeisterin der Musterstadt"]
    assert texts(root, "//h:p[@class='facts']") == ["Musterstadt"]
    assert root.xpath("//h:p[@class='draft-note']", namespaces=NS) == []  # status: final
    draft = page(sample_built, "musterstadt.html")
    assert texts(draft, "//h:p[@class='draft-note']") == ["Entwurf der Redaktion."]


def test_single_page_edition_holds_every_page_with_unique_ids_and_working_anchors(brochure: Built) -> None:
    root = page(brochure, "gesamt.html")
    sections = root.xpath("//h:main/h:section/@id", namespaces=NS)
    book_pages = [p.stem for p in brochure.html.glob("*.html") if p.stem not in ("index", "gesamt", "suche")]
    assert sorted(sections) == sorted(p for p in book_pages if not p.startswith("perspektive-"))
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    hrefs = [h for h in root.xpath("//h:main//@href", namespaces=NS) if h != "index.html"]  # breadcrumb, pager
    assert hrefs and all(h.startswith("#") and h[1:] in ids for h in hrefs), [h for h in hrefs if h[1:] not in ids]


def test_single_page_headings_never_skip_a_level(brochure: Built) -> None:
    root = page(brochure, "gesamt.html")
    headings = root.xpath(
        "//h:main//*[self::h:h1 or self::h:h2 or self::h:h3 or self::h:h4 or self::h:h5]", namespaces=NS
    )
    levels = [int(h.tag[-1]) for h in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
