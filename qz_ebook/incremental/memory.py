"""What a build leaves in memory for the next one in the same process (``qz-ebook watch``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qz_ebook.convert.batch import Outcome
from qz_ebook.incremental.fingerprint import Memo
from qz_ebook.incremental.ledger import Ledger
from qz_ebook.incremental.sharing import Sharing
from qz_ebook.incremental.texts import Texts
from qz_ebook.output import Known


@dataclass(frozen=True)
class Entry:
    """A stored conversion, with what it must find as it was to hold: images and the pages links lead to."""

    outcome: Outcome
    images: tuple[tuple[str, int, int], ...]  # (path, size, mtime_ns) of each image used
    leads: tuple[tuple[str, str], ...]  # (path, slug): each file its links name, and the page it was


@dataclass
class Rendering:
    """What a build's rendering leaves in memory for the next build in the same process.

    Pages, derived bytes (compressed zip members) and joined ones (a page with its sidebar)
    are the very objects the build used: the next build hands an unchanged page on as the
    same bytes, and finds what it derived from bytes by their identity, without hashing them again.
    """

    fingerprints: Memo = field(default_factory=dict)
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # slot → (fingerprint, content)
    # id(data) → (data, the kind derived, what was derived, its key in the store)
    derived: dict[int, tuple[bytes, str, bytes, str]] = field(default_factory=dict)
    slots: dict[tuple[str, str], str] = field(default_factory=dict)  # (page, template) → its key in the store
    joined: dict[str, tuple[tuple[bytes, ...], bytes]] = field(default_factory=dict)  # kind → (parts, what they made)


@dataclass
class Memory:
    """What a build leaves in memory for the next one in the same process (``qz-ebook watch``).

    Only what the last build used is kept: an edit session does not grow without end.
    New entries, and which entries its builds used, are written to the database once,
    by ``store.save`` at the end of the session, instead of after every build.
    """

    entries: dict[str, bytes] = field(default_factory=dict)  # the store's, by key
    conversions: dict[str, Entry] = field(default_factory=dict)  # unpickled already
    conversion_keys: dict[tuple[str, str, str, int, str], str] = field(default_factory=dict)  # by what they digest
    rendering: Rendering = field(default_factory=Rendering)  # the last build's pages, in use
    outputs: dict[str, Known] = field(default_factory=dict)  # output folder → what is in it (``Staging.tree``)
    ledger: Ledger = field(default_factory=Ledger)  # what this session made and used, not in the database yet
    sharing: Sharing = field(default_factory=Sharing)  # the values alive from earlier builds
    texts: Texts = field(default_factory=Texts)  # the manuscript's files as last read

    @property
    def warm(self) -> bool:
        """Whether an earlier build left its pages here."""
        return bool(self.rendering.pages)
