"""Benchmark qz-ebook against Pandoc on synthetic books of 100 and 1,000 chapters.

    python bench/run.py [--repeat 5] [--seed 2014] [--sizes 100 1000] [--warmup 1]

The books come from bench/generate.py and are cached in bench/books/. For each size
the runs alternate (ours, Pandoc, ours, Pandoc, …) so that a noisy neighbour slows
both alike. Every run is a child process; its wall time is measured around
``Popen``/``os.wait4`` and its peak RSS is the ``ru_maxrss`` that ``wait4`` returns.
Only medians and ratios are reported. The figures go to bench/results/<timestamp>.json,
the Markdown table to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import generate
from pandoc_input import single_markdown

BENCH = Path(__file__).resolve().parent
BOOKS = BENCH / "books"
RESULTS = BENCH / "results"
DEFAULT_SIZES = (100, 1000)
# Fixed build time for both tools: reproducible output, and qz-ebook does not ask git for it.
SOURCE_DATE_EPOCH = "1401624000"
SAMPLE_SECONDS = 0.05
OUTLINE_LINK = re.compile(r"\]\(([^)#]+\.md)\)")
# What ours builds: the EPUB and the HTML edition (not the kepub, which Pandoc has no counterpart of).
FORMATS = ("--format", "epub", "--format", "html")
BROCHURE = BENCH.parent / "book"
PDF_TARGET_SECONDS = 10.0  # issue 17: the brochure's PDF, cold

Command = Callable[[Path, Path], list[str]]


@dataclass(frozen=True)
class Run:
    """One child process: wall and CPU time in seconds, peak memory in MB.

    ``peak_rss_mb`` is ``ru_maxrss`` from ``os.wait4``: the largest single process of
    the child's tree (the kernel takes the maximum, not the sum, over reaped workers).
    ``tree_pss_mb`` is the largest sum of PSS over the whole process tree, sampled
    every SAMPLE_SECONDS (None where /proc is missing, or in a timed run); it counts
    worker processes.
    """

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    tree_pss_mb: float | None


@dataclass
class Series:
    """The runs of one tool on one book: timed ones, and ones whose memory was sampled."""

    runs: list[Run] = field(default_factory=list)
    sampled: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Median wall time."""
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        """Median CPU time (user + system, the child and its reaped workers)."""
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        """Median peak RSS of the largest process."""
        return statistics.median(r.peak_rss_mb for r in self.runs)

    @property
    def tree_pss_mb(self) -> float | None:
        """Median sampled peak PSS of the whole process tree, if sampled."""
        values = [r.tree_pss_mb for r in self.sampled if r.tree_pss_mb is not None]
        return statistics.median(values) if values else None


@dataclass
class SizeResult:
    """Everything measured on one book."""

    chapters: int
    markdown_mb: float
    ours: Series = field(default_factory=Series)
    pandoc_files: Series = field(default_factory=Series)  # one input file per chapter, as qz-ebook reads them
    pandoc_single: Series = field(default_factory=Series)  # one input, a # Title per chapter, --split-level=1
    pandoc_chunked: Series = field(default_factory=Series)  # the same input to chunkedhtml
    incremental: Series | None = None
    watch: WatchSeries | None = None

    @property
    def pandoc_call(self) -> str:
        """The faster way to call Pandoc for an EPUB on this book: ``single`` or ``files``."""
        return "single" if self.pandoc_single.seconds <= self.pandoc_files.seconds else "files"

    @property
    def pandoc(self) -> Series:
        """Pandoc's EPUB, called the faster way: the fair comparison."""
        return self.pandoc_single if self.pandoc_call == "single" else self.pandoc_files

    @property
    def pandoc_both_seconds(self) -> float:
        """Pandoc's EPUB (the faster call) and its chunked HTML, which it makes in a second run."""
        return self.pandoc.seconds + self.pandoc_chunked.seconds


