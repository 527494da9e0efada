"""axe-core in Debian's Chromium (via Playwright) on the HTML edition, plus reflow and keyboard.

For every page, in a light and in a dark colour scheme
(``browser.new_context(color_scheme=…)``, which sets ``prefers-color-scheme``),
and in each of them with the edition's theme switch set to the other one, the
stock ``node_modules/axe-core/axe.min.js`` is injected and run as::

    axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})

A violation found in both schemes is reported once; one found in only one
scheme has the scheme in front of its message (``[dark] …``).

In the same browser, at a viewport 320 CSS px wide (WCAG 1.4.10 Reflow), two
checks of our own follow on a fresh load of each page:

- ``reflow-320``: ``document.documentElement.scrollWidth`` exceeds 320 px, i.e.
  the page scrolls sideways; the element names where the overflow starts: the
  elements that stick out of the viewport while their parent does not.
- ``first-tab-stop``: after one press of Tab, ``document.activeElement`` is not
  the skip link ``a.skip-link`` (WCAG 2.4.1 Bypass Blocks).

Pages are served on loopback (``checks.serve``) and opened over HTTP, as a reader's
browser gets them; a page is checked once nothing on it is ``aria-busy``. The HTML
edition's search page is checked a second time with results shown: it searches for
the longest word of the first searchable page's title. Chromium is ``/usr/bin/chromium``,
launched headless with :data:`~qz_ebook.checks.model.CHROMIUM_FLAGS`;
Playwright gives every launch a fresh temporary ``--user-data-dir`` of its own
(it refuses the flag in ``args``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from lxml import html as lxml_html

from qz_ebook.checks.model import (
    CHROMIUM_FLAGS,
    Finding,
    ToolMissing,
    ToolResult,
    one_line,
    require_chromium,
    require_node_file,
    truncate,
)
from qz_ebook.checks.serve import open_settled, served
from qz_ebook.messages import Message
from qz_ebook.writers.html import EXTENSION, SEARCH

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TOOL = "axe-core"
AXE = "axe-core/axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
# The colour schemes pages are checked in: the system's light and dark, and each overridden by the
# edition's theme switch (the choice it remembers in localStorage, read before the page paints).
SCHEMES = ("light", "dark", "dark by the switch", "light by the switch")
SYSTEM = {"light": "light", "dark": "dark", "dark by the switch": "light", "light by the switch": "dark"}
SWITCHED = {"dark by the switch": "dark", "light by the switch": "light"}
REFLOW_WIDTH = 320
TIMEOUT_MS = 120_000
REFLOW_HELP = "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html"
TAB_HELP = "https://www.w3.org/WAI/WCAG22/Understanding/bypass-blocks.html"

RUN_AXE = """options => axe.run(document, options).then(results => ({
    version: results.testEngine.version,
    violations: results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, html: n.html, impact: n.impact, summary: n.failureSummary})),
    })),
}))"""

MEASURE_WIDTH = r"""() => {
    const limit = document.documentElement.clientWidth + 1;
    const right = el => el.getBoundingClientRect().right;
    // Where the overflow starts: elements that stick out while their parent does not.
    const culprits = [...document.querySelectorAll('body, body *')].filter(el =>
        el.getBoundingClientRect().width > 0 && right(el) > limit && right(el.parentElement) <= limit);
    const name = el => el.localName + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join('');
    const describe = el => {
        const text = el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
        const width = Math.round(el.getBoundingClientRect().width);
        return `${name(el.parentElement)} > ${name(el)} (${width} px)` + (text ? ` “${text}”` : '');
    };
    return {width: document.documentElement.scrollWidth, culprits: [...new Set(culprits.map(describe))].slice(0, 5)};
}"""

FOCUSED = """() => {
    const active = document.activeElement;
    if (!active || active === document.body) return {skip: false, html: ''};
    return {skip: active.matches('a.skip-link'), html: active.outerHTML};
}"""


def require_axe(root: Path) -> Path:
    """``axe.min.js``; raises ``ToolMissing`` also without Playwright or Chromium."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reinstall = Message("reinstall qz-ebook: {package} is one of its dependencies", package="playwright")
        raise ToolMissing("Playwright", reinstall) from None
    require_chromium()
    return require_node_file(root, AXE, TOOL)


def check_html(html_dir: Path, root: Path) -> ToolResult:
    """Check every ``*.html`` page under ``html_dir``, and its search page with results."""
    pages = sorted(html_dir.rglob("*.html"))
    return check_pages(pages, html_dir, root, searches=search_addresses(pages, html_dir))


def search_addresses(pages: Sequence[Path], html_dir: Path) -> tuple[str, ...]:
    """The search page with a query that finds something, when the edition has a search page."""
    if not (html_dir / f"{SEARCH}.{EXTENSION}").is_file():
        return ()
    for page in pages:
        tree = lxml_html.fromstring(page.read_bytes())
        title = tree.xpath("string(//*[@data-pagefind-body]//h1)")
        words = sorted(re.findall(r"\w{4,}", title), key=len, reverse=True)
        if words:
            return (f"{SEARCH}.{EXTENSION}?{urlencode({'q': words[0]})}",)
    return ()


