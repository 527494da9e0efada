"""The package's shape (docs/architecture.md): no import cycles, the domain never imports
the speed machinery, and no module grows past what one reader can hold in mind."""

from __future__ import annotations

import ast
import importlib.metadata
import io
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from ebooklib import epub
from markdown.treeprocessors import InlineProcessor
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PACKAGE = REPO / "qz_ebook"
DOMAIN = ("qz_ebook.source", "qz_ebook.convert", "qz_ebook.edition", "qz_ebook.writers")
INCREMENTAL = "qz_ebook.incremental"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The modules ``path`` imports, anywhere in it (type-checking imports too: a cycle there is one as well)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from qz_ebook.convert import batch`` imports the module qz_ebook.convert.batch
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path): path for path in paths}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each once, as the modules along it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name) :]
            if sorted(cycle) not in [sorted(c) for c in found]:
                found.append(cycle)
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            walk(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        walk(name, [])
    return found


def test_the_import_graph_has_no_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_domain_never_imports_the_incremental_machinery() -> None:
    graph = import_graph()
    offending = {
        name: sorted(m for m in imported if m.startswith(INCREMENTAL))
        for name, imported in graph.items()
        if name.startswith(DOMAIN)
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_only_the_build_wires_the_incremental_machinery_in() -> None:
    """Outside incremental/ itself, the modules that orchestrate a build are the seam (and the staging
    area, whose in-place update trusts settled file stamps; and what a build starts first, the
    hyphenation dictionary from the copy kept in the cache)."""
    graph = import_graph()
    users = {name for name, imported in graph.items() if any(m.startswith(INCREMENTAL) for m in imported)}
    assert {name for name in users if not name.startswith(INCREMENTAL)} == {
        "qz_ebook.build",
        "qz_ebook.cli.building",
        "qz_ebook.head_start",
        "qz_ebook.output",
        "qz_ebook.rendering",
    }


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_max_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_the_installed_libraries_are_within_the_bounds_pyproject_pins() -> None:
    """Code that relies on a library's internals pins an upper bound; what runs the tests is inside it."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    outside = []
    for spelled in project["dependencies"]:
        requirement = Requirement(spelled)
        installed = importlib.metadata.version(requirement.name)
        if not requirement.specifier.contains(installed, prereleases=True):
            outside.append(f"{requirement.name} {installed} is not {requirement.specifier}")
    python = ".".join(map(str, sys.version_info[:3]))
    if not SpecifierSet(project["requires-python"]).contains(python):
        outside.append(f"Python {python} is not {project['requires-python']}")
    assert outside == []


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (zipfile.ZipFile, "_writecheck"),  # writers/epub_zip.py
        (zipfile.ZipFile, "_seekable"),
        (epub.EpubWriter, "_write_opf_file"),  # writers/epub.py
        (epub.EpubWriter, "_get_ncx"),
        (epub.EpubWriter, "_write_container"),
        (epub.EpubWriter, "_write_opf"),
        (epub.EpubWriter, "_write_items"),
        (InlineProcessor, "_InlineProcessor__handleInline"),  # convert/fastmarkdown.py
        (InlineProcessor, "_InlineProcessor__applyPattern"),
    ],
)
def test_the_library_internals_we_extend_are_there(owner: type, name: str) -> None:
    if name == "_seekable":  # an instance attribute
        with zipfile.ZipFile(io.BytesIO(), "w") as archive:
            assert isinstance(getattr(archive, name), bool)
        return
    assert callable(getattr(owner, name, None))
