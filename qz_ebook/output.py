"""Write outputs atomically: a failed build leaves the previous outputs untouched."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_file(target: Path, data: bytes) -> None:
    """Write ``target`` through a temporary file beside it and an atomic rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_tree(target: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``target`` with ``files`` (relative path → bytes).

    The new tree is written completely beside the old one and then swapped in
    with two renames, so readers never see a half-written edition.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.chmod(0o755)
        retired = target.parent / f".{target.name}.old"
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
