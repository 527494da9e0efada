"""The command line speaks one language: --lang, else QZ_EBOOK_LANG, else the book's language, else English.

Every message is a template (``qz_ebook.messages.Message``); the German ones are in
``qz_ebook/catalogues/messages.de.toml``, and every template the code uses must be there.
"""

from __future__ import annotations

import ast
import pickle
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO
from test_cli import drawn, run

from qz_ebook.catalogues import KEYS
from qz_ebook.convert.batch import CONVERTING
from qz_ebook.diagnostics import Diagnostic, Location, Severity
from qz_ebook.messages import Message, joined, placeholders
from qz_ebook.watch import triggered

GERMAN = REPO / "qz_ebook" / "catalogues" / "messages.de.toml"


@pytest.fixture(autouse=True)
def the_language_unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest pins the tests to English; here the rule itself is tested."""
    monkeypatch.delenv("QZ_EBOOK_LANG", raising=False)


def set_language(book: Path, language: str) -> None:
    toml = book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "de"', language), encoding="utf-8")


def plant_two_errors(book: Path) -> None:
    """A page number in words, and a link to a misspelled file."""
    for name, old, new in (
        ("musterstadt", "page: 18", "page: zwölf"),
        ("oeffnung", "(musterstadt.md)", "(musterstaedt.md)"),
    ):
        page = book / "beitraege" / f"{name}.md"
        page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def break_book_toml(book: Path) -> None:
    toml = book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "Beispielbuch"', "title = "), encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """A build of the sample book: what is done to it, the command, and what it says ({book}, {out} filled in)."""

    change: Callable[[Path], None]
    command: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


CASES = {
    "a failed build of a German book speaks German": Case(
        plant_two_errors,
        ("build",),
        1,
        "",
        "{book}/beitraege/musterstadt.md:8:1: error[QZ204]: 'page' muss eine ganze Zahl sein, nicht 'zwölf'\n"
        "{book}/beitraege/oeffnung.md:11:75: error[QZ401]: Link 'musterstaedt.md' führt ins Leere: die Datei gibt "
        "es nicht; meinten Sie 'musterstadt.md'?\n"
        "Build fehlgeschlagen: 2 Fehler; es wurde nichts geschrieben\n",
    ),
    "a good build of a German book speaks German": Case(
        lambda book: None,
        ("build",),
        0,
        "geschrieben: {out}/beispiel.epub\n"
        "geschrieben: {out}/html\n"
        "Seiten erzeugt: 34, unverändert aus .qz-cache/: 0\n"
        "Beiträge: 4 (3 im Entwurf, 1 fertig), Wörter: 97, Bilder ohne Alternativtext: 0\n",
        "",
    ),
    "without the cache": Case(
        lambda book: None,
        ("build", "--format", "epub", "--no-cache"),
        0,
        "geschrieben: {out}/beispiel.epub\nSeiten erzeugt: 13\n"
        "Beiträge: 4 (3 im Entwurf, 1 fertig), Wörter: 97, Bilder ohne Alternativtext: 0\n",
        "",
    ),
    "--lang en overrides a German book": Case(
        plant_two_errors,
        ("--lang", "en", "build"),
        1,
        "",
        "{book}/beitraege/musterstadt.md:8:1: error[QZ204]: 'page' must be a whole number, not 'zwölf'\n"
        "{book}/beitraege/oeffnung.md:11:75: error[QZ401]: link 'musterstaedt.md' has no target: no such file; "
        "did you mean 'musterstadt.md'?\n"
        "build failed: 2 error(s); nothing was written\n",
    ),
    "a French book falls back to English": Case(
        lambda book: set_language(book, 'language = "fr"'),
        ("build", "--format", "epub"),
        0,
        "wrote {out}/beispiel.epub\n13 pages rendered, 0 unchanged from .qz-cache/\n"
        "4 contributions (3 draft, 1 final), 97 words, 0 images without alt text\n",
        "{book}/book.toml:4:1: warning[QZ006]: no interface words for language 'fr' (there are: de, en); "
        "the English ones are used: translate them in book.toml's [interface] table "
        f"({len(KEYS)} words, first 'breadcrumb')\n",
    ),
    "a broken book.toml falls back to English": Case(
        break_book_toml,
        ("build",),
        1,
        "",
        "{book}/book.toml:2:9: error[QZ001]: book.toml is not valid TOML: Invalid value\n"
        "build failed: 1 error(s); nothing was written\n",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_what_a_build_says(case: Case, sample_book: Path, tmp_path: Path) -> None:
    case.change(sample_book)
    out = tmp_path / "dist"
    said = run(*case.command, "--book", str(sample_book), "--out", str(out))
    assert said == (
        case.code,
        case.stdout.format(book=sample_book, out=out),
        case.stderr.format(book=sample_book, out=out),
    )


def test_the_environment_chooses_and_lang_chooses_over_it(
    sample_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language(sample_book, 'language = "en"')
    args = ("build", "--book", str(sample_book), "--out", str(tmp_path / "dist"))
    assert run(*args)[1].splitlines()[-1] == "4 contributions (3 draft, 1 final), 97 words, 0 images without alt text"
    monkeypatch.setenv("QZ_EBOOK_LANG", "de-AT")
    german = "Beiträge: 4 (3 im Entwurf, 1 fertig), Wörter: 97, Bilder ohne Alternativtext: 0"
    assert run(*args)[1].splitlines()[-1] == german
    assert run("--lang", "en", *args)[1].splitlines()[-1].startswith("4 contributions")
    monkeypatch.setenv("QZ_EBOOK_LANG", "fr")  # no catalogue: English, not the book's
    set_language(sample_book, 'language = "de"')
    assert run(*args)[1].splitlines()[-1].startswith("4 contributions")


def test_a_regional_book_language_picks_its_catalogue(sample_book: Path) -> None:
    set_language(sample_book, 'language = "de-CH"')
    code, stdout, _ = run("status", "--book", str(sample_book))
    assert code == 0
    assert stdout.splitlines()[0] == "Status  Seite Wörter ohne Alt  Art              Beitrag"
    assert (
        stdout.splitlines()[1]
        == f"final       3     12        0  greeting         {sample_book}/beitraege/grusswort.md"
    )


def test_a_cached_warning_is_shown_in_the_language_of_the_build(sample_book: Path, tmp_path: Path) -> None:
    """The conversion cache keeps templates, not text: an English build's warning reads German later."""
    article = sample_book / "beitraege" / "fachbeitrag.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n| a | b |\n|---|---|\n| 1 | 2 |\n", encoding="utf-8")
    args = ("build", "--book", str(sample_book), "--out", str(tmp_path / "dist"))
    where = f"{article}:26:3"
    assert run("--lang", "en", *args)[2] == (
        f"{where}: warning[QZ307]: a table needs a caption: write 'Tabelle: …' in the line after it\n"
    )
    code, stdout, stderr = run(*args)
    assert "Seiten erzeugt: 0, unverändert aus .qz-cache/: 34" in stdout  # the conversion came from the cache
    assert stderr == (
        f"{where}: warning[QZ307]: eine Tabelle braucht eine Beschriftung: schreiben Sie 'Tabelle: …' "
        "in die Zeile danach\n"
    )


