"""Folders as the loader will see them, for the dependency scan: the working tree on disk, or a
revision held in memory exactly as :mod:`hako_py.review.revision` writes it out.

Scanning a revision from memory means its scan need not wait for it to be written (and a
``validate --changed-since`` never writes it). Paths are resolved as ``realpath`` does
(``..`` after a symlink is the parent of its target), remembering every symlink crossed:
retargeting one changes what a definition reads.
"""

from __future__ import annotations

import os
import stat
from typing import Protocol

from hako_py.loading.reading import MAX_FILE_BYTES
from hako_py.review.revision import Snapshot, link_target

MAX_LINKS = 40  # as the kernel's ELOOP limit


class Unanalysable(Exception):
    """A path or file the scan cannot follow exactly."""


class Tree(Protocol):
    """What the scan asks of a folder: file types, link targets, contents, listings."""

    def lstat(self, path: str) -> int | None: ...

    def readlink(self, path: str) -> str: ...

    def read(self, path: str) -> bytes | None: ...

    def listdir(self, path: str) -> list[tuple[str, int | None]]: ...


class DiskTree:
    """The file system itself (the working tree, and anything outside a revision)."""

    def lstat(self, path: str) -> int | None:
        try:
            return os.lstat(path).st_mode
        except (OSError, ValueError):
            return None

    def readlink(self, path: str) -> str:
        try:
            return os.readlink(path)
        except OSError as exc:
            raise Unanalysable(f"{path}: {exc.strerror}") from None

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when the loader refuses it: past the size limit, or not a
        regular file (a FIFO would block the scan, /dev/zero never ends). Opened without
        blocking and checked on the open file, so a swap after a stat cannot slip through;
        read at most one byte past the limit whatever the size says."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise Unanalysable(f"{path}: {exc.strerror}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                return None
            chunks, left = [], MAX_FILE_BYTES + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        except OSError as exc:
            raise Unanalysable(f"{path}: {exc.strerror}") from None
        finally:
            os.close(fd)
        data = b"".join(chunks)
        return None if len(data) > MAX_FILE_BYTES else data

    def listdir(self, path: str) -> list[tuple[str, int | None]]:
        """Names in a folder, with the file type when the folder listing gives it (no stat)."""
        found: list[tuple[str, int | None]] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    kind = (stat.S_IFLNK if entry.is_symlink() else stat.S_IFREG if entry.is_file(follow_symlinks=False)
                            else stat.S_IFDIR if entry.is_dir(follow_symlinks=False) else None)
                    found.append((entry.name, kind))
        except OSError:
            return []
        return found


_FILE = stat.S_IFREG | 0o644
_LINK = stat.S_IFLNK | 0o777
_DIR = stat.S_IFDIR | 0o755


class SnapshotTree:
    """A revision as if written under *root* (which need not be written yet); paths outside
    *root* are the disk's."""

    def __init__(self, snap: Snapshot, root: str, worktree: str) -> None:
        self.snap = snap
        self.root = root
        self.worktree = worktree
        self._prefix = root.rstrip(os.sep) + os.sep
        self._children: dict[str, list[str]] = {"": []}
        for path in snap.unavailable:  # an empty folder, as written (what it holds is unknown)
            self._children.setdefault(path, [])
        for name in [*snap.unavailable, *snap.entries]:
            child = name
            while True:
                parent, _, base = child.rpartition("/")
                known = parent in self._children
                self._children.setdefault(parent, []).append(base)
                if known or not parent:
                    break
                child = parent
        self._disk = DiskTree()

    def _rel(self, path: str) -> str | None:
        """*path* relative to the revision's root, or None outside it; raises MissingSubmodule
        inside a submodule whose files could not be read."""
        if path == self.root:
            return ""
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix):]
        if self.snap.unavailable:
            self.snap.check(rel)
        return rel

    def lstat(self, path: str) -> int | None:
        rel = self._rel(path)
        if rel is None:
            return self._disk.lstat(path)
        entry = self.snap.entries.get(rel)
        if entry is not None:
            return _LINK if entry.kind == "link" else _FILE
        return _DIR if rel in self._children else None

    def readlink(self, path: str) -> str:
        rel = self._rel(path)
        if rel is None:
            return self._disk.readlink(path)
        return link_target(self.snap.entries[rel].data, self.root, self.worktree)

    def read(self, path: str) -> bytes | None:
        rel = self._rel(path)
        if rel is None:
            return self._disk.read(path)
        entry = self.snap.entries[rel]
        return entry.data if entry.size <= MAX_FILE_BYTES else None

    def listdir(self, path: str) -> list[tuple[str, int | None]]:
        rel = self._rel(path)
        if rel is None:
            return self._disk.listdir(path)
        if rel in self.snap.unavailable:
            self.snap.check(f"{rel}/")
        return [(name, self.lstat(os.path.join(path, name))) for name in self._children.get(rel, [])]


class Walker:
    """Resolves absolute paths in a :class:`Tree` like ``realpath``, remembering each prefix, so a
    path whose folder is known costs one step."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self._steps: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._paths: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._modes: dict[str, int | None] = {}

    def trace(self, path: str, hops: int = 0) -> tuple[str, tuple[str, ...]]:
        """The real path of absolute *path* and the symlinks crossed to get there."""
        known = self._paths.get(path)
        if known is not None:
            return known
        parent, _, last = path.rpartition(os.sep)
        start = self._paths.get(parent) if parent else None
        if start is not None:
            real, crossed = start
            prefix, parts = parent, [last]
        else:
            real, crossed = os.sep, ()
            prefix, parts = "", path.split(os.sep)[1:]
        for part in parts:
            prefix = prefix + os.sep + part
            if part == "..":
                real = os.path.dirname(real)
            elif part not in ("", "."):
                step = real + part if real == os.sep else real + os.sep + part
                resolved = self._steps.get(step)
                if resolved is None:
                    resolved = self._step(step, hops)
                    self._steps[step] = resolved
                real = resolved[0]
                crossed += resolved[1]
            self._paths[prefix] = (real, crossed)
        return real, crossed

    def _step(self, step: str, hops: int) -> tuple[str, tuple[str, ...]]:
        mode = self.tree.lstat(step)
        if mode is None or not stat.S_ISLNK(mode):
            self._modes[step] = mode
            return step, ()
        if hops >= MAX_LINKS:
            raise Unanalysable(f"{step}: too many levels of symbolic links")
        real, crossed = self.trace(os.path.join(os.path.dirname(step), self.tree.readlink(step)), hops + 1)
        return real, (step, *crossed)

    def known(self, path: str, mode: int) -> None:
        """Record a path's file type learnt elsewhere (a folder listing): not a symlink."""
        if not stat.S_ISLNK(mode):
            self._steps.setdefault(path, (path, ()))
            self._modes.setdefault(path, mode)

    def mode(self, real: str) -> int | None:
        """The file type of a real path (looked up once)."""
        if real not in self._modes:
            self._modes[real] = self.tree.lstat(real)
        return self._modes[real]

    def is_file(self, real: str) -> bool:
        mode = self.mode(real)
        return mode is not None and stat.S_ISREG(mode)


def inside(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)
