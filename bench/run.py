"""Benchmark qz-ebook against Pandoc on synthetic books of 100 and 1,000 chapters.

    python bench/run.py [--repeat 5] [--seed 2014] [--sizes 100 1000] [--warmup 1] [--ours-only-sizes 3000]

The books come from bench/generate.py and are cached in bench/books/. For each size
the runs alternate (ours, Pandoc, ours, Pandoc, …) so that a noisy neighbour slows
both alike. Every run is a child process; its wall time is measured around
``Popen``/``os.wait4`` and its peak RSS is the ``ru_maxrss`` that ``wait4`` returns.
Only medians and ratios are reported. The figures go to bench/results/<timestamp>.json,
the Markdown table to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import hashlib
import json
import os
import platform
import queue
import re
import resource
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
# What ours builds: the EPUB and the HTML edition (not the kepub, which Pandoc has no counterpart of).
FORMATS = ("--format", "epub", "--format", "html")
BROCHURE = BENCH.parent / "book"
PDF_TARGET_SECONDS = 10.0  # issue 17: the brochure's PDF, cold
CACHE = ".qz-cache"  # in the working folder: qz_ebook.cli.options.CACHE
SINGLE_PAGE = "gesamt.html"  # the HTML edition's one page with the whole book: qz_ebook.writers.html.SINGLE_PAGE
CACHE_EDITS = 20  # edits, each rebuilt, after which the cache is measured again
STARTUP_RUNS = 5  # at least, for the start-up medians

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


@dataclass(frozen=True)
class Size:
    """A file, or all files below a folder: bytes and how many files."""

    bytes: int
    files: int


@dataclass(frozen=True)
class Outputs:
    """What a run wrote into its output folder; the same in every run (SOURCE_DATE_EPOCH is fixed).

    ``epub``: the EPUB (ours' ``<name>.epub``, Pandoc's ``p.epub``); ``html``: the ``html/``
    folder (ours' HTML edition, Pandoc's chunkedhtml); ``single_page``: ours' one page with
    the whole book in it. None where the run wrote no such thing.
    """

    epub: Size | None = None
    html: Size | None = None
    single_page: Size | None = None


@dataclass
class Series:
    """The runs of one tool on one book: timed ones, and ones whose memory was sampled; what the first wrote."""

    runs: list[Run] = field(default_factory=list)
    sampled: list[Run] = field(default_factory=list)
    outputs: Outputs | None = None

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
class IncrementalSeries(Series):
    """New ``build`` processes with the cache, each after one more edit of one chapter; and the cache's size.

    ``cache_cold_bytes``: all files in ``.qz-cache/`` after the cold build that filled it;
    ``cache_edited_bytes``: the same after CACHE_EDITS edits, each rebuilt (the first
    ``--repeat`` of them are the timed ``runs``).
    """

    cache_cold_bytes: int = 0
    cache_edited_bytes: int = 0

    @property
    def cache_growth_percent(self) -> float:
        """How much the cache grew over the edits, in % of its size after the cold build."""
        return 100 * ratio(self.cache_edited_bytes - self.cache_cold_bytes, self.cache_cold_bytes)


@dataclass
class BookResult:
    """One book and ours' cold ``--no-cache`` build of it: all that an ours-only size measures."""

    chapters: int
    markdown_mb: float
    ours: Series = field(default_factory=Series)

    @property
    def ours_builds(self) -> list[tuple[str, Series]]:
        """Ours' cold builds, each with its name in the tables."""
        return [("`--no-cache`", self.ours)]


@dataclass
class SizeResult(BookResult):
    """Everything measured on one book, against Pandoc."""

    ours_cached: Series | None = None  # cold with the cache on and .qz-cache/ empty (where the cache exists)
    pandoc_files: Series = field(default_factory=Series)  # one input file per chapter, as qz-ebook reads them
    pandoc_single: Series = field(default_factory=Series)  # one input, a # Title per chapter, --split-level=1
    pandoc_chunked: Series = field(default_factory=Series)  # the same input to chunkedhtml
    incremental: IncrementalSeries | None = None
    watch: WatchSeries | None = None  # one chapter saved again and again
    watch_add: WatchSeries | None = None  # a new chapter added each time

    @property
    def ours_builds(self) -> list[tuple[str, Series]]:
        """Ours' cold builds, each with its name in the tables: also with an empty cache, where it exists."""
        return super().ours_builds + ([("empty cache", self.ours_cached)] if self.ours_cached else [])

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

    @property
    def cache_over_markdown(self) -> float | None:
        """The cache's size after a cold build over the Markdown's (None without a cache)."""
        return None if self.incremental is None else ratio(self.incremental.cache_cold_bytes, self.markdown_mb * 1e6)


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


