"""The build cache is bounded by builds: what none of the last ``keep_builds`` (book.toml ``[cache]``,
3 by default) used is dropped when a build ends, a failed build drops nothing, and a watch session's
builds count one each. ``qz-ebook clean --cache`` removes it."""

from __future__ import annotations

import importlib.util
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import REPO
from test_cli import run

from qz_ebook.build import build, read_book
from qz_ebook.convert import batch
from qz_ebook.convert.batch import Outcome
from qz_ebook.diagnostics import BuildFailed, Diagnostics
from qz_ebook.incremental import database, packer, packing, store
from qz_ebook.incremental.ledger import Ledger
from qz_ebook.incremental.memory import Memory
from qz_ebook.incremental.packing import Families, Packed, Spilled, unpack
from qz_ebook.incremental.store import CacheStore, save

CHAPTER = "beitraege/musterstadt.md"


def stored(folder: Path) -> dict[str, int]:
    """Each entry's key, with the number of the last build that used it."""
    with sqlite3.connect(folder / "cache.sqlite") as db:
        return dict(db.execute("SELECT key, build FROM entries").fetchall())


def finished_builds(folder: Path) -> int:
    with sqlite3.connect(folder / "cache.sqlite") as db:
        return int(db.execute("SELECT finished FROM builds").fetchone()[0])


