"""A new format is one module: a ``Writer`` registered from outside the package builds with
``qz-ebook build --format`` and nothing else changed (docs/architecture.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from qz_ebook.cli import main
from qz_ebook.writers import registry

# The whole format: a plain-text table of contents, indented by level.
PLUGIN = """
from pathlib import Path

from qz_ebook.writers.base import Writer


class TocWriter(Writer):
    name = "toc"
    stage = "Inhalt"

    def outputs(self, settings, out_dir):
        return (out_dir / f"{settings.name}-inhalt.txt",)

    def page_count(self, edition):
        return 0

    def render(self, edition, job, pages, output):
        lines = []

        def walk(nodes, depth):
            for node in nodes:
                lines.append("  " * depth + node.label)
                walk(node.children, depth + 1)

        walk(edition.toc, 0)
        (path,) = self.outputs(edition.book.settings, job.out_dir)
        with output.file(path) as stream:
            stream.write(("\\n".join(lines) + "\\n").encode("utf-8"))
"""
SAMPLE_TOC = """\
Grußworte
  Erika Beispiel, Bürgermeisterin
Handreichungen
  I. Interkulturelle Öffnung
    Musterstadt: Ein Beispiel
Weitere Themen
  1. Einbürgerung
    Dr. Max Muster: Ein Fachbeitrag
"""


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """A folder holding the plug-in module and the metadata that names its entry point."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "qz_toc_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = folder / "qz_toc_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qz-toc-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[qz_ebook.writers]\ntoc = qz_toc_plugin:TocWriter\n", encoding="utf-8")
    return folder


def test_a_writer_registered_in_process_builds_with_format(
    plugin: Path, sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(plugin))
    from qz_toc_plugin import TocWriter  # type: ignore[import-not-found]

    monkeypatch.setattr(registry, "_registered", dict(registry._registered))  # the test's registration only
    registry.register(TocWriter())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--format", "toc", "--book", str(sample_book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'beispiel-inhalt.txt'}" in result.output.splitlines()
    assert sorted(p.name for p in out.iterdir()) == ["beispiel-inhalt.txt"]  # no other format was built
    assert (out / "beispiel-inhalt.txt").read_text(encoding="utf-8") == SAMPLE_TOC


def test_an_installed_writer_is_found_through_its_entry_point(plugin: Path, sample_book: Path, tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), str(REPO)])}
    out = tmp_path / "out"
    command = [sys.executable, "-m", "qz_ebook", "build", "--format", "toc", "--book", str(sample_book)]
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, env=environment, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "beispiel-inhalt.txt").read_text(encoding="utf-8") == SAMPLE_TOC
    helped = subprocess.run([*command[:3], "build", "--help"], capture_output=True, text=True, env=environment)
    assert "[epub|html|kepub|pdf|toc|all]" in helped.stdout


def test_an_unknown_format_is_a_usage_error_naming_the_formats(sample_book: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--format", "docx", "--book", str(sample_book)])
    assert result.exit_code == 2
    assert "Invalid value for '--format': 'docx' is not one of 'epub', 'html', 'kepub', 'pdf', 'all'." in result.output