def check_pages(pages: Sequence[Path], base: Path, root: Path, searches: Sequence[str] = ()) -> ToolResult:
    """Check ``pages``, and the addresses ``searches`` relative to ``base``; documents are named relative to it."""
    script = require_axe(root).read_text(encoding="utf-8")
    from playwright.sync_api import Error, sync_playwright

    names = [page.resolve().relative_to(base.resolve()).as_posix() for page in pages] + list(searches)
    version = _axe_version(root)
    try:
        with served(base) as address, sync_playwright() as playwright:
            urls = [address + (name if name in searches else quote(name)) for name in names]
            browser = playwright.chromium.launch(executable_path=str(require_chromium()), args=list(CHROMIUM_FLAGS))
            try:
                version = f"{version} (Chromium {browser.version})"
                by_scheme = {scheme: list(_axe(browser, scheme, names, urls, script)) for scheme in SCHEMES}
                layout = list(_layout(browser, names, urls))
            finally:
                browser.close()
    except Error as error:
        return ToolResult(TOOL, version, 0, (), f"the browser failed: {truncate(str(error), 600)}")
    findings = _merge_schemes(by_scheme) + layout
    order = {name: index for index, name in enumerate(names)}
    findings.sort(key=lambda f: (order.get(f.document, len(order)), f.rule, f.element))
    return ToolResult(TOOL, version, len(pages), tuple(findings), documents=tuple(names))


def _axe(browser: Browser, scheme: str, names: list[str], urls: list[str], script: str) -> Iterator[Finding]:
    context = browser.new_context(color_scheme="dark" if SYSTEM[scheme] == "dark" else "light")
    if scheme in SWITCHED:
        context.add_init_script(f"localStorage.setItem('qz-theme', '{SWITCHED[scheme]}')")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        options = {"runOnly": {"type": "tag", "values": list(TAGS)}}
        for name, url in zip(names, urls, strict=True):
            open_settled(page, url)
            page.add_script_tag(content=script)
            results: dict[str, Any] = page.evaluate(RUN_AXE, options)
            for violation in results["violations"]:
                for node in violation["nodes"]:
                    yield Finding(
                        tool=TOOL,
                        document=name,
                        rule=str(violation["id"]),
                        severity=str(node.get("impact") or violation.get("impact") or ""),
                        message=f"{violation['help']}. {one_line(str(node.get('summary') or ''))}".strip(),
                        element=f"{_selector(node['target'])}: {truncate(str(node.get('html') or ''))}",
                        help_url=str(violation.get("helpUrl") or ""),
                    )
    finally:
        context.close()


def _selector(target: list[Any]) -> str:
    """axe's target: a list of selectors, nested lists for shadow DOM."""
    return " ".join(part if isinstance(part, str) else " >>> ".join(map(str, part)) for part in target)


def _merge_schemes(by_scheme: dict[str, list[Finding]]) -> list[Finding]:
    """A violation seen in every scheme once; one seen in some schemes marked with them."""
    seen: dict[Finding, list[str]] = {}
    for scheme, violations in by_scheme.items():
        for violation in violations:
            schemes = seen.setdefault(violation, [])
            if scheme not in schemes:
                schemes.append(scheme)
    merged = []
    for violation, schemes in seen.items():
        if len(schemes) < len(by_scheme):
            label = "".join(f"[{scheme}] " for scheme in schemes)
            violation = replace(violation, message=label + violation.message)
        merged.append(violation)
    return merged


def _layout(browser: Browser, names: list[str], urls: list[str]) -> Iterator[Finding]:
    """Reflow at 320 px and the first Tab stop, on a fresh load of each page."""
    context = browser.new_context(viewport={"width": REFLOW_WIDTH, "height": 640}, color_scheme="light")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        for name, url in zip(names, urls, strict=True):
            open_settled(page, url)
            yield from _reflow(page, name)
            yield from _first_tab_stop(page, name)
    finally:
        context.close()


def _reflow(page: Page, name: str) -> Iterator[Finding]:
    measured: dict[str, Any] = page.evaluate(MEASURE_WIDTH)
    width = int(measured["width"])
    if width > REFLOW_WIDTH:
        culprits = ", ".join(measured["culprits"]) or "html"
        message = (
            f"At a viewport {REFLOW_WIDTH} px wide the page is {width} px wide and scrolls sideways; "
            "content must reflow into one column (WCAG 1.4.10)."
        )
        yield Finding(TOOL, name, "reflow-320", "serious", message, culprits, REFLOW_HELP)


def _first_tab_stop(page: Page, name: str) -> Iterator[Finding]:
    page.keyboard.press("Tab")
    focused: dict[str, Any] = page.evaluate(FOCUSED)
    if not focused["skip"]:
        element = truncate(str(focused["html"])) or "nothing received focus"
        message = "The first Tab stop must be the skip link (a.skip-link) to the main content (WCAG 2.4.1)."
        yield Finding(TOOL, name, "first-tab-stop", "serious", message, element, TAB_HELP)


def _axe_version(root: Path) -> str:
    package = root / "node_modules" / "axe-core" / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""
