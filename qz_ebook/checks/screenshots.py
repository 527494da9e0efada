"""Screenshots of the HTML edition for reviewers: ``screenshots/`` beside the report.

The first screen of the start page, the first position paper, the first practice
example, the first perspective page and the search page with results, each at
375 and 1280 CSS px and in the light and the dark scheme, as Debian's Chromium
shows them served over HTTP. Validators pass pages that look broken; these show
what a reader sees. The report links them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qz_ebook.checks.axe import search_addresses
from qz_ebook.checks.model import CHROMIUM_FLAGS, require_chromium
from qz_ebook.checks.serve import open_settled, served
from qz_ebook.edition.pages import PERSPECTIVE_PREFIX
from qz_ebook.output import Staging

FOLDER = "screenshots"
VIEWPORTS = ((375, 800), (1280, 900))
SCHEMES = {"light": "hell", "dark": "dunkel"}
# The kinds of contribution pages shown, by the class of their <article>.
KINDS = (("position-paper", "Positionspapier"), ("practice-example", "Praxisbeispiel"))


@dataclass(frozen=True)
class Screenshot:
    """One screenshot: which page, how wide, in which scheme, and where it is (relative to the report)."""

    page: str  # e.g. "Positionspapier (hamm.html)"
    width: int
    scheme: str  # as the report names it: hell, dunkel
    path: str


def shown_pages(html_dir: Path) -> list[tuple[str, str]]:
    """(label, address relative to ``html_dir``) of the pages to show, those the edition has."""
    pages = sorted(html_dir.glob("*.html"))
    shown = [("Startseite (index.html)", "index.html")] if (html_dir / "index.html").is_file() else []
    for kind, label in KINDS:
        marker = re.compile(rf'<article class="{kind}"'.encode())
        found = next((page.name for page in pages if marker.search(page.read_bytes())), None)
        if found is not None:
            shown.append((f"{label} ({found})", found))
    perspective = next((page.name for page in pages if page.name.startswith(PERSPECTIVE_PREFIX)), None)
    if perspective is not None:
        shown.append((f"Perspektive ({perspective})", perspective))
    shown += [(f"Suche mit Treffern ({address})", address) for address in search_addresses(pages, html_dir)]
    return shown


def take_screenshots(html_dir: Path, out_dir: Path) -> tuple[Screenshot, ...]:
    """Screenshot the pages ``shown_pages`` picks into ``out_dir/screenshots`` (replaced as a whole)."""
    from playwright.sync_api import sync_playwright

    files: dict[str, bytes] = {}
    taken = []
    with served(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(require_chromium()), args=list(CHROMIUM_FLAGS))
        try:
            for label, address in shown_pages(html_dir):
                stem = re.sub(r"[^a-z0-9]+", "-", address.lower().removesuffix(".html").split(".html?")[0])
                for width, height in VIEWPORTS:
                    for scheme, named in SCHEMES.items():
                        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)  # type: ignore[arg-type]
                        try:
                            page = context.new_page()
                            open_settled(page, base + address)
                            name = f"{stem}-{width}-{scheme}.png"
                            files[name] = page.screenshot()
                        finally:
                            context.close()
                        taken.append(Screenshot(label, width, named, f"{FOLDER}/{name}"))
        finally:
            browser.close()
    with Staging() as staging:
        staging.tree(out_dir / FOLDER, files)
        staging.commit()
    return tuple(taken)
