"""The EPUB's zip: reproducible (fixed times and modes), its members compressed once.

EPUB readers need ``mimetype`` first and stored; everything else is deflated. The
same content always gives the same bytes, whatever machine or umask builds it.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import SizedBuffer

# What a compressed member depends on besides its bytes: the compressor (``Pages.derived``).
DEFLATE = f"deflate:{zlib.ZLIB_RUNTIME_VERSION}"


@dataclass(frozen=True)
class Compressed:
    """A zip member's bytes as a raw deflate stream, with the CRC-32 of the bytes."""

    data: bytes
    crc: int


def deflate(data: bytes) -> bytes:
    """``data`` as a raw deflate stream, compressed as zipfile compresses at its default level."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # as zipfile's own
    return compressor.compress(data) + compressor.flush()


class ReproducibleZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed time and mode: the same content gives the same bytes.

    Members are compressed by ``compress`` (through ``Pages.derived``, which may know
    the members an earlier build compressed already). A compressed member is then
    written whole, its sizes and checksum known up front, instead of through
    zipfile's member stream, which writes a header, seeks back and writes it again:
    for a thousand members that was a fifth of writing an EPUB again. The bytes
    are the same as zipfile's own (``test_epub``).
    """

    def __init__(self, file: BinaryIO, modified: datetime, compress: Callable[[bytes], Compressed]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.timestamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        self.compress = compress

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: SizedBuffer | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = zinfo_or_arcname if isinstance(zinfo_or_arcname, str) else zinfo_or_arcname.filename
        info = zipfile.ZipInfo(name, date_time=self.timestamp)
        info.external_attr = 0o644 << 16
        info.create_system = 3  # unix, whatever the building machine
        info.compress_type = zipfile.ZIP_DEFLATED if compress_type is None else compress_type
        content = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        # zipfile decides on zip64 by the size, and writes to a stream it cannot seek in
        # differently: such members (never ours) go its own way.
        small = len(content) * 1.05 <= zipfile.ZIP64_LIMIT
        direct = self._seekable and small  # type: ignore[attr-defined]
        if info.compress_type != zipfile.ZIP_DEFLATED or compresslevel is not None or not direct:
            super().writestr(info, content, compresslevel=compresslevel)
        else:
            self._append(info, content, self.compress(content))

    def _append(self, info: zipfile.ZipInfo, content: bytes, member: Compressed) -> None:
        """Write a member as zipfile's member stream leaves it, from ``member``, its compressed ``content``."""
        info.flag_bits = 0  # no data descriptor: the sizes are in the header
        info.file_size, info.compress_size, info.CRC = len(content), len(member.data), member.crc
        info.header_offset = self.start_dir
        self._writecheck(info)  # type: ignore[attr-defined]
        self._didModify = True
        assert self.fp is not None, "the zip is open"
        self.fp.seek(self.start_dir)
        self.fp.write(info.FileHeader(zip64=False))
        self.fp.write(member.data)
        self.start_dir = self.fp.tell()
        self.filelist.append(info)
        self.NameToInfo[info.filename] = info
