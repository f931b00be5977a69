"""A git revision, read from its objects and written out whole for rendering.

Read with ``git ls-tree`` and ``git cat-file``, not ``git archive``: the revision's own
``.gitattributes`` could make ``git archive`` leave files out (``export-ignore``) or
rewrite them (``export-subst``). Every file and symlink is written out, so a render of
the revision reads exactly its files, whatever a dependency scan found; each blob is
written as ``git cat-file`` delivers it, so writing overlaps reading. A submodule's files
are those of the commit the revision records for it, read from the submodule's own object
store (:mod:`hako_py.review.submodules`); a path git would not check out (``..``, ``.git``
in any spelling) is refused, in submodules too, so nothing is written outside the folder.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from hako_py.loading.reading import MAX_FILE_BYTES
from hako_py.review.git import GitError, git
from hako_py.review.submodules import MissingSubmodule, Store, checkable, store_for, submodule_names

MAX_NESTING = 8  # submodules inside submodules: deeper is refused rather than followed forever


@dataclass(frozen=True)
class Entry:
    """One path of a revision: a regular file's bytes or a symlink's target (as committed)."""

    kind: str  # "file" | "link"
    data: bytes  # empty for a file over the loader's size limit (only its size is kept)
    size: int


@dataclass
class Snapshot:
    """Every file and symlink of a revision, by repository-relative path."""

    entries: dict[str, Entry] = field(default_factory=dict)
    #: submodules whose recorded commit is not available locally, by path: why, and what to run
    unavailable: dict[str, str] = field(default_factory=dict)

    def check(self, rel: str) -> None:
        """Raise :class:`MissingSubmodule` when *rel* lies inside an unavailable submodule: what
        the revision holds there is unknown, and "no such file" would be a wrong answer."""
        for path, why in self.unavailable.items():
            if rel.startswith(f"{path}/"):
                raise MissingSubmodule(f"{rel} at the base revision: {why}")

    def file_bytes(self, rel: str) -> bytes | None:
        """A committed regular file's bytes as the loader reads them (nothing past the size limit)."""
        entry = self.entries.get(rel)
        if entry is None or entry.kind != "file":
            return None
        return entry.data if entry.size <= MAX_FILE_BYTES else b""

    def fingerprint(self, rel: str) -> tuple[str, bytes | int] | None:
        entry = self.entries.get(rel)
        if entry is None:
            self.check(rel)
            return None
        return (entry.kind, entry.data if entry.kind == "link" or entry.size <= MAX_FILE_BYTES else entry.size)


def link_target(data: bytes, destination: str, worktree: str) -> str:
    """Where a committed symlink points once written under *destination*: as committed, except that
    an absolute target inside the working tree points at the same place under *destination* (the
    revision must see its own files, not the working tree's)."""
    pointed = os.fsdecode(data)
    tree = worktree.rstrip(os.sep) + os.sep
    if os.path.isabs(pointed) and os.path.normpath(pointed).startswith(tree):
        return os.path.join(destination, os.path.normpath(pointed)[len(tree):])
    return pointed


class _Writer:
    """Writes entries under a folder, symlinks as :func:`link_target` says; files over the size
    limit are written sparse, at their size, so they are refused alike."""

    def __init__(self, destination: Path, worktree: Path) -> None:
        self.dest = str(destination)
        self.tree = str(worktree)
        self.made: set[str] = set()
        self.links: list[str] = []

    def write(self, name: str, entry: Entry) -> None:
        try:
            self._write(name, entry)
        except OSError as exc:  # a full temporary folder, a name this file system refuses
            raise GitError(f"cannot write {name!r} of the base revision to {self.dest}: {exc.strerror}") from None

    def folder(self, name: str) -> None:
        """An empty folder (an unavailable submodule's, as git leaves it)."""
        try:
            os.makedirs(os.path.join(self.dest, name), exist_ok=True)
        except OSError as exc:
            raise GitError(f"cannot write {name!r} of the base revision to {self.dest}: {exc.strerror}") from None

    def _write(self, name: str, entry: Entry) -> None:
        target = os.path.join(self.dest, name)
        parent = os.path.dirname(target)
        if parent not in self.made:
            os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        if entry.kind == "link":
            os.symlink(link_target(entry.data, self.dest, self.tree), target)
            self.links.append(target)
            return
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if entry.size > MAX_FILE_BYTES:
                os.ftruncate(descriptor, entry.size)
            else:
                view = memoryview(entry.data)
                while view:
                    view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)

    def contained(self) -> bool:
        """Whether every symlink stays inside the folder: when one does not, a render of this
        revision must not share an evaluation (and its allowed folders) with the working tree."""
        real = os.path.realpath(self.dest) + os.sep
        return all(os.path.realpath(link).startswith(real) for link in self.links)


