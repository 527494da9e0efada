"""What a session of builds used and made, until the store writes it down (``store``).

A session is one ``qz-ebook build``, or every build of one ``qz-ebook watch``. Its
builds are numbered from 1; the store numbers them on from the last build it
recorded when it writes the ledger, so that each build, in a session or alone,
counts as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qz_ebook.incremental.packing import family


def _default_keep_builds() -> int:
    """The book's setting when it sets none."""
    # Imported here: the process that packs and writes the cache (``packer``) gets its ledgers
    # pickled, and would otherwise import the whole model for this number (2 MB, 27 ms).
    from qz_ebook.model import CacheSettings

    return CacheSettings().keep_builds


@dataclass
class Ledger:
    """The entries a session made and used, and how many of its builds finished.

    Only what one of the last ``keep_builds`` builds used is kept: a session does not
    grow without end, and the store drops the rest of its entries when it writes this.
    Of a ``superseded`` family, only what the last build used is kept.
    """

    unsaved: dict[str, bytes] = field(default_factory=dict)  # made in this session, not in the database yet
    used: dict[str, int] = field(default_factory=dict)  # key → the number of the last build that read or wrote it
    builds: int = 0  # the finished builds
    keep_builds: int = field(default_factory=_default_keep_builds)
    superseded: set[str] = field(default_factory=set)  # families whose values the last build replaced

    def record(self, used: Iterable[str], finished: bool, keep_builds: int, superseded: Iterable[str] = ()) -> None:
        """Note that a build ended, having used ``used``, and replaced the values of the families ``superseded``.

        A failed build does not count and forgets nothing: its keys carry the number
        of the build that comes next, which will count.
        """
        number = self.builds + 1
        self.used.update(dict.fromkeys(used, number))
        if not finished:
            return
        self.builds, self.keep_builds = number, keep_builds
        self.superseded.update(superseded)
        oldest = number - keep_builds + 1
        self.used = {key: last for key, last in self.used.items() if last >= oldest and self._kept(key, last)}
        self.unsaved = {key: value for key, value in self.unsaved.items() if key in self.used}

    def _kept(self, key: str, last: int) -> bool:
        return last == self.builds or family(key) not in self.superseded
