"""The conversion cache never serves stale output and never changes a byte."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sqlite3
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import build_into
from lxml import etree

from qz_ebook import rendering
from qz_ebook.build import BuildResult, build, read_book
from qz_ebook.cli import main
from qz_ebook.convert import batch
from qz_ebook.convert.links import LinkResolver
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.edition.pages import Assembled
from qz_ebook.incremental import collector, render_cache, tool
from qz_ebook.incremental import store as cache
from qz_ebook.model import Limits
from qz_ebook.writers import epub as epub_writer
from qz_ebook.writers import templating as templates
from qz_ebook.writers.html import HtmlWriter
from qz_ebook.writers.templating import environment

XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many contributions each build had to convert (not taken from the cache)."""
    counts: list[int] = []
    original = batch._convert

    def counting(contributions, indices, *rest):  # type: ignore[no-untyped-def]
        counts.append(len(indices))
        return original(contributions, indices, *rest)

    monkeypatch.setattr(batch, "_convert", counting)
    return counts


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cached_build_is_byte_identical_and_converts_nothing(
    sample_book: Path, tmp_path: Path, conversions: list[int]
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "cold", cache_dir=store)
    build(sample_book, tmp_path / "warm", cache_dir=store)
    build(sample_book, tmp_path / "none")
    assert conversions == [4, 0, 4]
    assert files(tmp_path / "warm") == files(tmp_path / "cold") == files(tmp_path / "none")


def test_editing_one_body_converts_only_that_contribution(
    sample_book: Path, tmp_path: Path, conversions: list[int]
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Ein Beispiel aus der Praxis.", "Neu."), encoding="utf-8")
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 1]
    assert "Neu." in (tmp_path / "b" / "html" / "musterstadt.html").read_text(encoding="utf-8")


def test_a_new_title_reaches_the_toc_and_the_relation_blocks(sample_book: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("title: Ein Beispiel", "title: Ein neuer Titel"), encoding="utf-8"
    )
    summary = sample_book / "SUMMARY.md"
    summary.write_text(summary.read_text(encoding="utf-8").replace("Musterstadt: Ein Beispiel", "Musterstadt: Ein neuer Titel"),
                       encoding="utf-8")  # fmt: skip
    built = build_into(sample_book, tmp_path / "b")
    cached = build(sample_book, tmp_path / "c", cache_dir=store)
    assert cached.outputs
    assert files(tmp_path / "c" / "html") == files(built.html)
    paper = etree.parse(str(tmp_path / "c" / "html" / "oeffnung.html")).getroot()
    assert paper.xpath("//x:nav[@class='relation-examples']//x:a/text()", namespaces=XHTML) == ["Ein neuer Titel"]
    assert "Musterstadt: Ein neuer Titel" in (tmp_path / "c" / "html" / "index.html").read_text(encoding="utf-8")


def test_a_changed_image_is_checked_again(sample_book: Path, tmp_path: Path, conversions: list[int]) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    image = sample_book / "bilder" / "diagramm.png"
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 1]


