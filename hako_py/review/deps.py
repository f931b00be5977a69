"""Which files a definition's output can depend on, found as the loader would find them.

PR review renders only the apps whose inputs differ between two revisions, so this must
never miss an input. It therefore sees each side as the loader will (the working tree,
or the base revision as it is written out: :mod:`hako_py.review.tree`) and repeats the
loader's own steps:

- Jsonnet files are tokenized (``jsonnet_scan``), never matched with a regex: an import
  is an ``import``/``importstr``/``importbin`` token followed by a string token, whatever
  comments, escapes or verbatim quoting spell it. YAML files are composed by PyYAML, so
  ``!include`` is found by its resolved tag (``!<!include>``, ``%TAG`` shorthands).
- Import paths are resolved like the import callback: the importing file's folder (as
  go-jsonnet names it, symlinks not resolved), then each ``--jpath`` folder, then the
  bundled library, with the same confinement check. Every symlink crossed on the way is
  an input too (retargeting it changes what is read), and so is the file it reaches.
- Whatever cannot be analysed (a lex or YAML error, an unreadable file, a symlink loop, a
  ``std`` use that could reach a file-reading provider, hako's legacy ``'$providers'`` env
  form, an import followed by anything but a string) yields ``ALWAYS``: the app is
  rendered whenever anything changed.

Dependencies are repository-relative paths (files and symlinks); inputs outside the
repository (an absolute ``--jpath``) are the same at both revisions and are not listed.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from hako_py.loading.bundled import BUNDLED_LIB_DIR
from hako_py.loading.repo import CONFIG_NAME
from hako_py.review.jsonnet_lexer import LexError
from hako_py.review.jsonnet_scan import scan
from hako_py.review.submodules import MissingSubmodule
from hako_py.review.tree import DiskTree, Tree, Unanalysable, Walker, inside
from hako_py.review.yaml_includes import YamlScanError, scan_yaml

ALWAYS = "*"

JSONNET = "jsonnet"
YAML = "yaml"
DATA = "data"  # importstr / importbin: read, not parsed


@dataclass(frozen=True)
class _Node:
    """One file read one way: what it reads itself, and what it leads to."""

    inputs: frozenset[str]
    children: tuple[tuple[str, str], ...]  # (kind, path as the loader names it)


def _parse(kind: str, data: bytes) -> tuple[tuple[str, str], ...] | str:
    """What a file says it reads, as (keyword, path) pairs (``(ALWAYS, "")`` first when it may
    call a file-reading provider), or why it cannot be analysed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start})"
    if kind == YAML:
        try:
            names, providers = scan_yaml(text)
        except YamlScanError as exc:
            return str(exc)
        return ((ALWAYS, ""),) * providers + tuple(("!include", name) for name in names)
    try:
        found = scan(text)
    except LexError as exc:
        return str(exc)
    return ((ALWAYS, ""),) * found.reads_anything + found.imports


@dataclass(frozen=True)
class _Found:
    """Where an import led: the file as the loader names it and its real path (None when
    refused or not found), and the symlinks crossed while searching."""

    candidate: str | None
    real: str | None
    crossed: tuple[str, ...]