Listed = tuple[str, str, str, int, Store]


def _listing(root: Path, commit: str, store: Store = (), prefix: str = "", depth: int = 0,
             unavailable: dict[str, str] | None = None) -> tuple[list[Listed], dict[str, str]]:
    """(path, kind, blob id, size, store) of every file and symlink, submodules' included, and the
    submodules whose commit is not available (see :class:`Snapshot`)."""
    found: list[Listed] = []
    missing = unavailable if unavailable is not None else {}
    links: list[tuple[str, str]] = []
    for record in git(root, *store, "ls-tree", "-r", "-z", "-l", "--full-tree", commit).split(b"\0"):
        if not record:
            continue
        meta, _, raw = record.partition(b"\t")
        mode, object_type, blob, size = meta.split()
        name = os.fsdecode(raw)
        if not checkable(name):
            raise GitError(f"'{prefix + name}' at the base revision: not a path git checks out (an empty, '.' or "
                           "'..' component, or one naming .git); refused")
        if object_type == b"blob":
            found.append((prefix + name, "link" if mode == b"120000" else "file", blob.decode(), int(size), store))
        elif object_type == b"commit":
            links.append((name, blob.decode()))
    names = submodule_names(root, store, commit) if links else {}
    for name, sub_commit in links:
        path = prefix + name
        if depth >= MAX_NESTING:
            missing[path] = f"submodule {path} is nested more than {MAX_NESTING} deep; not read"
            continue
        sub_store = store_for(root, store, path, name, names, sub_commit)
        if isinstance(sub_store, str):
            missing[path] = sub_store
            continue
        found.extend(_listing(root, sub_commit, sub_store, f"{path}/", depth + 1, missing)[0])
    return found, missing


def _refuse_overlaps(listing: list[Listed], unavailable: dict[str, str]) -> None:
    """A path listed twice, or inside a path that is a file, a symlink or a submodule: git's own
    trees never have one, a crafted tree can (``git mktree`` takes it), and writing it would
    follow the symlink out of the folder the revision is written to."""
    leaves: set[str] = set(unavailable)
    for name, *_ in listing:
        if name in leaves:
            raise GitError(f"'{name}' at the base revision: listed twice; refused")
        leaves.add(name)
    for name in leaves:
        parent = name.rpartition("/")[0]
        while parent:
            if parent in leaves:
                raise GitError(f"'{name}' at the base revision: inside '{parent}', which is a file, a symlink or a "
                               "submodule there; refused")
            parent = parent.rpartition("/")[0]


def _feed(stream: IO[bytes], payload: bytes) -> None:
    try:
        stream.write(payload)
        stream.close()
    except OSError:
        pass  # git stopped reading: its exit status says why