@dataclass
class WatchSeries:
    """Rebuilds by one ``qz-ebook watch`` process, each after one chapter was saved.

    ``rebuilds``: the build time watch prints (from starting the build to the outputs
    in place). ``latencies``: from the save to that line, so also the file system's
    notice and watchfiles' grouping of events (it waits for 50 ms of quiet).
    """

    rebuilds: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def seconds(self) -> float:
        """Median rebuild time."""
        return statistics.median(self.rebuilds)

    @property
    def latency(self) -> float:
        """Median time from the save to the rebuilt outputs."""
        return statistics.median(self.latencies)


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def tool_paths() -> tuple[Path, Path]:
    """qz-ebook next to this Python (the venv's), and Pandoc from pypandoc-binary or PATH."""
    ours = Path(sys.executable).parent / "qz-ebook"
    if not ours.exists():
        found = shutil.which("qz-ebook")
        if found is None:
            raise SystemExit("qz-ebook not found; run from the project's venv (make bench)")
        ours = Path(found)
    try:
        import pypandoc

        pandoc = Path(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        found = shutil.which("pandoc")
        if found is None:
            raise SystemExit("pandoc not found; install the bench extra: pip install -e '.[bench]'") from None
        pandoc = Path(found)
    return ours, pandoc


def commands(ours: Path) -> set[str]:
    """The commands ``qz-ebook`` offers, read from its --help."""
    help_text = subprocess.run([ours, "--help"], capture_output=True, text=True, check=True).stdout
    listed = help_text.split("Commands:", 1)[-1]
    return {line.split()[0] for line in listed.splitlines() if line.strip()}


def build_help(ours: Path) -> str:
    """``qz-ebook build --help``."""
    return subprocess.run([ours, "build", "--help"], capture_output=True, text=True, check=True).stdout


def build_options(ours: Path) -> set[str]:
    """The long options ``qz-ebook build`` offers."""
    return set(re.findall(r"--[a-z][a-z-]*", build_help(ours)))


def offers_pdf(ours: Path) -> bool:
    """Whether ``qz-ebook build`` names a pdf format."""
    return re.search(r"\bpdf\b", build_help(ours)) is not None


def generator_fingerprint(seed: int, chapters: int) -> str:
    """What a cached book must have been generated from: seed, size and the generator's source."""
    source = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16]
    return f"seed={seed} chapters={chapters} generator={source}\n"


def ensure_book(seed: int, chapters: int) -> Path:
    """The cached book for ``seed`` and ``chapters``, generated when missing or stale."""
    folder = BOOKS / f"seed-{seed}-n{chapters}"
    stamp = folder / ".bench-fingerprint"
    expected = generator_fingerprint(seed, chapters)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == expected:
        return folder
    log(f"generating {chapters} chapters (seed {seed}) into {folder}")
    generate.generate(folder, chapters, seed)
    stamp.write_text(expected, encoding="utf-8")
    return folder


def outline_files(book: Path) -> list[str]:
    """The contribution files in outline order, relative to the book folder."""
    return OUTLINE_LINK.findall((book / "SUMMARY.md").read_text(encoding="utf-8"))


def markdown_megabytes(book: Path) -> float:
    """Size of the contributions' Markdown in MB."""
    return sum((book / name).stat().st_size for name in outline_files(book)) / 1e6


def ours_command(ours: Path, use_cache: bool, cache_option: bool) -> Command:
    """``qz-ebook build --format all`` (with ``--no-cache`` when it exists and no cache is wanted)."""

    def command(book: Path, out: Path) -> list[str]:
        args = [str(ours), "build", *FORMATS, "--book", str(book), "--out", str(out)]
        return args + (["--no-cache"] if cache_option and not use_cache else [])

    return command


