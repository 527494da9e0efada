"""Atomic outputs: all formats are swapped in together, or none is."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qz_ebook import output
from qz_ebook.output import Known, Staging, write_file


def test_commit_swaps_in_every_staged_output(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "old.html").write_text("alt")
    with Staging() as staging:
        with staging.file(tmp_path / "book.epub") as stream:
            stream.write(b"neu")
        staging.tree(tmp_path / "html", {"index.html": b"<p/>", "css/book.css": b"p{}"})
        assert not (tmp_path / "book.epub").exists()  # nothing visible before the commit
        staging.commit()
    assert (tmp_path / "book.epub").read_bytes() == b"neu"
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "book.epub", "html", "html/css", "html/css/book.css", "html/index.html",
    ]  # fmt: skip


def test_a_failure_before_the_commit_leaves_previous_outputs_and_no_debris(tmp_path: Path) -> None:
    write_file(tmp_path / "book.epub", b"alt")
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("alt")
    with pytest.raises(RuntimeError), Staging() as staging:
        with staging.file(tmp_path / "book.epub") as stream:
            stream.write(b"halb")
        staging.tree(tmp_path / "html", {"index.html": b"neu"})
        raise RuntimeError("rendering failed")
    assert (tmp_path / "book.epub").read_bytes() == b"alt"
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["book.epub", "html", "html/index.html"]
    assert (tmp_path / "html" / "index.html").read_text() == "alt"


def test_unchanged_files_keep_their_inode_and_time_and_changed_ones_are_new(tmp_path: Path) -> None:
    with Staging() as staging:
        staging.tree(tmp_path / "html", {"a.html": b"gleich", "b.html": b"alt"})
        staging.commit()
    before = {name: (tmp_path / "html" / name).stat() for name in ("a.html", "b.html")}
    with Staging() as staging:
        staging.tree(tmp_path / "html", {"a.html": b"gleich", "b.html": b"neu", "c.html": b"dazu"})
        staging.commit()
    after = {name: (tmp_path / "html" / name).stat() for name in ("a.html", "b.html")}
    assert (after["a.html"].st_ino, after["a.html"].st_mtime_ns) == (
        before["a.html"].st_ino,
        before["a.html"].st_mtime_ns,
    )
    assert after["b.html"].st_ino != before["b.html"].st_ino
    assert {p.name: p.read_bytes() for p in (tmp_path / "html").iterdir()} == {
        "a.html": b"gleich", "b.html": b"neu", "c.html": b"dazu",
    }  # fmt: skip
    assert after["a.html"].st_nlink == 1  # the old tree is gone, not sharing anything


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def stage_and_commit(target: Path, files: dict[str, bytes]) -> None:
    with Staging() as staging:
        staging.tree(target, files)
        staging.commit()


def test_a_folder_loses_what_the_new_files_lack_and_the_folders_left_empty(tmp_path: Path) -> None:
    html = tmp_path / "html"
    stage_and_commit(html, {"a.html": b"a", "bilder/x.png": b"x", "bilder/alt/y.png": b"y", "css/book.css": b"c"})
    (html / "notiz.txt").write_text("von Hand")
    stage_and_commit(html, {"a.html": b"a", "bilder/x.png": b"x", "neu/b.html": b"b"})
    assert tree(html) == {"a.html": b"a", "bilder": None, "bilder/x.png": b"x", "neu": None, "neu/b.html": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"]  # no staging folder left


@pytest.mark.parametrize(
    "before",
    [
        {"css": b"eine Datei, wo ein Ordner hin muss"},
        {"index.html/x": b"ein Ordner, wo eine Datei hin muss"},
    ],
)
def test_a_file_in_the_way_of_a_folder_or_the_other_way_round_is_replaced(
    tmp_path: Path, before: dict[str, bytes]
) -> None:
    html = tmp_path / "html"
    stage_and_commit(html, before)
    stage_and_commit(html, {"index.html": b"i", "css/book.css": b"c"})
    assert tree(html) == {"index.html": b"i", "css": None, "css/book.css": b"c"}


def test_files_found_unchanged_before_one_in_the_way_are_kept_when_the_folder_is_replaced_whole(
    tmp_path: Path,
) -> None:
    html = tmp_path / "html"
    stage_and_commit(html, {"a.html": b"a", "b/c.html": b"c", "css": b"eine Datei, wo ein Ordner hin muss"})
    with Staging() as staging:
        with staging.folder(html) as folder:
            folder.add("a.html", b"a")  # unchanged: not staged, as long as the folder is updated in place
            folder.add("b/c.html", b"c")
            assert sorted(p.name for p in tmp_path.glob(".html.new.*/**/*")) == []
            folder.add("css/book.css", b"p{}")  # in the way of a file: the folder is replaced whole
        staging.commit()
    assert tree(html) == {"a.html": b"a", "b": None, "b/c.html": b"c", "css": None, "css/book.css": b"p{}"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"]


def test_a_file_added_twice_to_a_folder_is_an_error(tmp_path: Path) -> None:
    with Staging() as staging, staging.folder(tmp_path / "html") as folder:
        folder.add("a.html", b"a")
        with pytest.raises(ValueError, match=r"^a\.html: added twice to .*html$"):
            folder.add("a.html", b"b")


def test_a_folder_holding_a_symlink_is_replaced_whole_and_nothing_is_written_through_the_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "anderswo"
    elsewhere.mkdir()
    (elsewhere / "book.css").write_bytes(b"fremd")
    html = tmp_path / "html"
    stage_and_commit(html, {"index.html": b"i"})
    (html / "css").symlink_to(elsewhere)
    stage_and_commit(html, {"index.html": b"i", "css/book.css": b"c"})
    assert tree(html) == {"index.html": b"i", "css": None, "css/book.css": b"c"}
    assert not (html / "css").is_symlink()
    assert (elsewhere / "book.css").read_bytes() == b"fremd"


def update(target: Path, files: dict[str, bytes], known: Known) -> None:
    with Staging() as staging:
        staging.tree(target, files, known)
        staging.commit()


def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the clock ahead, as if the files had been written long ago: their stamps are settled."""
    now = time.time_ns()
    monkeypatch.setattr(output.time, "time_ns", lambda: now + 10 * 10**9)