def markdown_megabytes(book: Path) -> float:
    """Size of the contributions' Markdown in MB."""
    return sum((book / name).stat().st_size for name in generate.outline_files(book)) / 1e6


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
        chapters = [str(book / name) for name in generate.outline_files(book)]
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
    """``root`` and its descendants, from /proc/<pid>/task/<tid>/children, without those that share their
    parent's memory (``shares_memory``)."""
    tree, todo = [], [(root, None)]
    while todo:
        pid, parent = todo.pop()
        if parent is None or not shares_memory(parent, pid):
            tree.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [(int(child), pid) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # gone meanwhile
    return tree


# kcmp(2) on Linux, where its number is known: whether two processes have the same memory (KCMP_VM).
KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine()) if sys.platform == "linux" else None
KCMP_VM = 1
LIBC = ctypes.CDLL(None, use_errno=True) if KCMP is not None else None


def shares_memory(parent: int, child: int) -> bool:
    """Whether ``child`` runs in ``parent``'s memory: a child that subprocess started with vfork, in the moment
    before it runs its program. Its PSS is its parent's whole memory again, which would be counted twice
    (a sample in that moment found a 320 MB tree where the ones around it found 215 MB)."""
    if LIBC is None:
        return False
    return int(LIBC.syscall(KCMP, parent, child, KCMP_VM, 0, 0)) == 0


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
    tree = sampler.peak_kib / 1024 if sampling else None
    return Run(seconds, usage.ru_utime + usage.ru_stime, max_rss_mb(usage), tree)


def max_rss_mb(usage: resource.struct_rusage) -> float:
    """``ru_maxrss`` in MB: it is in KiB on Linux and in bytes on macOS."""
    return (usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss) / 1024


def disk_size(path: Path) -> Size | None:
    """A file's size, or all files below a folder; None where there is neither."""
    if path.is_file():
        return Size(path.stat().st_size, 1)
    if not path.is_dir():
        return None
    sizes = [file.stat().st_size for file in path.rglob("*") if file.is_file()]
    return Size(sum(sizes), len(sizes))


def outputs(out: Path) -> Outputs | None:
    """What a run wrote into ``out``: its EPUB, ``html/`` and single page; None for a run that wrote nothing."""
    epubs = sorted(path for path in out.glob("*.epub") if not path.name.endswith(".kepub.epub"))
    epub = disk_size(epubs[0]) if epubs else None
    found = Outputs(epub, disk_size(out / "html"), disk_size(out / "html" / SINGLE_PAGE))
    return None if found == Outputs() else found


def measure_fresh(command: Command, book: Path, sample: bool = False) -> tuple[Run, Outputs | None]:
    """One cold run into a new output folder, in a scratch working directory (for any cache in the cwd);
    the run, and what it wrote."""
    with tempfile.TemporaryDirectory(prefix="qz-bench-") as scratch:
        out = Path(scratch) / "out"
        out.mkdir()
        run = measure(command(book, out), Path(scratch), sample)
        return run, outputs(out)


def describe(run: Run) -> str:
    """One run for the progress log."""
    tree = "" if run.tree_pss_mb is None else f", tree PSS {run.tree_pss_mb:6.0f} MB"
    return f"{run.seconds:7.2f} s (CPU {run.cpu_seconds:6.2f} s), peak RSS {run.peak_rss_mb:6.0f} MB{tree}"


Contender = tuple[str, Command, Series]  # its name in the log, its command, where its runs go


def alternate(label: str, book: Path, contenders: Sequence[Contender], repeat: int, warmup: int) -> None:
    """Run each contender on ``book`` in turn, round after round; warm-up runs are not counted.

    The memory of the whole process tree is sampled in the warm-up runs, which are
    not timed, or in one extra round without warm-up. Each series keeps what its
    first run wrote.
    """
    for i in range(max(warmup, 1) + repeat):
        counted = warmup <= i < warmup + repeat
        for name, command, series in contenders:
            run, wrote = measure_fresh(command, book, sample=not counted)
            if i == 0:
                series.outputs = wrote
            kind = f"run {i - warmup + 1}/{repeat}" if counted else "warm-up" if i < warmup else "memory"
            log(f"  {label}  {name:<16} {kind:<10} {describe(run)}")
            (series.runs if counted else series.sampled).append(run)


