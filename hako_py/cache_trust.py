"""Whether hako may trust its cache folder: the cache is as trusted as the code that wrote it.

What hako reads from ``$HAKO_CACHE_DIR`` decides what it deploys and runs: render-cache
entries are the requests ``hako diff --base``, ``hako deploy --changed-since`` and ``hako
drift`` act on, the ECS model slice shapes every request, and the compiled schema validator
is executed. Entries are content-addressed by the *inputs* of a render, not signed, so anyone
who can write into the folder decides what a hit returns. A folder inside a git work tree is
written by whoever wrote the commit checked out (a pull request committing ``.hako-cache/``
under a CI workspace is used after merge), and one another user can write is theirs as much
as ours. So, as ssh does for its keys, hako refuses (a clear error, no silent fallback that
would hide a broken setup) a cache folder that

- is inside a git work tree (a ``.git`` in it or any folder above it), tracked or not;
- exists and is not owned by the user running hako, or is writable by group or others.

A folder that does not exist yet is created by hako with mode 0700 (:func:`private_folder`),
every level of it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hako_py.errors import HakoError

HOW_TO_FIX = ("set HAKO_CACHE_DIR to a folder outside any git checkout that only you can write "
              "(the cache is as trusted as the code that wrote it; see the README's 'Render cache')")


class UntrustedCacheError(HakoError):
    """The cache folder could have been written by someone else than the user running hako."""


def checked_cache_dir(folder: Path) -> Path:
    """*folder*, once it passes the checks of the module's docstring (a few stats: checked on every use,
    so a folder made writable meanwhile is refused too)."""
    problem = _problem(os.path.abspath(folder))
    if problem:
        raise UntrustedCacheError(f"refusing the cache folder {folder}: {problem}; {HOW_TO_FIX}")
    return folder


def private_folder(folder: Path) -> None:
    """Create *folder* and every missing folder above it with mode 0700 (``mkdir(mode=0o700,
    parents=True)`` gives that mode to the last one only: the others got 0755, e.g. the render
    cache's ``renders/``, which holds rendered requests, secrets' references among them). 0700 is
    also what the XDG base directory specification asks for a cache folder it creates."""
    missing: list[Path] = []
    while not folder.is_dir() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for level in reversed(missing):
        level.mkdir(mode=0o700, exist_ok=True)


def _problem(folder: str) -> str | None:
    work_tree = _enclosing_work_tree(folder)
    if work_tree is not None:
        return f"it is inside the git work tree {work_tree} (files a commit adds there would be trusted)"
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot stat it ({exc.strerror})"
    return owner_problem(info)


def owner_problem(info: os.stat_result) -> str | None:
    """Why a cache folder (or a folder in it) with *info* is not the user's alone, or None."""
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"it is owned by uid {info.st_uid}, not by the user running hako (uid {os.getuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"it is writable by group or others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _enclosing_work_tree(folder: str) -> str | None:
    """The nearest folder at or above *folder* holding ``.git`` (a repository or a worktree's link)."""
    current = os.path.realpath(folder)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
