"""Golden files: the sample book's package, navigation and pages, compared exactly.

Dates and the tool version are normalised first. After an intended change of the
output, regenerate with ``QZ_UPDATE_GOLDEN=1 make test`` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import GOLDEN, Built

FILES = [
    "EPUB/content.opf",
    "EPUB/toc.ncx",
    "EPUB/nav.xhtml",
    "EPUB/titelei.xhtml",
    "EPUB/oeffnung.xhtml",
    "EPUB/1-einbuergerung.xhtml",
    "html/index.html",
    "html/oeffnung.html",
]
NORMALISE = [
    (re.compile(r'(property="dcterms:modified">)[^<]+'), r"\1DATE"),
    (re.compile(r'(content="qz-ebook )[^"]+'), r"\1VERSION"),
]


def normalised(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def produced(built: Built, name: str) -> Path:
    return built.html / name.removeprefix("html/") if name.startswith("html/") else built.unpacked / name


@pytest.mark.parametrize("name", FILES)
def test_output_matches_golden_file(name: str, sample_built: Built) -> None:
    actual = normalised(produced(sample_built, name).read_text(encoding="utf-8"))
    golden = GOLDEN / name
    if os.environ.get("QZ_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_normalising_touches_only_date_and_version() -> None:
    text = '<meta property="dcterms:modified">2014-05-13T16:53:20Z</meta><meta content="qz-ebook 0.1.0"/>'
    assert normalised(text) == '<meta property="dcterms:modified">DATE</meta><meta content="qz-ebook VERSION"/>'
