"""Cross-links: generated relations, authors' links, link integrity, perspectives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, Built, build_into
from lxml import etree

from qz_ebook.build import read_book
from qz_ebook.cli import main
from qz_ebook.convert.links import LinkedFiles, LinkResolver, linked_file
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.model import Contribution, Section

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
FORMATS = [("EPUB", "xhtml"), ("html", "html")]


def brochure_book():  # type: ignore[no-untyped-def]
    return read_book(REPO / "book", Diagnostics())


def page(built: Built, folder: str, extension: str, slug: str) -> etree._Element:
    base = built.unpacked / "EPUB" if folder == "EPUB" else built.html
    return etree.parse(str(base / f"{slug}.{extension}")).getroot()


def links(root: etree._Element, nav_class: str) -> list[tuple[str, str]]:
    anchors = root.xpath(f"//x:nav[@class='{nav_class}']//x:a", namespaces=NS)
    return [(a.get("href"), a.text) for a in anchors]


@pytest.mark.parametrize(("folder", "extension"), FORMATS)
def test_each_practice_example_links_to_its_paper_and_back(brochure: Built, folder: str, extension: str) -> None:
    examples = [c for c in brochure_book().contributions() if c.paper]
    assert len(examples) == 11
    papers = {c.slug: c for c in brochure_book().contributions() if c.kind == "position-paper"}
    for example in examples:
        paper = papers[example.paper]
        up = links(page(brochure, folder, extension, example.slug), "relation-up")
        assert up == [(f"{paper.slug}.{extension}", f"Zum Positionspapier: {paper.title}")]
        back = links(page(brochure, folder, extension, paper.slug), "relation-examples")
        assert (f"{example.slug}.{extension}", example.title) in back
    assert links(page(brochure, folder, extension, "integrationsmonitoring"), "relation-examples") == [
        (
            f"wiesbaden.{extension}",
            "Rahmenbedingungen bei der Einführung und Ziele des Integrationsmonitoring in der Landeshauptstadt Wiesbaden",
        ),
        (f"muenster.{extension}", "Integrierte kommunale Migrationsstrategie in der Stadt Münster"),
        (f"leipzig.{extension}", "Gesamtkonzept zur Integration der Migrantinnen und Migranten in Leipzig"),
        (f"landkreis-osnabrueck.{extension}", "\u201eZuwanderung gestalten im ländlichen Raum\u201c"),
    ]


@pytest.mark.parametrize(("folder", "extension"), FORMATS)
def test_examples_of_one_paper_link_each_other(brochure: Built, folder: str, extension: str) -> None:
    siblings = links(page(brochure, folder, extension, "hamm"), "relation-siblings")
    assert siblings == [
        (
            f"essen.{extension}",
            "Resonanz auf die Empfehlungen \u201eUmgang mit religiöser Vielfalt – Handreichung für die kommunale Praxis\u201c in den Städten",
        )
    ]
    assert links(page(brochure, folder, extension, "dueren"), "relation-siblings") == []  # the only example of I


@pytest.mark.parametrize(("folder", "extension"), FORMATS)
def test_vi_contributions_link_within_their_topic(brochure: Built, folder: str, extension: str) -> None:
    vi = brochure_book().parts[3]
    topics = [t for t in vi.children if isinstance(t, Section)]
    for topic in topics:
        members = [c for c in topic.children if isinstance(c, Contribution)]
        listed = page(brochure, folder, extension, topic.slug).xpath("//x:section//x:ol//x:a/@href", namespaces=NS)
        assert listed == [f"{c.slug}.{extension}" for c in members]
        for member in members:
            root = page(brochure, folder, extension, member.slug)
            assert links(root, "relation-up") == [(f"{topic.slug}.{extension}", f"Zum Thema: {topic.title}")]
            others = [(f"{c.slug}.{extension}", c.title) for c in members if c is not member]
            assert links(root, "relation-siblings") == others


def test_relation_blocks_are_labelled_navigation(brochure: Built) -> None:
    root = page(brochure, "html", "html", "integrationsmonitoring")
    nav = root.xpath("//x:nav[@class='relation-examples']", namespaces=NS)[0]
    assert nav.get("aria-labelledby") == "qz_beispiele qz_titel"  # unique even when pages are merged
    assert root.xpath("//x:h2[@id='qz_beispiele']/text()", namespaces=NS) == ["Gute Beispiele aus der Praxis"]
    example = page(brochure, "html", "html", "wiesbaden")
    assert example.xpath("//x:nav[@class='relation-up']/@aria-label", namespaces=NS) == [
        "Positionspapier zu: Rahmenbedingungen bei der Einführung und Ziele des Integrationsmonitoring in der Landeshauptstadt Wiesbaden"
    ]


@pytest.mark.parametrize(("folder", "extension"), FORMATS)
def test_authors_links_resolve_per_format(sample_built: Built, folder: str, extension: str) -> None:
    paper = page(sample_built, folder, extension, "oeffnung")
    assert [(a.get("href"), a.text) for a in paper.xpath("//x:p[contains(., 'Siehe')]/x:a", namespaces=NS)] == [
        ("#fn-kgst", "1"),
        (f"musterstadt.{extension}", "das Beispiel aus Musterstadt"),
        ("#interkulturelle-oeffnung", "den Abschnitt zur Öffnung"),
    ]
    article = page(sample_built, folder, extension, "fachbeitrag")
    hrefs = article.xpath("//x:p/x:a/@href", namespaces=NS)
    assert f"oeffnung.{extension}#interkulturelle-oeffnung" in hrefs
    assert "https://www.example.org/a?b=1&c=2" in hrefs  # external links stay as written


def break_link(book: Path, old: str, new: str) -> Path:
    path = book / "beitraege" / "fachbeitrag.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "(oeffnung.md#interkulturelle-oeffnung)",
            "(oefnung.md)",
            "{path}:11:68: error[QZ401]: link 'oefnung.md' has no target: no such file; did you mean 'oeffnung.md'?",
        ),
        (
            "(oeffnung.md#interkulturelle-oeffnung)",
            "(oeffnung.md#interkulturelle-oefnung)",
            "{path}:11:68: error[QZ402]: link 'oeffnung.md#interkulturelle-oefnung' has no target: "
            "no id 'interkulturelle-oefnung' on that page; did you mean 'interkulturelle-oeffnung'?",
        ),
        (
            "(oeffnung.md#interkulturelle-oeffnung)",
            "(../bilder/diagramm.png)",
            "{path}:11:68: error[QZ401]: link '../bilder/diagramm.png' has no target: "
            "the file is not a contribution in the outline",
        ),
        (
            "(https://www.example.org/a?b=1&c=2)",
            "(ftp://example.org/datei)",
            "{path}:11:132: error[QZ403]: link 'ftp://example.org/datei' uses a scheme other than http, https, mailto, tel",
        ),
    ],
)
def test_broken_links_fail_the_build_with_a_located_message(
    sample_book: Path, tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = break_link(sample_book, old, new)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == message.format(path=path) + "\nbuild failed: 1 error(s); nothing was written\n"
    assert not out.exists()


def test_unknown_paper_fails_the_build_and_writes_nothing(sample_book: Path, tmp_path: Path) -> None:
    path = sample_book / "beitraege" / "musterstadt.md"
    path.write_text(path.read_text(encoding="utf-8").replace("paper: oeffnung", "paper: oefnung"), encoding="utf-8")
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:7:1: error[QZ205]: 'paper: oefnung' names no contribution; did you mean 'oeffnung'?\n"
        "build failed: 1 error(s); nothing was written\n"
    )
    assert not out.exists()


def perspective_links(root: etree._Element) -> list[tuple[str, str, str | None]]:
    anchors = root.xpath("//x:nav[@class='perspectives']//x:a", namespaces=NS)
    return [(a.get("href"), a.text, a.get("aria-current")) for a in anchors]


def test_every_html_page_carries_the_perspectives_with_the_current_one_marked(brochure: Built) -> None:
    expected = {"einblicke": "Einblicke", "rueckblicke": "Rückblicke", "ausblicke": "Ausblicke"}
    for path in sorted(brochure.html.glob("*.html")):
        found = perspective_links(etree.parse(str(path)).getroot())
        assert [(h, t) for h, t, _ in found] == [(f"perspektive-{k}.html", v) for k, v in expected.items()], path
    current = {"bildungsmanagement": "rueckblicke", "leicht": "ausblicke", "schlusswort": "ausblicke",
               "einblicke": "einblicke", "kuhn": None, "kontaktadressen": None}  # fmt: skip
    for slug, key in current.items():
        found = perspective_links(page(brochure, "html", "html", slug))
        assert [h for h, _, c in found if c] == ([f"perspektive-{key}.html"] if key else []), slug
    perspective = perspective_links(page(brochure, "html", "html", "perspektive-ausblicke"))
    assert [c for _, _, c in perspective] == [None, None, "page"]


def test_breadcrumb_runs_from_perspective_over_part_to_the_page(brochure: Built) -> None:
    root = page(brochure, "html", "html", "dueren")
    crumbs = root.xpath("//x:nav[@class='breadcrumb']//x:li", namespaces=NS)
    assert [" ".join(li.itertext()) for li in crumbs] == [
        "Start", "Rückblicke", "Handreichungen, Positionspapiere und gute Beispiele aus der Praxis",
        "Kommunales Bildungsmanagement", "Was hat die Kommune mit Schulentwicklung zu tun?",
    ]  # fmt: skip
    assert root.xpath("//x:nav[@class='breadcrumb']//*[@aria-current='page']/text()", namespaces=NS) == [
        "Was hat die Kommune mit Schulentwicklung zu tun?"
    ]


def test_epub_wegweiser_follows_the_title_page_and_is_in_the_toc(brochure: Built) -> None:
    nav = etree.parse(str(brochure.unpacked / "EPUB" / "nav.xhtml")).getroot()
    first = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li[1]/x:a", namespaces=NS)[0]
    assert (first.get("href"), first.text) == ("wegweiser.xhtml", "Wegweiser")
    opf = etree.parse(str(brochure.unpacked / "EPUB" / "content.opf")).getroot()
    spine = opf.xpath("//o:spine/o:itemref/@idref", namespaces={"o": "http://www.idpf.org/2007/opf"})
    assert spine[:4] == ["x-cover", "x-titelei", "x-wegweiser", "x-nav"]
    guide = page(brochure, "EPUB", "xhtml", "wegweiser")
    headings = [text.replace("\u00ad", "") for text in guide.xpath("//x:h2/text()", namespaces=NS)]
    assert headings == ["Einblicke", "Rückblicke", "Ausblicke"]  # with soft hyphens where they are long
    assert "leicht.xhtml" in guide.xpath(
        "//x:section[@aria-labelledby='perspektive-ausblicke']//x:a/@href", namespaces=NS
    )


def test_epub_contribution_header_names_perspective_and_part(brochure: Built) -> None:
    root = page(brochure, "EPUB", "xhtml", "dueren")
    assert root.xpath("//x:header/x:p[@class='context']/text()", namespaces=NS) == [
        "Perspektive Rückblicke · Teil Handreichungen, Positionspapiere und gute Beispiele aus der Praxis"
    ]


def test_changing_the_mapping_in_book_toml_changes_both_outputs(sample_book: Path, tmp_path: Path) -> None:
    before = build_into(sample_book, tmp_path / "before")
    toml = sample_book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('contributions = ["grusswort"]', "contributions = []"),
                    encoding="utf-8")  # fmt: skip
    after = build_into(sample_book, tmp_path / "after")
    assert [c for _, _, c in perspective_links(page(before, "html", "html", "grusswort"))] == [None, "true"]
    assert [c for _, _, c in perspective_links(page(after, "html", "html", "grusswort"))] == [None, None]
    context = "//x:header/x:p[@class='context']/text()"
    assert page(before, "EPUB", "xhtml", "grusswort").xpath(context, namespaces=NS) == [
        "Perspektive Ausblicke · Teil Grußworte"
    ]
    assert page(after, "EPUB", "xhtml", "grusswort").xpath(context, namespaces=NS) == ["Teil Grußworte"]


def test_a_perspective_naming_an_unknown_part_is_an_error(sample_book: Path, tmp_path: Path) -> None:
    toml = sample_book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('parts = ["Weitere Themen"]', 'parts = ["Weiter Themen"]'),
                    encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{toml}:42:1: error[QZ210]: perspective 'ausblicke' names part 'Weiter Themen', which the outline lacks; "
        "did you mean 'Weitere Themen'?"
    )


def test_vague_link_text_is_a_warning_and_fails_under_strict(sample_book: Path, tmp_path: Path) -> None:
    path = break_link(sample_book, "[die Interkulturelle Öffnung]", "[hier]")
    warning = f"{path}:11:45: warning[QZ404]: link text 'hier' does not say where the link goes; name its target\n"
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(tmp_path / "a")])
    assert (result.exit_code, result.stderr) == (0, warning)
    strict = CliRunner().invoke(main, ["build", "--strict", "--book", str(sample_book), "--out", str(tmp_path / "b")])
    assert (strict.exit_code, strict.stderr) == (1, warning + "build failed: 1 error(s); nothing was written\n")


def test_the_resolver_finds_the_file_a_link_names_as_path_resolve_does(tmp_path: Path) -> None:
    """Folders are resolved once and files only when they are links: where either is a symbolic link too."""
    book = tmp_path / "book"
    (book / "teil").mkdir(parents=True)
    (tmp_path / "anderswo").mkdir()
    (book / "verweis").symlink_to(tmp_path / "anderswo", target_is_directory=True)
    for name in ("a.md", "b.md"):
        (book / "teil" / name).write_text("# x\n", encoding="utf-8")
    (tmp_path / "anderswo" / "c.md").write_text("# c\n", encoding="utf-8")
    (book / "teil" / "kurz.md").symlink_to(book / "teil" / "b.md")
    pages = [Contribution(slug=s, source=book / "teil" / f"{s}.md", label=s, title=s, kind="article",
                          status="final", lang="de", body="", body_line=1) for s in ("a", "b")]  # fmt: skip
    pages.append(Contribution(**{**pages[0].__dict__, "slug": "c", "source": book / "verweis" / "c.md"}))
    resolver = LinkResolver(pages)
    paths = ["b.md", "./b.md", "kurz.md", "../teil/b.md", "../verweis/c.md", "../verweis/../teil/b.md",
             "../verweis/fehlt.md", "b%2Emd", "../teil//a.md", "..", "../teil/", "b.md/.", str(book / "teil" / "b.md")]  # fmt: skip
    for path in paths:
        for page in pages:
            diagnostics = Diagnostics()
            target = resolver.resolve(page, path, Location(page.source, 1, 1), diagnostics)
            expected = LinkResolver(pages).by_file.get(str(linked_file(page, path)))
            assert (target.slug if target else None) == expected, (page.slug, path)
            assert bool(diagnostics.items) == (expected is None), (page.slug, path)


def test_the_files_links_name_are_resolved_as_linked_file_resolves_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a/a.md", "a/b.md", "a/ü.md", "x/c.md"):
        (tmp_path / "book" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "book" / name).write_text("Text", encoding="utf-8")
    (tmp_path / "book" / "a" / "linked.md").symlink_to("../x/c.md")
    (tmp_path / "book" / "a" / "via").symlink_to("../x")
    monkeypatch.chdir(tmp_path)  # sources relative to the folder the build runs in, as the command line's
    contribution = Contribution(slug="a", source=Path("book/a/a.md"), label="A", title="A", kind="article",
                                status="draft", lang="de", body="Text", body_line=1)  # fmt: skip
    paths = ["b.md", "../x/c.md", "via/../b.md", "%C3%BC.md", "linked.md", "via/c.md", "fehlt/d.md", "../x/", ".."]
    linked = LinkedFiles()  # one for all: the second time a folder is met, it is known
    assert [linked(contribution, path) for path in paths] == [str(linked_file(contribution, p)) for p in paths]
