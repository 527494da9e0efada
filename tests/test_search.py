"""Full-text search in the HTML edition: a Pagefind index of the contribution pages, German
stemming, a search field in every page's header and a search page driven in Debian's Chromium."""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Built, build_into
from playwright.sync_api import Browser, Page
from test_config import GOOD, make_book

from qz_ebook.build import build
from qz_ebook.checks.serve import open_settled, served
from qz_ebook.cli import main
from qz_ebook.writers import search
from qz_ebook.writers.base import Beside, Direct, Make, at_once

PHONE = {"width": 375, "height": 800}


def results(page: Page) -> list[tuple[str, str, str]]:
    """(href, title, facts) of each result listed."""
    listed = page.eval_on_selector_all(
        "#qz_treffer > li",
        "items => items.map(li => [li.querySelector('a').getAttribute('href'), li.querySelector('a').textContent,"
        " (li.querySelector('.search-facts') || {}).textContent || ''])",
    )
    return [tuple(item) for item in listed]


@contextmanager
def searched(browser: Browser, html: Path, query: str) -> Iterator[tuple[Page, list[tuple[str, str, str]], str]]:
    """The search page of ``html`` (served while the block runs) with the results for ``query``."""
    page = browser.new_page()
    with served(html) as base:
        open_settled(page, f"{base}suche.html?q={query}")
        yield page, results(page), page.text_content("#qz_suchstatus") or ""
    page.close()


def contribution_pages(built: Built) -> list[str]:
    return sorted(p.name for p in built.html.glob("*.html") if b"<article " in p.read_bytes())


def test_the_bundle_indexes_every_contribution_page_in_the_book_language(brochure: Built) -> None:
    bundle = brochure.html / "pagefind" / "1"
    assert [p.name for p in (brochure.html / "pagefind").iterdir()] == ["1"]  # 34 pages: one bundle
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["de"]  # from <html lang="de">: German stemming
    assert entry["languages"]["de"]["page_count"] == len(contribution_pages(brochure))
    assert (bundle / "pagefind.js").is_file() and (bundle / "wasm.de.pagefind").is_file()
    assert not [p.name for p in bundle.iterdir() if "-ui." in p.name or "highlight" in p.name]
    assert (brochure.html / "js" / "search.js").read_bytes() == (
        Path(search.__file__).parents[1] / "templates" / "html" / "search.js"
    ).read_bytes()


def test_every_page_has_the_search_field_in_its_header(brochure: Built) -> None:
    form = (
        '<form class="site-search" role="search" action="suche.html" method="get">\n'
        '<label class="visually-hidden" for="qz_suchfeld">Im Buch suchen</label>\n'
        '<input type="search" id="qz_suchfeld" name="q" autocomplete="off"/>\n'
        '<button type="submit">Suchen</button>\n'
        "</form>\n"
    )
    pages = sorted(brochure.html.glob("*.html"))
    without = [p.name for p in pages if form not in p.read_text(encoding="utf-8")]
    assert without == ["suche.html"]  # whose own form is the page's subject


def test_two_indexings_of_the_brochure_give_the_same_bytes(brochure: Built) -> None:
    pages = search.pack({name: (brochure.html / name).read_bytes() for name in contribution_pages(brochure)})
    assert search.index(pages) == search.index(pages)


def test_searching_from_a_page_header_by_keyboard_finds_solingen(browser: Browser, brochure: Built) -> None:
    page = browser.new_page(viewport=PHONE)
    with served(brochure.html) as base:
        page.goto(f"{base}dueren.html")
        for _ in range(3):  # the skip link, the contents' summary, the search field
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "qz_suchfeld"
        page.keyboard.type("Einbürgerung")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/suche\.html\?q=Einb%C3%BCrgerung$"))
        open_settled(page, page.url)
        found = results(page)
        assert ("/solingen.html", "100 % zu Hause", "Solingen · Anne Wehkamp") in found
        assert page.text_content("#qz_suchstatus") == ("1 Treffer" if len(found) == 1 else f"{len(found)} Treffer")
        assert page.input_value("#qz_suchbegriff") == "Einbürgerung"
        assert page.evaluate("document.getElementById('qz_treffer').getAttribute('aria-busy')") == "false"
        excerpt = page.inner_html("#qz_treffer > li .search-excerpt")
        assert "<mark>Einbürgerung</mark>" in excerpt
        page.click("#qz_treffer a[href='/solingen.html']")
        page.wait_for_url(f"{base}solingen.html")
    page.close()


