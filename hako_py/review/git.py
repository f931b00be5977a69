"""The git operations PR review needs; the user's working tree and index are never touched."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from hako_py.errors import HakoError


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


def changed_paths(root: Path, commit: str) -> set[str]:
    """Repository-relative paths that differ between *commit* and the working tree (incl. untracked)."""
    listed = git(root, "diff", "--name-only", "--no-renames", "-z", commit, "--").decode().split("\0")
    changed = {p for p in listed if p}
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z").decode().split("\0")
    return changed | {p for p in untracked if p}


def snapshot(root: Path, commit: str) -> dict[str, bytes]:
    """Every regular file of *commit*, read from git objects into memory (git archive)."""
    data = git(root, "archive", "--format=tar", commit, binary=True)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive:
            if member.isfile():
                extracted = archive.extractfile(member)
                if extracted is not None:
                    files[member.name] = extracted.read()
    return files


def materialize(files: dict[str, bytes], names: set[str], destination: Path) -> None:
    """Write the chosen files of a snapshot under *destination* (creating files is what costs)."""
    for name in names:
        data = files.get(name)
        if data is None:
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
