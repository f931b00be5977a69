"""Load YAML definitions, with the original hako's ``!include relative.yml`` tag."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import yaml

from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.errors import format_yaml_error
from hako_py.loading.reading import read_limited

MAX_INCLUDE_DEPTH = 32


class YamlError(Exception):
    """A YAML file failed to parse or include; ``str()`` is the located message."""


def load_yaml(path: Path, confinement: Confinement, _stack: tuple[Path, ...] = ()) -> Any:
    """Parse *path*, resolving ``!include`` relative to the including file."""
    if len(_stack) > MAX_INCLUDE_DEPTH:
        raise YamlError(f"{path}: !include nested deeper than {MAX_INCLUDE_DEPTH}")
    if path in _stack:
        raise YamlError(f"{path}: !include cycle: {' -> '.join(str(p) for p in (*_stack, path))}")

    def resolve(node: yaml.Node) -> Path:
        rel = node.value if isinstance(node, yaml.ScalarNode) else None
        where = f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
        if not isinstance(rel, str) or not rel:
            raise YamlError(f"{where}: !include needs a relative file name")
        try:
            real = confinement.check(os.path.join(path.parent, rel), rel)
        except ImportRefused as exc:
            raise YamlError(f"{where}: {exc}") from None
        if not real.exists() or real.is_dir():
            raise YamlError(f"{where}: !include {rel}: no such file")
        confinement.record(real)
        return real

    class _Loader(yaml.SafeLoader):
        def flatten_mapping(self, node: yaml.MappingNode) -> None:
            # `<<: !include base.yml` merges an included mapping, as hako's YAML allowed.
            for index, (key_node, value_node) in enumerate(node.value):
                if key_node.tag == "tag:yaml.org,2002:merge" and value_node.tag == "!include":
                    data = load_yaml(resolve(value_node), confinement, (*_stack, path))
                    if not isinstance(data, dict):
                        raise YamlError(f"{path}:{value_node.start_mark.line + 1}: merged !include must be a mapping")
                    replacement = yaml.SafeDumper(None).represent_data(data)  # type: ignore[arg-type]
                    node.value[index] = (key_node, replacement)
            super().flatten_mapping(node)

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        return load_yaml(resolve(node), confinement, (*_stack, path))

    _Loader.add_constructor("!include", include)
    try:
        text = read_limited(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except ImportRefused as exc:
        raise YamlError(str(exc)) from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return _jsonable(yaml.load(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise YamlError(format_yaml_error(str(path), exc)) from None
    except RecursionError:
        raise YamlError(f"{path}: nested too deeply") from None


def _jsonable(value: Any) -> Any:
    """Make YAML's extra types JSON-like: string keys, dates as ISO strings."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
