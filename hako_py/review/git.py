"""The git operations PR review needs; the user's working tree and index are never touched."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hako_py.errors import HakoError
from hako_py.loading.jsonnet import MAX_FILE_BYTES


class GitError(HakoError):
    """git failed or the revision is missing; the message says what to do."""


def git(root: Path, *args: str, binary: bool = False) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


def toplevel(path: Path) -> Path:
    try:
        out = git(path, "rev-parse", "--show-toplevel")
    except GitError:
        raise GitError(f"{path} is not inside a git repository (hako diff --base needs one)") from None
    return Path(out.decode().strip())


def resolve_ref(root: Path, ref: str) -> str:
    """The commit *ref* names, or a clear message (shallow CI clones often lack the base)."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"base revision '{ref}' not found in this repository; fetch it first "
                       f"(e.g. git fetch --depth=1 origin {ref.removeprefix('origin/')})") from None


@dataclass(frozen=True)
class Entry:
    """One path of a revision: a regular file's bytes or a symlink's target (as committed)."""

    kind: str  # "file" | "link"
    data: bytes
    size: int


@dataclass
class Snapshot:
    """Every file and symlink of a commit, read from git objects (not ``git archive``, whose
    ``export-ignore``/``export-subst`` attributes would let the revision hide or rewrite files)."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def file_bytes(self, rel: str) -> bytes | None:
        """A committed regular file's bytes as the loader reads them (nothing past the size limit)."""
        entry = self.entries.get(rel)
        if entry is None or entry.kind != "file":
            return None
        return entry.data if entry.size <= MAX_FILE_BYTES else b""

    def fingerprint(self, rel: str) -> tuple[str, bytes | int] | None:
        entry = self.entries.get(rel)
        if entry is None:
            return None
        return (entry.kind, entry.data if entry.kind == "link" or entry.size <= MAX_FILE_BYTES else entry.size)


def snapshot(root: Path, commit: str) -> Snapshot:
    """Read every blob of *commit* (files over the loader's size limit only by size)."""
    listing = git(root, "ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    wanted: list[tuple[str, str, str, int]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, object_type, oid, size = meta.split()
        if object_type != b"blob":
            continue  # a submodule: no files of it are in this repository's revision
        wanted.append((os.fsdecode(name), "link" if mode == b"120000" else "file", oid.decode(), int(size)))
    small = sorted({blob for _, _, blob, length in wanted if length <= MAX_FILE_BYTES})
    blobs = _cat_blobs(root, small)
    result = Snapshot()
    for path, kind, blob, length in wanted:
        result.entries[path] = Entry(kind, blobs.get(blob, b""), length)
    return result


def _cat_blobs(root: Path, oids: list[str]) -> dict[str, bytes]:
    if not oids:
        return {}
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input="\n".join(oids).encode() + b"\n",
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        raise GitError(f"git cat-file: {done.stderr.decode('utf-8', 'replace').strip()}")
    out = done.stdout
    blobs: dict[str, bytes] = {}
    position = 0
    for oid in oids:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if len(header) != 3:
            raise GitError(f"git cat-file: object {oid} is missing")
        size = int(header[2])
        blobs[oid] = out[header_end + 1:header_end + 1 + size]
        position = header_end + 1 + size + 1
    return blobs


def materialize(snap: Snapshot, destination: Path, worktree: Path) -> bool:
    """Write the whole revision under *destination*, symlinks as symlinks, so rendering it cannot
    miss a file a dependency scan overlooked. An absolute symlink into the working tree is pointed
    at the same place in *destination* (the revision must see its own files, not the working
    tree's). Files over the size limit are written sparse, at their size, so they are refused alike.

    Returns whether every symlink stays inside *destination*: when one does not, a render of this
    revision must not be allowed to read the working tree (no shared evaluation of both sides).
    """
    made: set[str] = set()
    dest = str(destination)
    tree = str(worktree).rstrip(os.sep) + os.sep
    links: list[str] = []
    for name, entry in snap.entries.items():
        target = os.path.join(dest, name)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if entry.kind == "link":
            pointed = os.fsdecode(entry.data)
            if os.path.isabs(pointed) and os.path.normpath(pointed).startswith(tree):
                pointed = os.path.join(dest, os.path.normpath(pointed)[len(tree):])
            os.symlink(pointed, target)
            links.append(target)
        else:
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
    real_dest = os.path.realpath(dest) + os.sep
    return all(os.path.realpath(link).startswith(real_dest) for link in links)
