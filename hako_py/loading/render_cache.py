"""A content-addressed cache of evaluations and renders, shared by review, drift and fleet deploys.

Evaluating a definition depends only on bytes: the files it read, the paths its imports
looked for and did not find (a file added there would shadow the one found further along
the search path), the ext vars and codes (``hako.toml``'s values among them) and hako-py
itself. An entry is stored under a *lookup key* made of what is known before evaluating
(the app's path in its repository, its options, hako-py's code) and holds the hash of
every input it read; a lookup recomputes those hashes from the files as they are now and
returns the entry only if every one matches and every absent path is still absent. So a
hit is exactly the result an evaluation would give now: changing one imported byte, or
adding a file an import would find first, is a miss. Several entries live side by side
under one lookup key (the base and the head of a review, one branch and another).

Results whose value comes from outside the files are never stored: an evaluation that
called a value provider with ``expand`` (values from the environment, SSM, ...). Errors are
never stored either (an over-budget evaluation must stay an error of this run's budget).

The folder is ``$HAKO_CACHE_DIR/renders`` (default ``~/.cache/hako-py/renders``); entries are
JSON (never pickle: a shared folder must not execute anything), written to a temporary file
and renamed, so concurrent runs and CI jobs sharing the folder never read a half-written
entry, and deleting any part of it at any time only costs a re-evaluation. ``HAKO_CACHE=off``
turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = 1
#: entries kept per lookup key (the newest are tried first); older ones are removed on store
MAX_ENTRIES = 8


@cache
def code_fingerprint() -> str:
    """hako-py's version and the size and mtime of each of its source files: an edited
    checkout of hako-py (same version number) must not reuse renders of the old code."""
    from hako_py import __version__

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".libsonnet", ".json") and "sandbox" not in path.parts:
            info = path.stat()
            digest.update(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def cache_folder() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("HAKO_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    from hako_py.ecs_model import cache_dir

    return cache_dir() / "renders"


@dataclass
class FileHashes:
    """SHA-256 of files, each read once per run (files do not change while one command runs,
    the assumption every review and deploy already makes)."""

    known: dict[str, str | None] = field(default_factory=dict)

    def of(self, path: str) -> str | None:
        """The file's hash; None when it is not a readable file."""
        if path not in self.known:
            self.known[path] = _hash_regular(path)
        return self.known[path]


def _hash_regular(path: str) -> str | None:
    """The hash of a regular file; None for anything else (gone, a folder, a FIFO or device a
    symlink now points to: never read, never equal to a recorded hash)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (OSError, ValueError):
        return None


def _is_file(path: str) -> bool:
    return os.path.exists(path) and not os.path.isdir(path)


@dataclass
class RenderCache:
    """Entries of one *kind* (``evaluation``, ``review``) for files under *root*."""

    folder: Path
    kind: str
    root: str
    hashes: FileHashes = field(default_factory=FileHashes)
    hits: int = 0
    misses: int = 0

    def _name(self, path: str) -> str:
        """A path as stored: relative to the root when inside it (a CI checkout or a review's
        temporary copy of REF moves), else absolute."""
        real = os.path.realpath(path)
        top = os.path.realpath(self.root)
        return "r:" + os.path.relpath(real, top) if real.startswith(top + os.sep) else "a:" + real

    def _path(self, name: str) -> str:
        return os.path.join(os.path.realpath(self.root), name[2:]) if name.startswith("r:") else name[2:]

    def _slot(self, key: dict[str, Any]) -> Path:
        text = json.dumps({"kind": self.kind, "code": code_fingerprint(), **key}, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()
        return self.folder / self.kind / digest[:2] / digest[2:]

    def lookup(self, key: dict[str, Any]) -> Any | None:
        """The stored value whose inputs are all unchanged now, else None."""
        slot = self._slot(key)
        for entry in _newest(slot)[:MAX_ENTRIES]:
            try:
                stored = json.loads(entry.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # removed meanwhile, or not ours: a miss, never an error
            if not isinstance(stored, dict) or stored.get("format") != FORMAT:
                continue
            inputs, absent = stored.get("inputs"), stored.get("absent")
            if not isinstance(inputs, dict) or not isinstance(absent, list):
                continue
            if all(self.hashes.of(self._path(n)) == h for n, h in inputs.items()) and not any(
                    _is_file(self._path(n)) for n in absent):
                self.hits += 1
                return stored.get("value")
        self.misses += 1
        return None

    def store(self, key: dict[str, Any], inputs: Iterable[str | os.PathLike[str]],
              absent: Iterable[str | os.PathLike[str]], value: Any) -> None:
        """Remember *value*, computed from *inputs* (files read) and *absent* (paths looked for)."""
        hashed: dict[str, str] = {}
        for path in inputs:
            digest = self.hashes.of(os.fspath(path))
            if digest is None:
                return  # an input that cannot be read again cannot be checked: do not store
            hashed[self._name(os.fspath(path))] = digest
        entry = {"format": FORMAT, "inputs": hashed, "absent": sorted({self._name(os.fspath(p)) for p in absent}),
                 "value": value}
        text = json.dumps(entry, sort_keys=True)
        slot = self._slot(key)
        name = hashlib.sha256(json.dumps([hashed, entry["absent"]], sort_keys=True).encode()).hexdigest()[:32]
        try:
            slot.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=slot, prefix=".tmp-")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, slot / f"{name}.json")
            self._prune(slot)
        except OSError:
            pass  # a read-only or full cache folder only costs speed

    @staticmethod
    def _prune(slot: Path) -> None:
        for old in _newest(slot)[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)

    def file_names(self, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
        """*paths* as stored (see :meth:`path_of` for the way back)."""
        return sorted(self._name(os.fspath(p)) for p in paths)

    def path_of(self, name: str) -> str:
        return self._path(name)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _newest(slot: Path) -> list[Path]:
    """The entries of a slot, newest first (none when the slot does not exist or is being removed)."""
    try:
        entries = [p for p in slot.iterdir() if p.suffix == ".json"]
    except OSError:
        return []
    return sorted(entries, key=_mtime, reverse=True)


def open_cache(kind: str, root: str | os.PathLike[str]) -> RenderCache | None:
    """The cache of *kind* for files under *root*, or None when caching is off."""
    folder = cache_folder()
    return None if folder is None else RenderCache(folder, kind, os.fspath(root))
