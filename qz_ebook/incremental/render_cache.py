"""Rendered pages and derived bytes, kept in the store between builds.

A rendered page depends on its template and its source (``edition.pages.PageSource``,
``fingerprint``); only its latest version is kept. Derived bytes (a compressed zip
member) depend on the bytes they come from and on what derives them; large ones are kept in
their latest version only (``LARGE``).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable

from qz_ebook.digests import digest
from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.incremental import tool
from qz_ebook.incremental.fingerprint import Fingerprinter
from qz_ebook.incremental.memory import Rendering
from qz_ebook.incremental.packing import family
from qz_ebook.incremental.store import FORMAT, CacheStore, StoreReader
from qz_ebook.writers.base import Beside, Join, Make, RenderPage, at_once

# A page that shows sections ``assemble`` made (the single page) is stored with this mark and their
# digest where they stand: they have entries of their own, and the book would be stored twice.
SECTIONS = b"\x00sections "
# A page that a value derived from it holds whole (its compressed zip member, ``derived``) is stored
# as this mark and that value's key: it gives the page back, and the page would be stored twice.
MEMBER = b"\x00member "
# Derived bytes this large (a shard of the search index: half a megabyte) are kept in their latest
# version only, as pages are: three versions of each would grow the cache with every edit. Small
# ones (a zip member) cost little to keep, and may serve the next build of another format.
LARGE = 64 * 1024
PROBE = 4096  # bytes of the sections searched for in a page that shows them (``_find``)
RECENT = 8  # pages rendered last, that a zip member may be derived from (``RenderCache._made``)
# Pages larger than this are not among them: the single page of a 1,000-chapter book is 11 MB, and
# no e-book document is near this size (a larger one is stored whole beside its zip member).
RECENT_BYTES = 1024 * 1024


class RenderCache:
    """Rendered pages in ``store``, keyed by template, page and the fingerprint of their source.

    A page is rendered again, by ``render``, exactly when something its template
    can show has changed (``incremental.fingerprint``, ``edition.pages.PageSource``),
    or a template or the tool itself has. With the store's ``memory``, pages and
    derived bytes are kept there as ``Rendering``, not as the store's bytes.
    """

    def __init__(self, store: CacheStore | StoreReader, render: RenderPage) -> None:
        self.store = store
        self._render = render
        memory = store.memory if isinstance(store, CacheStore) else None
        self._last = memory.rendering if memory is not None else Rendering()
        self.fingerprint = Fingerprinter(self._last.fingerprints)
        self._this = Rendering(self.fingerprint.memo, slots=self._last.slots)
        # Only a build whose memory the next one takes over (``qz-ebook watch``) holds on to every page.
        self._keeping = memory is not None
        self._assembled: dict[str, bytes] = {}  # digest → the sections ``assemble`` made, joined
        # id → (a page rendered now, its slot and fingerprint), for the last few pages: a writer derives
        # a zip member from a page as soon as it has it (``writers.epub`` renders each document as it
        # writes it; its NCX, rendered first, is kept whole). Every page would hold a whole edition.
        self._made: dict[int, tuple[bytes, str, str]] = {}
        # id → (a page given back by a zip member, the member's key and bytes): ``derived`` need not hash it
        self._members: dict[int, tuple[bytes, str, bytes]] = {}
        if memory is not None:
            memory.rendering = self._this  # filled as this build goes, for the next one to take over

    def render(self, page: str, template: str, source: PageSource) -> bytes:
        """Page ``page`` (its output path, e.g. ``html/index.html``) from ``template`` and ``source``."""
        return self._cached(page, template, source)[0]

    def assemble(self, sections: Iterable[tuple[str, str, PageSource]]) -> Assembled:
        """Render each ``(page, template, source)`` as a page of its own, to be shown together.

        An edit then re-renders the sections it touches, not all of them.
        """
        rendered = [self._cached(page, template, source) for page, template, source in sections]
        assembled = Assembled(tuple(content for content, _ in rendered), digest(*(f for _, f in rendered)))
        self._assembled[assembled.digest] = b"".join(assembled.parts)
        return assembled

    def _cached(self, page: str, template: str, source: PageSource) -> tuple[bytes, str]:
        """The page's content, and the fingerprint of its source."""
        # One entry per page, holding its latest version behind that version's fingerprint:
        # a page rendered again replaces its entry, and the cache does not grow with every edit.
        slot = self._slot(page, template)
        fingerprint = self.fingerprint(source)
        content = self._stored(self.store, slot, fingerprint)
        if content is None:
            content = self._render(page, template, source)
            self.store.put(slot, fingerprint.encode("ascii") + self._without_sections(content), remember=False)
            if len(content) <= RECENT_BYTES:
                self._made[id(content)] = (content, slot, fingerprint)
            if len(self._made) > RECENT:
                del self._made[next(iter(self._made))]
        if self._keeping:
            self._this.pages[slot] = (fingerprint, content)
        return content, fingerprint

    def _slot(self, page: str, template: str) -> str:
        """The store's key for ``page`` rendered from ``template`` by this tool."""
        slot = self._this.slots.get((page, template))
        if slot is None:
            # The template names the family of pages the store compresses together (``packing``).
            slot = self._this.slots[page, template] = f"page:{template}:" + digest(
                FORMAT, tool.fingerprint(), page, template
            )
        return slot

    def _stored(self, store: CacheStore | StoreReader, slot: str, fingerprint: str) -> bytes | None:
        """The content stored in ``slot`` for ``fingerprint``, if any: from the last build, else the store."""
        last = self._last.pages.get(slot)
        if last is not None and last[0] == fingerprint:
            assert isinstance(store, CacheStore)  # only a store with a memory has a last build
            store.mark_used([slot])
            return last[1]
        stored = store.get(slot, remember=False)
        mark = fingerprint.encode("ascii")
        if stored is None or not stored.startswith(mark):
            return None
        if stored.startswith(MEMBER, len(mark)):
            key = stored[len(mark) + len(MEMBER) :].decode("ascii")
            member = store.get(key, remember=False)
            content = _inflated(member) if member is not None else None
            if member is not None and content is not None:
                self._members[id(content)] = (content, key, member)
            return content
        head, found, rest = stored[len(mark) :].partition(SECTIONS)
        if not found:
            return head
        name, _, tail = rest.partition(b"\x00")
        sections = self._assembled.pop(name.decode("ascii"), None)
        return head + sections + tail if sections is not None else None

    def _without_sections(self, content: bytes) -> bytes:
        """``content`` with the sections it shows, if any, left to their own entries.

        The sections are forgotten then: they are as large as the book, and only the page that
        shows them needed them (a writer that shows them again ``assemble``s them again).
        """
        for name, sections in self._assembled.items():
            at = _find(content, sections)
            if at >= 0:
                del self._assembled[name]
                return content[:at] + SECTIONS + name.encode("ascii") + b"\x00" + content[at + len(sections) :]
        return content

    def derived(self, kind: str, make: Make, data: bytes) -> bytes:
        """``make(data)``, made once for the same ``kind`` and bytes.

        Compressing is most of the time it takes to write an EPUB; a rebuild
        compresses only the members whose bytes it has not seen before.
        """
        return self.deriving(kind, make, data, at_once)()

    def deriving(self, kind: str, make: Make, data: bytes, beside: Beside) -> Callable[[], bytes]:
        """``derived``, with ``make`` run by ``beside`` when nothing holds its result yet."""
        last = self._last.derived.get(id(data))
        if last is not None and last[0] is data and last[1] == kind:
            assert isinstance(self.store, CacheStore)  # only a store with a memory has a last build
            self.store.mark_used([last[3]])
            self._this.derived[id(data)] = last  # (a build with a memory)
            self._keep_latest(last[3], last[2])
            return lambda: last[2]
        stored: bytes | None
        member = self._members.pop(id(data), None)
        if member is not None and member[0] is data and family(member[1]) == f"derived:{FORMAT}:{kind}":
            # ``data`` was inflated from the member stored under the hash of its bytes: the very key below.
            _, key, stored = member
        else:
            key = f"derived:{FORMAT}:{kind}:" + hashlib.sha256(data).hexdigest()
            stored = self.store.get(key, remember=False)
        making = beside(make, data) if stored is None else at_once(bytes, stored)
        # What the result needs of ``data``, which it does not hold itself: a search shard's pages are a
        # megabyte, and the search index holds each shard's result until the edition is written.
        made = self._made.pop(id(data), None)
        page = made if made is not None and made[0] is data else None  # rendered now, ``data`` its bytes
        kept = data if self._keeping else None

        def result() -> bytes:
            # On the caller's thread: the store and this build's memory are not shared with ``beside``.
            value = making.result()
            if stored is None:
                self.store.put(key, value, remember=False)
            if page is not None and _inflated(value) == page[0]:
                _, slot, fingerprint = page
                self.store.put(slot, fingerprint.encode("ascii") + MEMBER + key.encode("ascii"), remember=False)
            if kept is not None:
                self._this.derived[id(kept)] = (kept, kind, value, key)
            self._keep_latest(key, value)
            return value

        return result

    def joined(self, kind: str, parts: tuple[bytes, ...], join: Join) -> bytes:
        """``join(parts)``, or the very bytes it made in the last build of this process from equal parts.

        Most parts are then the very objects they were (a page the cache holds), and telling them
        equal costs nothing; the very bytes handed on again are what ``deriving`` recognises,
        and the output compares with what it wrote last, without looking at them.
        """
        last = self._last.joined.get(kind)
        value = last[1] if last is not None and last[0] == parts else join(parts)
        if self._keeping:
            self._this.joined[kind] = (parts, value)
        return value

    def _keep_latest(self, key: str, value: bytes) -> None:
        if len(value) >= LARGE:
            self.store.supersede(family(key))


def _find(content: bytes, part: bytes) -> int:
    """``content.find(part)``, for a ``part`` as long as a book in a tenth of the time.

    Only the first ``PROBE`` bytes of ``part`` are searched for; where they stand, the rest is compared in place.
    """
    probe = part[:PROBE]
    at = content.find(probe)
    while at >= 0 and not content.startswith(part, at):
        at = content.find(probe, at + 1)
    return at


def _inflated(member: bytes) -> bytes | None:
    """What ``member`` holds, if it is a raw deflate stream as a zip member is; else None."""
    try:
        return zlib.decompress(member, wbits=-15)
    except zlib.error:
        return None
