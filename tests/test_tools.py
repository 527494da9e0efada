"""Where the checkers' npm tools live and how they are installed; what a missing system tool says."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from qz_ebook.checks import model, tools
from qz_ebook.checks.model import ToolMissing
from qz_ebook.cli import main


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QZ_EBOOK_CACHE", str(tmp_path / "eigen"))
    assert tools.cache_folder() == tmp_path / "eigen"
    monkeypatch.delenv("QZ_EBOOK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tools.cache_folder() == tmp_path / "xdg" / "qz-ebook"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert tools.cache_folder() == tmp_path / "home" / ".cache" / "qz-ebook"


def test_a_checkout_with_node_modules_keeps_its_tools() -> None:
    assert tools.tools_root() == REPO


def test_the_lock_files_ship_with_the_package() -> None:
    from importlib import resources

    for name in tools.LOCK_FILES:
        shipped = resources.files("qz_ebook.checks").joinpath("npm", name).read_bytes()
        assert shipped == (REPO / name).read_bytes()


@pytest.mark.parametrize(
    ("platform", "line"),
    [
        ("linux", "sudo apt-get install default-jre-headless"),
        ("darwin", "brew install openjdk"),
        ("win32", "winget install EclipseAdoptium.Temurin.17.JRE"),
        ("freebsd14", "sudo apt-get install default-jre-headless"),
    ],
)
def test_a_missing_system_tool_gets_the_line_for_its_platform(
    platform: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model.sys, "platform", platform)
    assert model.install_line("Java") == line


def test_tools_install_without_npm_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissing) as missing:
        tools.install_node_tools()
    assert str(missing.value) == "Node.js is not installed: npm is not installed: sudo apt-get install nodejs npm"
    result = CliRunner().invoke(main, ["tools", "install"])
    assert (result.exit_code, result.stderr) == (3, f"error: {missing.value}\n")