def one_build(
    folder: Path,
    read: tuple[str, ...] = (),
    write: dict[str, bytes] | None = None,
    finished: bool = True,
    keep_builds: int = 3,
    memory: Memory | None = None,
    supersede: tuple[str, ...] = (),
) -> dict[str, bytes]:
    """A build as the store sees it: it reads ``read``, puts ``write``, supersedes the families
    ``supersede`` and ends; what it found."""
    store = CacheStore(folder, memory)
    store.keep_builds = keep_builds
    found = store.get_many(list(read))
    for key, value in (write or {}).items():
        store.put(key, value)
    for name in supersede:
        store.supersede(name)
    store.close(finished)
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def keep_builds(book: Path, value: str) -> int:
    """Add ``[cache] keep_builds = value`` to book.toml; the line number of the key."""
    toml = book / "book.toml"
    text = toml.read_text(encoding="utf-8").rstrip("\n") + "\n\n[cache]\n"
    toml.write_text(text + f"keep_builds = {value}\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize("keep", [1, 2, 3])
def test_an_entry_is_dropped_when_the_build_after_the_last_keep_builds_that_did_not_use_it_ends(
    tmp_path: Path, keep: int
) -> None:
    one_build(tmp_path, write={"alt": b"a", "neu": b"n"}, keep_builds=keep)
    for _ in range(keep - 1):
        one_build(tmp_path, read=("neu",), keep_builds=keep)
    assert set(stored(tmp_path)) == {"alt", "neu"}  # the first build, which used it, is one of the last `keep`
    one_build(tmp_path, read=("neu",), keep_builds=keep)
    assert stored(tmp_path) == {"neu": keep + 1}
    assert one_build(tmp_path, read=("alt", "neu"), keep_builds=keep) == {"neu": b"n"}


def test_an_entry_one_of_the_last_builds_used_stays(tmp_path: Path) -> None:
    one_build(tmp_path, write={"alt": b"a"})
    one_build(tmp_path)
    one_build(tmp_path)
    assert one_build(tmp_path, read=("alt",)) == {"alt": b"a"}  # build 4: the last three are 2, 3 and 4
    one_build(tmp_path)
    one_build(tmp_path)
    assert stored(tmp_path) == {"alt": 4}  # after build 6, 4 is still one of the last three
    one_build(tmp_path)
    assert stored(tmp_path) == {}


def test_a_failed_build_drops_nothing_and_counts_for_nothing(tmp_path: Path) -> None:
    one_build(tmp_path, write={"alt": b"a"})
    for _ in range(5):
        one_build(tmp_path, write={"halb": b"h"}, finished=False)
    # What failed builds made is kept (its conversions, say), as used by the build that comes next.
    assert (stored(tmp_path), finished_builds(tmp_path)) == ({"alt": 1, "halb": 2}, 1)
    one_build(tmp_path)
    one_build(tmp_path)
    assert (set(stored(tmp_path)), finished_builds(tmp_path)) == ({"alt", "halb"}, 3)
    one_build(tmp_path)
    assert stored(tmp_path) == {"halb": 2}


def test_each_build_of_a_watch_session_counts_as_one_and_the_session_writes_when_it_is_saved(tmp_path: Path) -> None:
    one_build(tmp_path, write={"vorher": b"v"})  # a build before the session
    memory = Memory()
    one_build(tmp_path, write={"alt": b"a", "neu": b"n"}, memory=memory)
    for _ in range(3):
        one_build(tmp_path, read=("neu",), memory=memory)
    assert stored(tmp_path) == {"vorher": 1}  # nothing written while the session runs
    save(tmp_path, memory)
    # Builds 2 to 5 were the session's: what build 1 or 2 used alone is gone.
    assert (stored(tmp_path), finished_builds(tmp_path)) == ({"neu": 5}, 5)


def test_of_a_superseded_family_only_what_the_last_build_used_is_kept(tmp_path: Path) -> None:
    one_build(tmp_path, write={"index:1": b"1", "member:1": b"m"})
    one_build(tmp_path, write={"index:2": b"2"}, supersede=("index",))
    assert stored(tmp_path) == {"index:2": 2, "member:1": 1}  # another family keeps what the last three used
    one_build(tmp_path, read=("index:2",), write={"index:3": b"3"}, supersede=("index",))
    assert stored(tmp_path) == {"index:2": 3, "index:3": 3, "member:1": 1}
    one_build(tmp_path, read=("index:3",), write={"indexes:4": b"4"})  # superseding nothing, and another family
    one_build(tmp_path, write={"index:5": b"5"}, finished=False, supersede=("index",))  # a failed build drops nothing
    assert set(stored(tmp_path)) == {"index:2", "index:3", "index:5", "indexes:4"}


def test_a_watch_session_keeps_of_a_superseded_family_what_its_last_build_used(tmp_path: Path) -> None:
    memory = Memory()
    one_build(tmp_path, write={"index:1": b"1"}, memory=memory)
    one_build(tmp_path, write={"index:2": b"2"}, memory=memory, supersede=("index",))
    one_build(tmp_path, read=("index:2",), memory=memory)
    save(tmp_path, memory)
    assert stored(tmp_path) == {"index:2": 3}


def test_a_new_row_never_takes_the_id_of_a_dropped_one_that_another_is_given(tmp_path: Path) -> None:
    # The superseded value had the largest id, which a new row without a freed one of its family would take too.
    one_build(tmp_path, write={"index:1": b"1"})
    one_build(tmp_path, write={"conversion:1": b"c", "index:2": b"2"}, supersede=("index",))
    assert one_build(tmp_path, read=("conversion:1", "index:2")) == {"conversion:1": b"c", "index:2": b"2"}


def test_a_cache_of_another_format_starts_over(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:  # as format 7 left it
        db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB, used REAL)")
        db.execute("INSERT INTO entries VALUES ('alt', x'00', 0)")
    one_build(tmp_path, write={"neu": b"n"})
    assert stored(tmp_path) == {"neu": 1}


def test_a_failed_build_leaves_the_cache_of_a_book_as_it_was(sample_book: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(sample_book, tmp_path / "out", cache_dir=cache)
    before = set(stored(cache))
    edit(sample_book / CHAPTER, "status: draft", "status: unbekannt")
    for _ in range(4):
        with pytest.raises(BuildFailed):
            build(sample_book, tmp_path / "out", cache_dir=cache)
    assert (set(stored(cache)), finished_builds(cache)) == (before, 1)
    edit(sample_book / CHAPTER, "status: unbekannt", "status: draft")
    assert build(sample_book, tmp_path / "out", cache_dir=cache).rendered == ()


def test_book_toml_sets_how_many_builds_the_cache_keeps(sample_book: Path, tmp_path: Path) -> None:
    def conversions() -> int:
        return sum(key.startswith("conversion:") for key in stored(tmp_path / "cache"))

    build(sample_book, tmp_path / "out", cache_dir=tmp_path / "cache")
    edit(sample_book / CHAPTER, "Ein Beispiel aus der Praxis.", "Neu.")
    build(sample_book, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert conversions() == 5  # by default the last three builds': the edited one's before and after
    keep_builds(sample_book, "1")
    edit(sample_book / CHAPTER, "Neu.", "Neuer.")
    build(sample_book, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert conversions() == 4


def test_keep_builds_must_be_a_whole_number_of_at_least_one(sample_book: Path) -> None:
    line = keep_builds(sample_book, "0\nkeep_build = 2")
    toml = f"{sample_book}/book.toml"
    assert run("build", "--book", str(sample_book)) == (1, "", (
        f"{toml}:{line}:1: error[QZ004]: 'cache.keep_builds' must be a whole number of at least 1\n"
        f"{toml}:{line + 1}:1: error[QZ003]: unknown key 'cache.keep_build' in book.toml; did you mean 'keep_builds'?\n"
        "build failed: 2 error(s); nothing was written\n"
    ))  # fmt: skip


def stored_values(folder: Path) -> dict[str, bytes]:
    """Every value the store holds, unpacked."""
    with sqlite3.connect(folder / "cache.sqlite") as db:
        keys = [key for (key,) in db.execute("SELECT key FROM entries")]
    return one_build(folder, read=tuple(keys), finished=False)


def test_packing_beside_the_build_stores_what_packing_at_its_end_stores(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_book, tmp_path / "a", cache_dir=tmp_path / "at the end")
    beside: list[subprocess.Popen[bytes] | None] = []
    original = packer.Packer.write

    def writing(self: packer.Packer, ledger: Ledger, made: list[str]) -> None:
        beside.append(self._process)
        original(self, ledger, made)

    monkeypatch.setattr(store, "BESIDE_FROM", 1)  # a process beside even for this small book
    monkeypatch.setattr(packer.Packer, "write", writing)
    build(sample_book, tmp_path / "b", cache_dir=tmp_path / "beside")
    (process,) = beside
    assert process is not None and process.returncode == 0  # it is done, and gone
    assert process.args[:2] == [sys.executable, "-c"]  # a new interpreter, not a copy of the build's
    assert stored_values(tmp_path / "beside") == stored_values(tmp_path / "at the end")


def test_the_process_beside_imports_only_what_packing_and_writing_need() -> None:
    # It is a new interpreter: what it imports is most of its memory.
    script = "import sys; import qz_ebook.incremental.packer; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert [name for name in loaded if name.startswith("qz_ebook")] == [
        "qz_ebook",
        "qz_ebook.incremental",
        "qz_ebook.incremental.database",
        "qz_ebook.incremental.ledger",
        "qz_ebook.incremental.packer",
        "qz_ebook.incremental.packing",
    ]


def test_the_process_beside_is_started_before_anything_is_converted(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    starting, converting = packer.Packer.start, batch._convert_one

    def start(self: packer.Packer, values: Mapping[str, bytes], database: Path, timeout: float) -> None:
        events.append(f"started, holding {len(values)} values")
        starting(self, values, database, timeout)

    def convert(index: int) -> Outcome:
        events.append("converted")
        return converting(index)

    monkeypatch.setattr(store, "BESIDE_FROM", 1)
    monkeypatch.setattr(packer.Packer, "start", start)
    monkeypatch.setattr(batch, "_convert_one", convert)
    build(sample_book, tmp_path / "out", cache_dir=tmp_path / "cache")
    conversions = len(list(read_book(sample_book, Diagnostics()).contributions()))
    # Nothing put before: the conversions go to it as they are made, not in its copy of this process.
    assert events == ["started, holding 0 values"] + ["converted"] * conversions
    # Nothing to convert, nothing started: what such a build puts is packed at its end.
    build(sample_book, tmp_path / "again", cache_dir=tmp_path / "cache")
    assert events == ["started, holding 0 values"] + ["converted"] * conversions


def test_the_packed_values_hold_the_memory_of_their_packed_bytes_only() -> None:
    # The process beside holds every value of a build until it writes them: at 1,000 chapters,
    # 17 MB packed, which held 44 MB while each kept the memory its compression was made in.
    value = "".join(f"<p>Absatz {i} der Seite.</p>\n" for i in range(4000)).encode()
    tracemalloc.start()
    try:
        families = Families({})
        for i in range(8):  # enough for the family to be given its dictionary
            families.add(f"page:html/contribution:{i}", value + bytes([i]))
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, packing.__file__)])
    finally:
        tracemalloc.stop()
    held = sum(statistic.size for statistic in snapshot.statistics("filename"))
    dictionary = families.dictionaries["page:html/contribution"]
    packed = [families.packed[f"page:html/contribution:{i}"].data for i in range(8)]
    assert [unpack(data, True, dictionary) for data in packed] == [value + bytes([i]) for i in range(8)]
    assert sum(map(len, packed)) < len(value)  # eight values packed in less than one
    # The dictionary, the compressor's copy of it, the packed bytes, and the small objects that hold them.
    assert held < 2 * len(dictionary) + sum(map(len, packed)) + 8192


def test_spilled_values_are_read_back_as_they_were_last_packed(tmp_path: Path) -> None:
    with tempfile.TemporaryFile(dir=tmp_path) as file:
        spilled = Spilled(file)
        spilled["page:a"] = Packed(True, True, b"eins")
        spilled["page:b"] = Packed(False, False, b"zwei")
        spilled["page:a"] = Packed(True, False, b"drei")
        assert dict(spilled) == {"page:a": Packed(True, False, b"drei"), "page:b": Packed(False, False, b"zwei")}
        assert file.seek(0, 2) == len(b"einszweidrei")  # in the file, not in memory


SENT_TO = "QZ_TEST_SENT_TO"
_sending = batch._convert_one_pickled


def sending_and_recording(index: int) -> bytes:
    """In a worker process: what it sends, also left in the folder ``$QZ_TEST_SENT_TO``.

    At module level: the pool pickles the function it runs by its name."""
    pickled = _sending(index)
    (Path(os.environ[SENT_TO]) / str(index)).write_bytes(pickled)
    return pickled


def test_the_cache_keeps_the_bytes_the_worker_processes_sent(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = tmp_path / "sent"
    sent.mkdir()
    monkeypatch.setenv(SENT_TO, str(sent))
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(batch, "_convert_one_pickled", sending_and_recording)
    build(sample_book, tmp_path / "out", cache_dir=tmp_path / "cache")
    kept = sorted(
        outcome
        for key, value in stored_values(tmp_path / "cache").items()
        if key.startswith("conversion:")
        for outcome, _images, _leads in [pickle.loads(value)]
    )
    assert kept == sorted(path.read_bytes() for path in sent.iterdir())
    assert len(kept) == len(list(read_book(sample_book, Diagnostics()).contributions()))


def generated_book(folder: Path, chapters: int) -> Path:
    """A book of ``chapters`` chapters from bench/generate.py, about 7.9 KB of Markdown each."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = sys.modules["bench_generate"] = importlib.util.module_from_spec(spec)  # its dataclasses look it up
    spec.loader.exec_module(generate)
    return Path(generate.generate(folder, chapters))


def cache_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir())


@pytest.mark.parametrize("keep", [1, 3])
def test_twenty_one_chapter_edits_leave_the_cache_as_large_as_the_last_builds_made_it(
    tmp_path: Path, keep: int
) -> None:
    book = generated_book(tmp_path / "book", 30)
    keep_builds(book, str(keep))
    chapters = sorted(book.glob("teil-*/kapitel-*.md"))
    cache, sizes = tmp_path / "cache", []
    build(book, tmp_path / "out", cache_dir=cache)
    sizes.append(cache_size(cache))
    for edition in range(1, 21):
        chapter = chapters[7 * edition % len(chapters)]  # another chapter each time
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nFassung {edition}.\n", encoding="utf-8")
        assert build(book, tmp_path / "out", cache_dir=cache).rendered
        sizes.append(cache_size(cache))
    # Each edit makes a new conversion, compressed EPUB member and search index (a quarter of the cache of
    # this small book). The cache holds the conversions and members of the last `keep` builds, a few KB
    # each, and the latest search index alone: it stays as large as the first build made it, give or take
    # the page SQLite grows its file by (32 KB: this book's cache is about thirty of them).
    assert max(sizes) <= 1.05 * sizes[0] + database.PAGE_SIZE, sizes


def test_clean_cache_removes_the_cache_and_says_how_much_it_held(sample_book: Path, tmp_path: Path) -> None:
    assert run("build", "--book", str(sample_book), "--out", "dist")[0] == 0
    held = sum(path.stat().st_size for path in (tmp_path / ".qz-cache").iterdir())
    assert held > 0
    assert run("clean", "--cache") == (0, f"removed .qz-cache/: {held / 10**6:.1f} MB freed\n", "")
    assert not (tmp_path / ".qz-cache").exists()
    assert (tmp_path / "dist").is_dir()  # the outputs stay
    assert run("clean", "--cache") == (0, "no .qz-cache/ here: nothing to remove\n", "")
    assert run("--lang", "de", "clean", "--cache") == (0, "hier gibt es kein .qz-cache/: nichts zu entfernen\n", "")


def test_clean_without_saying_what_is_a_usage_error(sample_book: Path, tmp_path: Path) -> None:
    assert run("build", "--book", str(sample_book), "--out", "dist")[0] == 0
    code, stdout, stderr = run("clean")
    assert (code, stdout) == (2, "")
    assert stderr.endswith("\nError: say what to remove: --cache removes .qz-cache/\n")
    assert (tmp_path / ".qz-cache" / "cache.sqlite").is_file()
