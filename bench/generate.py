"""Write a synthetic, deterministic manuscript in qz-ebook's format for benchmarks.

    python bench/generate.py --chapters 1000 --out bench/books/seed-2014-n1000 [--seed 2014]

The same seed and chapter count always give byte-identical files. The text is
German-looking (built from a fixed word list with umlauts and ß); each chapter
averages about 7.9 KB of Markdown with paragraphs, footnotes, a captioned table,
bullet and numbered lists (some nested), emphasis, cross-chapter links (with and
without a ``#fragment`` naming a real heading) and ``<!-- Seite N -->`` page markers
whose numbers strictly increase through the book. A new part starts every 50
chapters. The book builds with ``qz-ebook build --strict`` without any warning.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from qz_ebook.convert.slugs import slugify

DEFAULT_SEED = 2014
CHAPTERS_PER_PART = 50
# Each chapter's Markdown file aims at a size drawn uniformly from this range (mean 7.9 KB).
CHAPTER_BYTES = (5_900, 9_900)
MARKER = ".bench-generated"
PARAGRAPH_BYTES = 700  # about the mean size of a generated paragraph
OUTLINE_LINK = re.compile(r"\]\(([^)#]+\.md)\)")
PAGE_NUMBER = re.compile(r"^page: (\d+)$|<!-- Seite (\d+) -->", re.MULTILINE)
NOTE_LABEL = re.compile(r"^\[\^(\d+)\]:", re.MULTILINE)

NOUNS = (
    "Kommune", "Integration", "Bürgerschaft", "Verwaltung", "Öffnung", "Bildung", "Schule", "Qualität", "Zirkel",
    "Straße", "Gemeinde", "Förderung", "Beratung", "Ausländerbehörde", "Einbürgerung", "Teilhabe", "Vielfalt",
    "Gesellschaft", "Arbeitsmarkt", "Sprachförderung", "Jugendhilfe", "Elternarbeit", "Stadtteil", "Größe",
    "Maßnahme", "Übergang", "Zuwanderung", "Ökonomie", "Prüfung", "Fußgängerzone", "Behörde", "Gespräch",
    "Erfahrung", "Netzwerk", "Steuerung", "Beteiligung", "Ehrenamt", "Familie", "Kindertagesstätte", "Hochschule",
    "Wohnungsmarkt", "Gesundheit", "Sport", "Kultur", "Religion", "Jubiläum", "Rückblick", "Ausblick", "Einblick",
    "Empfehlung", "Handreichung", "Leitbild", "Zuständigkeit", "Ausschuss", "Bürgermeisterin", "Stadtrat",
    "Landkreis", "Gemeinschaft", "Fachstelle", "Willkommenskultur", "Grundsatz", "Schlüssel", "Brücke",
)  # fmt: skip
VERBS = (
    "fördert", "stärkt", "öffnet", "prüft", "begleitet", "gestaltet", "erhöht", "verändert", "unterstützt",
    "schließt", "berücksichtigt", "führt", "verknüpft", "würdigt", "erläutert", "beschließt", "überträgt", "zählt",
    "schätzt", "läßt", "bemüht", "erfüllt", "gewährleistet", "schafft", "beschäftigt", "fließt", "wächst",
)  # fmt: skip
ADJECTIVES = (
    "kommunale", "interkulturelle", "gemeinsame", "öffentliche", "nachhaltige", "größere", "südliche", "nördliche",
    "wirksame", "verlässliche", "frühzeitige", "übergreifende", "städtische", "ländliche", "bürgernahe", "mäßige",
    "grundsätzliche", "außerordentliche", "schöne", "künftige", "heutige", "jährliche", "äußere", "gründliche",
)  # fmt: skip
SMALL = (
    "und", "oder", "aber", "mit", "für", "über", "durch", "gegenüber", "außerdem", "dabei", "zudem", "nämlich",
    "bereits", "schließlich", "häufig", "künftig", "gemäß", "während", "wegen", "trotz", "zunächst", "ungefähr",
    "natürlich", "fünf", "zwölf", "dreißig", "die", "der", "das", "den", "dem", "eine", "ein", "im", "zur", "zum",
)  # fmt: skip
ARTICLES = ("die", "der", "das", "eine", "ein", "jede", "keine", "unsere", "ihre")
FIRST_NAMES = (
    "Jürgen", "Sybille", "Özlem", "Jörg", "Käthe", "Günther", "Bärbel", "Hans-Jürgen", "Ursula", "Mehmet", "Zoë",
    "Björn", "Renée", "Klaus", "Sören", "Agnieszka", "Gülşen", "Fritz", "Heike", "Ömer",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Weiß", "Groß", "Schäfer", "Köhler", "Günther", "Krüger", "Ößwald", "Hoffmann", "Yılmaz", "Straßburg",
    "Kühn", "Bäcker", "Löwe", "Fröhlich", "Süßmuth", "Haussmann", "Nowak", "Demir", "Brückner",
)  # fmt: skip


@dataclass(frozen=True)
class ChapterPlan:
    """What other chapters may know of a chapter before it is written: its file and headings."""

    index: int  # 1-based, in outline order
    part: int  # 1-based
    title: str
    headings: tuple[str, ...]
    size: int  # target size of the Markdown file in bytes

    @property
    def path(self) -> str:
        """The file's path relative to the book folder (and to SUMMARY.md)."""
        return f"teil-{self.part:02d}/kapitel-{self.index:04d}.md"


