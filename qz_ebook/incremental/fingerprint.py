"""Fingerprints of template contexts: a hash of everything a rendered page can show.

The render cache keys each page by the fingerprint of its whole template context,
so a page is rendered again exactly when something it can show has changed. The
walk is generic over the plain model (dataclasses, tuples, strings, paths); a type
it does not know is an error, never a silent guess.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import PurePath

from qz_ebook.model import DIGESTED, hidden_fields

Memo = dict[int, tuple[object, bytes]]  # id → (object, digest): holding the object keeps its id from being reused


class Fingerprinter:
    """Hashes values; each object is walked once per fingerprinter (the model is immutable).

    ``earlier`` is the ``memo`` of the last build's fingerprinter (``qz-ebook watch``):
    an immutable object it holds, such as a model value ``sharing.shared`` handed
    out again, is not walked again.

    The memo keeps what it holds alive for as long as the fingerprinter (a whole build, or
    a watch session's next one too). So it holds neither the value a digest is asked for (a
    page's source, met once) nor a value with a digested field, whose digest beside it
    makes its token cheap: the single page's source holds the book's sections, 11 MB at
    1,000 chapters, which would stay until the build ends.
    """

    def __init__(self, earlier: Memo | None = None) -> None:
        self.memo: Memo = {}
        self._earlier = earlier or {}
        # dataclass type → (its name, the fields hashed, whether its values are kept in the memo):
        # dataclasses.fields() is slow to ask every time
        self._layouts: dict[type, tuple[bytes, tuple[str, ...], bool]] = {}

    def __call__(self, value: object) -> str:
        """The hex digest of ``value``."""
        return hashlib.sha256(self._token(value, keep=False)).hexdigest()

    def _token(self, value: object, keep: bool = True) -> bytes:
        """Scalars spelled out (length-prefixed, so never ambiguous); anything else as its digest,
        kept in the memo when ``keep`` and its type allows."""
        if isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            # Plain strings are by far the most common: spare them spelling out their type's name.
            name = b"str" if type(value) is str else type(value).__name__.encode()
            return b"%s%d:%s" % (name, len(data), data)
        if value is None or isinstance(value, int | float):
            return f"{type(value).__name__}:{value!r};".encode()
        known = self.memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        known = self._earlier.get(id(value))
        # A mutable value may have changed since; the model's values cannot.
        if known is not None and known[0] is value and _immutable(value):
            self.memo[id(value)] = known
            return known[1]
        digest = b"#" + hashlib.sha256(self._encode(value)).digest()  # '#' + 32 bytes: never a scalar's spelling
        layout = self._layouts.get(type(value))
        if keep and (layout is None or layout[2]):
            self.memo[id(value)] = (value, digest)
        return digest

    def _encode(self, value: object) -> bytes:
        token = self._token
        layout = self._layouts.get(type(value))
        if layout is not None:
            head, names, _ = layout
            return head + b"".join([token(getattr(value, name)) for name in names])
        if isinstance(value, tuple | list):
            return b"seq:" + b"".join([token(item) for item in value])
        if isinstance(value, PurePath):
            return b"path:" + token(str(value))
        if isinstance(value, frozenset | set):
            return b"set:" + b"".join(sorted([token(item) for item in value]))
        if isinstance(value, Mapping):
            return b"map:" + b"".join(sorted([token(k) + token(v) for k, v in value.items()]))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._layouts[type(value)] = _layout(type(value))
            return self._encode(value)
        raise TypeError(f"cannot fingerprint a {type(value).__name__}; teach qz_ebook.incremental.fingerprint about it")


def _layout(kind: type) -> tuple[bytes, tuple[str, ...], bool]:
    # Templates may not read a hidden field (``writers.templating``): what pages show of it
    # reaches them another way (a contribution's text through its conversion, the outline
    # through navigation nodes, a fragment's parts through its digest). An edit to one
    # chapter then re-renders its own pages, not every page that mentions it.
    skipped = hidden_fields(kind)
    fields = dataclasses.fields(kind)
    names = tuple(f.name for f in fields if f.name not in skipped)
    kept = not any(f.metadata.get(DIGESTED) for f in fields)
    return f"{kind.__module__}.{kind.__qualname__}:".encode(), names, kept


def _immutable(value: object) -> bool:
    """Whether ``value`` is of a kind that cannot change (its items are checked when they are hashed)."""
    if isinstance(value, tuple | frozenset | PurePath):
        return True
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and bool(params.frozen)
