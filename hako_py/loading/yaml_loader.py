"""Load YAML definitions, with the original hako's ``!include relative.yml`` tag.

Aliases make YAML a compression format: 270 bytes of nested anchors (8 levels of 9
aliases) stand for 43 million values. PyYAML builds them as a graph that shares the
aliased objects, which is cheap; what explodes is turning it into a tree (here, in
:func:`_jsonable`) and merging aliased mappings with ``<<`` (PyYAML copies the merged
keys at every level). Both are counted against one budget per definition, shared with the
files it includes: :data:`MAX_YAML_VALUES`, far above any real definition (a few hundred
values) and small enough that checking the result stays well under a second. The text
of the expanded strings and keys counts too, against the cap on a Jsonnet definition's
output (:data:`MAX_OUTPUT_CHARS`, 16 MiB): a 1 MB string aliased 3,000 times is few values
but 3 GB to validate and print.

A definition is JSON-like data. YAML 1.1 (PyYAML's, and Psych's in hako) reads more: a
plain ``NO``, ``on``, ``null`` or ``1`` as a key is a boolean, null or number, which would
become an env name ``False`` (and ``1`` and ``true`` can collide): a located error, saying
what YAML made of it. A ``!!set``, ``!!omap`` or ``!!pairs`` is no JSON value: a located
error. Env and label *values* that YAML changes (``012`` → 10, ``1.10`` → 1.1, ``yes`` →
true) are kept as hako's loader reads them too, with a located warning.
"""

from __future__ import annotations

import collections.abc
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.errors import format_yaml_error
from hako_py.loading.reading import MAX_OUTPUT_CHARS, read_limited
from hako_py.paths import display_path

MAX_INCLUDE_DEPTH = 32
MAX_YAML_VALUES = 1_000_000


class YamlError(Exception):
    """A YAML file failed to parse or include; ``str()`` is the located message."""


# Mappings whose values become strings (env values, Docker labels): a value YAML read as
# another type reaches the container as that type's text, which may not be what was written.
STRING_VALUED = frozenset({"env", "docker_labels"})
NOT_JSON_TAGS = {"tag:yaml.org,2002:set": ("!!set", "a list"), "tag:yaml.org,2002:omap": ("!!omap", "a mapping"),
                 "tag:yaml.org,2002:pairs": ("!!pairs", "a mapping")}