@dataclass
class DependencyScanner:
    """Transitive inputs of definitions under *root*: the working tree, or a revision (a
    :class:`~hako_py.review.tree.SnapshotTree` for the folder it is written to). ``jpath``
    entries are absolute folders, as the loader gets them."""

    root: str
    jpath: tuple[str, ...] = ()
    # analyses by content, shared by both sides' scanners: most files are equal at both revisions
    contents: dict[tuple[str, bytes], tuple[tuple[str, str], ...] | str] = field(default_factory=dict)
    tree: Tree = field(default_factory=DiskTree)
    read_files: dict[str, bytes] = field(default_factory=dict)  # repository files read whole, by path
    _nodes: dict[tuple[str, str], _Node] = field(default_factory=dict)
    _definitions: dict[str, frozenset[str]] = field(default_factory=dict)
    _imports: dict[tuple[str, str], _Found] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = os.path.realpath(self.root)
        self._prefix = self.root + os.sep
        self._walker = Walker(self.tree)
        self._search = (*self.jpath, str(BUNDLED_LIB_DIR))
        self._bundled = os.path.realpath(BUNDLED_LIB_DIR)
        # the folders imports may read, real, as hako_py.loading.confinement has them
        try:
            jpath_real = tuple(self._walker.trace(folder)[0] for folder in self.jpath)
        except Unanalysable:
            jpath_real = ()
            self._everything = True
        else:
            self._everything = False
        self._allowed = (self.root, *jpath_real, self._bundled)

    # -- paths ---------------------------------------------------------------------------

    def _relative(self, real: str) -> str | None:
        return real[len(self._prefix):] if real.startswith(self._prefix) else None

    def _inputs_of(self, crossed: tuple[str, ...], real: str) -> set[str]:
        found = {rel for rel in (self._relative(link) for link in crossed) if rel is not None} if crossed else set()
        if real.startswith(self._prefix):
            found.add(real[len(self._prefix):])
        return found

    def _confined(self, candidate: str, real: str) -> bool:
        """The loader's confinement check: inside an allowed folder as written and as resolved."""
        return inside(os.path.normpath(candidate), self._allowed) and inside(real, self._allowed)

    def files_in(self, folder: str) -> set[str] | None:
        """Repository paths of the regular files directly in *folder* (symlinks followed, as
        ``os.scandir``'s ``is_file``), *folder* itself when it is a file; None when the folder
        resolves outside the repository."""
        path = os.path.normpath(os.path.join(self.root, folder))
        real, _ = self._walker.trace(path)
        if not inside(real, (self.root,)):
            return None
        if self._walker.is_file(real):
            return {os.path.relpath(path, self.root)}
        rel = os.path.relpath(path, self.root)
        found: set[str] = set()
        for name, mode in self.tree.listdir(real):
            entry = os.path.join(real, name)
            if mode is not None:
                self._walker.known(entry, mode)
            target, _ = self._walker.trace(entry)
            if self._walker.is_file(target):
                found.add(name if rel == "." else f"{rel}/{name}")
        return found

    # -- one file ------------------------------------------------------------------------

    def _read(self, real: str) -> bytes:
        data = self.tree.read(real)
        rel = self._relative(real)
        if rel is not None and data is not None:
            self.read_files[rel] = data
        return data or b""

    def _resolve_import(self, importer_dir: str, rel: str) -> _Found:
        """Where the import callback finds *rel*, searching as it does; the bundled library is
        not an input (it comes with hako-py, not with the revision)."""
        key = (importer_dir, rel)
        known = self._imports.get(key)
        if known is not None:
            return known
        if "\0" in rel:
            raise Unanalysable(f"import path {rel!r} has a NUL character")
        found = _Found(None, None, ())
        crossed_all: tuple[str, ...] = ()
        for index, folder in enumerate(() if os.path.isabs(rel) else (importer_dir, *self._search)):
            candidate = os.path.join(folder, rel)
            real, crossed = self._walker.trace(candidate)
            crossed_all += crossed
            if index and self._walker.mode(real) is None:
                continue
            if not self._confined(candidate, real):
                break  # the loader refuses the import: nothing is read
            if self._walker.is_file(real):
                if not inside(real, (self._bundled,)):
                    found = _Found(candidate, real, ())
                break
        found = _Found(found.candidate, found.real, crossed_all)
        self._imports[key] = found
        return found

    def _node(self, kind: str, path: str) -> _Node:
        key = (kind, path)
        node = self._nodes.get(key)
        if node is None:
            try:
                node = self._analyse(kind, path)
            except Unanalysable:
                node = _Node(frozenset({ALWAYS}), ())
            self._nodes[key] = node
        return node

    def _analyse(self, kind: str, path: str) -> _Node:
        real, crossed = self._walker.trace(path)
        inputs = self._inputs_of(crossed, real)
        if kind == DATA or not self._walker.is_file(real):
            return _Node(frozenset(inputs), ())
        parsed = self._parsed(kind, self._read(real))
        if isinstance(parsed, str):
            raise Unanalysable(f"{path}: {parsed}")
        children: list[tuple[str, str]] = []
        for keyword, name in parsed:
            if keyword == ALWAYS:
                inputs.add(ALWAYS)
            elif kind == YAML:  # relative to the folder the file was named in (a real one when included)
                self._follow_include(os.path.dirname(path), name, inputs, children)
            else:
                target = self._resolve_import(os.path.dirname(path), name)
                inputs |= self._inputs_of(target.crossed, target.real or "")
                if target.candidate is not None:
                    children.append((JSONNET if keyword == "import" else DATA, target.candidate))
        return _Node(frozenset(inputs), tuple(children))

    def _parsed(self, kind: str, data: bytes) -> tuple[tuple[str, str], ...] | str:
        """What a file's text says it reads, as (keyword, path) pairs, ``(ALWAYS, "")`` for a
        possible file-reading provider; or why it cannot be analysed."""
        key = (kind, data)
        known = self.contents.get(key)
        if known is None:
            known = _parse(kind, data)
            self.contents[key] = known
        return known

    def _follow_include(self, folder: str, name: str, inputs: set[str], children: list[tuple[str, str]]) -> None:
        """YAML ``!include``: relative to the including file's folder, no search path."""
        if os.path.isabs(name):
            return
        if "\0" in name:
            raise Unanalysable(f"!include path {name!r} has a NUL character")
        candidate = os.path.join(folder, name)
        real, crossed = self._walker.trace(candidate)
        inputs |= self._inputs_of(crossed, "")
        if self._confined(candidate, real) and self._walker.is_file(real):
            children.append((YAML, real))

    # -- definitions ---------------------------------------------------------------------

    def dependencies(self, rel: str) -> frozenset[str]:
        """Every input of definition *rel* (itself, ``hako.toml`` and what it reads, transitively,
        symlinks included); ``ALWAYS`` among them means "anything"."""
        known = self._definitions.get(rel)
        if known is None:
            try:
                known = self._definitions[rel] = self._closure(rel)
            except MissingSubmodule as exc:  # located: which app reads into the submodule
                raise MissingSubmodule(f"{rel}: {exc}") from None
        return known

    def _closure(self, rel: str) -> frozenset[str]:
        if self._everything:
            return frozenset({ALWAYS})
        kind = YAML if rel.lower().endswith((".yml", ".yaml")) else JSONNET
        start = (kind, self._prefix + rel)
        # every hako.toml from the root down to the definition's folder: the outermost one is
        # its settings (repo.find_root), so adding or changing any of them can change it
        found: set[str] = set()
        folder = posixpath.dirname(rel)
        while True:
            found |= self._node(DATA, self._prefix + posixpath.join(folder, CONFIG_NAME)).inputs
            if not folder:
                break
            folder = posixpath.dirname(folder)
        seen = {start}
        stack = [start]
        while stack:
            node = self._node(*stack.pop())
            found |= node.inputs
            for child in node.children:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return frozenset(found)
