"""The Kobo kepub: the EPUB with Kobo's spans, wrappers and style in its content documents."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EPOCH, REPO, SAMPLE
from lxml import etree

from qz_ebook.build import build
from qz_ebook.checks import epubcheck
from qz_ebook.writers.kobo import koboise

X = {"x": "http://www.w3.org/1999/xhtml"}
KOBO_ID = re.compile(r"kobo\.[0-9]+\.[0-9]+")


@pytest.fixture(scope="module", params=["brochure", "sample"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the kepub, the EPUB) of a book built with both."""
    book = REPO / "book" if request.param == "brochure" else SAMPLE
    out = tmp_path_factory.mktemp("kepub")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(book, out, ("epub", "kepub"))
    kepub = next(p for p in result.outputs if p.name.endswith(".kepub.epub"))
    epub = next(p for p in result.outputs if not p.name.endswith(".kepub.epub"))
    return kepub, epub


def documents(path: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                yield name, archive.read(name)


def test_build_names_the_kepub_after_the_book(built: tuple[Path, Path]) -> None:
    kepub, epub = built
    assert kepub.name == epub.name.removesuffix(".epub") + ".kepub.epub"
    with zipfile.ZipFile(kepub) as a, zipfile.ZipFile(epub) as b:
        assert a.namelist() == b.namelist()
        assert a.read("mimetype") == b"application/epub+zip"
        assert a.read("EPUB/content.opf") == b.read("EPUB/content.opf")
        assert a.read("EPUB/nav.xhtml") == b.read("EPUB/nav.xhtml")  # the navigation document is left alone


def test_every_text_of_every_paragraph_lies_in_a_kobo_span_with_a_unique_id(built: tuple[Path, Path]) -> None:
    kepub, _ = built
    outside, checked = [], 0
    for name, data in documents(kepub):
        if name.endswith("/nav.xhtml"):
            continue
        root = etree.fromstring(data)
        for text in root.xpath("//x:body//x:p//text()[normalize-space()]", namespaces=X):
            checked += 1
            parent = text.getparent()
            if not (text.is_text and parent.get("class") == "koboSpan"):
                outside.append(f"{name}: {text!r}")
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        kobo = root.xpath("//x:span[@class='koboSpan']/@id", namespaces=X)
        assert all(KOBO_ID.fullmatch(i) for i in kobo), name
        assert bool(kobo) == bool(root.xpath("normalize-space(//x:body)", namespaces=X)), name  # the cover has none
        assert root.xpath("//x:body/*/@id", namespaces=X) == ["book-columns"], name
        assert root.xpath("//x:div[@id='book-columns']/*/@id", namespaces=X) == ["book-inner"], name
        assert root.xpath("string(//x:head/x:style[@id='kobostylehacks'])", namespaces=X) == (
            "div#book-inner { margin-top: 0; margin-bottom: 0; }"
        )
    assert checked > 0 and outside == []


def test_the_spans_change_no_text(built: tuple[Path, Path]) -> None:
    kepub, epub = built
    plain = dict(documents(epub))
    for name, data in documents(kepub):
        ours = etree.fromstring(data).xpath("string(//x:body)", namespaces=X)
        theirs = etree.fromstring(plain[name]).xpath("string(//x:body)", namespaces=X)
        assert ours.split() == theirs.split(), name


@pytest.mark.parametrize("debian", [False, True], ids=["EPUBCheck 5", "EPUBCheck 4.2.6"])
def test_the_kepub_is_a_valid_epub(built: tuple[Path, Path], debian: bool) -> None:
    kepub, _ = built
    result = epubcheck.check_epub(kepub, debian=debian)
    assert result.error is None
    assert [f"{f.severity} {f.rule} {f.element}: {f.message}" for f in result.findings] == []


def test_koboise_splits_sentences_and_numbers_blocks() -> None:
    page = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>\n'
        b"<h1>Titel</h1>\n<p>Ein Satz. Noch einer? <em>Betont.</em> Ende: Schluss</p>\n"
        b"<pre>Code. Bleibt.</pre>\n<ul><li>Eins.</li><li>Zwei</li></ul>\n</body></html>"
    )
    assert koboise(page).decode().split("<body>")[1] == (
        '\n<div id="book-columns"><div id="book-inner">\n'
        '<h1><span class="koboSpan" id="kobo.1.1">Titel</span></h1>\n'
        '<p><span class="koboSpan" id="kobo.2.1">Ein Satz. </span><span class="koboSpan" id="kobo.2.2">Noch einer? </span>'
        '<em><span class="koboSpan" id="kobo.2.3">Betont.</span></em><span class="koboSpan" id="kobo.2.4"> Ende: </span>'
        '<span class="koboSpan" id="kobo.2.5">Schluss</span></p>\n'
        "<pre>Code. Bleibt.</pre>\n"
        '<ul><li><span class="koboSpan" id="kobo.4.1">Eins.</span></li>'
        '<li><span class="koboSpan" id="kobo.5.1">Zwei</span></li></ul>\n'
        "</div></div>\n</body></html>\n"
    )


def test_two_builds_give_the_same_kepub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = build(SAMPLE, tmp_path / "a", ("kepub",)).outputs
    second = build(SAMPLE, tmp_path / "b", ("kepub",)).outputs
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
