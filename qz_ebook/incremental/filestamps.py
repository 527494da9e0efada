"""File stamps: telling from its stat alone that a file still holds what it held.

A stamp is a file's size, modification and change times, and inode. A file whose
stamp is unchanged holds what it held when the stamp was taken, provided the
stamp was *settled* then: taken at least ``SETTLE_NS`` after the file's last
change. File-system clocks tick coarsely, and a second write within the tick of
the first could leave every time as it was ("racily clean" files in git); a later
change cannot keep the change time, which nobody can set.
"""

from __future__ import annotations

import os

Stamp = tuple[int, int, int, int]
SETTLE_NS = 2 * 10**9


def stamp(found: os.stat_result) -> Stamp:
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def settled(taken: Stamp, at_ns: int) -> bool:
    """Whether a stamp ``taken`` at ``at_ns`` (``time.time_ns()``) may stand for the file while it holds."""
    return max(taken[1], taken[2]) < at_ns - SETTLE_NS
