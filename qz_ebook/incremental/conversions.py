"""Stored conversions: a contribution converted once is not converted again while its inputs hold.

A conversion depends on the contribution's text and the line it starts on, its place and slug, the allowed
image folders, the limits (book.toml [limits]), the tool (every file of the package) and its libraries'
versions, the contribution files its links lead to, and the image files it uses. All but the last two go into
the key. On a hit, each file its links name must still be the same page's (``links.LinkedFiles``), and the
images must have the same size and modification time: adding or renaming another chapter converts only
the contributions that link to what changed, not every one. A conversion with a link that led nowhere
failed with an error (QZ401) and was never stored.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from qz_ebook.convert.batch import Outcome
from qz_ebook.convert.links import LinkedFiles, LinkRef
from qz_ebook.diagnostics import Severity
from qz_ebook.digests import digest
from qz_ebook.incremental import tool
from qz_ebook.incremental.memory import Entry
from qz_ebook.incremental.store import FORMAT, CacheStore
from qz_ebook.model import Contribution, Limits, Words


class ConversionCache:
    """Conversions in ``store``, with the store's memory (``qz-ebook watch``) unpickled already."""

    def __init__(self, store: CacheStore) -> None:
        self.store = store
        # id → (a contribution, the context and its key), as ``get_all`` made them: ``put`` need not hash again
        self._made: dict[int, tuple[Contribution, str, str]] = {}
        self._files: Mapping[str, str] = {}  # the contribution files of this build → their slugs
        self._linked = LinkedFiles()

    def context(
        self, files: dict[str, str], roots: tuple[Path, ...], words: Mapping[str, Words], limits: Limits
    ) -> str:
        """What every conversion of this build depends on besides its own text.

        ``files`` are the contribution files links resolve against (``links.contribution_files``),
        ``words`` the interface's words that name notes, by language; ``limits`` judge every body
        (a stored conversion passed the limits it was made under, and a lower one must check it again).
        """
        self._files = files
        parts = [FORMAT, tool.fingerprint()]
        parts += [str(root.resolve()) for root in roots]
        parts += [f"{lang}\t{words[lang]!r}" for lang in sorted(words)]
        parts.append(repr(limits))
        return digest(*parts)

    def get_all(self, contributions: list[Contribution], context: str) -> dict[int, Outcome]:
        """The stored, still valid outcomes, by the contribution's index in ``contributions``."""
        keys = self._keys(contributions, context)
        remembered = self.store.memory.conversions if self.store.memory is not None else {}
        self.store.mark_used([key for key in keys if key in remembered])
        stored = self.store.get_many([key for key in keys if key not in remembered], remember=False)
        entries = {
            key: remembered.get(key) or _entry(stored[key]) for key in keys if key in remembered or key in stored
        }
        by_key = dict(zip(keys, contributions, strict=True))
        valid = {key: entry for key, entry in entries.items() if entry is not None and self._holds(by_key[key], entry)}
        if self.store.memory is not None:
            self.store.memory.conversions = valid
        self.store.expect(len(keys) - len(valid))
        return {i: valid[key].outcome for i, key in enumerate(keys) if key in valid}

    def _holds(self, contribution: Contribution, entry: Entry) -> bool:
        """Whether ``entry`` is still the conversion of ``contribution``: its links and images are as they were."""
        files, linked = self._files, self._linked
        leads = all(files.get(linked(contribution, path)) == slug for path, slug in entry.leads)
        return leads and entry.images == _stamps(entry.outcome)

    def put(self, contribution: Contribution, context: str, outcome: Outcome, pickled: bytes | None) -> None:
        # Errors can depend on files outside the key (a missing image that is added
        # later); they fail the build anyway, so such outcomes are never stored.
        if any(d.severity is Severity.ERROR for d in outcome.diagnostics):
            return
        made = self._made.get(id(contribution))
        known = made is not None and made[0] is contribution and made[1] == context
        key = made[2] if made is not None and known else _key(context, contribution)
        entry = Entry(outcome, _stamps(outcome), _leads(outcome.converted.links))
        if self.store.memory is not None:
            self.store.memory.conversions[key] = entry
        self.store.put(key, _stored(entry, pickled), remember=False)

    def _keys(self, contributions: list[Contribution], context: str) -> list[str]:
        """The key of each contribution's conversion.

        In a watch session a body read again unchanged is the very same string
        (``incremental.texts``), whose hash Python keeps: the last build's keys are
        then found without hashing the text again.
        """
        memory = self.store.memory
        if memory is None:
            keys = [_key(context, c) for c in contributions]
        else:
            earlier, kept, keys = memory.conversion_keys, {}, []
            for c in contributions:
                spelled = (context, str(c.source), c.slug, c.body_line, c.body)
                key = kept[spelled] = earlier.get(spelled) or _key(context, c)
                keys.append(key)
            memory.conversion_keys = kept
        self._made = {id(c): (c, context, key) for c, key in zip(contributions, keys, strict=True)}
        return keys


def _key(context: str, contribution: Contribution) -> str:
    # The body's first line places every message and link of the conversion: front matter
    # that grows by a line moves them all, though the body's text stays the same.
    c = contribution
    return "conversion:" + digest(context, str(c.source), c.slug, str(c.body_line), c.body)


def _stored(entry: Entry, pickled: bytes | None) -> bytes:
    """What the store keeps of ``entry``: its outcome as ``pickled`` (the bytes a worker process sent;
    pickled here when None) beside what the outcome must find as it was."""
    outcome = pickled if pickled is not None else pickle.dumps(entry.outcome, protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.dumps((outcome, entry.images, entry.leads), protocol=pickle.HIGHEST_PROTOCOL)


def _entry(data: bytes) -> Entry | None:
    """The entry ``_stored`` kept as ``data``; None when another version wrote it (converted again)."""
    try:
        pickled, images, leads = pickle.loads(data)
        outcome = pickle.loads(pickled)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return Entry(outcome, images, leads) if isinstance(outcome, Outcome) else None


def _leads(links: tuple[LinkRef, ...]) -> tuple[tuple[str, str], ...]:
    """Each file ``links`` name (as written, without the fragment) with the page it was, once."""
    return tuple(sorted({(path, link.target.slug) for link in links if (path := urlsplit(link.raw).path)}))


def _stamps(outcome: Outcome) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for asset in outcome.converted.images:
        try:
            stat = os.stat(asset.source)
        except OSError:
            return ()  # the image is gone: never equal to a recorded stamp of an existing file
        stamps.append((str(asset.source), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)
