"""Bounded reads of the files a definition depends on.

A size check through ``stat().st_size`` cannot bound a read: it is 0 for ``/dev/zero``,
FIFOs and ``/proc`` files, and a file can grow between the check and the read. So a file
is read only when it is a regular file (checked before opening, because opening a device
can have effects and opening a FIFO waits for a writer, and again on the open descriptor,
in case it was swapped meanwhile), and never more than ``limit + 1`` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hako_py.loading.confinement import ImportRefused
from hako_py.paths import display_path

MAX_FILE_BYTES = 16 * 1024 * 1024
# What one definition may evaluate (or, in YAML, expand its aliases) to: real ones are tens
# of KB. The value leaves the budgeted worker to be validated and rendered, so its size
# bounds that work too.
MAX_OUTPUT_CHARS = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def not_regular(path: str | os.PathLike[str], mode: int) -> ImportRefused:
    return ImportRefused(f"{display_path(path)} is {file_kind(mode)}, not a regular file; "
                         "definitions and imports must be regular files")


def read_limited(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of the regular file *path* (following symlinks), at most *limit* bytes.

    Raises :class:`ImportRefused` for anything else than a regular file or a larger one,
    and ``OSError`` when it cannot be read at all.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(path, mode)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise ImportRefused(f"{display_path(path)} is larger than {limit} bytes; "
                            f"definitions and imports are limited to {limit} bytes ({limit // 2**20} MiB)")
    return data


def read_limited_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """:func:`read_limited` decoded as UTF-8 (``UnicodeDecodeError`` when it is not)."""
    return read_limited(path, limit).decode("utf-8")