def test_init_speaks_the_language_of_the_book_it_makes(tmp_path: Path) -> None:
    code, stdout, _ = run("init", str(tmp_path / "neu"))
    assert code == 0
    assert stdout.splitlines()[0] == f"geschrieben: {tmp_path}/neu/book.toml"
    assert stdout.splitlines()[-1] == f"weiter mit: cd {tmp_path}/neu && qz-ebook build && qz-ebook serve"
    code, stdout, _ = run("init", "--language", "en", str(tmp_path / "new"))
    assert stdout.splitlines()[-1] == f"next: cd {tmp_path}/new && qz-ebook build && qz-ebook serve"
    code, _, stderr = run("init", str(tmp_path / "neu"))
    assert code == 1
    assert stderr.splitlines()[0] == (
        f"{tmp_path}/neu/book.toml:1:1: error[QZ008]: book.toml gibt es schon: "
        "init legt ein neues Buch nur dort an, wo noch keines ist"
    )


def test_the_progress_line_names_its_stages_in_german(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stages = [CONVERTING, joined(["EPUB", "HTML"]), joined(["EPUB", "Kepub", "HTML"])]
    assert drawn(monkeypatch, capsys, "de", [(stage, 4, 4) for stage in stages]) == (
        "\rUmwandlung [####################] 4/4\x1b[K"
        "\rEPUB und HTML [####################] 4/4\x1b[K"
        "\rEPUB und Kepub und HTML [####################] 4/4\x1b[K"
        "\r\x1b[K"
    )


def test_a_rebuild_names_what_changed_in_the_language() -> None:
    pages = Message("{rendered} pages rendered", rendered=4)
    one = triggered(
        (Path("/nirgends/kapitel.md"),), Message("built in {seconds:.3f} s: {pages}", seconds=0.0331, pages=pages)
    )
    assert one.render("de") == "/nirgends/kapitel.md geändert: erstellt in 0,033 s: Seiten erzeugt: 4"
    assert str(one) == "/nirgends/kapitel.md changed: built in 0.033 s: 4 pages rendered"
    two = triggered((Path("/a.md"), Path("/b.md")), "x")
    assert (str(two), two.render("de")) == ("/a.md and 1 more changed: x", "/a.md und 1 weitere geändert: x")


def test_a_message_is_frozen_compact_and_picklable() -> None:
    message = Message(
        "link '{link}' has no target: {reason}{hint}", link="x.md", reason=Message("no such file"), hint=""
    )
    diagnostic = Diagnostic(Severity.ERROR, "QZ401", message, Location(Path("a.md"), 3, 4))
    assert pickle.loads(pickle.dumps(diagnostic)) == diagnostic
    assert str(diagnostic) == "a.md:3:4: error[QZ401]: link 'x.md' has no target: no such file"
    assert diagnostic.render("de") == "a.md:3:4: error[QZ401]: Link 'x.md' führt ins Leere: die Datei gibt es nicht"
    assert diagnostic.render("fr") == str(diagnostic)
    with pytest.raises(AttributeError):
        message.template = "other"  # type: ignore[misc]
    assert len(pickle.dumps(message)) < 200


def templates_in_the_code() -> dict[str, str]:
    """Every template the package passes to ``Message``, with where it is first used.

    A template that is no string literal in the call could not be found: that is refused too.
    """
    found: dict[str, str] = {}
    for path in sorted((REPO / "qz_ebook").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, where)
            else:
                assert where.startswith("qz_ebook/messages.py"), f"{where}: a Message's template must be a literal"
    return found


def test_every_message_has_a_german_template_with_the_same_placeholders() -> None:
    used = templates_in_the_code()
    german = tomllib.loads(GERMAN.read_text(encoding="utf-8"))
    assert len(used) > 150  # the located messages, the CLI's lines and the phrases inside them
    assert {template: where for template, where in used.items() if template not in german} == {}
    assert sorted(set(german) - set(used)) == []  # no entry for a message the code no longer has
    differing = {t: german[t] for t in used if placeholders(t) != placeholders(german[t])}
    assert differing == {}