def read_revision(root: Path, commit: str, destination: Path | None = None,
                  worktree: Path | None = None) -> tuple[Snapshot, bool]:
    """Every file of *commit*; with *destination*, also written there as it is read. Returns the
    snapshot and whether every written symlink stays inside *destination*."""
    listing, unavailable = _listing(root, commit)
    _refuse_overlaps(listing, unavailable)
    by_store: dict[Store, dict[str, list[tuple[str, str]]]] = {}
    snap = Snapshot(unavailable=unavailable)
    writer = _Writer(destination, worktree or root) if destination is not None else None
    if writer is not None:
        for path in unavailable:  # as git checks out a submodule it has not cloned: an empty folder
            writer.folder(path)
    for name, kind, blob, size, store in listing:
        if size > MAX_FILE_BYTES and kind == "file":
            snap.entries[name] = Entry(kind, b"", size)
            if writer is not None:
                writer.write(name, snap.entries[name])
        else:
            by_store.setdefault(store, {}).setdefault(blob, []).append((name, kind))
    for store, by_blob in by_store.items():
        loose = _LooseObjects(root, store)
        packed: dict[str, list[tuple[str, str]]] = {}
        for blob, names in by_blob.items():
            data = loose.read(blob)
            if data is None:
                packed[blob] = names
                continue
            for name, kind in names:
                entry = snap.entries[name] = Entry(kind, data, len(data))
                if writer is not None:
                    writer.write(name, entry)
        if packed:
            _read_blobs(root, store, packed, snap, writer)
    return snap, writer.contained() if writer is not None else True


class _LooseObjects:
    """Blobs stored loose (one zlib file each, as after a fresh commit), read directly: ``git
    cat-file`` opens each of them twice. A blob is taken only if its content hashes to its id
    (so it is exactly the committed blob); anything else (packed, an alternate object store,
    a damaged file) is left to ``git cat-file``."""

    def __init__(self, root: Path, store: Store = ()) -> None:
        try:
            where = git(root, *store, "rev-parse", "--git-path", "objects").decode().strip()
        except GitError:
            where = ""
        self.folder = os.path.join(root, where) if where else ""

    def read(self, blob: str) -> bytes | None:
        if not self.folder or len(blob) not in (40, 64):
            return None
        try:
            with open(os.path.join(self.folder, blob[:2], blob[2:]), "rb") as handle:
                raw = zlib.decompress(handle.read())
        except (OSError, zlib.error):
            return None
        header, _, data = raw.partition(b"\0")
        digest = hashlib.sha1(raw) if len(blob) == 40 else hashlib.sha256(raw)
        if header != b"blob %d" % len(data) or digest.hexdigest() != blob:
            return None
        return data


def _read_blobs(root: Path, store: Store, by_blob: dict[str, list[tuple[str, str]]], snap: Snapshot,
                writer: _Writer | None) -> None:
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(["git", *store, "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors)
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        assert process.stdin is not None and process.stdout is not None
        feeder = threading.Thread(target=_feed, args=(process.stdin, "".join(f"{b}\n" for b in by_blob).encode()),
                                  daemon=True)
        feeder.start()
        try:
            for blob, names in by_blob.items():
                header = process.stdout.readline().split()
                if len(header) != 3 or header[0].decode() != blob:
                    raise GitError(f"git cat-file: object {blob} is missing")
                size = int(header[2])
                data = process.stdout.read(size)
                process.stdout.read(1)
                for name, kind in names:
                    entry = snap.entries[name] = Entry(kind, data, size)
                    if writer is not None:
                        writer.write(name, entry)
        finally:
            process.stdout.close()
            process.wait()
            feeder.join()
        if process.returncode != 0:
            errors.seek(0)
            raise GitError(f"git cat-file: {errors.read().decode('utf-8', 'replace').strip()}")


def snapshot(root: Path, commit: str) -> Snapshot:
    """Every file of *commit*, in memory only."""
    return read_revision(root, commit)[0]


def materialize(snap: Snapshot, destination: Path, worktree: Path) -> bool:
    """Write a snapshot read earlier under *destination* (see :class:`_Writer`)."""
    writer = _Writer(destination, worktree)
    for path in snap.unavailable:
        writer.folder(path)
    for name, entry in snap.entries.items():
        writer.write(name, entry)
    return writer.contained()