def test_a_changed_tool_or_template_converts_and_renders_everything_again(
    sample_book: Path, tmp_path: Path, conversions: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    monkeypatch.setattr(tool, "fingerprint", lambda: "another version, or a file of the package changed")
    assert build(sample_book, tmp_path / "b", cache_dir=store).reused == 0
    assert conversions == [4, 4]


def test_the_tool_fingerprint_covers_the_package_files_and_the_libraries(reads: list[str]) -> None:
    tool.fingerprint.cache_clear()
    try:
        tool.fingerprint()
    finally:
        tool.fingerprint.cache_clear()
    assert {"tool.py", "converter.py", "tocmarkup.py", "base.html", "macros.j2", "nav.xhtml"} <= set(reads)
    assert "markdown" in tool.LIBRARIES and "beautifulsoup4" in tool.LIBRARIES


def test_errors_are_never_cached(sample_book: Path, tmp_path: Path) -> None:
    page = sample_book / "beitraege" / "oeffnung.md"
    page.write_text(page.read_text(encoding="utf-8").replace("diagramm.png", "neu.png"), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", "dist"]).exit_code == 1
    (sample_book / "bilder" / "diagramm.png").rename(sample_book / "bilder" / "neu.png")
    assert runner.invoke(main, ["build", "--book", str(sample_book), "--out", "dist"]).exit_code == 0
    assert (tmp_path / ".qz-cache").is_dir()


def test_no_cache_leaves_no_cache_folder(sample_book: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--no-cache", "--book", str(sample_book), "--out", "dist"])
    assert result.exit_code == 0
    assert not (tmp_path / ".qz-cache").exists()


def test_parallel_conversion_gives_the_same_bytes(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = build_into(sample_book, tmp_path / "one")
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    parallel = build_into(sample_book, tmp_path / "two")
    assert files(parallel.html) == files(sequential.html)
    assert parallel.epub.read_bytes() == sequential.epub.read_bytes()


def collector_settings() -> tuple[int, bool]:
    """This process's young-generation threshold, and whether anything is frozen."""
    return gc.get_threshold()[0], gc.get_freeze_count() > 0


def test_worker_processes_collect_less_often_and_this_process_is_left_alone(sample_book: Path) -> None:
    before = collector_settings()
    contributions = list(read_book(sample_book, Diagnostics()).contributions())
    fork = multiprocessing.get_context("fork")
    starting = (contributions, ((sample_book,), LinkResolver(contributions), {}, Limits()))
    settled = (*starting, collector.settle_for_building)  # as the build passes it
    with ProcessPoolExecutor(1, mp_context=fork, initializer=batch._start_worker_process, initargs=settled) as pool:
        assert pool.submit(collector_settings).result() == (collector.COLLECTION_THRESHOLD, True)
    batch._start_worker(*starting)  # converting in this process, as a small book does
    assert collector_settings() == before


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def rebuilt_after(book: Path, tmp_path: Path, name: str, old: str, new: str) -> BuildResult:
    """Build with a cache into tmp_path/before, edit ``name`` in the book, build again into tmp_path/after."""
    store = tmp_path / "cache"
    build(book, tmp_path / "before", cache_dir=store)
    edit(book / name, old, new)
    return build(book, tmp_path / "after", cache_dir=store)


def uncached(book: Path, out: Path) -> dict[str, bytes]:
    """The files of a build without any cache."""
    build(book, out)
    return files(out)


def test_an_unchanged_book_renders_no_page_again(sample_book: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    cold = build(sample_book, tmp_path / "a", cache_dir=store)
    warm = build(sample_book, tmp_path / "b", cache_dir=store)
    # 12 EPUB documents and its NCX, 13 HTML pages (the search page among them), and the 8 sections of the
    # single-page edition
    assert (len(cold.rendered), cold.reused) == (34, 0)
    assert (warm.rendered, warm.reused) == ((), 34)


def test_editing_one_body_renders_only_its_pages_and_the_single_page_edition(sample_book: Path, tmp_path: Path) -> None:
    result = rebuilt_after(sample_book, tmp_path, "beitraege/musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    # The EPUB renders while the HTML edition waits for Pagefind (``rendering._Turns``).
    assert result.rendered == (
        "html/musterstadt.html", "html/gesamt.html#musterstadt", "html/gesamt.html", "epub/musterstadt.xhtml"
    )  # fmt: skip
    assert files(tmp_path / "after") == uncached(sample_book, tmp_path / "fresh")


def test_a_rebuild_compresses_only_the_epub_members_that_changed(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compressed: list[bytes] = []
    original = epub_writer.deflate

    def counting(data: bytes) -> bytes:
        compressed.append(data)
        return original(data)

    monkeypatch.setattr(epub_writer, "deflate", counting)
    rebuilt_after(sample_book, tmp_path, "beitraege/musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    with zipfile.ZipFile(tmp_path / "before" / "beispiel.epub") as epub:
        members = [i for i in epub.infolist() if i.compress_type == zipfile.ZIP_DEFLATED]
    assert len(members) == 18  # all but the mimetype
    assert len(compressed) == len(members) + 1  # the first build compresses each, the rebuild one
    assert b"<p>Neu.</p>" in compressed[-1]


def test_each_page_keeps_one_entry_however_often_it_changes(sample_book: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"

    def page_entries() -> int:
        with sqlite3.connect(store / "cache.sqlite") as db:
            return int(db.execute("SELECT COUNT(*) FROM entries WHERE key LIKE 'page:%'").fetchone()[0])

    build(sample_book, tmp_path / "out", cache_dir=store)
    first = page_entries()
    for text in ("Erste Fassung.", "Zweite Fassung.", "Dritte Fassung."):
        edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", text)
        build(sample_book, tmp_path / "out", cache_dir=store)
        edit(sample_book / "beitraege" / "musterstadt.md", text, "Ein Beispiel aus der Praxis.")
    assert first == 34  # as many as the pages: see test_an_unchanged_book_renders_no_page_again
    assert page_entries() == first


EDITS = {
    # What an editor changes between two builds: (file, old, new).
    "body": ("beitraege/musterstadt.md", "Ein Beispiel aus der Praxis.", "Ein *anderes* Beispiel."),
    "title": ("beitraege/musterstadt.md", "title: Ein Beispiel", "title: Ein neuer Titel"),
    "place": ("beitraege/musterstadt.md", "place: Musterstadt", "place: Neustadt"),
    "print page": ("beitraege/musterstadt.md", "page: 18", "page: 19"),
    "status": ("beitraege/musterstadt.md", "status: draft", "status: final"),
    "outline label": ("SUMMARY.md", "Musterstadt: Ein Beispiel", "Musterstadt: Ein anderes Beispiel"),
    "outline nesting": ("SUMMARY.md", "  - [Musterstadt: Ein Beispiel]", "- [Musterstadt: Ein Beispiel]"),
    "book title": ("book.toml", 'title = "Beispielbuch"', 'title = "Beispielbuch, zweite Auflage"'),
    "draft note": ("book.toml", 'draft_note = "Entwurf der Redaktion."', 'draft_note = "Noch nicht freigegeben."'),
    "perspective": ("book.toml", 'label = "Ausblicke"', 'label = "Ausblick"'),
    "accessibility summary": ("book.toml", "Ein Testbuch mit", "Ein kleines Testbuch mit"),
}


@pytest.mark.parametrize("change", EDITS, ids=list(EDITS))
def test_a_cached_rebuild_after_any_edit_equals_a_build_without_cache(
    change: str, sample_book: Path, tmp_path: Path
) -> None:
    result = rebuilt_after(sample_book, tmp_path, *EDITS[change])
    assert result.rendered, "an edit that changes the outputs renders something"
    assert files(tmp_path / "after") == uncached(sample_book, tmp_path / "fresh")


def test_a_new_title_renders_the_pages_that_show_it_and_no_other(sample_book: Path, tmp_path: Path) -> None:
    result = rebuilt_after(
        sample_book, tmp_path, "beitraege/musterstadt.md", "title: Ein Beispiel", "title: Ein neuer Titel"
    )
    # Its own page; its paper (relation block, "Weiter:"); the page after it ("Zurück:"); their sections
    # of the single-page edition (a section is keyed by its whole page view, neighbours included).
    assert result.rendered == (
        "html/oeffnung.html", "html/musterstadt.html", "html/teil-weitere-themen.html",
        "html/gesamt.html#oeffnung", "html/gesamt.html#musterstadt", "html/gesamt.html#teil-weitere-themen",
        "html/gesamt.html",
        "epub/oeffnung.xhtml", "epub/musterstadt.xhtml", "epub/teil-weitere-themen.xhtml",
    )  # fmt: skip


def add_chapter(book: Path) -> None:
    """A new contribution after Musterstadt, at the end of the part Handreichungen."""
    text = "---\ntitle: Ein neues Kapitel\nkind: article\nstatus: draft\n---\n\nNeuer Text.\n"
    (book / "beitraege" / "neu.md").write_text(text, encoding="utf-8")
    entry = "  - [Musterstadt: Ein Beispiel](beitraege/musterstadt.md)\n"
    edit(book / "SUMMARY.md", entry, entry + "- [II. Ein neues Kapitel](beitraege/neu.md)\n")


# What a new chapter renders (the HTML edition first, the EPUB while Pagefind indexes; the EPUB's NCX
# first: its documents are rendered as they are written): its own page; its part, which lists it; the
# pages before and after it (their pagers, and their sections: a section is keyed by its whole page
# view); the contents (the index, the EPUB's nav and NCX); the perspective whose part it joins (its own
# page, the Wegweiser); the single page. Every other page (oeffnung, whose sidebar now lists it, too)
# only has its sidebar joined in again.
ADDED_CHAPTER = (
    "html/index.html", "html/teil-handreichungen.html", "html/musterstadt.html", "html/neu.html",
    "html/teil-weitere-themen.html",
    "html/gesamt.html#teil-handreichungen", "html/gesamt.html#musterstadt", "html/gesamt.html#neu",
    "html/gesamt.html#teil-weitere-themen", "html/gesamt.html",
    "html/perspektive-rueckblicke.html",
    "epub/toc.ncx", "epub/wegweiser.xhtml", "epub/nav.xhtml", "epub/teil-handreichungen.xhtml",
    "epub/musterstadt.xhtml", "epub/neu.xhtml", "epub/teil-weitere-themen.xhtml",
)  # fmt: skip


def test_a_new_chapter_renders_the_pages_that_show_it_and_joins_the_others_sidebars(
    sample_book: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "before", cache_dir=store)
    add_chapter(sample_book)
    result = build(sample_book, tmp_path / "after", cache_dir=store)
    assert (result.rendered, result.reused) == (ADDED_CHAPTER, 37 - len(ADDED_CHAPTER))  # 34 pages, and 3 new
    sidebar = '<li><a href="neu.html">II. Ein neues Kapitel</a></li>'
    assert sidebar in (tmp_path / "after" / "html" / "oeffnung.html").read_text(encoding="utf-8")
    assert sidebar not in (tmp_path / "before" / "html" / "oeffnung.html").read_text(encoding="utf-8")
    assert files(tmp_path / "after") == uncached(sample_book, tmp_path / "fresh")


CONVERSION = "its text reaches pages through its conversion"
NAVIGATION = "the outline reaches pages through navigation nodes"


@pytest.mark.parametrize(
    ("expression", "field", "why"), [("c.body", "body", CONVERSION), ("c['body']", "body", CONVERSION),
                                     ("c.body_line", "body_line", CONVERSION),
                                     ("c.children", "children", NAVIGATION), ("c['children']", "children", NAVIGATION)]
)  # fmt: skip
def test_templates_cannot_read_what_fingerprints_leave_out(
    sample_book: Path, expression: str, field: str, why: str
) -> None:
    contribution = next(read_book(sample_book, Diagnostics()).contributions())
    with pytest.raises(TypeError, match=rf"^templates may not read Contribution\.{field}: {why}$"):
        environment().from_string(f"{{{{ {expression} }}}}").render(c=contribution)
    assert environment().from_string("{{ c.title }}|{{ c['place'] }}").render(c=contribution) == "Grußwort|Musterstadt"


def test_a_damaged_cache_file_is_replaced_not_fatal(sample_book: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    store.mkdir()
    (store / "cache.sqlite").write_bytes(b"kein SQLite, sondern Text" * 100)
    assert build(sample_book, tmp_path / "a", cache_dir=store).outputs
    assert build(sample_book, tmp_path / "b", cache_dir=store).rendered == ()


def test_the_template_guard_lets_every_other_lookup_through() -> None:
    template = environment().from_string("{{ xs[1:] | join(',') }} {{ d['children'] }} {{ d.items() | list | length }}")
    assert template.render(xs=[1, 2, 3], d={"children": "Kinder"}) == "2,3 Kinder 1"


def test_assembled_pages_fill_the_hole_their_template_leaves_unescaped() -> None:
    sections = Assembled(("<section>Grüße & mehr</section>".encode(), b"<section>2</section>"), "digest")
    page = environment().from_string("<main>{{ sections }}</main>").render(sections=sections).encode()
    assert (
        templates.fill(page, sections.HOLE, sections.parts)
        == "<main><section>Grüße & mehr</section><section>2</section></main>".encode()
    )
    for twice_or_never in ("{{ s }}{{ s }}", "<main></main>"):
        page = environment().from_string(twice_or_never).render(s=sections).encode()
        with pytest.raises(ValueError, match=r"^a template shows assembled pages once, as \{\{ name \}\}$"):
            templates.fill(page, sections.HOLE, sections.parts)


def test_sections_are_found_where_they_first_stand_in_the_page_that_shows_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_cache, "PROBE", 4)  # the probe "<s>1" stands in the page before the sections do
    sections = b"<s>1</s><s>2</s>"
    for page in (b"<s>1</s>" + sections + b"</p>", b"<p>" + sections + sections, b"<s>1</s><s>3</s>", sections[:-1]):
        assert render_cache._find(page, sections) == page.find(sections)


def test_the_epub_beside_the_html_edition_gives_the_same_bytes_pages_and_cache(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HtmlWriter, "busy_beside", False)  # as the fixture epub_beside; the EPUB renders first
    one_after_the_other = build(sample_book, tmp_path / "serial", cache_dir=tmp_path / "serial-cache")
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    side_by_side = build(sample_book, tmp_path / "parallel", cache_dir=tmp_path / "parallel-cache")
    assert files(tmp_path / "parallel") == files(tmp_path / "serial")
    assert side_by_side.rendered == one_after_the_other.rendered
    again = build(sample_book, tmp_path / "again", cache_dir=tmp_path / "parallel-cache")
    assert (again.rendered, again.reused) == ((), 34)  # the EPUB process's pages were stored too
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    edited = build(sample_book, tmp_path / "edited", cache_dir=tmp_path / "parallel-cache")
    assert edited.rendered == (
        "epub/musterstadt.xhtml", "html/musterstadt.html", "html/gesamt.html#musterstadt", "html/gesamt.html"
    )  # fmt: skip
    assert files(tmp_path / "edited") == uncached(sample_book, tmp_path / "fresh")


def test_no_process_beside_the_html_edition_whose_search_index_keeps_the_cores_busy(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)  # a large book
    beside: list[list[str]] = []
    original = rendering._side_by_side

    def noting(edition, aside, *rest):  # type: ignore[no-untyped-def]
        beside.append([writer.name for writer in aside])
        return original(edition, aside, *rest)

    monkeypatch.setattr(rendering, "_side_by_side", noting)
    build(sample_book, tmp_path / "a")
    build(sample_book, tmp_path / "b", formats=("epub", "kepub"))
    assert beside == [["epub"]]  # beside the kepub alone


def test_entries_the_epub_process_uses_stay_fresh(sample_book: Path, tmp_path: Path, epub_beside: None) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    db = sqlite3.connect(store / "cache.sqlite")
    db.execute("UPDATE entries SET build = 0")  # as if last used by the very first build
    db.commit()
    build(sample_book, tmp_path / "b", cache_dir=store)
    stale = db.execute("SELECT count(*) FROM entries WHERE build = 0").fetchone()[0]
    db.close()
    assert stale == 0


def test_a_failure_in_the_epub_process_fails_the_build_and_keeps_the_old_outputs(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epub_beside: None
) -> None:
    build(sample_book, tmp_path / "out")
    before = files(tmp_path / "out")

    def broken(*_: object) -> None:
        raise RuntimeError("EPUB kaputt")

    monkeypatch.setattr(epub_writer, "write_epub", broken)  # inherited by the forked EPUB process
    with pytest.raises(RuntimeError, match="EPUB kaputt"):
        build(sample_book, tmp_path / "out")
    assert files(tmp_path / "out") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["beispiel.epub", "html"]


@pytest.mark.parametrize(
    ("parallel_from", "rendered"),
    # Reading never waits for a writer: only the build's own write, at its end, gives up.
    [(10**6, 4), (1, 4)],
    ids=["one after the other", "epub beside html"],
)
def test_a_cache_held_by_another_build_slows_nothing_down_and_fails_nothing(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel_from: int, rendered: int
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    edit(sample_book / "beitraege" / "musterstadt.md", "Ein Beispiel aus der Praxis.", "Neu.")
    monkeypatch.setattr(cache, "LOCK_WAIT_SECONDS", 0.1)
    monkeypatch.setattr(rendering, "PARALLEL_FROM", parallel_from)
    monkeypatch.setattr(HtmlWriter, "busy_beside", False)
    other = sqlite3.connect(store / "cache.sqlite")
    other.execute("BEGIN EXCLUSIVE")  # another build, writing
    try:
        result = build(sample_book, tmp_path / "b", cache_dir=store)
    finally:
        other.rollback()
        other.close()
    assert len(result.rendered) == rendered
    assert files(tmp_path / "b") == uncached(sample_book, tmp_path / "fresh")


def test_a_new_chapter_converts_only_itself(sample_book: Path, tmp_path: Path, conversions: list[int]) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    add_chapter(sample_book)
    build(sample_book, tmp_path / "b", cache_dir=store)
    build(sample_book, tmp_path / "none")
    assert conversions == [4, 1, 5]
    assert files(tmp_path / "b") == files(tmp_path / "none")


def test_a_link_whose_page_left_the_outline_is_converted_again_and_fails(
    sample_book: Path, tmp_path: Path, conversions: list[int]
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    edit(sample_book / "SUMMARY.md", "  - [Musterstadt: Ein Beispiel](beitraege/musterstadt.md)\n", "")
    with pytest.raises(BuildFailed) as failed:
        build(sample_book, tmp_path / "b", cache_dir=store)
    assert conversions == [4, 1]  # oeffnung.md, which links to musterstadt.md
    diagnostics = [f"{d.code} {d.location.path.name}" for d in failed.value.diagnostics]
    assert diagnostics == ["QZ106 musterstadt.md", "QZ401 oeffnung.md"]  # a file outside the outline; the link


def test_a_rebuild_reads_each_entry_once_and_hashes_no_epub_page_again(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    read: list[str] = []
    original = cache.CacheStore.get_many

    def reading(self: cache.CacheStore, keys: list[str], remember: bool = True) -> dict[str, bytes]:
        read.extend(keys)
        return original(self, keys, remember)

    monkeypatch.setattr(cache.CacheStore, "get_many", reading)
    hashed: list[bytes] = []
    recording = SimpleNamespace(sha256=lambda data: hashed.append(data) or hashlib.sha256(data))
    monkeypatch.setattr(render_cache, "hashlib", recording)  # what derived bytes are looked up by
    assert build(sample_book, tmp_path / "b", cache_dir=store).rendered == ()
    assert sorted(read) == sorted(set(read))
    # A page given back by its zip member leads to that member's key; only the search index's shard is hashed.
    with zipfile.ZipFile(tmp_path / "b" / "beispiel.epub") as epub:
        pages = {epub.read(name) for name in epub.namelist() if name.endswith((".xhtml", ".ncx"))}
    assert len(pages) == 13  # 12 documents and the NCX (test_an_unchanged_book_renders_no_page_again)
    # Each page given back by its zip member leads to that member's key: no page is hashed again, only what
    # the EPUB holds besides its pages (images, its package) and the search index's shard (its pages packed).
    assert [data for data in hashed if data in pages] == []
    assert [data[4:20] for data in hashed if data[4:20] == b"fachbeitrag.html"] == [b"fachbeitrag.html"]
