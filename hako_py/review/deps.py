"""Which files a definition's output can depend on, found by scanning import statements.

Jsonnet requires import paths to be string literals, so scanning ``import``/``importstr``/
``importbin`` (and YAML ``!include``) finds every file the loader could read; a match
inside a comment only adds a file, so the result is a superset of what the loader
records. Definitions using the ``file`` provider read a path computed at run time, so
they are treated as depending on everything.

Files are named by repository-relative POSIX paths and read through a ``FileSource``,
so the base revision is scanned straight from git objects without writing it to disk.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_JSONNET_IMPORT = re.compile(r"""\bimport(?:str|bin)?\s+@?(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")""")
_YAML_INCLUDE = re.compile(r"!include\s+['\"]?([^\s'\"]+)")
DYNAMIC = "provide.file"
ALWAYS = "*"

FileSource = Callable[[str], "str | None"]


def disk_source(root: str) -> FileSource:
    """Read repository-relative paths from the working tree."""

    def read(rel: str) -> str | None:
        path = rel if os.path.isabs(rel) else os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    return read


def memory_source(files: dict[str, bytes], fallback: FileSource) -> FileSource:
    """Read from a snapshot of a revision (absolute paths, outside the repository, from disk)."""

    def read(rel: str) -> str | None:
        if os.path.isabs(rel):
            return fallback(rel)
        data = files.get(rel)
        return data.decode("utf-8", "replace") if data is not None else None

    return read


@dataclass
class DependencyScanner:
    """Transitive imports of definitions; ``jpath`` entries are repository-relative or absolute."""

    read: FileSource
    jpath: tuple[str, ...] = ()
    _memo: dict[str, frozenset[str]] = field(default_factory=dict)
    _text: dict[str, str | None] = field(default_factory=dict)

    def _content(self, rel: str) -> str | None:
        if rel not in self._text:
            self._text[rel] = self.read(rel)
        return self._text[rel]

    def _resolve(self, importer: str, name: str) -> str | None:
        if name.startswith("/"):
            return None
        for folder in (posixpath.dirname(importer), *self.jpath):
            candidate = posixpath.normpath(posixpath.join(folder, name)) if folder else posixpath.normpath(name)
            if candidate.startswith("../"):
                continue
            if self._content(candidate) is not None:
                return candidate
        return None

    def dependencies(self, rel: str, _stack: frozenset[str] = frozenset()) -> frozenset[str]:
        """Files *rel* imports, transitively; ``*`` means "anything"."""
        if rel in self._memo:
            return self._memo[rel]
        if rel in _stack:
            return frozenset()
        text = self._content(rel)
        if text is None:
            return frozenset()
        found: set[str] = set()
        if DYNAMIC in text:
            found.add(ALWAYS)
        if rel.endswith((".yml", ".yaml")):
            names = [m.group(1) for m in _YAML_INCLUDE.finditer(text)]
        else:
            names = [m.group(1) if m.group(1) is not None else m.group(2) for m in _JSONNET_IMPORT.finditer(text)]
        for name in names:
            target = self._resolve(rel, name)
            if target is None:
                continue
            found.add(target)
            found |= self.dependencies(target, _stack | {rel})
        result = frozenset(found)
        self._memo[rel] = result
        return result