def test_a_file_holding_the_bytes_found_there_last_time_is_not_read_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page, other, known = b"<p>Seite</p>", b"<p>Andere</p>", Known()
    update(tmp_path / "html", {"seite.html": page, "andere.html": other}, known)
    later(monkeypatch)
    update(tmp_path / "html", {"seite.html": page, "andere.html": other}, known)  # read, and found the same
    assert sorted(reads) == ["andere.html", "seite.html"] and set(known) == {"seite.html", "andere.html"}
    reads.clear()
    update(tmp_path / "html", {"seite.html": page, "andere.html": bytes(bytearray(other))}, known)
    assert reads == []  # equal bytes, though not the very object: the stamps still hold
    before = (tmp_path / "html" / "andere.html").stat().st_ino
    update(tmp_path / "html", {"seite.html": page, "andere.html": b"<p>Anders</p>"}, known)  # as long, not equal
    assert reads == ["andere.html"]  # read, differs: written anew
    assert (tmp_path / "html" / "andere.html").read_bytes() == b"<p>Anders</p>"
    assert (tmp_path / "html" / "andere.html").stat().st_ino != before


def test_a_file_changed_since_is_written_again_even_with_its_old_size_and_modification_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, known = b"<p>Seite</p>", Known()
    update(tmp_path / "html", {"seite.html": page}, known)
    later(monkeypatch)
    update(tmp_path / "html", {"seite.html": page}, known)
    assert "seite.html" in known
    written = tmp_path / "html" / "seite.html"
    before = written.stat()
    time.sleep(0.05)  # past the file system's clock tick: the change time moves on
    written.write_bytes(b"<p>Fremd</p>")
    os.utime(written, ns=(before.st_atime_ns, before.st_mtime_ns))
    update(tmp_path / "html", {"seite.html": page}, known)
    assert written.read_bytes() == page


def test_stamps_of_files_changed_just_before_are_not_trusted(tmp_path: Path, reads: list[str]) -> None:
    page, known = b"<p>Seite</p>", Known()
    for _ in range(3):
        update(tmp_path / "html", {"seite.html": page}, known)
    assert known == {}
    assert reads == ["seite.html", "seite.html"]