def test_an_inflected_form_finds_its_stem(browser: Browser, brochure: Built) -> None:
    # The Hamm contribution says "Religionsgemeinschaften"; German stemming finds it by the singular.
    with searched(browser, brochure.html, "Religionsgemeinschaft") as (page, found, _):
        assert "/hamm.html" in [href for href, _, _ in found]
        assert "Religionsgemeinschaft" not in (brochure.html / "hamm.html").read_text(encoding="utf-8").replace(
            "Religionsgemeinschaften", ""
        )


def test_results_come_twenty_at_a_time_and_more_on_request(browser: Browser, brochure: Built) -> None:
    with searched(browser, brochure.html, "Integration") as (page, found, status):
        total = int(status.removesuffix(" Treffer"))
        assert total > 20 and len(found) == 20
        assert page.is_visible("#qz_mehr") and page.text_content("#qz_mehr") == "Weitere Treffer zeigen"
        page.focus("#qz_mehr")
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('#qz_treffer > li').length === {min(total, 40)}")
        assert page.evaluate(
            "document.activeElement.closest('li') === document.querySelectorAll('#qz_treffer > li')[20]"
        )
        assert page.is_visible("#qz_mehr") is (total > 40)
        assert len(set(results(page))) == min(total, 40)


def test_nothing_found_says_so(browser: Browser, sample_built: Built) -> None:
    with searched(browser, sample_built.html, "Xylophon") as (page, found, status):
        assert (found, status) == ([], "Keine Treffer für „Xylophon“")


def test_the_draft_note_is_not_indexed(browser: Browser, sample_book: Path, tmp_path: Path) -> None:
    toml = sample_book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Entwurf der Redaktion.", "Zauberwort."), "utf-8")
    built = build_into(sample_book, tmp_path / "out")
    assert b"Zauberwort" in (built.html / "musterstadt.html").read_bytes()  # shown on every draft
    with searched(browser, built.html, "Zauberwort") as (page, found, status):
        assert (found, status) == ([], "Keine Treffer für „Zauberwort“")


def test_results_lead_into_an_edition_served_below_a_folder(browser: Browser, sample_built: Built) -> None:
    page = browser.new_page()
    with served(sample_built.html.parent) as base:
        open_settled(page, f"{base}html/suche.html?q=Musterstadt")
        hrefs = [href for href, _, _ in results(page)]
        assert hrefs and all(href.startswith("/html/") for href in hrefs)
        page.click(f"#qz_treffer a[href='{hrefs[0]}']")
        page.wait_for_url(f"{base}{hrefs[0][1:]}")
        assert page.title().endswith("Beispielbuch")
    page.close()


def test_a_book_without_contributions_has_no_index_and_finds_nothing(browser: Browser, tmp_path: Path) -> None:
    book = make_book(tmp_path, GOOD)
    built = build(book, tmp_path / "out")
    assert built.diagnostics == ()
    html = tmp_path / "out" / "html"
    assert not (html / "pagefind").exists()
    assert 'data-bundles=""' in (html / "suche.html").read_text(encoding="utf-8")
    with searched(browser, html, "Teil") as (_, found, status):
        assert (found, status) == ([], "Keine Treffer für „Teil“")


def test_without_javascript_the_search_page_says_it_needs_it(browser: Browser, sample_built: Built) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with served(sample_built.html) as base:
        page.goto(f"{base}suche.html?q=Musterstadt")
        assert page.text_content("#qz_suchstatus") == "Die Suche braucht JavaScript."
        assert results(page) == []
    context.close()


def test_an_opened_file_says_search_needs_a_web_server(browser: Browser, sample_built: Built) -> None:
    page = browser.new_page()
    page.goto((sample_built.html / "suche.html").as_uri() + "?q=Musterstadt")
    page.wait_for_function("document.getElementById('qz_suchstatus').textContent !== ''")
    assert page.text_content("#qz_suchstatus") == (
        "Die Suche findet nur etwas, wenn die Seiten von einem Webserver kommen, nicht aus einer geöffneten Datei."
    )
    page.close()