def compare(
    book: Path,
    chapters: int,
    ours: Command,
    ours_cached: Command | None,
    pandoc: dict[str, Command],
    repeat: int,
    warmup: int,
) -> SizeResult:
    """Alternate ours (cold ``--no-cache``, and cold with an empty cache where ``ours_cached`` is given)
    and Pandoc's three calls on ``book``."""
    result = SizeResult(chapters, markdown_megabytes(book))
    single_markdown(book, generate.outline_files(book))  # Pandoc's one input; not timed
    contenders: list[Contender] = [("ours", ours, result.ours)]
    if ours_cached is not None:
        result.ours_cached = Series()
        contenders.append(("ours empty cache", ours_cached, result.ours_cached))
    contenders += [
        ("pandoc files", pandoc["files"], result.pandoc_files),
        ("pandoc single", pandoc["single"], result.pandoc_single),
        ("pandoc chunked", pandoc["chunked"], result.pandoc_chunked),
    ]
    alternate(f"{chapters:>5} chapters", book, contenders, repeat, warmup)
    return result


def measure_ours_only(book: Path, chapters: int, ours: Command, repeat: int, warmup: int) -> BookResult:
    """Ours' cold ``--no-cache`` build of ``book`` alone, for a size Pandoc would take too long on."""
    result = BookResult(chapters, markdown_megabytes(book))
    alternate(f"{chapters:>5} chapters", book, [("ours", ours, result.ours)], repeat, warmup)
    return result


def fixed(args: list[str]) -> Command:
    """A command that builds no book: the same ``args`` whatever the book and output folder."""
    return lambda _book, _out: args


def measure_startup(ours: Path, repeat: int, warmup: int) -> dict[str, Series]:
    """Processes that start and end at once, in turn, at least STARTUP_RUNS times each: bare Python,
    Python importing qz-ebook's CLI (the venv's Python, next to ``qz-ebook``), and ``qz-ebook --help``."""
    python = ours.with_name("python")
    interpreter = str(python) if python.exists() else sys.executable
    calls = {
        "python -c pass": [interpreter, "-c", "pass"],
        'python -c "import qz_ebook.cli"': [interpreter, "-c", "import qz_ebook.cli"],
        "qz-ebook --help": [str(ours), "--help"],
    }
    startup = {name: Series() for name in calls}
    contenders = [(name, fixed(args), startup[name]) for name, args in calls.items()]
    alternate("start-up", BENCH, contenders, max(repeat, STARTUP_RUNS), warmup)
    return startup


def measure_pdf(ours: Path, repeat: int, cache_option: bool) -> Series:
    """The brochure's PDF alone, cold (``--format pdf``): WeasyPrint's layout dominates it."""

    def command(book: Path, out: Path) -> list[str]:
        args = [str(ours), "build", "--format", "pdf", "--book", str(book), "--out", str(out)]
        return args + (["--no-cache"] if cache_option else [])

    series = Series()
    alternate("brochure", BROCHURE, [("PDF", command, series)], repeat, warmup=1)
    return series


def pdf_rows(pdf: Series) -> list[str]:
    """The brochure's PDF against its target."""
    met = "met" if pdf.seconds < PDF_TARGET_SECONDS else "MISSED"
    return [
        "| brochure PDF | wall s | CPU s | peak RSS MB | tree PSS MB | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| `build --format pdf`, cold | {pdf.seconds:.2f} | {pdf.cpu_seconds:.2f} | {pdf.peak_rss_mb:.0f} "
        f"| {cell(pdf.tree_pss_mb)} | < {PDF_TARGET_SECONDS:.0f} s: {met} |",
    ]


Change = Callable[[Path, int], dict[Path, str]]  # a book and the change's number → the files to save, in order


