"""Machine-checkable conditions of PDF/UA-1 on the PDF, read with pikepdf.

veraPDF is not available from the registries qz-ebook installs from, so the PDF is
checked against the Matterhorn Protocol's conditions that a program can decide
(checkpoint numbers in the rule names):

- ``06-001`` the XMP metadata declares PDF/UA (``pdfuaid:part`` 1), ``06-003`` with a ``dc:title``;
- ``01-001`` the document is tagged: ``/MarkInfo /Marked true`` and a ``/StructTreeRoot``;
- ``11-001`` ``/Lang`` names the natural language;
- ``07-001`` ``/ViewerPreferences /DisplayDocTitle true``;
- ``13-004`` every ``Figure`` structure element has ``/Alt``;
- ``31-001`` every font is embedded;
- ``bookmarks`` (Matterhorn 28-… for links, WCAG 2.4.5 for navigation): the outline exists
  and every bookmark and every link annotation leads to a destination the document has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qz_ebook.checks.model import Finding, ToolMissing, ToolResult

TOOL = "PDF/UA (pikepdf)"
HELP = "https://pdfa.org/resource/the-matterhorn-protocol/"


def require_pikepdf() -> Any:
    try:
        import pikepdf
    except ImportError:
        raise ToolMissing("pikepdf", "install the test extras: pip install -e '.[test]' (make test does)") from None
    return pikepdf


def check_pdf(path: Path) -> ToolResult:
    """The PDF/UA conditions above on ``path``: one finding for each that does not hold."""
    pikepdf = require_pikepdf()
    with pikepdf.open(path) as pdf:
        findings = [
            Finding(TOOL, path.name, rule, "serious", message, element, HELP)
            for rule, message, element in _failing(pdf)
        ]
        version = f"pikepdf {pikepdf.__version__}"
        return ToolResult(TOOL, version, 1, tuple(findings))


def _failing(pdf: Any) -> Iterator[tuple[str, str, str]]:
    import pikepdf

    root = pdf.Root
    xmp = bytes(root.Metadata.read_bytes()).decode("utf-8", "replace") if "/Metadata" in root else ""
    if 'pdfuaid:part="1"' not in xmp and "<pdfuaid:part>1</pdfuaid:part>" not in xmp:
        yield "06-001", "The XMP metadata does not declare PDF/UA-1 (pdfuaid:part).", "/Metadata"
    if "<dc:title>" not in xmp:
        yield "06-003", "The XMP metadata has no dc:title.", "/Metadata"
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)) or "/StructTreeRoot" not in root:
        yield "01-001", "The document is not tagged (/MarkInfo /Marked true and a /StructTreeRoot).", "/Root"
    if not str(root.get("/Lang", "")).strip():
        yield "11-001", "The document names no natural language (/Lang).", "/Root"
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        yield "07-001", "The title bar would show the file name: /DisplayDocTitle is not true.", "/ViewerPreferences"
    for element in _structure(root.get("/StructTreeRoot"), pikepdf):
        if element.get("/S") == "/Figure" and not str(element.get("/Alt", "")).strip():
            yield "13-004", "A Figure has no alternative text (/Alt).", f"Figure {element.objgen}"
    for number, page in enumerate(pdf.pages, start=1):
        fonts = page.Resources.get("/Font", {}) if "/Resources" in page else {}
        for name, font in fonts.items():
            if not _embedded(font):
                yield "31-001", f"Font {font.get('/BaseFont')} is not embedded.", f"page {number} {name}"
    destinations = _named_destinations(root)
    if "/Outlines" not in root or "/First" not in root.Outlines:
        yield "bookmarks", "The PDF has no bookmarks.", "/Outlines"
    else:
        for title, target in _bookmarks(root.Outlines.First):
            if not _leads_somewhere(target, destinations, pikepdf):
                yield "bookmarks", "A bookmark leads nowhere.", title
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/A" not in annotation:
                if not _leads_somewhere(annotation.get("/Dest"), destinations, pikepdf):
                    yield "links", f"A link leads to no destination: {annotation.get('/Dest')}", f"page {number}"


def _structure(element: Any, pikepdf: Any) -> Iterator[Any]:
    """Every structure element below ``element``, depth first."""
    kids = element.get("/K") if element is not None else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _structure(kid, pikepdf)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # drawn by the document's own glyph procedures
    described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
    descriptor = described.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _named_destinations(root: Any) -> set[str]:
    names: set[str] = set()
    tree = root.get("/Names", {}).get("/Dests")
    stack = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        pairs = node.get("/Names", [])
        names.update(str(pairs[i]) for i in range(0, len(pairs), 2))
        stack.extend(node.get("/Kids", []))
    return names


def _bookmarks(item: Any) -> Iterator[tuple[str, Any]]:
    while item is not None:
        yield str(item.get("/Title", "")), item.get("/Dest") or item.get("/A", {}).get("/D")
        if "/First" in item:
            yield from _bookmarks(item.First)
        item = item.get("/Next")


def _leads_somewhere(target: Any, destinations: set[str], pikepdf: Any) -> bool:
    if target is None:
        return False
    if isinstance(target, pikepdf.String | pikepdf.Name):
        return str(target) in destinations
    return isinstance(target, pikepdf.Array) and len(target) > 0