@dataclass
class Counters:
    """State that runs through the whole book: print pages and footnote labels."""

    page: int = 5
    footnote: int = 0


def size_of(blocks: list[str]) -> int:
    """Bytes of ``blocks`` in UTF-8, joined by blank lines."""
    return sum(len(block.encode()) + 2 for block in blocks)


def chapter_rng(seed: int, index: int, purpose: str) -> random.Random:
    """A random generator for one chapter and purpose, independent of the other chapters."""
    return random.Random(f"{seed}:{index}:{purpose}")


def phrase(rng: random.Random, low: int, high: int) -> str:
    """A few capitalised words: a title or a heading."""
    words = [rng.choice(ADJECTIVES).capitalize(), rng.choice(NOUNS)]
    while len(words) < rng.randint(low, high):
        words += [rng.choice(("und", "für", "mit", "über", "in der")), rng.choice(NOUNS)]
    return " ".join(words)


def sentence(rng: random.Random) -> str:
    """One German-looking sentence with subject, verb and a tail of words."""
    words = [rng.choice(ARTICLES).capitalize(), rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS)]
    for _ in range(rng.randint(3, 11)):
        words.append(rng.choice(NOUNS) if rng.random() < 0.35 else rng.choice(SMALL + ADJECTIVES))
    if rng.random() < 0.15:
        words.insert(rng.randint(4, len(words)), "--")
    text = " ".join(words)
    return text + rng.choice((".", ".", ".", ".", "!", "?", " ..."))


def emphasise(rng: random.Random, text: str) -> str:
    """Mark one word of ``text`` as *emphasis* or **strong**, now and then."""
    words = text.split(" ")
    if len(words) < 4 or rng.random() < 0.4:
        return text
    at = rng.randint(1, len(words) - 2)
    if words[at].isalpha():
        mark = rng.choice(("*", "**", "_"))
        words[at] = f"{mark}{words[at]}{mark}"
    return " ".join(words)


def person(rng: random.Random) -> str:
    """A name such as 'Özlem Krüger', sometimes with a title."""
    title = rng.choice(("", "", "", "Dr. ", "Prof. Dr. "))
    return f"{title}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def plan_chapter(index: int, part: int, seed: int) -> ChapterPlan:
    """Title, headings and target size of one chapter."""
    rng = chapter_rng(seed, index, "plan")
    headings: list[str] = []
    while len(headings) < rng.randint(3, 6):
        heading = phrase(rng, 2, 5)
        if slugify(heading) not in {slugify(h) for h in headings}:
            headings.append(heading)
    return ChapterPlan(index, part, phrase(rng, 2, 6), tuple(headings), rng.randint(*CHAPTER_BYTES))


