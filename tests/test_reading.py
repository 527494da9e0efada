"""The HTML edition as a reader meets it, measured in Debian's Chromium: the layout on a
phone and on a wide screen, visible print pages, raised footnote references, lists
that are not numbered twice, and the theme switch. The EPUB's documents are rendered
too, with their own stylesheet, for what both formats share."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Built
from lxml import etree
from playwright.sync_api import Browser, Page

XHTML = {"h": "http://www.w3.org/1999/xhtml"}
OPS = "{http://www.idpf.org/2007/ops}type"
PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1280, "height": 900}
NUMBERED = re.compile(r"^\s*(?:[0-9]+|[IVXLC]+)\.\s")


@pytest.fixture(params=["brochure", "sample_built"])
def built(request: pytest.FixtureRequest) -> Built:
    found: Built = request.getfixturevalue(request.param)
    return found


def opened(browser: Browser, path: Path, viewport: dict[str, int], scheme: str = "light") -> Page:
    page = browser.new_context(viewport=viewport, color_scheme=scheme).new_page()  # type: ignore[arg-type]
    page.goto(path.as_uri())
    return page


def contribution_pages(built: Built) -> list[Path]:
    return sorted(p for p in built.html.glob("*.html") if b"<article " in p.read_bytes())


def test_the_start_page_uses_the_width_of_a_wide_screen(browser: Browser, built: Built) -> None:
    page = opened(browser, built.html / "index.html", WIDE)
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width >= 0.5 * WIDE["width"]
    title = page.evaluate("document.querySelector('h1').getBoundingClientRect().width")
    assert title >= 0.3 * WIDE["width"]  # no longer squeezed into a sidebar's column
    page.context.close()


def test_on_a_phone_the_text_comes_first_and_the_contents_behind_the_second_tab_stop(
    browser: Browser, built: Built
) -> None:
    page = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
    late = []
    for path in contribution_pages(built):
        page.goto(path.as_uri())
        top = page.evaluate("document.querySelector('article > p:not(.draft-note)').getBoundingClientRect().top")
        if top >= PHONE["height"]:
            late.append(f"{path.name}: {top:.0f} px")
        assert page.evaluate("document.getElementById('qz_navigation').open") is False, path.name
    assert late == []
    page.goto((built.html / contribution_pages(built)[0].name).as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.localName + ' in ' + document.activeElement.parentElement.id") == (
        "summary in qz_navigation"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('qz_navigation').open") is True
    page.context.close()


def test_on_a_wide_screen_the_contents_stay_beside_the_text(browser: Browser, sample_built: Built) -> None:
    page = opened(browser, sample_built.html / "musterstadt.html", {"width": 1280, "height": 400})
    navigation = "document.getElementById('qz_navigation')"
    assert page.evaluate(f"{navigation}.open") is True
    assert page.evaluate(f"getComputedStyle({navigation}).position") == "sticky"
    page.mouse.wheel(0, 2000)
    page.wait_for_function(f"window.scrollY > 0 && {navigation}.getBoundingClientRect().top === 0")
    main = page.evaluate("document.querySelector('main').getBoundingClientRect().left")
    assert main >= page.evaluate(f"{navigation}.getBoundingClientRect().right")
    page.context.close()


def test_every_print_page_start_has_a_visible_marker(browser: Browser, built: Built) -> None:
    nav = etree.parse(str(next(built.unpacked.rglob("nav.xhtml"))))
    starts = [link.get("href") for link in nav.iterfind(".//h:nav[@id='page-list']//h:a", XHTML)]
    assert starts
    page = browser.new_context(viewport=WIDE).new_page()  # type: ignore[arg-type]
    unseen = []
    for start in starts:
        document, marker = start.split("#")
        page.goto((built.html / document.replace(".xhtml", ".html")).as_uri())
        shown = page.evaluate(
            """id => { const el = document.getElementById(id);
                       return [getComputedStyle(el, '::before').content, el.title, el.getAttribute('role')]; }""",
            marker,
        )
        number = marker.rsplit("_", 1)[1]
        if shown != [f'"S. {number}"', f"Seite {number}", "doc-pagebreak"]:
            unseen.append(f"{start}: {shown}")
    assert unseen == []
    page.context.close()


def test_footnote_references_are_raised_in_both_formats(browser: Browser, sample_built: Built) -> None:
    html = [
        p for p in sample_built.html.glob("*.html") if b'class="noteref"' in p.read_bytes() and p.name != "gesamt.html"
    ]
    epub = [p for p in sample_built.unpacked.rglob("*.xhtml") if b'class="noteref"' in p.read_bytes()]
    assert html and epub
    page = browser.new_context(viewport=WIDE).new_page()  # type: ignore[arg-type]
    for path in html + epub:
        page.goto(path.as_uri())
        assert page.evaluate("getComputedStyle(document.querySelector('a.noteref')).verticalAlign") == "super", path
    page.goto(html[0].as_uri())
    heading = page.evaluate("document.querySelector('.footnotes > h2.footnotes-title').textContent")
    rule = page.evaluate("getComputedStyle(document.querySelector('.footnotes')).borderTopStyle")
    assert (heading, rule) == ("Anmerkungen", "solid")
    page.context.close()


def test_no_list_entry_starts_with_two_numbers(browser: Browser, built: Built) -> None:
    documents = [*built.html.glob("*.html"), *built.unpacked.rglob("*.xhtml")]
    page = browser.new_context(viewport=WIDE).new_page()  # type: ignore[arg-type]
    twice = []
    for path in documents:
        page.goto(path.as_uri())
        numbered = page.evaluate(
            """() => [...document.querySelectorAll('li')]
                 .filter(li => getComputedStyle(li).display === 'list-item'
                               && getComputedStyle(li).listStyleType !== 'none'
                               && getComputedStyle(li.parentElement).listStyleType !== 'none'
                               && li.parentElement.localName === 'ol')
                 .map(li => li.textContent)"""
        )
        twice += [f"{path.name}: {text[:40]}" for text in numbered if NUMBERED.match(text)]
    assert twice == []
    page.context.close()


def test_the_theme_switch_is_remembered_and_applies_before_the_first_paint(
    browser: Browser, sample_built: Built
) -> None:
    context = browser.new_context(viewport=WIDE, color_scheme="light")
    page = context.new_page()
    page.goto((sample_built.html / "index.html").as_uri())
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert page.evaluate("document.getElementById('qz_farbschema').value") == "system"
    page.select_option("#qz_farbschema", "dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (light, dark) == ("rgb(255, 255, 255)", "rgb(18, 20, 23)")
    # The next page is dark from its head on: the stylesheet never sees the page without the choice.
    page.add_init_script("document.addEventListener('readystatechange', () => {"
                         " window.qzFirst = window.qzFirst || document.documentElement.dataset.theme; })")  # fmt: skip
    page.goto((sample_built.html / "musterstadt.html").as_uri())
    assert page.evaluate("[document.documentElement.dataset.theme, window.qzFirst]") == ["dark", "dark"]
    assert page.evaluate("document.getElementById('qz_farbschema').value") == "dark"
    page.select_option("#qz_farbschema", "system")
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") is None
    context.close()


def test_without_javascript_the_contents_open_and_the_switch_stays_hidden(sample_built: Built) -> None:
    page = etree.parse(str(sample_built.html / "musterstadt.html"))
    [summary] = page.iterfind(".//h:details[@id='qz_navigation']/h:summary", XHTML)
    assert summary.text == "Inhaltsverzeichnis"  # <details> opens by itself, no script needed
    [switch] = page.iterfind(".//h:div[@class='theme-switch']", XHTML)
    assert switch.get("hidden") == "hidden"  # shown by the script that makes it work


def test_the_single_page_edition_names_authors_and_place_in_each_heading(sample_built: Built) -> None:
    page = etree.parse(str(sample_built.html / "gesamt.html"))
    headings = [
        "".join(h.itertext()).replace("\u00ad", "") for h in page.iterfind(".//h:section/h:header/*[@id]", XHTML)
    ]
    assert headings == [
        "Grußwort – Erika Beispiel, Musterstadt", "Interkulturelle Öffnung", "Ein Beispiel – Anna Muster, Musterstadt",
        "Ein Fachbeitrag – Dr. Max Muster",
    ]  # fmt: skip
    assert len(headings) == len(set(headings))