def test_results_come_from_every_bundle(
    browser: Browser, sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    built = build_into(sample_book, tmp_path / "out")
    assert sorted(p.name for p in (built.html / "pagefind").iterdir()) == ["1", "2", "3", "4"]

    def files(bundle: str) -> list[str]:
        return sorted(p.name for p in (built.html / "pagefind" / bundle).iterdir() if p.is_file())

    runtime = ["pagefind-worker.js", "pagefind.js", "wasm.de.pagefind", "wasm.unknown.pagefind"]
    assert [name for name in files("1") if name in runtime] == runtime
    for merged in ("2", "3", "4"):  # merged into the first, they run on its runtime
        assert [name for name in files(merged) if not name.endswith(".pf_meta")] == ["pagefind-entry.json"]
    assert 'data-bundles="pagefind/1/ pagefind/2/ pagefind/3/ pagefind/4/"' in (built.html / "suche.html").read_text()
    with searched(browser, built.html, "Musterstadt") as (_, found, status):
        pages = {href for href, _, _ in found}  # one page a bundle: these come from three
        assert {"/grusswort.html", "/musterstadt.html", "/oeffnung.html"} <= pages
        assert status == f"{len(found)} Treffer"


def test_a_cached_rebuild_indexes_only_the_bundle_of_an_edited_page(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed: list[list[str]] = []
    original = search.index

    def recording(packed: bytes) -> bytes:
        indexed.append(sorted(search.unpack(packed)))
        return original(packed)

    monkeypatch.setattr(search, "index", recording)
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    store = tmp_path / "cache"
    build(sample_book, tmp_path / "a", cache_dir=store)
    assert len(indexed) == 2
    build(sample_book, tmp_path / "b", cache_dir=store)
    assert len(indexed) == 2
    page = sample_book / "beitraege" / "musterstadt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Ein Beispiel aus der Praxis.", "Neu."), encoding="utf-8")
    build(sample_book, tmp_path / "c", cache_dir=store)
    assert len(indexed) == 3 and "musterstadt.html" in indexed[2] and len(indexed[2]) == 2


