"""Whether one input of a render differs between the base revision and the working tree.

Compared byte for byte (symlinks by target) rather than taken from ``git diff``: what
the loader reads is the working tree's raw bytes, which ``git diff`` does not show when
``.gitattributes`` filters or eol rules normalize them, nor for files git ignores.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hako_py.loading.reading import MAX_FILE_BYTES
from hako_py.review.revision import Snapshot


def worktree_fingerprint(root: Path, rel: str) -> tuple[str, bytes | int] | None:
    """A working-tree path as :meth:`Snapshot.fingerprint` describes a committed one."""
    path = os.path.join(root, rel)
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return ("link", os.fsencode(os.readlink(path)))
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > MAX_FILE_BYTES:
            return ("file", info.st_size)
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never more, whatever the file became since lstat
        return ("file", data) if len(data) <= MAX_FILE_BYTES else ("file", len(data))
    except OSError:
        return None


class Differences:
    """``differs(rel)``: does repository path *rel* differ between the two sides (remembered)."""

    def __init__(self, root: Path, base: Snapshot, read: dict[str, bytes] | None = None) -> None:
        self.root = root
        self.base = base
        # working-tree regular files already read whole (by the dependency scan)
        self.read = read if read is not None else {}
        self._known: dict[str, bool] = {}

    def __call__(self, rel: str) -> bool:
        known = self._known.get(rel)
        if known is None:
            base = self.base.fingerprint(rel)
            data = self.read.get(rel)
            if data is not None and base is not None and base[0] == "file" and isinstance(base[1], bytes):
                known = data != base[1]
            else:
                known = base != worktree_fingerprint(self.root, rel)
            self._known[rel] = known
        return known
