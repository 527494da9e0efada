"""Marks what WeasyPrint draws outside the structure tree as artifacts (PDF/UA-1, Matterhorn 01-005).

WeasyPrint 70 tags every box it draws, but keeps two kinds of tagged content out of
the document's structure tree:

- the page margin boxes (running head, page number): their structure elements are
  made but never hung into the tree ("Artifact in the tree is only allowed in
  PDF 2.0"), so their content is marked as real content that no reader reaches;
- decorative images (``alt=""``, which the manuscript writes as ``{.decorative}``): they
  become ``Figure`` elements without ``/Alt``, which PDF/UA forbids.

PDF/UA-1 asks for such content to be an artifact instead. This pass rewrites each
of those marked-content sequences from ``/Span <</MCID n>> BDC`` to
``/Artifact <</Type /Pagination>> BDC`` (``/Layout`` for a decorative image), drops
the elements from the tree and their entries from the parent tree. Everything else
stays as WeasyPrint wrote it; the result is as reproducible as its input.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

PAGINATION = "/Pagination"  # running heads and page numbers
LAYOUT = "/Layout"  # decorative images


def mark_artifacts(document: bytes) -> bytes:
    """``document`` with margin boxes and decorative images turned into artifacts."""
    import pikepdf

    with pikepdf.open(io.BytesIO(document)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return document
        decorative = _detach_decorative_figures(tree, pikepdf)
        reachable = {element.objgen for element in structure_elements(tree, pikepdf)}
        owners_of = parent_tree(tree)
        for page in pdf.pages:
            owners = owners_of.get(int(page.obj.get("/StructParents", -1)))
            if owners is None:
                continue
            artifacts = {
                mcid: LAYOUT if owner.objgen in decorative else PAGINATION
                for mcid, owner in enumerate(owners)
                if isinstance(owner, pikepdf.Dictionary) and owner.objgen not in reachable
            }
            if artifacts:
                _rewrite(pdf, page, artifacts, pikepdf)
                for mcid in artifacts:
                    owners[mcid] = None
        out = io.BytesIO()
        # The ID's first half (WeasyPrint's, derived from the book) stays; the second is hashed from
        # the content, where qpdf would otherwise seed it with the time.
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


def structure_elements(element: Any, pikepdf: Any) -> Iterator[Any]:
    """Every structure element below ``element``, depth first, in reading order."""
    kids = element.get("/K") if element is not None else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from structure_elements(kid, pikepdf)


def parent_tree(tree: Any) -> dict[int, Any]:
    """The parent tree's number → value pairs (WeasyPrint writes one flat ``/Nums`` array)."""
    nums = tree.ParentTree.get("/Nums", [])
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _detach_decorative_figures(tree: Any, pikepdf: Any) -> set[tuple[int, int]]:
    """Takes every ``Figure`` without ``/Alt`` out of the tree; returns it and everything below it."""
    detached: set[tuple[int, int]] = set()
    for element in list(structure_elements(tree, pikepdf)):
        if element.get("/S") != "/Figure" or "/Alt" in element:
            continue
        parent = element.P
        kids = parent.K
        if isinstance(kids, pikepdf.Array):
            parent.K = pikepdf.Array([kid for kid in kids if kid.objgen != element.objgen])
        else:
            del parent.K
        detached.add(element.objgen)
        detached.update(below.objgen for below in structure_elements(element, pikepdf))
    return detached


def _rewrite(pdf: Any, page: Any, artifacts: dict[int, str], pikepdf: Any) -> None:
    """Turns the page's marked-content sequences with the given MCIDs into artifacts."""
    instructions = []
    for instruction in pikepdf.parse_content_stream(page):
        operands = instruction.operands
        if str(instruction.operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
            kind = artifacts.get(int(operands[1].get("/MCID", -1)))
            if kind is not None:
                artifact = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name(kind))]
                instruction = pikepdf.ContentStreamInstruction(artifact, instruction.operator)
        instructions.append(instruction)
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
