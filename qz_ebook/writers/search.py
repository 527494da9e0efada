"""Full-text search for the HTML edition: a Pagefind index of its contribution pages.

Pagefind (PyPI ``pagefind[bin]``, its binary in a wheel: nothing is downloaded)
indexes what each page marks with ``data-pagefind-body``, stemmed in the page's
language (``<html lang="de">``: German stemming). The search page (``suche.html``
with ``search.js``) loads the bundles.

The pages are indexed in shards of about ``SHARD_PAGES`` in reading order, one
Pagefind bundle each (``pagefind/1/``, ``pagefind/2/``, …), which the search page
merges (Pagefind's ``mergeIndex``). Each is derived from its pages' bytes alone,
through ``Pages.deriving``: when the build has a cache, an edited contribution costs
one shard's indexing, not the whole book's (Pagefind takes about 3.3 ms of CPU a page
of 800 words and 15 ms a run: a 1,000-chapter book about 3.5 s, a shard 0.18 s).
Shards are indexed side by side as soon as their pages are rendered, while the
edition renders the pages that follow (``Indexing``). Where a shard ends, the pages' names say
(``shards``): a page added or removed changes its own shard, not every shard after it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from functools import partial
from importlib import resources
from pathlib import Path

from qz_ebook.messages import Message
from qz_ebook.writers.base import Beside, Make, Pages

BUNDLE = "pagefind"  # the bundles' folder in the edition
SCRIPT = "js/search.js"
# Pages a shard holds on average. Fifty, not a hundred: an edit waits for its shard's indexing, 0.1 s instead
# of 0.2 (most of a watch rebuild), and Pagefind takes 22 MB, not 33, twice over while two index beside a build.
# This costs a cold build about 0.2 s of CPU, and a search of a 1,000-chapter book (20 bundles, not 10) 1.1× the time.
SHARD_PAGES = 50
SWITCH_SECONDS = 0.0005  # how often threads take turns while Pagefind's run (``switching_often``)
SOFT_HYPHEN = "\u00ad".encode()
# Left out of the index: the editors' note on every draft, the links to related
# contributions (which name other pages), and the numbers of page markers and back links.
EXCLUDED = (".draft-note", ".relation-up", ".relation-examples", ".relation-siblings", ".pagebreak", ".backlink")
# A folder in memory (Linux), where Pagefind's scratch folders go (``scratch_folder``): a hundred pages are written
# there in 3 ms, not 12-37 ms, and Pagefind takes 0.26 s over them, not 0.29-0.32 s as in a temporary folder on
# ext4. It lists a folder in the reverse order of its files' making, on every machine; ext4 in an order of its own.
IN_MEMORY = Path("/dev/shm")
# Pagefind's own search interfaces: the edition shows results with its own page.
UNUSED = re.compile(r"pagefind-(?:component-|modular-)?ui\.(?:js|css)|pagefind-highlight\.js")
# Pagefind's runtime, which only the first bundle needs: the others are merged into it, and a merged
# index runs on the first one's script, web worker and WebAssembly (``mergeIndex`` loads no wasm of its own).
RUNTIME = re.compile(r"pagefind(?:-worker)?\.js|wasm\.[^/]+\.pagefind")


@contextmanager
def switching_often() -> Iterator[None]:
    """This process's threads take turns every ``SWITCH_SECONDS`` in the block, where Pagefind's threads run.

    Such a thread writes a shard's pages for Pagefind and reads its bundle back, and after each
    system call waits for the thread that renders, by default for up to 5 ms: a shard of a hundred
    pages took 0.02-0.2 s to write beside a watch rebuild, instead of 5 ms. A rebuild waits for it.
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class IndexingFailed(Exception):
    """Pagefind did not index the edition; the message says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)  # kept whole: an exception from the process beside is pickled with its args
        self.message = message


def shards(names: Sequence[str]) -> list[range]:
    """Where the pages ``names`` (in reading order) are cut into shards: ``SHARD_PAGES`` pages on average.

    Past three quarters of that length, a shard ends after a page whose name's hash says
    so, and at twice that length in any case. The cuts follow the names, not positions: a
    page added or removed changes its own shard (seldom the next one too), where cutting
    by position would change every shard after it, and each would be indexed again.
    """
    shortest = SHARD_PAGES * 3 // 4
    found, start = [], 0
    for end, name in enumerate(names, start=1):
        if end - start >= 2 * SHARD_PAGES or (end - start > shortest and _cut_after(name, SHARD_PAGES - shortest)):
            found.append(range(start, end))
            start = end
    return found + [range(start, len(names))] if start < len(names) else found


def _cut_after(name: str, one_in: int) -> bool:
    """Whether a shard may end after page ``name``: true for one name in ``one_in``, the same in every build."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % one_in == 0


def bundles(names: Sequence[str]) -> tuple[str, ...]:
    """The folders of the bundles for the pages ``names``, as the search page names them (``pagefind/1/``, …).

    A book without contributions has none: Pagefind refuses to index nothing.
    """
    return tuple(f"{BUNDLE}/{number}/" for number in range(1, len(shards(names)) + 1))


