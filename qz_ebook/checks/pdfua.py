"""Machine-checkable conditions of PDF/UA-1 on the PDF, read with pikepdf.

veraPDF is not available from the registries qz-ebook installs from, so the PDF is
checked against the Matterhorn Protocol's conditions that a program can decide
(checkpoint numbers in the rule names):

- ``06-001`` the XMP metadata declares PDF/UA (``pdfuaid:part`` 1), ``06-003`` with a ``dc:title``;
- ``01-001`` the document is tagged: ``/MarkInfo /Marked true`` and a ``/StructTreeRoot``;
- ``01-005`` every painted content (text, paths, images) is marked as an artifact or as real
  content that belongs to an element of the structure tree;
- ``11-001`` ``/Lang`` names the natural language;
- ``07-001`` ``/ViewerPreferences /DisplayDocTitle true``;
- ``13-004`` every ``Figure`` structure element has ``/Alt``;
- ``31-001`` every font is embedded;
- ``bookmarks`` (Matterhorn 28-… for links, WCAG 2.4.5 for navigation): the outline exists,
  nests as the book's outline when it is given (the contents first, then one bookmark per
  entry), and every bookmark and every link annotation leads to a destination the document has.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qz_ebook.checks.model import Finding, ToolResult
from qz_ebook.edition.navigation import NavNode
from qz_ebook.writers.pdf_artifacts import parent_tree, structure_elements

TOOL = "PDF/UA (pikepdf)"
HELP = "https://pdfa.org/resource/the-matterhorn-protocol/"


# Operators that put something on the page (PDF 1.7, table 51 to 92): text, paths, images, shadings.
PAINTING = frozenset({"Tj", "TJ", "'", '"', "Do", "BI", "sh", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s"})


def check_pdf(path: Path, outline: Sequence[NavNode] = ()) -> ToolResult:
    """The PDF/UA conditions above on ``path``: one finding for each that does not hold.

    ``outline`` is the book's table of contents; without it the bookmarks' nesting is not compared.
    """
    import pikepdf  # imported when a PDF is checked: the CLI starts without it

    with pikepdf.open(path) as pdf:
        failing = [*_failing(pdf), *_content_failing(pdf, pikepdf)]
        if outline and "/Outlines" in pdf.Root and "/First" in pdf.Root.Outlines:
            failing.extend(_nesting_failing(pdf.Root.Outlines.First, outline))
        findings = [Finding(TOOL, path.name, rule, "serious", said, element, HELP) for rule, said, element in failing]
        version = f"pikepdf {pikepdf.__version__}"
        return ToolResult(TOOL, version, 1, tuple(findings), documents=(path.name,))


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
    for element in structure_elements(root.get("/StructTreeRoot"), pikepdf):
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
        for _, title, target in _bookmarks(root.Outlines.First, 1):
            if not _leads_somewhere(target, destinations, pikepdf):
                yield "bookmarks", "A bookmark leads nowhere.", title
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/A" not in annotation:
                if not _leads_somewhere(annotation.get("/Dest"), destinations, pikepdf):
                    yield "links", f"A link leads to no destination: {annotation.get('/Dest')}", f"page {number}"


def _content_failing(pdf: Any, pikepdf: Any) -> Iterator[tuple[str, str, str]]:
    """Matterhorn 01-005 on every page: painted content that is neither an artifact nor in the tree."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return  # 01-001 has said it
    reachable = {element.objgen for element in structure_elements(tree, pikepdf)}
    owners_of = parent_tree(tree)
    for number, page in enumerate(pdf.pages, start=1):
        owners = owners_of.get(int(page.obj.get("/StructParents", -1)), [])
        open_sequences = 0
        loose: list[str] = []
        orphans: list[int] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                open_sequences += 1
                tagged = name == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                mcid = operands[1].get("/MCID") if tagged else None
                if mcid is not None and not _owned(owners, int(mcid), reachable, pikepdf):
                    orphans.append(int(mcid))
            elif name == "EMC":
                open_sequences -= 1
            elif name in PAINTING and open_sequences <= 0:
                loose.append(name)
        if loose:
            kinds = ", ".join(sorted(set(loose)))
            message = f"{len(loose)} painting operator(s) ({kinds}) are neither tagged nor artifacts."
            yield "01-005", message, f"page {number}"
        if orphans:
            listed = ", ".join(map(str, orphans[:5])) + (", …" if len(orphans) > 5 else "")
            message = f"Tagged content belongs to no structure element (MCID {listed}): mark it as an artifact."
            yield "01-005", message, f"page {number}"


def _owned(owners: Any, mcid: int, reachable: set[tuple[int, int]], pikepdf: Any) -> bool:
    owner = owners[mcid] if 0 <= mcid < len(owners) else None
    return isinstance(owner, pikepdf.Dictionary) and owner.objgen in reachable


def _nesting_failing(first: Any, outline: Sequence[NavNode]) -> Iterator[tuple[str, str, str]]:
    """The bookmarks against the outline: the contents' bookmark, then one per entry at its depth."""
    found = [(level, title) for level, title, _ in _bookmarks(first, 1)]
    expected = [(1, "the contents"), *_outline_levels(outline, 1)]
    for index, ((level, title), (wanted, label)) in enumerate(zip(found, expected, strict=False), start=1):
        if level != wanted:
            message = f"Bookmark {index} is at level {level}; the outline has '{label}' at level {wanted} there."
            yield "bookmarks", message, title
            return
    if len(found) != len(expected):
        message = f"The PDF has {len(found)} bookmarks; the outline asks for {len(expected)} (contents and entries)."
        yield "bookmarks", message, "/Outlines"


def _outline_levels(nodes: Sequence[NavNode], level: int) -> Iterator[tuple[int, str]]:
    for node in nodes:
        yield level, node.label
        yield from _outline_levels(node.children, level + 1)


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


def _bookmarks(item: Any, level: int) -> Iterator[tuple[int, str, Any]]:
    """(level, title, destination) of ``item``, its siblings and everything below them, in order."""
    while item is not None:
        yield level, str(item.get("/Title", "")), item.get("/Dest") or item.get("/A", {}).get("/D")
        if "/First" in item:
            yield from _bookmarks(item.First, level + 1)
        item = item.get("/Next")


def _leads_somewhere(target: Any, destinations: set[str], pikepdf: Any) -> bool:
    if target is None:
        return False
    if isinstance(target, pikepdf.String | pikepdf.Name):
        return str(target) in destinations
    return isinstance(target, pikepdf.Array) and len(target) > 0
