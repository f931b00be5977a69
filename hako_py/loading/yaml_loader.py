"""Load YAML definitions, with the original hako's ``!include relative.yml`` tag.

Aliases make YAML a compression format: 270 bytes of nested anchors (8 levels of 9
aliases) stand for 43 million values. PyYAML builds them as a graph that shares the
aliased objects, which is cheap; what explodes is turning it into a tree (here, in
:func:`_jsonable`) and merging aliased mappings with ``<<`` (PyYAML copies the merged
keys at every level). Both are counted against one budget per definition, shared with the
files it includes: :data:`MAX_YAML_VALUES`, far above any real definition (a few hundred
values) and small enough that checking the result stays well under a second.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.errors import format_yaml_error
from hako_py.loading.reading import read_limited
from hako_py.paths import display_path

MAX_INCLUDE_DEPTH = 32
MAX_YAML_VALUES = 1_000_000


class YamlError(Exception):
    """A YAML file failed to parse or include; ``str()`` is the located message."""


@dataclass
class _Expansion:
    """What one definition's aliases, merges and includes expanded to so far."""

    values: int = 0
    included: dict[Path, Any] = field(default_factory=dict)

    def add(self, count: int, path: Path) -> None:
        self.values += count
        if self.values > MAX_YAML_VALUES:
            raise YamlError(f"{display_path(path)}: YAML aliases and merges expand to more than "
                            f"{MAX_YAML_VALUES:,} values (hako's limit; an alias bomb?)")


def load_yaml(path: Path, confinement: Confinement) -> Any:
    """Parse *path*, resolving ``!include`` relative to the including file, as JSON-like data."""
    expansion = _Expansion()
    data = _load(path, confinement, (), expansion)
    return _jsonable(data, expansion, path)


def _load(path: Path, confinement: Confinement, stack: tuple[Path, ...], expansion: _Expansion) -> Any:
    """The YAML data of *path* as PyYAML builds it (aliased objects shared, not copied)."""
    if len(stack) > MAX_INCLUDE_DEPTH:
        raise YamlError(f"{display_path(path)}: !include nested deeper than {MAX_INCLUDE_DEPTH}")
    if path in stack:
        raise YamlError(f"{display_path(path)}: !include cycle: {' -> '.join(display_path(p) for p in (*stack, path))}")

    def resolve(node: yaml.Node) -> Path:
        rel = node.value if isinstance(node, yaml.ScalarNode) else None
        where = f"{display_path(path)}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
        if not isinstance(rel, str) or not rel:
            raise YamlError(f"{where}: !include needs a relative file name")
        try:
            real = confinement.check(path.parent, rel)
        except ImportRefused as exc:
            raise YamlError(f"{where}: {str(exc).replace('import ', '!include ', 1)}") from None
        if not real.exists() or real.is_dir():
            raise YamlError(f"{where}: !include {rel}: no such file")
        confinement.record(real)
        return real

    def included(node: yaml.Node) -> Any:
        # A file included twice is parsed once and shared, like an alias; it is expanded
        # here, so an alias bomb in it is reported with its name.
        real = resolve(node)
        if real not in expansion.included:
            expansion.included[real] = _jsonable(_load(real, confinement, (*stack, path), expansion), expansion, real)
        return expansion.included[real]

    class _Loader(yaml.SafeLoader):
        def flatten_mapping(self, node: yaml.MappingNode) -> None:
            # `<<: !include base.yml` merges an included mapping, as hako's YAML allowed.
            for index, (key_node, value_node) in enumerate(node.value):
                if key_node.tag == "tag:yaml.org,2002:merge" and value_node.tag == "!include":
                    data = included(value_node)
                    if not isinstance(data, dict):
                        raise YamlError(f"{display_path(path)}:{value_node.start_mark.line + 1}: "
                                        "merged !include must be a mapping")
                    replacement = yaml.SafeDumper(None).represent_data(data)  # type: ignore[arg-type]
                    node.value[index] = (key_node, replacement)
            # PyYAML calls this for every merged mapping too, and then copies its keys
            # into the merging one: counting each call bounds what the copies add up to.
            super().flatten_mapping(node)
            expansion.add(len(node.value), path)

    _Loader.add_constructor("!include", lambda loader, node: included(node))
    try:
        text = read_limited(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"{display_path(path)}: not UTF-8 text (byte {exc.start})") from None
    except ImportRefused as exc:
        raise YamlError(str(exc)) from None
    except OSError as exc:
        raise YamlError(f"{display_path(path)}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise YamlError(format_yaml_error(str(path), exc)) from None
    except RecursionError:
        raise YamlError(f"{display_path(path)}: nested too deeply") from None


def _jsonable(value: Any, expansion: _Expansion, path: Path) -> Any:
    """Make YAML's extra types JSON-like (string keys, dates as ISO strings) and expand the
    shared aliased objects into a tree, counting every value made."""
    if isinstance(value, dict):
        expansion.add(len(value), path)
        return {str(k) if not isinstance(k, str) else k: _jsonable(v, expansion, path) for k, v in value.items()}
    if isinstance(value, list):
        expansion.add(len(value), path)
        return [_jsonable(v, expansion, path) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