def edit_chapter(book: Path, number: int) -> dict[Path, str]:
    """The outline's middle chapter with a sentence in front of its first paragraph."""
    files = generate.outline_files(book)
    path = book / files[len(files) // 2]
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    return {path: f"{head}\n---\n\nNachtrag {number}: Die Redaktion ergänzt diesen Absatz. {body.lstrip()}"}


def add_chapter(book: Path, _number: int) -> dict[Path, str]:
    """One more chapter at the end of the book: its file, then the outline with its entry."""
    return generate.add_chapter(book)


def save(files: dict[Path, str]) -> None:
    """Write ``files`` in their order, as an editor saves them."""
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")


def cache_bytes(folder: Path) -> int:
    """Bytes of all files in ``folder``'s ``.qz-cache/``; 0 when there is none."""
    size = disk_size(folder / CACHE)
    return size.bytes if size is not None else 0


def measure_incremental(book: Path, chapters: int, ours: Command, repeat: int) -> IncrementalSeries:
    """Rebuild a copy of ``book`` with the cache after editing one chapter each time; the cache's size.

    The first ``repeat`` rebuilds are timed; the edits go on to CACHE_EDITS, after
    which the cache is measured again.
    """
    series = IncrementalSeries()
    edits = max(repeat, CACHE_EDITS)
    with tempfile.TemporaryDirectory(prefix="qz-bench-incr-") as scratch:
        work = Path(scratch)
        copy = work / "book"
        shutil.copytree(book, copy)
        out = work / "out"
        out.mkdir()
        measure(ours(copy, out), work)  # fills the cache
        series.cache_cold_bytes = cache_bytes(work)
        for i in range(edits):
            save(edit_chapter(copy, i + 1))
            run = measure(ours(copy, out), work)
            log(f"  {chapters:>5} chapters  ours incr. edit {i + 1}/{edits}  {describe(run)}")
            if i < repeat:
                series.runs.append(run)
            if i + 1 == CACHE_EDITS:
                series.cache_edited_bytes = cache_bytes(work)
    return series


WATCH_LINE = re.compile(r"changed: built in ([0-9.]+) s")
WATCH_WAIT_SECONDS = 600  # for the first build of a large book on a slow machine
SETTLE_SECONDS = 0.5  # after a rebuild: idle time, and any second build of one save shows up


def measure_watch(book: Path, chapters: int, ours: Path, repeat: int, change: Change) -> WatchSeries:
    """Start ``qz-ebook watch`` on a copy of ``book``, save a ``change`` ``repeat`` times, time each rebuild.

    Each change is made ready before it is saved, so the time from the save counts the
    writing of its files only.
    """
    series = WatchSeries()
    with tempfile.TemporaryDirectory(prefix="qz-bench-watch-") as scratch:
        copy = Path(scratch) / "book"
        shutil.copytree(book, copy)
        command = [str(ours), "watch", *FORMATS, "--book", str(copy), "--out", str(Path(scratch) / "out")]
        env = {**child_env(), "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen(command, cwd=scratch, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True).start()
        try:
            _next_line(lines, "built in", child)  # the first build, which fills the cache
            for i in range(repeat):
                files = change(copy, i + 1)
                time.sleep(SETTLE_SECONDS)
                while not lines.empty():
                    lines.get_nowait()
                saved = time.perf_counter()
                save(files)
                found = WATCH_LINE.search(_next_line(lines, "changed: built in", child))
                assert found is not None
                series.latencies.append(time.perf_counter() - saved)
                series.rebuilds.append(float(found.group(1)))
                log(f"  {chapters:>5} chapters  watch {change.__name__} {i + 1}/{repeat}  "
                    f"rebuild {series.rebuilds[-1]:.3f} s, save to outputs {series.latencies[-1]:.3f} s")  # fmt: skip
        finally:
            child.send_signal(signal.SIGINT)
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = 0  # reaped: keep Popen from waiting again
        series.peak_rss_mb = max_rss_mb(usage)
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


def quotient(a: float | None, b: float | None) -> float | None:
    """a / b where both are known (NaN when b is zero), else None."""
    return None if a is None or b is None else ratio(a, b)


def cell(value: float | None, spec: str = ".0f", unit: str = "") -> str:
    """A figure for a table, or – where it is missing."""
    return "–" if value is None else f"{value:{spec}}{unit}"


def row(cells: Sequence[str]) -> str:
    """One line of a Markdown table."""
    return f"| {' | '.join(cells)} |"


def pandoc_time_cells(book: BookResult, ours: Series) -> list[str]:
    """Pandoc's EPUB (the faster call) and EPUB + chunkedhtml, each with ``ours`` over it; dashes for ours alone."""
    if not isinstance(book, SizeResult):
        return ["–"] * 4
    both = book.pandoc_both_seconds
    return [
        f"{book.pandoc.seconds:.2f} ({book.pandoc_call})",
        f"{ratio(ours.seconds, book.pandoc.seconds):.3f}",
        f"{both:.2f}",
        f"{ratio(ours.seconds, both):.3f}",
    ]


def time_rows(books: Sequence[BookResult]) -> list[str]:
    """Median wall and CPU time per book and cold build of ours, against Pandoc's EPUB (the faster call)
    and EPUB + chunked HTML; then Pandoc's three calls."""
    lines = [
        "| chapters | Markdown MB | ours build | ours s | Pandoc EPUB s (call) | ours/Pandoc EPUB "
        "| Pandoc EPUB + chunkedhtml s | ours/(EPUB + chunkedhtml) | ours CPU s | Pandoc EPUB CPU s |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in books:
        pandoc_cpu = f"{b.pandoc.cpu_seconds:.2f}" if isinstance(b, SizeResult) else "–"
        for name, ours in b.ours_builds:
            start = [f"{b.chapters:,}", f"{b.markdown_mb:.2f}", name, f"{ours.seconds:.2f}"]
            lines.append(row([*start, *pandoc_time_cells(b, ours), f"{ours.cpu_seconds:.2f}", pandoc_cpu]))
    lines += ["", "| chapters | Pandoc EPUB, a file per chapter s | Pandoc EPUB, one input s | Pandoc chunkedhtml s |"]
    lines.append("|---:|---:|---:|---:|")
    for b in books:
        if isinstance(b, SizeResult):
            calls = (b.pandoc_files, b.pandoc_single, b.pandoc_chunked)
            lines.append(row([f"{b.chapters:,}", *(f"{series.seconds:.2f}" for series in calls)]))
    return lines


def memory_rows(books: Sequence[BookResult]) -> list[str]:
    """Median peak memory per book: largest process (wait4) and the sampled whole tree (PSS)."""
    lines = [
        "| chapters | ours peak RSS MB | Pandoc peak RSS MB | ours tree PSS MB | Pandoc tree PSS MB |",
        "|---:|---:|---:|---:|---:|",
    ]
    for b in books:
        pandoc = b.pandoc if isinstance(b, SizeResult) else None
        lines.append(
            row(
                [
                    f"{b.chapters:,}",
                    cell(b.ours.peak_rss_mb),
                    cell(pandoc.peak_rss_mb if pandoc else None),
                    cell(b.ours.tree_pss_mb),
                    cell(pandoc.tree_pss_mb if pandoc else None),
                ]
            )
        )
    return lines


SCALED: dict[str, tuple[str, Callable[[Series], float | None]]] = {
    "": ("wall time", lambda series: series.seconds),
    "_cpu": ("CPU time", lambda series: series.cpu_seconds),
    "_peak_rss": ("peak RSS", lambda series: series.peak_rss_mb),
    "_tree_pss": ("tree PSS", lambda series: series.tree_pss_mb),
}  # JSON key suffix → the row's name, the median


def scaling(small: BookResult, large: BookResult) -> dict[str, float | None]:
    """How each SCALED median of ours and Pandoc (None for an ours-only size) grows from ``small`` to ``large``,
    next to the input's growth."""
    figures: dict[str, float | None] = {
        "from_chapters": small.chapters,
        "to_chapters": large.chapters,
        "input": ratio(large.markdown_mb, small.markdown_mb),
    }
    for suffix, (_, median) in SCALED.items():
        figures[f"ours{suffix}"] = quotient(median(large.ours), median(small.ours))
        if isinstance(small, SizeResult) and isinstance(large, SizeResult):
            figures[f"pandoc{suffix}"] = quotient(median(large.pandoc), median(small.pandoc))
        else:
            figures[f"pandoc{suffix}"] = None
    return figures


def scaling_rows(small: BookResult, large: BookResult) -> list[str]:
    """How time and memory grow from ``small`` to ``large``, next to the input's growth."""
    figures = scaling(small, large)
    lines = [
        f"| scaling {large.chapters:,} / {small.chapters:,} chapters | input | ours | Pandoc |",
        "|---|---:|---:|---:|",
    ]
    for suffix, (name, _) in SCALED.items():
        growth = [cell(figures[key], ".1f", "×") for key in ("input", f"ours{suffix}", f"pandoc{suffix}")]
        lines.append(row([name, *growth]))
    return lines


def output_sizes(r: SizeResult) -> dict[str, float | None]:
    """Sizes of ours' outputs (the cold ``--no-cache`` build) against Pandoc's: its EPUB (the faster call)
    and chunkedhtml. Bytes and files; per chapter, the folder's bytes over the chapters."""
    ours, pandoc_epub, chunked = (series.outputs or Outputs() for series in (r.ours, r.pandoc, r.pandoc_chunked))
    figures: dict[str, float | None] = {}
    for prefix, html in (("html", ours.html), ("pandoc_html", chunked.html)):
        figures[f"{prefix}_bytes"] = html.bytes if html else None
        figures[f"{prefix}_files"] = html.files if html else None
        figures[f"{prefix}_bytes_per_chapter"] = html.bytes / r.chapters if html else None
    figures["single_page_bytes"] = ours.single_page.bytes if ours.single_page else None
    figures["html_over_pandoc"] = quotient(figures["html_bytes"], figures["pandoc_html_bytes"])
    figures["epub_bytes"] = ours.epub.bytes if ours.epub else None
    figures["pandoc_epub_bytes"] = pandoc_epub.epub.bytes if pandoc_epub.epub else None
    figures["epub_over_pandoc"] = quotient(figures["epub_bytes"], figures["pandoc_epub_bytes"])
    return figures


def output_rows(results: Sequence[SizeResult]) -> list[str]:
    """The outputs' sizes: ours' HTML edition against Pandoc's chunkedhtml, ours' EPUB against Pandoc's."""
    lines = [
        "| chapters | ours HTML MB | files | KB/chapter | single page MB | Pandoc chunkedhtml MB | files | KB/chapter "
        "| ours/Pandoc HTML | ours EPUB MB | Pandoc EPUB MB (call) | ours/Pandoc EPUB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        f = output_sizes(r)
        megabytes = {key: quotient(f[key], 1e6) for key in f if key.endswith("_bytes")}
        lines.append(
            row(
                [
                    f"{r.chapters:,}",
                    cell(megabytes["html_bytes"], ".2f"),
                    cell(f["html_files"], ",.0f"),
                    cell(quotient(f["html_bytes_per_chapter"], 1e3), ".1f"),
                    cell(megabytes["single_page_bytes"], ".2f"),
                    cell(megabytes["pandoc_html_bytes"], ".2f"),
                    cell(f["pandoc_html_files"], ",.0f"),
                    cell(quotient(f["pandoc_html_bytes_per_chapter"], 1e3), ".1f"),
                    cell(f["html_over_pandoc"], ".2f"),
                    cell(megabytes["epub_bytes"], ".2f"),
                    f"{cell(megabytes['pandoc_epub_bytes'], '.2f')} ({r.pandoc_call})",
                    cell(f["epub_over_pandoc"], ".2f"),
                ]
            )
        )
    return lines


def cache_rows(results: Sequence[SizeResult]) -> list[str]:
    """The cache's size after the cold build, against the Markdown, and after CACHE_EDITS edits."""
    lines = [
        f"| chapters | Markdown MB | `{CACHE}/` after cold MB | cache/Markdown "
        f"| after {CACHE_EDITS} edits MB | growth |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.incremental is not None:
            cold, edited = r.incremental.cache_cold_bytes, r.incremental.cache_edited_bytes
            lines.append(
                row(
                    [
                        f"{r.chapters:,}",
                        f"{r.markdown_mb:.2f}",
                        f"{cold / 1e6:.2f}",
                        f"{r.cache_over_markdown:.2f}×",
                        f"{edited / 1e6:.2f}",
                        f"{r.incremental.cache_growth_percent:+.1f} %",
                    ]
                )
            )
    return lines


def rebuild_rows(results: Sequence[SizeResult]) -> list[str]:
    """Cold builds and rebuilds after a change, each against the cold ``--no-cache`` build."""
    lines = [
        "| chapters | build | s | /cold `--no-cache` | save→outputs s |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        cold = r.ours.seconds
        measured: list[tuple[str, float, float | None]] = [
            (f"cold, {name}", series.seconds, None) for name, series in r.ours_builds
        ]
        if r.incremental is not None:
            measured.append(("new `build` process after one edit", r.incremental.seconds, None))
        for name, watch in (("one chapter saved", r.watch), ("a chapter added", r.watch_add)):
            if watch is not None:
                measured.append((f"`watch`, {name}", watch.seconds, watch.latency))
        for name, seconds, latency in measured:
            figures = [f"{seconds:.3f}", f"{ratio(seconds, cold):.3f}", cell(latency, ".3f")]
            lines.append(row([f"{r.chapters:,}", name, *figures]))
    return lines


def startup_rows(startup: dict[str, Series]) -> list[str]:
    """Processes that only start: medians, and what each adds to bare Python."""
    bare = startup["python -c pass"].seconds
    lines = ["| start-up, a fresh process | wall s | over bare Python s | CPU s |", "|---|---:|---:|---:|"]
    for name, series in startup.items():
        timed = [f"{series.seconds:.3f}", f"{series.seconds - bare:+.3f}", f"{series.cpu_seconds:.3f}"]
        lines.append(row([f"`{name}`", *timed]))
    return lines


def markdown_table(
    results: Sequence[SizeResult],
    ours_only: Sequence[BookResult],
    startup: dict[str, Series],
    pdf: Series | None,
    notes: list[str],
) -> str:
    """The report: time, memory, scaling, output size, cache, rebuild, start-up and PDF tables, then notes."""
    books = sorted([*results, *ours_only], key=lambda book: book.chapters)
    sections = [time_rows(books), memory_rows(books)]
    if len(results) >= 2:
        sections.append(scaling_rows(results[0], results[-1]))
    sections += [scaling_rows(results[-1], book) for book in ours_only]
    sections.append(output_rows(results))
    if any(r.incremental is not None for r in results):
        sections.append(cache_rows(results))
    sections.append(rebuild_rows(results))
    sections.append(startup_rows(startup))
    if pdf is not None:
        sections.append(pdf_rows(pdf))
    sections.append([f"- {note}" for note in notes])
    return "\n\n".join("\n".join(lines) for lines in sections)


def tool_version(args: list[str]) -> str:
    """First line of a tool's --version."""
    result = subprocess.run(args, capture_output=True, text=True)
    return (result.stdout or result.stderr).splitlines()[0] if (result.stdout or result.stderr) else "?"


def ours_medians(prefix: str, ours: Series, book: BookResult) -> dict[str, float | None]:
    """Medians of one cold build of ours, keyed ``<prefix>_…``; over Pandoc's where ``book`` was compared."""
    figures: dict[str, float | None] = {
        f"{prefix}_seconds": ours.seconds,
        f"{prefix}_cpu_seconds": ours.cpu_seconds,
        f"{prefix}_peak_rss_mb": ours.peak_rss_mb,
        f"{prefix}_tree_pss_mb": ours.tree_pss_mb,
    }
    if isinstance(book, SizeResult):
        figures[f"{prefix}_over_pandoc"] = ratio(ours.seconds, book.pandoc.seconds)
        figures[f"{prefix}_over_pandoc_epub_and_chunked"] = ratio(ours.seconds, book.pandoc_both_seconds)
    return figures


def watch_medians(prefix: str, watch: WatchSeries | None, cold: float) -> dict[str, float | None]:
    """Medians of one ``watch`` measurement, keyed ``<prefix>_…``, and its rebuild over the cold build."""
    return {
        f"{prefix}_rebuild_seconds": watch.seconds if watch else None,
        f"{prefix}_latency_seconds": watch.latency if watch else None,
        f"{prefix}_peak_rss_mb": watch.peak_rss_mb if watch else None,
        f"{prefix}_over_cold": ratio(watch.seconds, cold) if watch else None,
    }


def size_json(r: SizeResult) -> dict[str, object]:
    """One compared book: all runs, medians and ratios, the outputs' and the cache's sizes."""
    cold = r.ours.seconds
    median: dict[str, object] = {
        **ours_medians("ours", r.ours, r),
        **(ours_medians("ours_cached", r.ours_cached, r) if r.ours_cached else {}),
        "pandoc_call": r.pandoc_call,
        "pandoc_seconds": r.pandoc.seconds,
        "pandoc_files_seconds": r.pandoc_files.seconds,
        "pandoc_single_seconds": r.pandoc_single.seconds,
        "pandoc_chunked_seconds": r.pandoc_chunked.seconds,
        "pandoc_cpu_seconds": r.pandoc.cpu_seconds,
        "pandoc_peak_rss_mb": r.pandoc.peak_rss_mb,
        "pandoc_tree_pss_mb": r.pandoc.tree_pss_mb,
        "incremental_seconds": r.incremental.seconds if r.incremental else None,
        "incremental_over_cold": ratio(r.incremental.seconds, cold) if r.incremental else None,
        **watch_medians("watch", r.watch, cold),
        **watch_medians("watch_add", r.watch_add, cold),
    }
    cache = None
    if r.incremental is not None:
        cache = {
            "after_cold_bytes": r.incremental.cache_cold_bytes,
            "over_markdown": r.cache_over_markdown,
            "edits": CACHE_EDITS,
            "after_edits_bytes": r.incremental.cache_edited_bytes,
            "growth_percent": r.incremental.cache_growth_percent,
        }
    return {**asdict(r), "median": median, "output": output_sizes(r), "cache": cache}


def write_json(
    results: Sequence[SizeResult],
    ours_only: Sequence[BookResult],
    startup: dict[str, Series],
    pdf: Series | None,
    meta: dict[str, object],
) -> Path:
    """All runs, medians and ratios as bench/results/<UTC timestamp>-seed<seed>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}-seed{meta['seed']}.json"
    report = {
        **meta,
        "sizes": [size_json(r) for r in results],
        "ours_only_sizes": [{**asdict(b), "median": ours_medians("ours", b.ours, b)} for b in ours_only],
        "scaling": scaling(results[0], results[-1]) if len(results) >= 2 else {},
        "scaling_ours_only": [scaling(results[-1], book) for book in ours_only],
        "startup": {
            name: {**asdict(series), "median_seconds": series.seconds, "median_cpu_seconds": series.cpu_seconds}
            for name, series in startup.items()
        },
        "brochure_pdf": None if pdf is None else {**asdict(pdf), "median": pdf.seconds, "target": PDF_TARGET_SECONDS},
    }
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="counted runs per tool and size (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs per tool and size first (default 1)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="generator seed (default 2014)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="chapter counts")
    parser.add_argument(
        "--ours-only-sizes",
        type=int,
        nargs="+",
        default=[],
        metavar="N",
        help="more chapter counts to build with qz-ebook alone (cold --no-cache), scaled against the largest --sizes",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or any(n < 1 for n in args.sizes + args.ours_only_sizes):
        parser.error("--repeat and the sizes must be positive, --warmup not negative")
    args.sizes = sorted(set(args.sizes))
    args.ours_only_sizes = sorted(set(args.ours_only_sizes) - set(args.sizes))
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate or reuse the books, measure, print the table, write the JSON."""
    args = parse_args(argv)
    ours_path, pandoc_path = tool_paths()
    cache_option = "--no-cache" in build_options(ours_path)
    ours = ours_command(ours_path, use_cache=False, cache_option=cache_option)
    cached = ours_command(ours_path, use_cache=True, cache_option=True) if cache_option else None
    watching = "watch" in commands(ours_path)
    pandoc = pandoc_commands(pandoc_path)
    load_before = os.getloadavg()
    startup = measure_startup(ours_path, args.repeat, args.warmup)
    results = []
    for chapters in args.sizes:
        book = ensure_book(args.seed, chapters)
        result = compare(book, chapters, ours, cached, pandoc, args.repeat, args.warmup)
        if cached is not None:
            result.incremental = measure_incremental(book, chapters, cached, args.repeat)
        if watching:
            result.watch = measure_watch(book, chapters, ours_path, args.repeat, edit_chapter)
            result.watch_add = measure_watch(book, chapters, ours_path, args.repeat, add_chapter)
        results.append(result)
    ours_only = [
        measure_ours_only(ensure_book(args.seed, chapters), chapters, ours, args.repeat, args.warmup)
        for chapters in args.ours_only_sizes
    ]
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
        f"output sizes: all files below `html/` (ours: the HTML edition with its search index, styles and scripts; "
        f"Pandoc: chunkedhtml) and the EPUB, after one cold run each; single page: `html/{SINGLE_PAGE}`; "
        "KB/chapter: the folder over the chapters; 1 MB = 10⁶ bytes",
        f"start-up: {max(args.repeat, STARTUP_RUNS)} runs each, alternating, with the venv's Python",
    ]
    if ours_only:
        notes.append(
            f"{', '.join(f'{n:,}' for n in args.ours_only_sizes)} chapters: ours alone, cold `--no-cache` "
            f"(Pandoc not run); scaled against {args.sizes[-1]:,} chapters"
        )
    if cache_option:
        notes.append(
            f"empty cache: the same build without `--no-cache`, a new working folder (and `{CACHE}/`) per run; "
            f"cache: all files in `{CACHE}/` after a cold build, and after {CACHE_EDITS} edits of one chapter, "
            "each followed by a new `build`; growth against the size after the cold build"
        )
    else:
        notes.append(
            "empty cache, cache size and incremental rebuild: skipped, "
            "`qz-ebook build` has no cache (no `--no-cache` option)"
        )
    if watching:
        notes.append(
            "`build` after one edit: a new `qz-ebook build` with the cache; `watch`: the rebuild time "
            "`qz-ebook watch` prints, the process kept running (one process per kind of change); a chapter added: "
            "a new file at the end of the last part and its entry in SUMMARY.md, saved together; save→outputs: "
            "from the save to that line, with the file-system notice and watchfiles' 50 ms of quiet; each after "
            f"{SETTLE_SECONDS} s idle"
        )
    if pdf is None:
        notes.append("brochure PDF: skipped, `qz-ebook build` has no `--format pdf`")
    print(markdown_table(results, ours_only, startup, pdf, notes))
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
    log(f"wrote {write_json(results, ours_only, startup, pdf, meta)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
