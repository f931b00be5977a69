"""The git operations PR review needs; the user's working tree and index are never touched."""

from __future__ import annotations

import subprocess
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