def plan_book(chapters: int, seed: int) -> list[ChapterPlan]:
    """Every chapter's plan, so that links can name real headings; a new part every CHAPTERS_PER_PART."""
    return [plan_chapter(index, (index - 1) // CHAPTERS_PER_PART + 1, seed) for index in range(1, chapters + 1)]


def relative_link(source: ChapterPlan, target: ChapterPlan) -> str:
    """The path of ``target`` as written in ``source``'s Markdown file."""
    name = target.path.split("/")[1]
    return name if source.part == target.part else f"../{target.path}"


def cross_link(rng: random.Random, source: ChapterPlan, plans: list[ChapterPlan]) -> str:
    """A link to another chapter, to its start or to one of its headings."""
    target = rng.choice([p for p in plans if p.index != source.index] or [source])
    href = relative_link(source, target)
    if rng.random() < 0.5:
        heading = rng.choice(target.headings)
        return f"[{heading} in Kapitel {target.index}]({href}#{slugify(heading)})"
    return f"[Kapitel {target.index}: {target.title}]({href})"


class ChapterWriter:
    """Writes the Markdown of one chapter; page numbers and footnote labels continue the book's."""

    def __init__(self, plan: ChapterPlan, plans: list[ChapterPlan], seed: int, counters: Counters) -> None:
        self.plan = plan
        self.plans = plans
        self.rng = chapter_rng(seed, plan.index, "text")
        self.counters = counters
        self.footnotes: list[str] = []

    def page_marker(self) -> str:
        """The next print page: ``<!-- Seite N -->``."""
        self.counters.page += 1
        return f"<!-- Seite {self.counters.page} -->"

    def footnote(self) -> str:
        """A reference ``[^n]`` whose definition goes to the end of the chapter; n is unique in the book."""
        self.counters.footnote += 1
        label = self.counters.footnote
        source = f"Vgl. {person(self.rng)}, {self.rng.randint(1990, 2014)}."
        self.footnotes.append(f"[^{label}]: {sentence(self.rng)} {source}")
        return f"[^{label}]"

    def paragraph(self) -> str:
        """Sentences with emphasis, sometimes a footnote, a link or an inline page marker."""
        rng = self.rng
        parts = [emphasise(rng, sentence(rng)) for _ in range(rng.randint(3, 7))]
        if rng.random() < 0.3:
            parts[rng.randrange(len(parts))] += self.footnote()
        if rng.random() < 0.2:
            parts.insert(rng.randint(1, len(parts)), f"Siehe auch {cross_link(rng, self.plan, self.plans)}.")
        if rng.random() < 0.1:
            parts.insert(rng.randint(1, len(parts) - 1), self.page_marker())
        return " ".join(parts)

    def table(self) -> str:
        """A small table and its ``Tabelle: …`` caption."""
        rng = self.rng
        columns = [rng.choice(NOUNS) for _ in range(rng.randint(2, 4))]
        rows = [
            "| " + " | ".join(columns) + " |",
            "|" + "|".join("---" for _ in columns) + "|",
        ]
        for _ in range(rng.randint(2, 6)):
            cells = [str(rng.randint(1, 999)) if i else rng.choice(ADJECTIVES) for i in range(len(columns))]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows) + f"\n\nTabelle: {phrase(rng, 2, 4)} im Überblick"

    def bullet_list(self, numbered: bool) -> str:
        """A bullet or numbered list; some items hold a nested list (indented by four spaces)."""
        rng = self.rng
        lines = []
        for number in range(1, rng.randint(3, 6) + 1):
            bullet = f"{number}." if numbered else "-"
            lines.append(f"{bullet} {emphasise(rng, sentence(rng))}")
            if rng.random() < 0.3:
                sub_numbered = numbered and rng.random() < 0.5
                for sub in range(1, rng.randint(2, 3) + 1):
                    lines.append(f"    {f'{sub}.' if sub_numbered else '-'} {phrase(rng, 2, 4)}")
        return "\n".join(lines)

    def section_blocks(self, heading: str, budget: int, extras: list[str]) -> list[str]:
        """A section: heading, ``extras`` and paragraphs until it fills ``budget`` bytes with its footnotes."""
        blocks = [f"## {heading}"]
        notes = len(self.footnotes)
        while len(blocks) < 2 or size_of(blocks + extras + self.footnotes[notes:]) + PARAGRAPH_BYTES // 2 < budget:
            blocks.append(extras.pop() if extras and self.rng.random() < 0.4 else self.paragraph())
            if self.rng.random() < 0.25:
                blocks.append(self.page_marker())
        return blocks + extras

    def front_matter(self) -> str:
        """The YAML front matter: title, authors, kind, first page, status."""
        rng = self.rng
        authors = "\n".join(f"  - {person(rng)}" for _ in range(rng.randint(1, 3)))
        return (
            f"---\ntitle: {self.plan.title}\nauthors:\n{authors}\nkind: article\n"
            f"page: {self.counters.page}\nstatus: draft\n---\n"
        )

    def markdown(self) -> str:
        """The whole file; the chapter starts on a fresh page after the previous chapter's last."""
        self.counters.page += 1
        head = self.front_matter()
        extras = [self.table(), self.bullet_list(numbered=False), self.bullet_list(numbered=True)]
        links = f"Dieses Kapitel knüpft an {cross_link(self.rng, self.plan, self.plans)} an."
        body = [self.paragraph() + self.footnote(), links]
        for done, heading in enumerate(self.plan.headings):
            left = self.plan.size - len(head.encode()) - size_of(body + self.footnotes)
            budget = left // (len(self.plan.headings) - done)
            body += self.section_blocks(heading, budget, [extras.pop()] if extras else [])
        body += extras
        return head + "\n" + "\n\n".join(body + self.footnotes) + "\n"


def summary(plans: list[ChapterPlan], seed: int) -> str:
    """SUMMARY.md: a part every CHAPTERS_PER_PART chapters."""
    lines = ["<!-- Synthetische Gliederung für Benchmarks -->"]
    for plan in plans:
        if (plan.index - 1) % CHAPTERS_PER_PART == 0:
            title = phrase(chapter_rng(seed, plan.part, "part"), 2, 3)
            lines += ["", f"# Teil {plan.part}: {title}", ""]
        lines.append(outline_entry(plan))
    return "\n".join(lines) + "\n"


def outline_entry(plan: ChapterPlan) -> str:
    """A chapter's line in SUMMARY.md."""
    return f"- [Kapitel {plan.index}: {plan.title}]({plan.path})"


def outline_files(folder: Path) -> list[str]:
    """The contribution files in outline order, relative to the book folder."""
    return OUTLINE_LINK.findall((folder / "SUMMARY.md").read_text(encoding="utf-8"))


def book_toml(chapters: int, seed: int, parts: int) -> str:
    """A complete book.toml with print edition, perspectives and accessibility summary."""
    odd = ", ".join(f'"Teil {p}: {phrase(chapter_rng(seed, p, "part"), 2, 3)}"' for p in range(1, parts + 1, 2))
    even = ", ".join(f'"Teil {p}: {phrase(chapter_rng(seed, p, "part"), 2, 3)}"' for p in range(2, parts + 1, 2))
    return f"""[book]
title = "Synthetisches Buch mit {chapters} Kapiteln"
subtitle = "Ein Manuskript für Leistungsmessungen (Seed {seed})"
language = "de"
identifier = "urn:uuid:00000000-0000-4000-8000-{seed:06d}{chapters:06d}"
date = "2014"
publisher = "Benchmark-Verlag"
rights = "Nur für Messungen."
description = "Erzeugter Text aus einer festen Wortliste mit Umlauten und ß."
modified = "2014-06-01T12:00:00Z"

[[book.creators]]
name = "Redaktion Größenmessung"
role = "edt"

[book.print_edition]
title = "Synthetisches Buch, Druckausgabe"
year = 2014
identifier = "urn:isbn:978-3-00-000000-0"

[build]
name = "bench-{chapters}"
outline = "SUMMARY.md"
cover = "bilder/umschlag.png"
cover_alt = "Umschlag des synthetischen Buchs: ein blaues Feld mit einem gelben Balken"
epub_stylesheet = "css/epub.css"
html_stylesheet = "css/html.css"
draft_note = "Erzeugter Entwurf für Leistungsmessungen."

[[perspectives]]
key = "rueckblicke"
label = "Rückblicke"
description = "Die ungeraden Teile."
parts = [{odd}]

[[perspectives]]
key = "ausblicke"
label = "Ausblicke"
description = "Die geraden Teile."
parts = [{even}]

[accessibility]
summary = "Ein erzeugtes Buch mit Inhaltsverzeichnis, Seitenliste, Tabellen mit Beschriftung und Fußnoten."
"""


STYLESHEETS = {
    "epub.css": "body { font-family: serif; line-height: 1.4; }\ntable { border-collapse: collapse; }\n",
    "html.css": "body { font-family: sans-serif; max-width: 40em; margin: 0 auto; }\n",
}


def write_cover(path: Path) -> None:
    """A small, deterministic PNG cover."""
    image = Image.new("RGB", (160, 240), (20, 60, 140))
    ImageDraw.Draw(image).rectangle((20, 100, 140, 130), fill=(250, 210, 40))
    image.save(path, format="PNG", optimize=False)


def write_book(folder: Path, chapters: int, seed: int) -> None:
    """Write the whole manuscript into the (empty) ``folder``."""
    plans = plan_book(chapters, seed)
    counters = Counters()
    for plan in plans:
        file = folder / plan.path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(ChapterWriter(plan, plans, seed, counters).markdown(), encoding="utf-8")
    (folder / "SUMMARY.md").write_text(summary(plans, seed), encoding="utf-8")
    parts = plans[-1].part if plans else 0
    (folder / "book.toml").write_text(book_toml(chapters, seed, parts), encoding="utf-8")
    (folder / "css").mkdir()
    for name, css in STYLESHEETS.items():
        (folder / "css" / name).write_text(css, encoding="utf-8")
    (folder / "bilder").mkdir()
    write_cover(folder / "bilder" / "umschlag.png")
    (folder / MARKER).write_text(f"seed={seed} chapters={chapters}\n", encoding="utf-8")


def add_chapter(folder: Path) -> dict[Path, str]:
    """One more chapter for the generated book in ``folder``, at the end of its last part, as an author adds one.

    Returns the files to write, in this order: the new chapter, then SUMMARY.md with its
    entry. Its links go to the chapters generated first; its page numbers and footnote
    labels continue those of the book's last chapter, so the book still builds without
    a warning. Each call (after writing) adds the next chapter.
    """
    marker = dict(item.split("=", 1) for item in (folder / MARKER).read_text(encoding="utf-8").split())
    seed = int(marker["seed"])
    generated = plan_book(int(marker["chapters"]), seed)
    files = outline_files(folder)
    last = (folder / files[-1]).read_text(encoding="utf-8")
    pages = [int(front or inline) for front, inline in PAGE_NUMBER.findall(last)]
    counters = Counters(page=max(pages), footnote=max(map(int, NOTE_LABEL.findall(last)), default=0))
    plan = plan_chapter(len(files) + 1, generated[-1].part, seed)
    outline = (folder / "SUMMARY.md").read_text(encoding="utf-8")
    return {
        folder / plan.path: ChapterWriter(plan, generated, seed, counters).markdown(),
        folder / "SUMMARY.md": outline + outline_entry(plan) + "\n",
    }


def generate(out: Path, chapters: int, seed: int = DEFAULT_SEED) -> Path:
    """Generate a book into ``out``, replacing an earlier generated book there (never other folders)."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out} exists and was not written by bench/generate.py; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        write_book(staging, chapters, seed)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, required=True, help="number of chapters")
    parser.add_argument("--out", type=Path, required=True, help="folder of the book (replaced)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.chapters < 1:
        parser.error("--chapters must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate the book and say how large it is."""
    args = parse_args(argv)
    out = generate(args.out, args.chapters, args.seed)
    size = sum(f.stat().st_size for f in out.rglob("*.md") if f.name != "SUMMARY.md")
    mean = size / args.chapters
    print(f"wrote {args.chapters} chapters to {out}: {size / 1e6:.2f} MB of Markdown, {mean:.0f} B per chapter")
    return 0


if __name__ == "__main__":
    sys.exit(main())
