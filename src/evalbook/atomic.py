"""Atomic file output: write a temporary file in the target's directory, then ``os.replace``.

A reader (or a crash) never sees a half-written workbook or report: the target either keeps
its old content or gets the complete new one. The temporary file lives in the same
directory so that the final rename stays on one file system.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _final_mode(target: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0666 & ~umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    The temporary name keeps the target's suffix (libraries such as openpyxl look at it).
    If the body raises, the temporary file is removed and ``target`` is left untouched.
    """
    final = Path(target)
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.",
                                suffix=f".tmp{final.suffix}")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:  # flush to disk before the rename makes it visible
            os.fsync(handle.fileno())
        os.chmod(tmp, _final_mode(final))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_with(target: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and atomically move the result to ``target``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    return write_with(target, lambda tmp: tmp.write_bytes(data))


def write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    return write_with(target, lambda tmp: tmp.write_text(text, encoding=encoding))