class Indexing:
    """The search index of the contribution pages ``names`` (in reading order), built as their pages come.

    Each shard that is not derived already is indexed by ``beside`` as soon as its last page
    has come (Pagefind runs in a process of its own: threads index shards side by side, and
    beside the caller, who renders the pages that follow). ``published`` makes of a page what
    the index reads of it.
    """

    def __init__(self, names: Sequence[str], derive: Pages, beside: Beside, published: Make) -> None:
        self.derive = derive
        self.beside = beside
        self.published = published
        excluding = " ".join(EXCLUDED)
        self.kind = f"pagefind {importlib.metadata.version('pagefind')} excluding {excluding} in {scratch_folder()}"
        self.cuts = [[names[i] for i in shard] for shard in shards(names)]
        self.folders = bundles(names)
        self.shard: dict[str, bytes] = {}  # the pages come so far of the shard that is not complete yet
        self.waiting: list[Callable[[], bytes]] = []  # one for each shard complete
        self.indexed: set[int] = set()  # the shards (by number) given to ``beside``, the others derived already

    def add(self, name: str, page: bytes) -> None:
        """Page ``name`` (the next of ``names``)."""
        expected = self.cuts[len(self.waiting)][len(self.shard)]
        if name != expected:
            raise ValueError(f"page {name} came where {expected} was expected")
        self.shard[name] = page
        if len(self.shard) == len(self.cuts[len(self.waiting)]):
            # Packed through ``Pages.joined``: a shard whose pages are the very pages of the last build
            # is the very bytes it was, and what Pagefind made of them is found without hashing them.
            names = tuple(self.shard)
            shard = partial(self._packed, names)
            packed = self.derive.joined(f"search shard of {' '.join(names)}", tuple(self.shard.values()), shard)
            beside = partial(self._beside, len(self.waiting))
            self.waiting.append(self.derive.deriving(self.kind, index, packed, beside))
            self.shard = {}

    def _beside(self, number: int, make: Make, data: bytes) -> Future[bytes]:
        """Shard ``number`` given to ``beside``: Pagefind indexes it."""
        self.indexed.add(number)
        return self.beside(make, data)

    def _packed(self, names: tuple[str, ...], pages: tuple[bytes, ...]) -> bytes:
        """The pages ``names`` (``pages``) as Pagefind is to read them, ``pack``ed."""
        # Without soft hyphens (convert/hyphenation.py): Pagefind would index "Reli\xadgions…" apart.
        read = (self.published(page).replace(SOFT_HYPHEN, b"") for page in pages)
        return pack(dict(zip(names, read, strict=True)))

    def files(self) -> Iterator[tuple[str, bytes]]:
        """The search page's script and the bundles' files, with their paths, each bundle as it comes.

        The bundles derived already come first, then those Pagefind indexes: whoever takes the
        files (the output, comparing each with what it holds) does so while Pagefind works.
        """
        if len(self.waiting) < len(self.cuts):
            total = sum(map(len, self.cuts))
            missing = total - sum(map(len, self.cuts[: len(self.waiting)])) - len(self.shard)
            raise ValueError(f"{missing} of {total} pages have not come")
        return self._files()

    def _files(self) -> Iterator[tuple[str, bytes]]:
        yield SCRIPT, resources.files("qz_ebook").joinpath("templates", "html", "search.js").read_bytes()
        for number in sorted(range(len(self.waiting)), key=lambda number: number in self.indexed):
            first = number == 0
            for name, content in unpack(self.waiting[number]()).items():
                if first or not RUNTIME.fullmatch(name):
                    yield self.folders[number] + name, content


def index(packed: bytes) -> bytes:
    """Pagefind's bundle for the pages ``pack``ed in ``packed``, packed the same way.

    Its scratch folder is made in ``scratch_folder()``.
    """
    with tempfile.TemporaryDirectory(prefix="qz-search-", dir=scratch_folder()) as scratch:
        site, out = Path(scratch) / "site", Path(scratch) / "bundle"
        for name, content in unpack(packed).items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(content)
        command = [str(_executable()), "--site", str(site), "--output-path", str(out), "--quiet"]
        command += ["--exclude-selectors", ", ".join(EXCLUDED)]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as failed:
            said = (failed.stderr or failed.stdout or "").strip().splitlines()
            last = said[-1] if said else Message("no message")
            raise IndexingFailed(
                Message("Pagefind exited with {code}: {said}", code=failed.returncode, said=last)
            ) from failed
        files = {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file() and not UNUSED.fullmatch(path.name)
        }
    return pack(files)


def scratch_folder() -> Path | None:
    """Where Pagefind's scratch folders are made: ``IN_MEMORY`` where the system lets this process write
    there, else None (the system's temporary folder). Pagefind numbers pages in the order their folder lists
    them, which the file system decides: the bundle depends on it (``Indexing.kind``)."""
    return IN_MEMORY if IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK | os.X_OK) else None


def _executable() -> Path:
    """Pagefind's binary, from the ``pagefind[bin]`` wheel (run directly: no Python start-up per bundle)."""
    try:
        from pagefind_bin import get_executable
    except ImportError as missing:
        message = Message(
            "Pagefind's binary is not installed ({problem}): pip install 'pagefind[bin]'", problem=str(missing)
        )
        raise IndexingFailed(message) from None
    return Path(get_executable())


def pack(files: Mapping[str, bytes]) -> bytes:
    """Files as one byte string, sorted by name: the same files always give the same bytes."""
    out = bytearray()
    for name in sorted(files):
        encoded = name.encode("utf-8")
        out += len(encoded).to_bytes(4, "big") + encoded + len(files[name]).to_bytes(8, "big") + files[name]
    return bytes(out)


def unpack(packed: bytes) -> dict[str, bytes]:
    """The files ``pack`` made ``packed`` of."""
    files, at = {}, 0
    view = memoryview(packed)
    while at < len(packed):
        size = int.from_bytes(view[at : at + 4], "big")
        name = bytes(view[at + 4 : at + 4 + size]).decode("utf-8")
        at += 4 + size
        length = int.from_bytes(view[at : at + 8], "big")
        files[name] = bytes(view[at + 8 : at + 8 + length])
        at += 8 + length
    return files