def pandoc_commands(pandoc: Path) -> dict[str, Command]:
    """Pandoc's three calls, with the same cover and stylesheet as ours:

    ``files``: the EPUB from the chapter files in outline order (each with its front
    matter, no level-1 heading: one giant chapter); ``single``: the EPUB from one input
    with a ``# Title`` per chapter, split into a file per chapter (``--split-level=1``),
    as Pandoc's users write it; ``chunked``: that input as ``chunkedhtml``, the HTML
    edition's counterpart.
    """

    def common(book: Path) -> list[str]:
        config = tomllib.loads((book / "book.toml").read_text(encoding="utf-8"))
        return [
            "--from",
            "markdown",
            "--metadata",
            f"title={config['book']['title']}",
            "--metadata",
            f"lang={config['book']['language']}",
            f"--resource-path={book}",
        ]

    def epub_options(book: Path) -> list[str]:
        build = tomllib.loads((book / "book.toml").read_text(encoding="utf-8"))["build"]
        return ["--epub-cover-image", str(book / build["cover"]), "--css", str(book / build["epub_stylesheet"])]

    def files(book: Path, out: Path) -> list[str]:
        chapters = [str(book / name) for name in outline_files(book)]
        return [str(pandoc), *common(book), "--to", "epub3", *epub_options(book), "-o", str(out / "p.epub"), *chapters]

    def single(book: Path, out: Path) -> list[str]:
        source = str(book.with_name(f"{book.name}.pandoc.md"))
        epub = ["--to", "epub3", "--split-level=1", *epub_options(book), "-o", str(out / "p.epub")]
        return [str(pandoc), *common(book), *epub, source]

    def chunked(book: Path, out: Path) -> list[str]:
        source = str(book.with_name(f"{book.name}.pandoc.md"))
        return [str(pandoc), *common(book), "--to", "chunkedhtml", "--split-level=1", "-o", str(out / "html"), source]

    return {"files": files, "single": single, "chunked": chunked}


def child_env() -> dict[str, str]:
    """The environment of every run: ours, plus a fixed SOURCE_DATE_EPOCH, and English messages,
    which the watch measurement reads (the bench books are German, and so would be the CLI)."""
    return {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "QZ_EBOOK_LANG": "en"}


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc/<pid>/task/<tid>/children."""
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # gone meanwhile
    return tree


def process_pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB (shared pages split among their users); 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree until stopped; keeps the peak."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sample now and every SAMPLE_SECONDS."""
        while True:
            total = sum(process_pss_kib(pid) for pid in process_tree(self.root))
            self.peak_kib = max(self.peak_kib, total)
            if self.stopped.wait(SAMPLE_SECONDS):
                return


def measure(args: list[str], cwd: Path, sample: bool = False) -> Run:
    """Run ``args`` once: wall time around the child's life, CPU time and peak RSS from ``os.wait4``.

    With ``sample``, the tree's PSS is sampled as well. Timed runs are not: reading
    every process's smaps_rollup 20 times a second takes CPU time the measured
    processes compete for, a few percent of two cores busy converting.
    """
    sampling = sample and Path(f"/proc/{os.getpid()}/smaps_rollup").exists()
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=child_env(), stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeSampler(child.pid)
        if sampling:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stopped.set()
        if sampling:
            sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
        if child.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"exit {child.returncode}: {' '.join(args[:6])} …\n{tail}")
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    tree = sampler.peak_kib / 1024 if sampling else None
    return Run(seconds, usage.ru_utime + usage.ru_stime, kib / 1024, tree)


def measure_fresh(command: Command, book: Path, sample: bool = False) -> Run:
    """One cold run into a new output folder, in a scratch working directory (for any cache in the cwd)."""
    with tempfile.TemporaryDirectory(prefix="qz-bench-") as scratch:
        out = Path(scratch) / "out"
        out.mkdir()
        return measure(command(book, out), Path(scratch), sample)


def describe(run: Run) -> str:
    """One run for the progress log."""
    tree = "" if run.tree_pss_mb is None else f", tree PSS {run.tree_pss_mb:6.0f} MB"
    return f"{run.seconds:7.2f} s (CPU {run.cpu_seconds:6.2f} s), peak RSS {run.peak_rss_mb:6.0f} MB{tree}"


def compare(
    book: Path, chapters: int, ours: Command, pandoc: dict[str, Command], repeat: int, warmup: int
) -> SizeResult:
    """Alternate ours and Pandoc's three calls on ``book``; warm-up runs are not counted.

    The memory of the whole process tree is sampled in the warm-up runs, which are
    not timed, or in one extra run each without warm-up.
    """
    result = SizeResult(chapters, markdown_megabytes(book))
    single_markdown(book, outline_files(book))  # Pandoc's one input; not timed
    contenders = (
        ("ours", ours, result.ours),
        ("pandoc files", pandoc["files"], result.pandoc_files),
        ("pandoc single", pandoc["single"], result.pandoc_single),
        ("pandoc chunked", pandoc["chunked"], result.pandoc_chunked),
    )
    for i in range(max(warmup, 1) + repeat):
        counted = warmup <= i < warmup + repeat
        for name, command, series in contenders:
            run = measure_fresh(command, book, sample=not counted)
            label = f"run {i - warmup + 1}/{repeat}" if counted else "warm-up" if i < warmup else "memory"
            log(f"  {chapters:>5} chapters  {name:<14} {label:<10} {describe(run)}")
            (series.runs if counted else series.sampled).append(run)
    return result