def test_each_shard_is_indexed_beside_as_soon_as_its_pages_have_come(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    pages = [(f"seite-{n}.html", f"<p>Seite\u00ad{n}</p>".encode()) for n in range(1, 5)]
    names = [name for name, _ in pages]
    started: list[tuple[Future[bytes], dict[str, bytes]]] = []

    def beside(make: Callable[[bytes], bytes], data: bytes) -> Future[bytes]:
        assert make is search.index
        started.append((Future(), search.unpack(data)))
        return started[-1][0]

    indexing = search.Indexing(names, Direct(), beside, bytes)
    shards = search.shards(names)
    assert len(shards) == 4
    for number, (name, page) in enumerate(pages, start=1):
        indexing.add(name, page)
        assert [sorted(indexed) for _, indexed in started] == [names[:1], names[1:2], names[2:3], names[3:]][:number]
    assert started[0][1] == {"seite-1.html": b"<p>Seite1</p>"}  # indexed without soft hyphens
    for number, (future, _) in enumerate(started, start=1):
        runtime = {"pagefind.js": b"js", "pagefind-worker.js": b"worker", "wasm.de.pagefind": b"wasm"}
        future.set_result(search.pack({"pagefind-entry.json": str(number).encode(), **runtime}))
    assert dict(indexing.files()) == {
        search.SCRIPT: (Path(search.__file__).parents[1] / "templates" / "html" / "search.js").read_bytes(),
        "pagefind/1/pagefind.js": b"js",
        "pagefind/1/pagefind-worker.js": b"worker",
        "pagefind/1/wasm.de.pagefind": b"wasm",  # the runtime in the first bundle alone
        **{f"pagefind/{n}/pagefind-entry.json": str(n).encode() for n in range(1, 5)},
    }


class FoundAfterTheFirst(Direct):
    """``Pages`` that hold the bundle of every shard but the first (its entry: the shard's pages)."""

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        if b"seite-1.html" in data:
            return beside(make, data).result
        return lambda: search.pack({"pagefind-entry.json": " ".join(sorted(search.unpack(data))).encode()})


def test_the_bundles_found_already_come_before_those_pagefind_indexes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    first: Future[bytes] = Future()
    indexing = search.Indexing([f"seite-{n}.html" for n in range(1, 4)], FoundAfterTheFirst(), lambda *_: first, bytes)
    for n in range(1, 4):
        indexing.add(f"seite-{n}.html", b"<p>Seite</p>")
    files = indexing.files()
    # Taken while Pagefind still indexes the first shard (taking its bundle now would wait for ever).
    assert list(itertools.islice(files, 3)) == [
        (search.SCRIPT, (Path(search.__file__).parents[1] / "templates" / "html" / "search.js").read_bytes()),
        ("pagefind/2/pagefind-entry.json", b"seite-2.html"),
        ("pagefind/3/pagefind-entry.json", b"seite-3.html"),
    ]
    first.set_result(search.pack({"pagefind-entry.json": b"seite-1.html", "pagefind.js": b"js"}))
    assert list(files) == [("pagefind/1/pagefind-entry.json", b"seite-1.html"), ("pagefind/1/pagefind.js", b"js")]


def test_threads_take_turns_often_while_pagefind_indexes(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    intervals: list[float] = []
    original = search.index
    monkeypatch.setattr(search, "index", lambda packed: intervals.append(sys.getswitchinterval()) or original(packed))
    before = sys.getswitchinterval()
    build(sample_book, tmp_path / "out", ("html",))
    assert intervals == [search.SWITCH_SECONDS] and sys.getswitchinterval() == before == 0.005


def test_pagefind_works_in_memory_where_the_system_has_a_folder_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders: list[str | None] = []
    original = tempfile.TemporaryDirectory

    def noting(prefix: str, dir: Path | None) -> tempfile.TemporaryDirectory[str]:
        folders.append(dir and dir.name)
        return original(prefix=prefix, dir=dir)

    monkeypatch.setattr(tempfile, "TemporaryDirectory", noting)
    packed = search.pack({"seite.html": b'<html lang="de"><body data-pagefind-body><p>Seite</p></body></html>'})
    monkeypatch.setattr(search, "IN_MEMORY", tmp_path / "shm")
    on_disk = search.index(packed)
    (tmp_path / "shm").mkdir()
    assert "pagefind-entry.json" in search.unpack(search.index(packed)) and folders == [None, "shm"]
    assert list((tmp_path / "shm").iterdir()) == []
    # The bundle depends on how the folder lists the pages: it is derived for the one it is made in.
    assert search.Indexing(["seite.html"], Direct(), at_once, bytes).kind.endswith(f" in {tmp_path / 'shm'}")
    assert "pagefind-entry.json" in search.unpack(on_disk)
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # there, but not this process's to write in
    assert search.scratch_folder() is None


def test_pages_must_come_in_reading_order_and_every_shard_complete() -> None:
    indexing = search.Indexing(["a.html", "b.html"], Direct(), lambda make, data: Future(), bytes)
    with pytest.raises(ValueError, match=r"^page b.html came where a.html was expected$"):
        indexing.add("b.html", b"")
    indexing.add("a.html", b"")
    with pytest.raises(ValueError, match=r"^1 of 2 pages have not come$"):
        indexing.files()


def test_a_page_added_or_removed_changes_its_own_shard_and_no_other() -> None:
    names = [f"kapitel-{number:04d}.html" for number in range(1, 1001)]

    def cut(pages: list[str]) -> set[tuple[str, ...]]:
        return {tuple(pages[i] for i in shard) for shard in search.shards(pages)}

    shards = cut(names)
    sizes = [len(shard) for shard in search.shards(names)]
    assert all(search.SHARD_PAGES // 2 < size <= 2 * search.SHARD_PAGES for size in sizes[:-1])  # the last: the rest
    assert 0.8 * search.SHARD_PAGES < len(names) / len(shards) < 1.2 * search.SHARD_PAGES
    added, removed = names[:10] + ["neu.html"] + names[10:], names[:500] + names[501:]
    assert (len(cut(added) - shards), len(cut(removed) - shards)) == (1, 1)


def test_a_failing_indexer_fails_the_build_and_keeps_the_last_edition(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    build_into(sample_book, out)
    before = (out / "html" / "index.html").read_bytes()
    (sample_book / "beitraege" / "musterstadt.md").write_text(
        (sample_book / "beitraege" / "musterstadt.md").read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8"
    )
    monkeypatch.setattr(search, "_executable", lambda: Path("/bin/false"))
    result = CliRunner().invoke(main, ["build", "--book", str(sample_book), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [
        f"{out / 'html'}:1:1: error[QZ601]: the search index could not be built: Pagefind exited with 1: no message",
        "build failed: 1 error(s); nothing was written",
    ]
    assert (out / "html" / "index.html").read_bytes() == before
    assert b"Neu." not in (out / "html" / "musterstadt.html").read_bytes()
