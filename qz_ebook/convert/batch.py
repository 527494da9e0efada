"""Convert every contribution of a book: from the cache, in parallel, then bind images.

Conversion is the expensive step of a build, so each contribution is converted
once per build, or not at all when ``.qz-cache`` holds its result. Contributions
that need converting are spread over the machine's cores. Whatever the route,
the results are identical: image hrefs are assigned afterwards, in reading order.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from qz_ebook.catalogues import builtin_words, primary_subtag
from qz_ebook.convert.converter import Converted, Converter
from qz_ebook.convert.hyphenation import prepare as prepare_hyphenation
from qz_ebook.convert.limits import CODES
from qz_ebook.convert.links import LinkResolver, check_fragments
from qz_ebook.convert.slugs import slugify
from qz_ebook.diagnostics import Diagnostic, Diagnostics
from qz_ebook.messages import Message
from qz_ebook.model import Asset, Book, Contribution, Limits, Words
from qz_ebook.progress import Progress

# Below this many conversions, starting worker processes costs more than it saves.
PARALLEL_FROM = 48
MAX_WORKERS = 4


@dataclass(frozen=True)
class Outcome:
    """One contribution's conversion with the messages it produced."""

    converted: Converted
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class AssetRegistry:
    """Gives every image file one stable, collision-free ``images/…`` href, in reading order."""

    hrefs: dict[Path, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)

    def href(self, source: Path) -> str:
        if source not in self.hrefs:
            stem, suffix = slugify(source.stem), source.suffix.lower()
            href, n = f"images/{stem}{suffix}", 1
            while href in self.taken:
                n += 1
                href = f"images/{stem}-{n}{suffix}"
            self.taken.add(href)
            self.hrefs[source] = href
        return self.hrefs[source]


CONVERTING = Message("Converting")


class Conversions(Protocol):
    """Where conversions of earlier builds may be found (``incremental.conversions``)."""

    def context(
        self, files: dict[str, str], roots: tuple[Path, ...], words: Mapping[str, Words], limits: Limits
    ) -> str:
        """What every conversion of this build depends on besides its contribution."""
        ...

    def get_all(self, contributions: list[Contribution], context: str) -> dict[int, Outcome]:
        """The outcomes still valid, by the contribution's index in ``contributions``."""
        ...

    def put(self, contribution: Contribution, context: str, outcome: Outcome, pickled: bytes | None) -> None:
        """Keep ``outcome`` for later builds; ``pickled`` is it pickled, when a worker process sent it so."""
        ...


class NoConversions:
    """Every contribution is converted; nothing is kept."""

    def context(
        self, files: dict[str, str], roots: tuple[Path, ...], words: Mapping[str, Words], limits: Limits
    ) -> str:
        return ""

    def get_all(self, contributions: list[Contribution], context: str) -> dict[int, Outcome]:
        return {}

    def put(self, contribution: Contribution, context: str, outcome: Outcome, pickled: bytes | None) -> None:
        pass


def _as_it_is() -> None:
    """A worker process keeps Python's settings."""


def convert_book(
    book: Book,
    allowed_roots: tuple[Path, ...],
    diagnostics: Diagnostics,
    cache: Conversions | None = None,
    progress: Progress | None = None,
    settle: Callable[[], None] = _as_it_is,
) -> dict[str, Converted]:
    """Convert every contribution once, then check every link; problems go to ``diagnostics``.

    ``progress`` is told after each conversion how many of how many are done;
    ``settle`` is called in each worker process before it converts.
    """
    contributions = list(book.contributions())
    cache = cache or NoConversions()
    resolver = LinkResolver(contributions)  # resolves each file once, for the cache key and the conversions
    words = notes_words(book)
    limits = book.settings.limits
    context = cache.context(resolver.by_file, allowed_roots, words, limits)
    outcomes = cache.get_all(contributions, context)
    missing = [i for i in range(len(contributions)) if i not in outcomes]
    setting = (allowed_roots, resolver, words, limits)
    converting = zip(missing, _convert(contributions, missing, setting, settle), strict=True)
    for done, (index, (outcome, pickled)) in enumerate(converting, start=1):
        outcomes[index] = outcome
        cache.put(contributions[index], context, outcome, pickled)
        if progress is not None:
            progress(CONVERTING, done, len(missing))
    registry = AssetRegistry()
    converted: dict[str, Converted] = {}
    # An image used twice (in one contribution or two) is checked twice: what it holds is said once.
    said: set[str] = set()
    for index, contribution in enumerate(contributions):
        outcome = outcomes[index]
        for found in outcome.diagnostics:
            line = str(found)  # its place, code and words: a message's parameters need not be hashable
            if line not in said:
                said.add(line)
                diagnostics.items.append(found)
        converted[contribution.slug] = bind_images(outcome.converted, registry)
    # A page beyond the limits was not converted: links to its ids wait until it is (its errors say why).
    unconverted = {c.slug for i, c in enumerate(contributions) if any(d.code in CODES for d in outcomes[i].diagnostics)}
    links = {s: tuple(r for r in c.links if r.target.slug not in unconverted) if unconverted else c.links
             for s, c in converted.items()}  # fmt: skip
    check_fragments(links, {s: c.ids for s, c in converted.items()}, diagnostics)
    return converted