def _where(path: Path, node: yaml.Node) -> str:
    return f"{display_path(path)}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _read_as(value: Any) -> str:
    """What YAML made of a scalar, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime.date | datetime.datetime):
        return f"the date {value.isoformat()}"
    return f"a {type(value).__name__}"


def _as_string(value: Any) -> str | None:
    """The text hako passes for a scalar in an env/label value (render's ``_env_value``);
    None: left out (null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


@dataclass
class _Expansion:
    """What one definition's aliases, merges and includes expanded to so far."""

    values: int = 0
    chars: int = 0
    included: dict[Path, Any] = field(default_factory=dict)

    def add(self, count: int, path: Path) -> None:
        self.values += count
        if self.values > MAX_YAML_VALUES:
            raise YamlError(f"{display_path(path)}: YAML aliases and merges expand to more than "
                            f"{MAX_YAML_VALUES:,} values (hako's limit; an alias bomb?)")

    def add_text(self, text: str, path: Path) -> None:
        self.chars += len(text)
        if self.chars > MAX_OUTPUT_CHARS:
            raise YamlError(f"{display_path(path)}: YAML aliases and merges expand to more than "
                            f"{MAX_OUTPUT_CHARS // 2**20} MiB of text (hako's limit, as for a Jsonnet "
                            "definition's output; an alias bomb?)")


def load_yaml(path: Path, confinement: Confinement, warnings: list[str] | None = None) -> Any:
    """Parse *path*, resolving ``!include`` relative to the including file, as JSON-like data;
    what YAML silently changed is appended to *warnings* (located messages)."""
    expansion = _Expansion()
    data = _load(path, confinement, (), expansion, [] if warnings is None else warnings)
    return _jsonable(data, expansion, path)


def _load(path: Path, confinement: Confinement, stack: tuple[Path, ...], expansion: _Expansion,
          warnings: list[str]) -> Any:
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
            expansion.included[real] = _jsonable(_load(real, confinement, (*stack, path), expansion, warnings),
                                                 expansion, real)
        return expansion.included[real]

    class _Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
            """A mapping with merge keys applied as hako applies them (see :func:`_merge_in_order`)."""
            if not isinstance(node, yaml.MappingNode):
                return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]
            # Counted per construction, merged copies included: this bounds what merging
            # aliased mappings (each merge copies the merged keys) adds up to.
            expansion.add(len(node.value), path)
            return _merge_in_order(self, node, deep, included, path, warnings)

    def not_json(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        tag, instead = NOT_JSON_TAGS[str(node.tag)]
        raise YamlError(f"{_where(path, node)}: a {tag} is not JSON-like data (a definition holds mappings, lists, "
                        f"strings, numbers, booleans and null): write {instead}")

    _Loader.add_constructor("!include", lambda loader, node: included(node))
    for tag in NOT_JSON_TAGS:
        _Loader.add_constructor(tag, not_json)
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
    if isinstance(value, str):
        expansion.add_text(value, path)
        return value
    if isinstance(value, dict):
        expansion.add(len(value), path)
        return {_key(k, expansion, path): _jsonable(v, expansion, path) for k, v in value.items()}
    if isinstance(value, list):
        expansion.add(len(value), path)
        return [_jsonable(v, expansion, path) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _key(key: Any, expansion: _Expansion, path: Path) -> str:
    text = key if isinstance(key, str) else str(key)
    expansion.add_text(text, path)
    return text


MERGE_TAG = "tag:yaml.org,2002:merge"
# Where a `<<: !include` mapping is merged: a key no YAML text can spell.
_INCLUDED = object()


def _merge_in_order(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool, included: Any,
                    path: Path, warnings: list[str]) -> dict[Any, Any]:
    """The mapping of *node* built as hako 2.18 builds it, not as the YAML merge-key spec
    (and PyYAML) does, where keys written in the mapping always win over merged ones.

    hako's loader is Psych's (``lib/hako/yaml_loader.rb``): Psych merges ``<<: *alias`` (or
    a list of aliases, the earlier entries winning among themselves) into the mapping at the
    position of ``<<``, so a key written *before* it is overwritten and a key written after
    it overrides (psych ``ToRuby#revive_hash``); hako keeps ``<<: !include file.yml`` under
    the ``<<`` key (at its first position, with the last such value) and then rebuilds the
    mapping in key order, merging the included mapping at that position
    (``yaml_loader.rb:37-51``). So in both cases: the last writer wins and a key keeps the
    position where it first appeared (``spec/hako/yaml_loader_spec.rb:41-52``:
    ``bar: 3`` before ``<<: !include base.yml`` gives ``bar: 2``).
    """
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            if value_node.tag == "!include":
                data = included(value_node)
                if not isinstance(data, dict):
                    raise YamlError(f"{display_path(path)}:{value_node.start_mark.line + 1}: "
                                    "merged !include must be a mapping")
                mapping[_INCLUDED] = data
            else:
                mapping.update(_merged(loader, node, value_node))
            continue
        if key_node.tag == "tag:yaml.org,2002:value":  # the `=` key, as PyYAML's flatten_mapping reads it
            key_node.tag = "tag:yaml.org,2002:str"
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, collections.abc.Hashable):
            raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                    "found unhashable key", key_node.start_mark)
        if not isinstance(key, str):
            raise YamlError(_key_error(path, key_node, key))
        mapping[key] = loader.construct_object(value_node, deep=deep)
        if key in STRING_VALUED and isinstance(value_node, yaml.MappingNode):
            _warn_changed_values(loader, path, key, value_node, warnings)
    if _INCLUDED not in mapping:
        return mapping
    rebuilt: dict[Any, Any] = {}
    for key, value in mapping.items():
        if key is _INCLUDED:
            rebuilt.update(value)
        else:
            rebuilt[key] = value
    return rebuilt


def _key_error(path: Path, key_node: yaml.Node, key: Any) -> str:
    """Keys are names (env names, labels, fields): a key YAML read as another type is refused."""
    text = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
    if isinstance(text, str):
        version = " 1.1" if isinstance(key, bool) else ""
        return (f"{_where(path, key_node)}: key {text} is read as {_read_as(key)} by YAML{version}; "
                f"quote it ('{text}'): mapping keys must be strings")
    return f"{_where(path, key_node)}: mapping keys must be strings, not {_read_as(key)}"


def _warn_changed_values(loader: yaml.SafeLoader, path: Path, key: str, node: yaml.MappingNode,
                         warnings: list[str]) -> None:
    """Warn about plain scalars whose text hako passes differs from what was written."""
    for name_node, value_node in node.value:
        if not isinstance(value_node, yaml.ScalarNode) or value_node.style or value_node.tag == "tag:yaml.org,2002:str":
            continue  # quoted, or a string already
        if not isinstance(name_node, yaml.ScalarNode):
            continue
        value = loader.construct_object(value_node)
        passed = _as_string(value)
        if passed == value_node.value:
            continue
        result = "leaves it out" if passed is None else f'passes "{passed}"'
        warnings.append(f"{_where(path, value_node)}: {key} {name_node.value}: YAML reads {value_node.value} as "
                        f"{_read_as(value)}, so hako {result}; quote it ('{value_node.value}') to pass it as written")


def _merged(loader: yaml.SafeLoader, node: yaml.MappingNode, value_node: yaml.Node) -> dict[Any, Any]:
    """What ``<<: *alias`` or ``<<: [*a, *b]`` merges (earlier list entries win, as in Psych)."""
    if isinstance(value_node, yaml.MappingNode):
        return loader.construct_mapping(value_node, deep=True)
    if isinstance(value_node, yaml.SequenceNode):
        merged: dict[Any, Any] = {}
        for subnode in reversed(value_node.value):
            if not isinstance(subnode, yaml.MappingNode):
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        f"expected a mapping for merging, but found {subnode.id}",
                                                        subnode.start_mark)
            merged.update(loader.construct_mapping(subnode, deep=True))
        return merged
    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                            "expected a mapping or list of mappings for merging, but found "
                                            f"{getattr(value_node, 'id', 'a scalar')}", value_node.start_mark)
