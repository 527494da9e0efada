"""The Kobo kepub: the EPUB with Kobo's markup in its content documents (``writers.kobo``).

Sideloaded Kobo readers give reading statistics, page turns and highlights only for a
``.kepub.epub``. It is the EPUB, document for document, with each content document
passed through ``kobo.koboise`` on its way into the zip; the navigation document is
left alone. The Kobo version of a page is derived from the EPUB's bytes
(``Pages.derived``): with a cache, a page the EPUB writer rendered is not rendered
again, and an unchanged one not transformed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.edition.prepare import Edition
from qz_ebook.model import BuildSettings
from qz_ebook.writers.base import Beside, Job, Join, Make, Output, Pages, Writer
from qz_ebook.writers.epub import NAV, EpubWriter, write_epub
from qz_ebook.writers.kobo import koboise
from qz_ebook.writers.ncx import NCX

KIND = "kobo markup 1"  # names koboise for the cache: change it when koboise changes what it makes


class KoboPages:
    """``Pages`` whose content documents come with Kobo's markup."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        rendered = self.pages.render(page, template, source)
        # The navigation documents stay as they are: the nav and the NCX, which is no XHTML.
        return rendered if page.endswith(("/" + NAV, "/" + NCX)) else self.pages.derived(KIND, koboise, rendered)

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        return self.pages.assemble(sections)

    def derived(self, kind: str, make: Make, data: bytes) -> bytes:
        return self.pages.derived(kind, make, data)

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        return self.pages.deriving(kind, make, data, beside)

    def joined(self, kind: str, parts: tuple[bytes, ...], join: Join) -> bytes:
        return self.pages.joined(kind, parts, join)


class KepubWriter(Writer):
    """``<name>.kepub.epub``: the EPUB for Kobo readers."""

    name = "kepub"
    stage = "Kepub"
    default = False  # for one family of readers: built when named (--format kepub, --format all, make)

    def outputs(self, settings: BuildSettings, out_dir: Path) -> tuple[Path, ...]:
        return (out_dir / f"{settings.name}.kepub.epub",)

    def page_count(self, edition: Edition) -> int:
        return EpubWriter().page_count(edition)

    def render(self, edition: Edition, job: Job, pages: Pages, output: Output) -> None:
        (path,) = self.outputs(edition.book.settings, job.out_dir)
        with output.file(path) as stream:
            write_epub(edition, KoboPages(pages), job.modified, stream)
