"""The garbage collector's settings for a process that builds a book."""

from __future__ import annotations

import gc

# Allocations between two collections of young objects; Python's default is 700.
COLLECTION_THRESHOLD = 20_000


def settle_for_building() -> None:
    """Freeze what the process holds so far, and collect young objects less often.

    What exists before a build (the imported modules; in a conversion worker also
    the converter and the book) stays for the process's life, and no collection
    need walk it again. A build makes millions of objects and keeps most of them
    to its end (the book, its conversions, its pages): collecting every 700
    allocations would walk them over and over. Measured on 1,000 chapters: about
    5 % off a cold build and 10 % off a new process's rebuild, peak RSS unchanged.
    """
    gc.freeze()
    gc.set_threshold(COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
