"""Import confinement: a definition may only read files inside allowed folders.

Rendered output is posted in public PR comments, so ``import '/etc/passwd'`` or
``importstr '../../.aws/credentials'`` must be refused. A path is checked both as
written (lexically) and after resolving symlinks, so a symlink inside the repository
pointing outside it is refused too. Both checks compare real paths: the folder a path is
relative to is resolved first, so a repository reached through a symlink
(``repo-link -> repo``) is inside its own (real) root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


class ImportRefused(Exception):
    """An import named a file outside the allowed folders; the message says which and why."""


@dataclass
class Confinement:
    """The folders a definition may read from, and the files it did read."""

    root: Path
    extra_dirs: tuple[Path, ...] = ()
    trusted_dirs: tuple[Path, ...] = ()
    read_files: set[Path] = field(default_factory=set)
    #: paths an import looked for and did not find (a file added there later would be read
    #: instead of the one found further along the search path: the render cache checks them)
    absent_files: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.root))
        self.extra_dirs = tuple(Path(os.path.realpath(d)) for d in self.extra_dirs)
        self.trusted_dirs = tuple(Path(os.path.realpath(d)) for d in self.trusted_dirs)
        # Checked as strings: an import callback runs for every import of every definition,
        # and pathlib made it cost more than evaluating a small definition.
        self._allowed = tuple(str(d) for d in self.allowed_dirs)
        self._trusted = tuple(str(d) for d in self.trusted_dirs)

    @property
    def allowed_dirs(self) -> tuple[Path, ...]:
        return (self.root, *self.extra_dirs, *self.trusted_dirs)

    def check(self, folder: str | os.PathLike[str], written: str) -> Path:
        """Return the real path of *written* (relative to *folder*) or raise :class:`ImportRefused`."""
        if os.path.isabs(written):
            raise ImportRefused(f"import of absolute path '{written}' is not allowed; "
                                "import files by a path relative to the definition")
        if "\0" in written:  # no file name holds a NUL byte; os functions raise ValueError for it
            raise ImportRefused(f"import {written!r}: a file name cannot contain a NUL byte")
        base = _realpath(os.path.abspath(folder))
        lexical = os.path.normpath(os.path.join(base, written))
        real = _realpath(os.path.join(base, written))
        if not _inside(lexical, self._allowed):
            raise ImportRefused(f"import '{written}' escapes the repository root {self.root}")
        if not _inside(real, self._allowed):
            raise ImportRefused(
                f"import '{written}' resolves (through a symlink) to {real}, outside the repository root "
                f"{self.root}"
            )
        if _in_git_folder(lexical) or _in_git_folder(real):
            # git's own files are no definition's input, and .git/config may hold a token
            # (actions/checkout keeps GITHUB_TOKEN there): never readable, never in a PR comment
            raise ImportRefused(f"import '{written}' reads git's own files (.git); definitions may not")
        return Path(real)

    def record(self, path: Path) -> None:
        """Remember that the definition's output depends on *path*."""
        if not _inside(str(path), self._trusted):
            self.read_files.add(path)

    def record_absent(self, path: str) -> None:
        """Remember that *path* was looked for and is not a file: the output depends on that too."""
        if not _inside(path, self._trusted):
            self.absent_files.add(Path(path))


# Code points HFS+ ignores in file names, so ".g\u200cit" is ".git" on macOS (git's utf8.c,
# is_hfs_dotgit, after CVE-2014-9390).
_HFS_IGNORED = dict.fromkeys([*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF])


def _in_git_folder(path: str) -> bool:
    """Whether a component of *path* names git's folder as some file system reads it: the
    default file systems of macOS and Windows ignore case (``.GIT/config`` is ``.git/config``),
    HFS+ ignores some code points, and NTFS drops trailing dots and spaces (``.git.``) and
    knows ``.git`` by its short name ``GIT~1`` (git's ``is_hfs_dotgit``/``is_ntfs_dotgit``)."""
    if path.isascii() and "git" not in path.lower():  # most paths: no splitting (runs for every import)
        return False
    return any(is_git_name(part) for part in path.split(os.sep))


def is_git_name(name: str) -> bool:
    folded = name.translate(_HFS_IGNORED).casefold().rstrip(". ")
    return folded in (".git", "git~1")


@lru_cache(maxsize=65536)
def _realpath(candidate: str) -> str:
    """realpath() is costly and files do not move during one command, so remember it."""
    return os.path.realpath(candidate)


def _inside(path: str, folders: Iterable[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)