def measure_pdf(ours: Path, repeat: int, cache_option: bool) -> Series:
    """The brochure's PDF alone, cold (``--format pdf``): WeasyPrint's layout dominates it."""

    def command(book: Path, out: Path) -> list[str]:
        args = [str(ours), "build", "--format", "pdf", "--book", str(book), "--out", str(out)]
        return args + (["--no-cache"] if cache_option else [])

    series = Series()
    for i in range(repeat + 1):
        run = measure_fresh(command, BROCHURE, sample=i == 0)
        log(f"  brochure PDF {'memory' if i == 0 else f'run {i}/{repeat}':<10} {describe(run)}")
        (series.sampled if i == 0 else series.runs).append(run)
    return series


def pdf_rows(pdf: Series) -> list[str]:
    """The brochure's PDF against its target."""
    met = "met" if pdf.seconds < PDF_TARGET_SECONDS else "MISSED"
    return [
        "| brochure PDF | wall s | CPU s | peak RSS MB | tree PSS MB | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| `build --format pdf`, cold | {pdf.seconds:.2f} | {pdf.cpu_seconds:.2f} | {pdf.peak_rss_mb:.0f} "
        f"| {mb(pdf.tree_pss_mb)} | < {PDF_TARGET_SECONDS:.0f} s: {met} |",
    ]


def edit_chapter(path: Path, number: int) -> None:
    """Change one chapter's text: a sentence in front of its first paragraph."""
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    path.write_text(f"{head}\n---\n\nNachtrag {number}: Die Redaktion ergänzt diesen Absatz. {body.lstrip()}", "utf-8")


