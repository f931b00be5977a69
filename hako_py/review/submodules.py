"""Where a revision's submodules are read from, and which paths of a revision git would check out.

A submodule is recorded in its superproject's tree as a commit id (a gitlink, mode 160000),
not as files: its files at a revision are that commit's, in the submodule's own object
store. git keeps that store in the superproject's git folder (``.git/modules/NAME``, NAME
from ``.gitmodules``) or, for a submodule cloned in place, in ``PATH/.git``; both are made
by git on this machine, never checked out from a commit (git refuses ``.git`` in a tree).
A submodule whose commit is in neither is *unavailable*: reading one of its files says so
and what to run, instead of pretending the file does not exist at that revision (which
shows an unchanged app as ``fixed``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from hako_py.loading.confinement import is_git_name
from hako_py.review.git import GitError

#: git's global options naming the object store to read: () is the repository's own
Store = tuple[str, ...]


class MissingSubmodule(GitError):
    """A file inside a submodule whose commit is not available locally."""


def checkable(name: str) -> bool:
    """Whether git would check out repository path *name*: no empty, ``.`` or ``..`` component
    (which would escape the folder a revision is written to) and no component that names
    ``.git`` as some file system reads it (see :func:`~hako_py.loading.confinement.is_git_name`)."""
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    return not ((not name.isascii() or "git" in name.lower()) and any(is_git_name(part) for part in parts))


def _run(root: Path, store: Store, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *store, *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None


def submodule_names(root: Path, store: Store, commit: str) -> dict[str, str]:
    """Submodule names by path, from ``.gitmodules`` as committed in *commit* (git names a
    submodule's folder in ``.git/modules`` by its name, which need not be its path)."""
    found = _run(root, store, "config", "--blob", f"{commit}:.gitmodules", "-z", "--get-regexp",
                 r"^submodule\..*\.path$")
    names: dict[str, str] = {}
    if found.returncode != 0:
        return names  # no .gitmodules, or no path in it
    for record in found.stdout.split(b"\0"):
        key, _, value = record.partition(b"\n")
        if key.startswith(b"submodule.") and key.endswith(b".path"):
            names[os.fsdecode(value)] = os.fsdecode(key[len(b"submodule."):-len(b".path")])
    return names


def _valid_name(name: str) -> bool:
    """git's rule for submodule names (submodule.c, check_submodule_name): no ``..`` component,
    so ``.git/modules/NAME`` stays inside ``.git/modules``."""
    return bool(name) and not os.path.isabs(name) and ".." not in name.replace("\\", "/").split("/")


def _candidates(root: Path, store: Store, path: str, rel: str, names: dict[str, str]) -> list[str]:
    """The git folders that may hold submodule *path* (*rel* inside the repository *store* is)."""
    found: list[str] = []
    name = names.get(rel, rel)
    if _valid_name(name):
        where = _run(root, store, "rev-parse", "--git-path", f"modules/{name}")
        folder = os.path.join(root, os.fsdecode(where.stdout.rstrip(b"\n"))) if where.returncode == 0 else ""
        if folder and os.path.isdir(folder):
            found.append(folder)
    # cloned in place: the working tree's PATH/.git, reached without crossing a symlink (a
    # symlinked folder could lead out of the repository)
    top = os.path.realpath(root)
    checkout = os.path.join(top, *path.split("/"))
    dotgit = os.path.join(checkout, ".git")
    if os.path.realpath(checkout) == checkout and os.path.lexists(dotgit) and not os.path.islink(dotgit):
        found.append(dotgit)
    return found


def store_for(root: Path, store: Store, path: str, rel: str, names: dict[str, str], commit: str) -> Store | str:
    """The object store holding submodule *path*'s *commit*, or why there is none (a message that
    says what to run)."""
    candidates = _candidates(root, store, path, rel, names)
    for folder in candidates:
        kind = _run(root, ("--git-dir", folder), "cat-file", "-t", commit)
        if kind.returncode == 0 and kind.stdout.strip() == b"commit":
            return ("--git-dir", folder)
    why = "its clone lacks that commit" if candidates else "it is not cloned here"
    quoted = shlex.quote(path)  # paths are data, not shell
    return (f"submodule {path} is at commit {commit[:12]} there, which is not available locally ({why}); "
            f"run git submodule update --init {quoted}, and if its clone is shallow fetch that commit: "
            f"git -C {quoted} fetch --depth=1 origin {commit}")
