"""Packing beside the build: what a build makes is packed, and written, by a process of its own.

Before the book is converted, a process is started beside the build: it packs
(``packing``) what the build puts, the conversions and then the pages it renders,
which the build appends to a file the two share and never waits for. It is a new,
small interpreter that imports only what packing needs (about 15 MB), not a fork of
the build: a fork's pages stay its own as the build changes its copy of them, and it
came to hold most of what the build held when it forked. At the lowest priority, it
takes no core from the build, only what the build leaves idle; nor the interpreter,
as a thread would. What it has packed waits in a file beside the database
(``packing.Spilled``). When the build ends and waits for it, it gets the build's
priority back, finishes, and writes what it packed to the database itself, without
handing it back. A small book, a build that failed before rendering, what a watch
session saves, and systems where it cannot be started pack at the end, in the build's process.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import qz_ebook
from qz_ebook.incremental.database import Database
from qz_ebook.incremental.ledger import Ledger
from qz_ebook.incremental.packing import Families

RECORD = struct.Struct("!II")  # a record's key length and value length, then the key and the value
END = 0xFFFFFFFF  # the key length of the last record, whose value is what is to be written (``write``)
WAIT_SECONDS = 0.002  # how long the process beside sleeps when it has caught up
DONE = b"\x01"  # what the process beside writes to its output once it has written the database
# The package this build runs, which the process beside must import too (whatever its working folder holds).
PACKAGE_ROOT = str(Path(qz_ebook.__file__).resolve().parents[1])


class Packer:
    """Packs values with the store's dictionaries (``known``): those it is ``start``ed with, and those ``add``ed."""

    def __init__(self, known: Mapping[str, bytes]) -> None:
        self._known = known
        self._waiting: dict[str, bytes] = {}  # packed in this process, when finished
        self._log: int | None = None  # the file values go to, for the process beside
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def beside(self) -> bool:
        """Whether a process beside this one packs, and writes."""
        return self._process is not None

    def start(self, values: Mapping[str, bytes], database: Path, timeout: float) -> None:
        """Pack ``values``, and what is ``add``ed from now on, in a process beside this one, started now.

        It will write them to ``database`` (``write``). Where it cannot be started, they are packed here at the end.
        """
        if os.name != "posix":  # it is handed the log by its number (pass_fds)
            self._waiting.update(values)
            return
        self._log = _shared_file()
        command = [sys.executable, "-c", "from qz_ebook.incremental.packer import main; main()"]
        path = os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,  # ``DONE``, or nothing if it is gone
                stderr=subprocess.DEVNULL,  # it says nothing: the build's messages are the command line's
                pass_fds=(self._log,),
                env={**os.environ, "PYTHONPATH": path},
            )
            assert self._process.stdin is not None
            with self._process.stdin as given:
                given.write(pickle.dumps((self._log, os.getpid(), self._known, values, database, timeout)))
        except OSError:
            self.abandon()
            self._waiting.update(values)

    def add(self, key: str, value: bytes) -> None:
        if self._process is None:
            self._waiting[key] = value
        elif self._log is not None:
            encoded = key.encode()
            try:
                os.writev(self._log, [RECORD.pack(len(encoded), len(value)), encoded, value])
            except OSError:  # a full disk: the process beside gives up, and this build's entries are not stored
                self.abandon()

    def finish(self) -> Families:
        """Every value, packed here (when nothing packs ``beside``)."""
        families = Families(self._known)
        for key, value in self._waiting.items():
            families.add(key, value)
        families.finish()
        return families

    def write(self, ledger: Ledger, made: list[str]) -> None:
        """Have the process beside write ``ledger`` and the values ``made`` (their keys), and wait until it has."""
        if self._log is not None and self._process is not None and self._process.stdout is not None:
            final = pickle.dumps((_without_values(ledger), made), protocol=pickle.HIGHEST_PROTOCOL)
            try:
                os.writev(self._log, [RECORD.pack(END, len(final)), final])
                self._hurry()
                self._process.stdout.read(len(DONE))  # nothing, if it is gone: the entries are lost, not the build
            except OSError:
                pass
        self._stop()

    def _hurry(self) -> None:
        """The build waits for the process beside now: give it this process's priority back, where the system
        allows (raising a priority takes the right to; without it, it finishes at the lowest)."""
        if self._process is not None:
            try:
                os.setpriority(os.PRIO_PROCESS, self._process.pid, os.getpriority(os.PRIO_PROCESS, 0))
            except OSError:
                pass

    def abandon(self) -> None:
        """Stop packing: nothing will be stored."""
        if self._process is not None:
            self._process.kill()
        self._stop()

    def _stop(self) -> None:
        if self._log is not None:
            os.close(self._log)
            self._log = None
        if self._process is not None:
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process.wait()
            self._process = None


def _without_values(ledger: Ledger) -> Ledger:
    """``ledger`` without its values: the process beside has them packed."""
    return Ledger(used=ledger.used, builds=ledger.builds, keep_builds=ledger.keep_builds, superseded=ledger.superseded)


def _shared_file() -> int:
    """A file for two processes, gone with the last that has it open: in memory where the system allows."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("qz-cache-packer")
    log, path = tempfile.mkstemp(prefix="qz-cache-")
    os.unlink(path)
    return log


def main() -> None:
    """The process beside (``Packer.start``): what to pack and where to write it come pickled on its input."""
    # Ctrl-C stops the build, which this process sees gone (``_records``): it ends then, and says nothing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log, build, known, values, database, timeout = pickle.loads(sys.stdin.buffer.read())
    _serve(log, build, known, values, database, timeout)
    try:
        sys.stdout.buffer.write(DONE)
        sys.stdout.buffer.flush()
    except OSError:
        pass  # the build is gone


def _serve(
    log: int,
    build: int,
    known: Mapping[str, bytes],
    values: Mapping[str, bytes],
    database: Path,
    timeout: float,
) -> None:
    """Packs ``values``, then the records of ``log`` as they come, and writes them all.

    Whatever goes wrong here costs the build its new entries, never more.
    """
    os.nice(19)  # only what the build leaves idle
    try:
        # Beside the database, on its disk: the packed values wait in the file cache, not in this process's memory.
        with tempfile.TemporaryFile(prefix="qz-cache-packed-", dir=database.parent) as spill:
            families = Families(known, spill)
            for key, value in values.items():
                families.add(key, value)
            for name, content in _records(log, build):
                if name is None:
                    ledger, made = pickle.loads(content)
                    families.finish()
                    written = Database(database, timeout)
                    try:
                        written.write(ledger, made, families)
                    finally:
                        written.close()
                    break
                families.add(name, content)
    except Exception:  # a busy or damaged database, a full disk, a build gone: the entries are lost, not the build
        pass


def _records(log: int, build: int) -> Iterator[tuple[str | None, bytes]]:
    """The records of ``log`` as the build appends them, the last with no key; none more if the build is gone."""
    offset = 0
    while True:
        size = os.fstat(log).st_size
        if offset + RECORD.size <= size:
            key_size, value_size = RECORD.unpack(os.pread(log, RECORD.size, offset))
            last = key_size == END
            key_size = 0 if last else key_size
            end = offset + RECORD.size + key_size + value_size
            if end <= size:
                record = os.pread(log, key_size + value_size, offset + RECORD.size)
                offset = end
                yield (None if last else record[:key_size].decode()), record[key_size:]
                if last:
                    return
                continue
        if os.getppid() != build:
            return
        time.sleep(WAIT_SECONDS)
