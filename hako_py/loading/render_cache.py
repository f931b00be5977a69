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
JSON (never pickle: a shared folder must not execute anything). ``HAKO_CACHE=off`` turns it off.
A hit is trusted as much as the code that wrote the folder: entries are not signed, so the
folder must be the user's alone and outside any git work tree (:mod:`hako_py.cache_trust`,
checked for the folder and each kind folder). Each entry carries its full lookup key, and its
name is the hash of the inputs it lists, so an entry copied or renamed under another key, or
with its inputs edited, is a miss.

Writing must cost less than the evaluations it saves, or a run with an empty cache is slower
than one without: a review of 1,000 apps stores 2,000 entries, and creating a file costs
about as much as an evaluation on a busy machine. So a command writes its entries together,
as one *pack* per kind, ``KIND/<time>-<random>.jsonl``, when it ends (:func:`flush`, also
run at exit): a first line indexing the entries (lookup key hash, entry name, offset,
length), then the entries. A pack is written to a temporary file and renamed, so concurrent
runs and CI jobs sharing the folder never read a half-written one, and deleting any part of
the folder at any time only costs a re-evaluation. A lookup reads the index lines of the
newest :data:`MAX_PACKS` packs once per command, and each pack it takes entries from once.
A pack also holds the entries its command found in older packs (the bytes as read), so the
entries in use survive the removal of the oldest packs beyond :data:`MAX_PACKS`.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import stat
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = 3
#: entries tried per lookup key (the newest first)
MAX_CANDIDATES = 8
#: packs kept per kind; writing one removes the oldest beyond it
MAX_PACKS = 16


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
    """SHA-256 and real paths of files, each worked out once per run (files do not change while
    one command runs, the assumption every review and deploy already makes)."""

    known: dict[str, str | None] = field(default_factory=dict)
    real: dict[str, str] = field(default_factory=dict)

    def of(self, path: str) -> str | None:
        """The file's hash; None when it is not a readable file."""
        if path not in self.known:
            self.known[path] = _hash_regular(path)
        return self.known[path]

    present: dict[str, bool] = field(default_factory=dict)

    def realpath(self, path: str) -> str:
        if path not in self.real:
            self.real[path] = os.path.realpath(path)
        return self.real[path]

    def exists(self, path: str) -> bool:
        """Whether something other than a folder is at *path* (a file an import would read)."""
        if path not in self.present:
            self.present[path] = os.path.exists(path) and not os.path.isdir(path)
        return self.present[path]


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


@dataclass(frozen=True)
class Entry:
    """One stored result, as written in a pack: picklable, so a worker process can hand the
    entries it made to the parent, which writes them."""

    digest: str  # the lookup key's hash
    name: str  # the hash of its inputs: the same result stored twice has the same name
    text: bytes  # the JSON document


@dataclass
class _Located:
    pack: Path
    name: str
    offset: int
    length: int


