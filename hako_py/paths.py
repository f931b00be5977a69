"""Helpers for showing and naming paths the way users typed them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JSONNET_SUFFIXES = (".jsonnet", ".json")
YAML_SUFFIXES = (".yml", ".yaml")
DEFINITION_SUFFIXES = JSONNET_SUFFIXES + YAML_SUFFIXES
#: what a folder's definitions are, for messages: .json too, as hako 2.18 loads a .json
#: definition as Jsonnet (Hako::Application: ``when '.jsonnet', '.json'``)
DEFINITION_PATTERNS = ", ".join(f"*{suffix}" for suffix in DEFINITION_SUFFIXES)


def display_path(path: str | os.PathLike[str]) -> str:
    """Return *path* relative to the working directory when it lies below it."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    try:
        rel = os.path.relpath(text)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel


def app_id_for(path: str | os.PathLike[str]) -> str:
    """The app id is the definition file's base name without its extension (hako's rule)."""
    return Path(path).stem


def app_id_clashes(files: Iterable[str]) -> dict[str, str]:
    """Each of *files* whose app id another of them also has, with the error to report: such a
    file names the other's live service (``apps/b.yml`` beside ``apps/b.jsonnet`` deploys ``b``),
    so a pull request adding it would replace that service while its review showed a new app."""
    by_id: dict[str, list[str]] = {}
    for file in sorted(set(files)):
        by_id.setdefault(app_id_for(file), []).append(file)
    return {file: (f"{file}: app id {app_id!r} is also defined by "
                   f"{', '.join(other for other in same if other != file)}: several definitions would deploy the "
                   "same service (an app id is the file's base name)")
            for app_id, same in by_id.items() if len(same) > 1 for file in same}


def join_path(parent: str, key: str | int) -> str:
    """Append a key or index to a dotted definition path (``app.env["X-Y"]``, ``a[0]``)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}" if parent else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{parent}["{quoted}"]'


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; for a folder, the definitions directly inside it (not libraries)."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if os.path.isfile(full) and name.lower().endswith(DEFINITION_SUFFIXES) and not name.startswith("."):
                    files.append(full)
        else:
            files.append(path)
    return files