def measure_incremental(book: Path, chapters: int, ours: Command, repeat: int) -> Series:
    """Rebuild a copy of ``book`` with the cache after editing one chapter each time."""
    series = Series()
    with tempfile.TemporaryDirectory(prefix="qz-bench-incr-") as scratch:
        copy = Path(scratch) / "book"
        shutil.copytree(book, copy)
        out = Path(scratch) / "out"
        out.mkdir()
        measure(ours(copy, out), Path(scratch))  # fills the cache
        chapter = copy / outline_files(copy)[len(outline_files(copy)) // 2]
        for i in range(repeat):
            edit_chapter(chapter, i + 1)
            run = measure(ours(copy, out), Path(scratch))
            log(f"  {chapters:>5} chapters  ours   incr. {i + 1}/{repeat}  {describe(run)}")
            series.runs.append(run)
    return series


WATCH_LINE = re.compile(r"changed: built in ([0-9.]+) s")
WATCH_WAIT_SECONDS = 600  # for the first build of a large book on a slow machine
SETTLE_SECONDS = 0.5  # after a rebuild: idle time, and any second build of one save shows up


def measure_watch(book: Path, chapters: int, ours: Path, repeat: int) -> WatchSeries:
    """Start ``qz-ebook watch`` on a copy of ``book``, save one chapter ``repeat`` times, time each rebuild."""
    series = WatchSeries()
    with tempfile.TemporaryDirectory(prefix="qz-bench-watch-") as scratch:
        copy = Path(scratch) / "book"
        shutil.copytree(book, copy)
        chapter = copy / outline_files(copy)[len(outline_files(copy)) // 2]
        command = [str(ours), "watch", *FORMATS, "--book", str(copy), "--out", str(Path(scratch) / "out")]
        env = {**child_env(), "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen(command, cwd=scratch, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True).start()
        try:
            _next_line(lines, "built in", child)  # the first build, which fills the cache
            for i in range(repeat):
                time.sleep(SETTLE_SECONDS)
                while not lines.empty():
                    lines.get_nowait()
                saved = time.perf_counter()
                edit_chapter(chapter, i + 1)
                found = WATCH_LINE.search(_next_line(lines, "changed: built in", child))
                assert found is not None
                series.latencies.append(time.perf_counter() - saved)
                series.rebuilds.append(float(found.group(1)))
                log(f"  {chapters:>5} chapters  watch  {i + 1}/{repeat}       rebuild {series.rebuilds[-1]:.3f} s, "
                    f"save to outputs {series.latencies[-1]:.3f} s")  # fmt: skip
        finally:
            child.send_signal(signal.SIGINT)
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = 0  # reaped: keep Popen from waiting again
        series.peak_rss_mb = (usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss) / 1024
    return series


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Hand each line of ``stream`` over, so that the main thread can wait for one with a timeout."""
    for line in stream:
        lines.put(line)


def _next_line(lines: queue.Queue[str], wanted: str, child: subprocess.Popen[str]) -> str:
    """The next line of watch's output that holds ``wanted``; anything else is an error."""
    deadline = time.monotonic() + WATCH_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if child.poll() is not None:
                raise SystemExit(f"qz-ebook watch ended with exit {child.returncode}") from None
            continue
        if wanted in line:
            return line
        if not line.startswith("watching "):
            raise SystemExit(f"qz-ebook watch: {line.rstrip()}")
    raise SystemExit(f"qz-ebook watch printed no '{wanted}' in {WATCH_WAIT_SECONDS} s")


def ratio(a: float, b: float) -> float:
    """a / b, or NaN when b is zero."""
    return a / b if b else float("nan")


def mb(value: float | None) -> str:
    """A memory figure for the table."""
    return "–" if value is None else f"{value:.0f}"


def time_rows(results: Sequence[SizeResult]) -> list[str]:
    """Median wall and CPU time per book: ours against Pandoc's EPUB (the faster call) and EPUB + chunked HTML."""
    lines = [
        "| chapters | Markdown MB | ours s | Pandoc EPUB s (call) | ours/Pandoc EPUB | Pandoc EPUB + chunkedhtml s "
        "| ours/(EPUB + chunkedhtml) | ours CPU s | Pandoc EPUB CPU s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.chapters:,} | {r.markdown_mb:.2f} | {r.ours.seconds:.2f} | {r.pandoc.seconds:.2f} ({r.pandoc_call}) "
            f"| {ratio(r.ours.seconds, r.pandoc.seconds):.3f} | {r.pandoc_both_seconds:.2f} "
            f"| {ratio(r.ours.seconds, r.pandoc_both_seconds):.3f} | {r.ours.cpu_seconds:.2f} "
            f"| {r.pandoc.cpu_seconds:.2f} |"
        )
    lines += ["", "| chapters | Pandoc EPUB, a file per chapter s | Pandoc EPUB, one input s | Pandoc chunkedhtml s |"]
    lines.append("|---:|---:|---:|---:|")
    for r in results:
        lines.append(
            f"| {r.chapters:,} | {r.pandoc_files.seconds:.2f} | {r.pandoc_single.seconds:.2f} "
            f"| {r.pandoc_chunked.seconds:.2f} |"
        )
    return lines


def memory_rows(results: Sequence[SizeResult]) -> list[str]:
    """Median peak memory per book: largest process (wait4) and the sampled whole tree (PSS)."""
    lines = [
        "| chapters | ours peak RSS MB | Pandoc peak RSS MB | ours tree PSS MB | Pandoc tree PSS MB |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.chapters:,} | {mb(r.ours.peak_rss_mb)} | {mb(r.pandoc.peak_rss_mb)} "
            f"| {mb(r.ours.tree_pss_mb)} | {mb(r.pandoc.tree_pss_mb)} |"
        )
    return lines


def scaling_rows(small: SizeResult, large: SizeResult) -> list[str]:
    """How time and memory grow from the smallest to the largest book, next to the input's growth."""
    size = ratio(large.markdown_mb, small.markdown_mb)
    return [
        f"| scaling {large.chapters:,} / {small.chapters:,} chapters | input | ours | Pandoc |",
        "|---|---:|---:|---:|",
        f"| wall time t({large.chapters})/t({small.chapters}) | {size:.1f}× "
        f"| {ratio(large.ours.seconds, small.ours.seconds):.1f}× "
        f"| {ratio(large.pandoc.seconds, small.pandoc.seconds):.1f}× |",
        f"| CPU time | {size:.1f}× | {ratio(large.ours.cpu_seconds, small.ours.cpu_seconds):.1f}× "
        f"| {ratio(large.pandoc.cpu_seconds, small.pandoc.cpu_seconds):.1f}× |",
        f"| peak RSS | {size:.1f}× | {ratio(large.ours.peak_rss_mb, small.ours.peak_rss_mb):.1f}× "
        f"| {ratio(large.pandoc.peak_rss_mb, small.pandoc.peak_rss_mb):.1f}× |",
    ]


def incremental_rows(results: Sequence[SizeResult]) -> list[str]:
    """Cold build (no cache) against rebuilds after editing one chapter: a new `build`, and `watch`."""
    lines = [
        "| incremental rebuild (one chapter edited) | cold s | `build` s | `build`/cold "
        "| `watch` s | `watch`/cold | `watch` save→outputs s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.incremental is None:
            continue
        cold, warm = r.ours.seconds, r.incremental.seconds
        row = f"| {r.chapters:,} chapters | {cold:.2f} | {warm:.2f} | {ratio(warm, cold):.3f} "
        if r.watch is not None:
            row += f"| {r.watch.seconds:.3f} | {ratio(r.watch.seconds, cold):.3f} | {r.watch.latency:.3f} |"
        else:
            row += "| – | – | – |"
        lines.append(row)
    return lines


def markdown_table(results: Sequence[SizeResult], pdf: Series | None, notes: list[str]) -> str:
    """The report: time, memory, scaling, incremental and PDF tables, then notes."""
    sections = [time_rows(results), memory_rows(results)]
    if len(results) >= 2:
        sections.append(scaling_rows(results[0], results[-1]))
    if any(r.incremental is not None for r in results):
        sections.append(incremental_rows(results))
    if pdf is not None:
        sections.append(pdf_rows(pdf))
    sections.append([f"- {note}" for note in notes])
    return "\n\n".join("\n".join(lines) for lines in sections)


def tool_version(args: list[str]) -> str:
    """First line of a tool's --version."""
    result = subprocess.run(args, capture_output=True, text=True)
    return (result.stdout or result.stderr).splitlines()[0] if (result.stdout or result.stderr) else "?"


def write_json(results: Sequence[SizeResult], pdf: Series | None, meta: dict[str, object]) -> Path:
    """All runs, medians and ratios as bench/results/<UTC timestamp>-seed<seed>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}-seed{meta['seed']}.json"
    sizes = []
    for r in results:
        entry = asdict(r)
        entry["median"] = {
            "ours_seconds": r.ours.seconds,
            "pandoc_call": r.pandoc_call,
            "pandoc_seconds": r.pandoc.seconds,
            "ours_over_pandoc": ratio(r.ours.seconds, r.pandoc.seconds),
            "pandoc_files_seconds": r.pandoc_files.seconds,
            "pandoc_single_seconds": r.pandoc_single.seconds,
            "pandoc_chunked_seconds": r.pandoc_chunked.seconds,
            "ours_over_pandoc_epub_and_chunked": ratio(r.ours.seconds, r.pandoc_both_seconds),
            "ours_cpu_seconds": r.ours.cpu_seconds,
            "pandoc_cpu_seconds": r.pandoc.cpu_seconds,
            "ours_peak_rss_mb": r.ours.peak_rss_mb,
            "pandoc_peak_rss_mb": r.pandoc.peak_rss_mb,
            "ours_tree_pss_mb": r.ours.tree_pss_mb,
            "pandoc_tree_pss_mb": r.pandoc.tree_pss_mb,
            "incremental_seconds": r.incremental.seconds if r.incremental else None,
            "watch_rebuild_seconds": r.watch.seconds if r.watch else None,
            "watch_latency_seconds": r.watch.latency if r.watch else None,
            "watch_peak_rss_mb": r.watch.peak_rss_mb if r.watch else None,
        }
        sizes.append(entry)
    scaling = {}
    if len(results) >= 2:
        small, large = results[0], results[-1]
        scaling = {
            "input": ratio(large.markdown_mb, small.markdown_mb),
            "ours": ratio(large.ours.seconds, small.ours.seconds),
            "pandoc": ratio(large.pandoc.seconds, small.pandoc.seconds),
            "ours_cpu": ratio(large.ours.cpu_seconds, small.ours.cpu_seconds),
            "pandoc_cpu": ratio(large.pandoc.cpu_seconds, small.pandoc.cpu_seconds),
        }
    brochure_pdf = None if pdf is None else {**asdict(pdf), "median": pdf.seconds, "target": PDF_TARGET_SECONDS}
    report = {**meta, "sizes": sizes, "scaling": scaling, "brochure_pdf": brochure_pdf}
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="counted runs per tool and size (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs per tool and size first (default 1)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="generator seed (default 2014)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="chapter counts")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive, --warmup not negative")
    args.sizes = sorted(set(args.sizes))
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate or reuse the books, measure, print the table, write the JSON."""
    args = parse_args(argv)
    ours_path, pandoc_path = tool_paths()
    cache_option = "--no-cache" in build_options(ours_path)
    ours = ours_command(ours_path, use_cache=False, cache_option=cache_option)
    pandoc = pandoc_commands(pandoc_path)
    load_before = os.getloadavg()
    results = []
    for chapters in args.sizes:
        book = ensure_book(args.seed, chapters)
        result = compare(book, chapters, ours, pandoc, args.repeat, args.warmup)
        if cache_option:
            cached = ours_command(ours_path, use_cache=True, cache_option=True)
            result.incremental = measure_incremental(book, chapters, cached, args.repeat)
        if "watch" in commands(ours_path):
            result.watch = measure_watch(book, chapters, ours_path, args.repeat)
        results.append(result)
    pdf = measure_pdf(ours_path, args.repeat, cache_option) if offers_pdf(ours_path) else None
    notes = [
        f"medians of {args.repeat} alternating runs after {args.warmup} warm-up run(s) each; seed {args.seed}; "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after",
        f"ours: `qz-ebook build {' '.join(FORMATS)}{' --no-cache' if cache_option else ''}` (EPUB and HTML edition); "
        "Pandoc, with the same cover and stylesheet: its EPUB called the faster of two ways (named in the table): "
        "`files`, `pandoc -t epub3` on the chapter files in outline order; `single`, on one input with a `# Title` "
        "per chapter (bench/pandoc_input.py) and `--split-level=1`, as its users write a book; "
        "chunkedhtml from that input is timed apart and added for the EPUB + HTML comparison",
        "CPU s: user + system time of the child and its reaped worker processes; "
        "wall s below CPU s means the build ran on several cores",
        "peak RSS: `ru_maxrss` from `os.wait4`, the largest single process; "
        f"tree PSS: summed over the child and its workers, sampled every {SAMPLE_SECONDS * 1000:.0f} ms "
        "in the warm-up runs (timed runs are not sampled)",
    ]
    if not cache_option:
        notes.append("incremental rebuild: skipped, `qz-ebook build` has no cache (no `--no-cache` option)")
    if any(r.watch is not None for r in results):
        notes.append(
            "`build` s: a new `qz-ebook build` with the cache after the edit; `watch` s: the rebuild time "
            "`qz-ebook watch` prints, the process kept running; save→outputs: from the save to that line, "
            "with the file-system notice and watchfiles' 50 ms of quiet; each after "
            f"{SETTLE_SECONDS} s idle"
        )
    if pdf is None:
        notes.append("brochure PDF: skipped, `qz-ebook build` has no `--format pdf`")
    print(markdown_table(results, pdf, notes))
    meta: dict[str, object] = {
        "seed": args.seed,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "ours": tool_version([str(ours_path), "--version"]),
        "pandoc": tool_version([str(pandoc_path), "--version"]),
        "pandoc_path": str(pandoc_path),
        "cache_option": cache_option,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "source_date_epoch": SOURCE_DATE_EPOCH,
        "notes": notes,
    }
    log(f"wrote {write_json(results, pdf, meta)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
