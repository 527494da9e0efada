"""Where the checkers' own tools live, how to install them, and what to do when one is missing.

The npm packages (Ace, vnu.jar, axe-core) come from this package's lock file
(``checks/npm/``). In a checkout they live in its ``node_modules`` (``make tools``);
from a normal install, ``qz-ebook tools install`` puts them into a user cache folder:
``$QZ_EBOOK_CACHE``, else ``$XDG_CACHE_HOME/qz-ebook``, else ``~/.cache/qz-ebook``.
Java and Chromium are the system's: a missing one is named with the line that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from qz_ebook.checks.model import ToolMissing, install_line
from qz_ebook.messages import Message

LOCK_FILES = ("package.json", "package-lock.json")
NPM_TIMEOUT = 900  # seconds; the lock file pins ~300 packages


def cache_folder() -> Path:
    """The user's cache folder for qz-ebook."""
    if os.environ.get("QZ_EBOOK_CACHE"):
        return Path(os.environ["QZ_EBOOK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qz-ebook"


def tools_root() -> Path:
    """The folder whose ``node_modules`` holds the npm tools: the checkout's when it has them, else the cache's."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "package.json").is_file() and (checkout / "node_modules").is_dir():
        return checkout
    return cache_folder() / "tools"


def install_node_tools() -> Path:
    """``npm ci`` of the lock file into ``tools_root()`` (or the cache folder); returns the folder.

    Scripts are not run (``--ignore-scripts``): puppeteer would download a browser.
    Raises ``ToolMissing`` without npm, ``RuntimeError`` with npm's message when it fails.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissing(
            "Node.js",
            Message("{tool} is not installed: {instruction}", tool="npm", instruction=install_line("Node.js")),
        )
    folder = tools_root()
    folder.mkdir(parents=True, exist_ok=True)
    for name in LOCK_FILES:
        shipped = resources.files("qz_ebook.checks").joinpath("npm", name).read_bytes()
        if not (folder / name).is_file() or (folder / name).read_bytes() != shipped:
            (folder / name).write_bytes(shipped)
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()[-1500:]
        raise RuntimeError(Message("npm ci failed in {folder}: {said}", folder=folder, said=said))
    return folder