def bind_images(converted: Converted, registry: AssetRegistry) -> Converted:
    if not converted.images:
        return converted  # nothing to bind: spare a copy of every part
    hrefs = {asset.source: registry.href(asset.source) for asset in converted.images}
    images = tuple(Asset(a.source, hrefs[a.source], a.media_type) for a in converted.images)
    return replace(converted, body=converted.body.bind_images(hrefs), images=images)


def notes_words(book: Book) -> dict[str, Words]:
    """The interface's words for each language the contributions are in.

    A contribution in the book's language gets the book's words (with its
    ``[interface]`` overrides); one in another language that language's built-in words.
    """
    book_language = primary_subtag(book.meta.language)
    return {
        lang: book.words if primary_subtag(lang) == book_language else builtin_words(lang)
        for lang in sorted({c.lang for c in book.contributions()})
    }


# What a converter is made of besides the contributions: the allowed image folders, the
# resolver of links, the interface's words by language and the limits.
Setting = tuple[tuple[Path, ...], LinkResolver, Mapping[str, Words], Limits]


def _convert(
    contributions: list[Contribution], indices: Sequence[int], setting: Setting, settle: Callable[[], None]
) -> Iterator[tuple[Outcome, bytes | None]]:
    """The outcomes in the order of ``indices``, as they become ready; each with its pickle when a worker sent it."""
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    if len(indices) < PARALLEL_FROM or workers < 2:
        _start_worker(contributions, setting)
        yield from ((_convert_one(i), None) for i in indices)
        return
    # fork shares the already imported modules with the workers; elsewhere the default.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    if method == "fork":
        for language in sorted({contributions[index].lang for index in indices}):
            prepare_hyphenation(language)
    context = multiprocessing.get_context(method)
    chunk = max(1, len(indices) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker_process,
                             initargs=(contributions, setting, settle)) as pool:  # fmt: skip
        for pickled in pool.map(_convert_one_pickled, indices, chunksize=chunk):
            yield pickle.loads(pickled), pickled


# Each worker process holds one converter for the whole book.
_worker: tuple[list[Contribution], Converter] | None = None


def _start_worker(contributions: list[Contribution], setting: Setting) -> None:
    global _worker
    roots, resolver, words, limits = setting
    _worker = (contributions, Converter(resolver, roots, Diagnostics(), words, limits))


def _start_worker_process(contributions: list[Contribution], setting: Setting, settle: Callable[[], None]) -> None:
    """``_start_worker`` in a worker process, then ``settle`` (the garbage collector's settings for building)."""
    _start_worker(contributions, setting)
    settle()


def _convert_one_pickled(index: int) -> bytes:
    """``_convert_one`` in a worker process, pickled there: an outcome crosses to the build as bytes anyway,
    and the cache keeps those very bytes instead of pickling the outcome a second time."""
    return pickle.dumps(_convert_one(index), protocol=pickle.HIGHEST_PROTOCOL)


def _convert_one(index: int) -> Outcome:
    assert _worker is not None, "worker not started"
    contributions, converter = _worker
    converter.diagnostics = Diagnostics()
    converted = converter.convert(contributions[index])
    return Outcome(converted, tuple(converter.diagnostics.items))
