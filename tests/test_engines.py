"""The EPUB on engines older and stricter than a browser: Adobe RMSDK (Tolino, ADE) and Kindle
ignore the ``hidden`` attribute and know no HTML5 sectioning elements. Their behaviour is
imitated in Chromium with a stylesheet of no specificity under the EPUB's own, and Kindle's
intake is tried with calibre's ``ebook-convert`` (Debian's calibre) to AZW3."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import Built, require
from lxml import etree
from playwright.sync_api import Browser

# What RMSDK and Kindle do: the hidden attribute hides nothing; sectioning elements have no default display.
OLD_ENGINE = ":where([hidden]) { display: block; }"  # no specificity: any rule of the EPUB's own wins
SECTIONING = ("article", "aside", "figcaption", "figure", "footer", "header", "main", "nav", "section")


@pytest.fixture(params=["brochure", "sample_built"])
def built(request: pytest.FixtureRequest) -> Built:
    found: Built = request.getfixturevalue(request.param)
    return found


def test_the_nav_documents_hidden_lists_stay_hidden_where_hidden_is_ignored(browser: Browser, built: Built) -> None:
    page = browser.new_page()
    page.goto((built.unpacked / "EPUB" / "nav.xhtml").as_uri())
    page.add_style_tag(content=OLD_ENGINE)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('nav')].map(nav =>
               [nav.id, getComputedStyle(nav).display, nav.getBoundingClientRect().height > 0])"""
    )
    assert shown == [["toc", "block", True], ["landmarks", "none", False], ["page-list", "none", False]]
    text = page.evaluate("document.body.innerText")
    assert "Orientierungspunkte" not in text and "Seiten der Druckausgabe" not in text
    page.close()


def test_no_landmark_or_page_list_text_in_any_document_where_hidden_is_ignored(browser: Browser, built: Built) -> None:
    page = browser.new_page()
    leaked = []
    for document in sorted((built.unpacked / "EPUB").glob("*.xhtml")):
        page.goto(document.as_uri())
        page.add_style_tag(content=OLD_ENGINE)
        text = page.evaluate("document.body.innerText")
        leaked += [
            f"{document.name}: {word}" for word in ("Orientierungspunkte", "Seiten der Druckausgabe") if word in text
        ]
    assert leaked == []
    page.close()


def test_sectioning_elements_are_blocks_where_the_engine_does_not_know_them(browser: Browser, built: Built) -> None:
    # An engine without HTML5 defaults, imitated with no specificity at all: the EPUB's own rule must win.
    unknown = f":where({', '.join(SECTIONING)}) {{ display: inline; }}"
    page = browser.new_page()
    inline = []
    for document in sorted((built.unpacked / "EPUB").glob("*.xhtml")):
        page.goto(document.as_uri())
        page.add_style_tag(content=unknown)
        inline += page.evaluate(
            f"""() => [...document.querySelectorAll('{", ".join(SECTIONING)}')]
                   .filter(element => getComputedStyle(element).display === 'inline')
                   .map(element => '{document.name}: ' + element.localName)"""
        )
    assert inline == []
    page.close()


# calibre's messages that would mean the EPUB lost something on the way to Kindle.
COMPLAINT = re.compile(r"warn|error|fail|invalid|missing|not found|could not|unable", re.IGNORECASE)


def test_calibre_makes_an_azw3_without_complaint_and_without_the_nav_lists_in_the_text(
    built: Built, tmp_path: Path
) -> None:
    convert = require("ebook-convert")
    azw3, text = tmp_path / "buch.azw3", tmp_path / "buch.txt"
    run = subprocess.run([convert, str(built.epub), str(azw3)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line for line in (run.stdout + run.stderr).splitlines() if COMPLAINT.search(line)] == []
    # Read back as plain text: what a Kindle shows as the book's text. (Reading its own AZW3,
    # calibre misses the HTML cover page it folded into the cover image: its message is not ours.)
    back = subprocess.run([convert, str(azw3), str(text)], capture_output=True, text=True, timeout=600)
    assert back.returncode == 0, back.stdout + back.stderr
    body = text.read_text(encoding="utf-8").replace("\u00ad", "")
    assert "Orientierungspunkte" not in body and "Seiten der Druckausgabe" not in body
    first = etree.parse(str(built.unpacked / "EPUB" / "nav.xhtml")).getroot()
    titles = first.xpath("//x:nav[@id='toc']//x:a/text()", namespaces={"x": "http://www.w3.org/1999/xhtml"})
    assert titles and all(" ".join(title.split()) in " ".join(body.split()) for title in titles[:5])