class _Packs:
    """The packs of one kind folder as this process knows them, and the entries it has yet to write."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending: dict[tuple[str, str], Entry] = {}
        self.index: dict[str, list[_Located | Entry]] | None = None
        self.data: dict[Path, bytes] = {}
        self.lock = threading.Lock()  # fleets look up and store from several threads

    def candidates(self, digest: str) -> list[_Located | Entry]:
        """Entries stored under *digest*: this process's own first, then the packs', newest first."""
        with self.lock:
            if self.index is None:
                self.index = _read_indexes(self.folder)
            own: list[_Located | Entry] = [e for (d, _), e in self.pending.items() if d == digest]
            return [*own, *self.index.get(digest, [])][:MAX_CANDIDATES]

    def text(self, found: _Located | Entry) -> bytes:
        if isinstance(found, Entry):
            return found.text
        with self.lock:
            if found.pack not in self.data:
                self.data[found.pack] = found.pack.read_bytes()
            data = self.data[found.pack]
        return data[found.offset:found.offset + found.length]

    def add(self, entries: Iterable[Entry]) -> None:
        with self.lock:
            for entry in entries:
                self.pending[(entry.digest, entry.name)] = entry
        _flush_at_exit()

    def flush(self) -> None:
        """Write the pending entries as one pack (if any), and remove the oldest packs."""
        with self.lock:
            entries, self.pending = list(self.pending.values()), {}
        if not entries:
            return
        index, offset, body = [], 0, []
        for entry in entries:
            index.append([entry.digest, entry.name, offset, len(entry.text)])
            body.append(entry.text)
            offset += len(entry.text) + 1
        header = json.dumps({"format": FORMAT, "index": index}, separators=(",", ":")).encode()
        try:
            _write(self.folder, f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.jsonl",
                   b"\n".join([header, *body]) + b"\n")
            for old in _packs(self.folder)[MAX_PACKS:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only or full cache folder only costs speed


def _packs(folder: Path) -> list[Path]:
    """The packs of a kind folder, newest first (their names start with the time they were written)."""
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".jsonl") and not n.startswith(".")]
    except OSError:
        return []
    return [folder / n for n in sorted(names, reverse=True)]


def _read_indexes(folder: Path) -> dict[str, list[_Located | Entry]]:
    """Every entry of the newest packs by lookup key hash, newest first, each (key, name) once."""
    _check_owned(folder.parent)
    _check_owned(folder)
    found: dict[str, list[_Located | Entry]] = {}
    seen: set[tuple[str, str]] = set()
    for pack in _packs(folder)[:MAX_PACKS]:
        try:
            with open(pack, "rb") as handle:
                line = handle.readline()
            header = json.loads(line)
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                continue
            start = len(line)
            for digest, name, offset, length in header["index"]:
                if (digest, name) not in seen and isinstance(offset, int) and isinstance(length, int):
                    seen.add((digest, name))
                    found.setdefault(str(digest), []).append(_Located(pack, str(name), start + offset, length))
        except (OSError, ValueError, TypeError, KeyError):
            continue  # removed meanwhile, or not ours: its entries are misses, never an error
    return found


def _check_owned(folder: Path) -> None:
    """A folder of the cache someone else could write into is refused (see :mod:`hako_py.cache_trust`)."""
    from hako_py.cache_trust import UntrustedCacheError, owner_problem

    try:
        info = os.stat(folder)
    except OSError:
        return  # not there (yet): nothing to read from it
    problem = owner_problem(info)
    if problem:
        raise UntrustedCacheError(f"refusing the cache folder {folder}: {problem}; set HAKO_CACHE_DIR to a folder "
                                  "only you can write")


_known: dict[Path, _Packs] = {}
_known_lock = threading.Lock()


def _packs_of(folder: Path) -> _Packs:
    with _known_lock:
        if folder not in _known:
            _known[folder] = _Packs(folder)
        return _known[folder]


def flush() -> None:
    """Write what this process stored, one pack per kind (see the module's docstring), and
    forget the packs read: the next command reads them again, with those written since."""
    with _known_lock:
        known = list(_known.values())
        _known.clear()
    for packs in known:
        packs.flush()


_registered: list[bool] = []


def _flush_at_exit() -> None:
    if not _registered:
        _registered.append(True)
        atexit.register(flush)


@dataclass
class RenderCache:
    """Entries of one *kind* (``evaluation``, ``review``) for files under *root*."""

    folder: Path
    kind: str
    root: str
    hashes: FileHashes = field(default_factory=FileHashes)
    hits: int = 0
    misses: int = 0
    #: entries made by :meth:`entry` in this process and not yet handed on (see :meth:`take`)
    made: list[Entry] = field(default_factory=list)

    def _top(self) -> str:
        return self.hashes.realpath(self.root)

    def _name(self, path: str) -> str:
        """A path as stored: relative to the root when inside it (a CI checkout or a review's
        temporary copy of REF moves), else absolute."""
        real = self.hashes.realpath(path)
        top = self._top()
        # both are real paths: what follows the root's is the relative path
        return "r:" + real[len(top) + 1:] if real.startswith(top + os.sep) else "a:" + real

    def _path(self, name: str) -> str:
        return os.path.join(self._top(), name[2:]) if name.startswith("r:") else name[2:]

    def _key_text(self, key: dict[str, Any]) -> str:
        """The full lookup key, as hashed and as stored in the entry (binding the entry to it)."""
        return json.dumps({"kind": self.kind, "code": code_fingerprint(), **key}, sort_keys=True, default=str)

    def _digest(self, key: dict[str, Any]) -> str:
        return hashlib.sha256(self._key_text(key).encode()).hexdigest()

    @property
    def _packs(self) -> _Packs:
        return _packs_of(self.folder / self.kind)

    def lookup(self, key: dict[str, Any]) -> Any | None:
        """The stored value whose inputs are all unchanged now, else None."""
        packs = self._packs
        key_text = self._key_text(key)
        digest = hashlib.sha256(key_text.encode()).hexdigest()
        for found in packs.candidates(digest):
            try:
                text = packs.text(found)
                stored = json.loads(text)
            except (OSError, ValueError):
                continue  # removed meanwhile, or not ours: a miss, never an error
            if not isinstance(stored, dict) or stored.get("format") != FORMAT:
                continue
            inputs, absent = stored.get("inputs"), stored.get("absent")
            if not isinstance(inputs, dict) or not isinstance(absent, list):
                continue
            if stored.get("key") != key_text or _entry_name(inputs, absent) != found.name:
                continue  # copied or renamed from another key, or its inputs edited: not this key's entry
            if all(self.hashes.of(self._path(n)) == h for n, h in inputs.items()) and not any(
                    self.hashes.exists(self._path(n)) for n in absent):
                self.hits += 1
                if isinstance(found, _Located):  # carried into this command's pack (see the module's docstring)
                    packs.add([Entry(digest, found.name, text)])
                return stored.get("value")
        self.misses += 1
        return None

    def entry(self, key: dict[str, Any], inputs: Iterable[str | os.PathLike[str]],
              absent: Iterable[str | os.PathLike[str]], value: Any) -> Entry | None:
        """*value* as stored, computed from *inputs* (files read) and *absent* (paths looked for);
        None when an input cannot be read again (then it could not be checked)."""
        hashed: dict[str, str] = {}
        for path in inputs:
            digest = self.hashes.of(os.fspath(path))
            if digest is None:
                return None
            hashed[self._name(os.fspath(path))] = digest
        missing = sorted({self._name(os.fspath(p)) for p in absent})
        key_text = self._key_text(key)
        text = json.dumps({"format": FORMAT, "key": key_text, "inputs": hashed, "absent": missing, "value": value},
                          separators=(",", ":"))
        return Entry(hashlib.sha256(key_text.encode()).hexdigest(), _entry_name(hashed, missing), text.encode())

    def store(self, key: dict[str, Any], inputs: Iterable[str | os.PathLike[str]],
              absent: Iterable[str | os.PathLike[str]], value: Any, *, hand_on: bool = False) -> None:
        """Remember *value* (see :meth:`entry`): written with this process's pack, or (*hand_on*)
        kept for :meth:`take`, by a worker process whose parent writes it."""
        made = self.entry(key, inputs, absent, value)
        if made is None:
            return
        if hand_on:
            self.made.append(made)
        else:
            self.add([made])

    def add(self, entries: Iterable[Entry]) -> None:
        """Entries made elsewhere (by worker processes), written with this process's pack."""
        self._packs.add(entries)

    def take(self) -> list[Entry]:
        """The entries :meth:`store` kept for handing on, forgotten here."""
        made, self.made = self.made, []
        return made

    def file_names(self, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
        """*paths* as stored (see :meth:`path_of` for the way back)."""
        return sorted(self._name(os.fspath(p)) for p in paths)

    def path_of(self, name: str) -> str:
        return self._path(name)


def _entry_name(inputs: dict[str, Any], absent: list[Any]) -> str:
    """An entry's name: the hash of its inputs (the same result stored twice has the same name)."""
    return hashlib.sha256(json.dumps([inputs, absent], sort_keys=True).encode()).hexdigest()[:32]


def _write(folder: Path, name: str, data: bytes) -> None:
    """*data* as ``folder/name``, whole or not at all (a temporary file renamed)."""
    from hako_py.cache_trust import private_folder

    private_folder(folder)
    temporary = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def open_cache(kind: str, root: str | os.PathLike[str]) -> RenderCache | None:
    """The cache of *kind* for files under *root*, or None when caching is off."""
    folder = cache_folder()
    return None if folder is None else RenderCache(folder, kind, os.fspath(root))
