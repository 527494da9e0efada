"""Property-based tests: whatever Markdown an author writes, the output is well-formed
XHTML with unique ids and nothing that runs. CI runs 2,000 examples (CI=true)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from qz_ebook.convert.converter import Converter
from qz_ebook.convert.links import Linker, LinkResolver
from qz_ebook.diagnostics import Diagnostics
from qz_ebook.model import Contribution

settings.register_profile("ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

BOOK = Path("/nonexistent/book")
PAGE = Contribution(slug="beitrag", source=BOOK / "beitrag.md", label="B", title="B", kind="article",
                    status="draft", lang="de", body="", body_line=1)  # fmt: skip
EPUB_NS = 'xmlns:epub="http://www.idpf.org/2007/ops"'

# German, combining marks, right-to-left scripts, quotes and Markdown's own characters.
ALPHABET = st.sampled_from(
    list("abcXYZäöüß ") + ["e\u0301", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u200f", '"', "'",
                            "&", "<", ">", "*", "_", "`", "\\", "#", "|", "-", ":", "!", "[", "]", "(", ")", "\u00a0"]
)  # fmt: skip
RAW_HTML = st.sampled_from([
    "<b>fett</b>", "<i>offen", "</div>", "<span lang=\"en\">word</span>", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<iframe src=\"https://e.org\"></iframe>",
    "<div onclick=\"x()\">d</div>", "<br>", "<!-- Notiz -->", "<p>absatz", "<style>body{}</style>",
    "<a href=\"data:text/html,x\">d</a>", "<object data=\"x.swf\"></object>", "&nbsp;&hellip;&#x27;",
])  # fmt: skip


def text() -> st.SearchStrategy[str]:
    return st.lists(ALPHABET, min_size=1, max_size=30).map("".join)


@st.composite
def inline(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(
        text(),
        text().map(lambda t: f"*{t.strip() or 'x'}*"),
        text().map(lambda t: f"**{t.strip() or 'x'}**"),
        text().map(lambda t: f"[{t.strip() or 'x'}](https://example.org/a?b=1&c=2)"),
        st.just("[oben](#kapitel)"),
        st.integers(1, 3).map(lambda n: f"[^{n}]"),
        RAW_HTML,
    ), min_size=1, max_size=6))  # fmt: skip
    return " ".join(pieces).replace("\n", " ")


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["p", "list", "nested", "table", "heading", "html", "quote"]))
    line = draw(inline())
    if kind == "list":
        return "\n".join(f"- {draw(inline())}" for _ in range(draw(st.integers(1, 3))))
    if kind == "nested":
        return f"- {line}\n    - {draw(inline())}\n        1. {draw(inline())}"
    if kind == "table":
        return f"| A | B |\n|---|---|\n| {line.replace('|', '/')} | x |\n\nTabelle: {draw(text())}"
    if kind == "heading":
        return f"## {line}"
    if kind == "html":
        return draw(RAW_HTML)
    if kind == "quote":
        return f"> {line}"
    return line


@st.composite
def manuscript(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block(), min_size=1, max_size=8))
    notes = [f"[^{n}]: {draw(inline())}" for n in (1, 2, 3)]
    return "## Kapitel {#kapitel}\n\n" + "\n\n".join(blocks + notes) + "\n"


@given(manuscript())
def test_any_markdown_gives_well_formed_safe_xhtml_with_unique_ids(body: str) -> None:
    converter = Converter(LinkResolver([PAGE]), (BOOK,), Diagnostics())
    converted = converter.convert(Contribution(**{**PAGE.__dict__, "body": body}))
    for linker in (Linker("xhtml", "beitrag"), Linker("html", "beitrag")):
        markup = converted.body.render(linker)
        root = etree.fromstring(f"<div {EPUB_NS}>{markup}</div>".encode())
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids))
        assert not [i for i in ids if ":" in i]
        assert not root.xpath("//*[local-name()='script' or local-name()='iframe' or local-name()='object']")
        assert not [a for a in root.xpath("//@*") if a.attrname.lower().startswith("on")]
        assert not [v for v in root.xpath("//@href | //@src") if re.match(r"\s*(javascript|data):", v, re.I)]
