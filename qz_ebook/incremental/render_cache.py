"""Rendered pages and derived bytes, kept in the store between builds.

A rendered page depends on its template and its source (``edition.pages.PageSource``,
``fingerprint``); only its latest version is kept. Derived bytes (a compressed zip
member) depend on the bytes they come from and on what derives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from qz_ebook.digests import digest
from qz_ebook.edition.pages import Assembled, PageSource
from qz_ebook.incremental import tool
from qz_ebook.incremental.fingerprint import Fingerprinter
from qz_ebook.incremental.memory import Rendering
from qz_ebook.incremental.store import FORMAT, CacheStore, StoreReader
from qz_ebook.writers.base import RenderPage


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
        return Assembled(tuple(content for content, _ in rendered), digest(*(f for _, f in rendered)))

    def _cached(self, page: str, template: str, source: PageSource) -> tuple[bytes, str]:
        """The page's content, and the fingerprint of its source."""
        # One entry per page, holding its latest version behind that version's fingerprint:
        # a page rendered again replaces its entry, and the cache does not grow with every edit.
        slot = self._slot(page, template)
        fingerprint = self.fingerprint(source)
        content = self._stored(self.store, slot, fingerprint)
        if content is None:
            content = self._render(page, template, source)
            self.store.put(slot, fingerprint.encode("ascii") + content, remember=False)
        self._this.pages[slot] = (fingerprint, content)
        return content, fingerprint

    def _slot(self, page: str, template: str) -> str:
        """The store's key for ``page`` rendered from ``template`` by this tool."""
        slot = self._this.slots.get((page, template))
        if slot is None:
            slot = self._this.slots[page, template] = "page:" + digest(FORMAT, tool.fingerprint(), page, template)
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
        return stored[len(mark) :] if stored is not None and stored.startswith(mark) else None

    def derived(self, kind: str, make: Callable[[bytes], bytes], data: bytes) -> bytes:
        """``make(data)``, made once for the same ``kind`` and bytes.

        Compressing is most of the time it takes to write an EPUB; a rebuild
        compresses only the members whose bytes it has not seen before.
        """
        last = self._last.derived.get(id(data))
        if last is not None and last[0] is data and last[1] == kind:
            result, key = last[2], last[3]
            assert isinstance(self.store, CacheStore)  # only a store with a memory has a last build
            self.store.mark_used([key])
        else:
            key = f"derived:{FORMAT}:{kind}:" + hashlib.sha256(data).hexdigest()
            stored = self.store.get(key, remember=False)
            result = stored if stored is not None else make(data)
            if stored is None:
                self.store.put(key, result, remember=False)
        self._this.derived[id(data)] = (data, kind, result, key)
        return result
