"""The definition repository: where its root is and what ``hako.toml`` says.

The root matters for security: imports are confined to it, because rendered output
is posted in public pull-request comments and must never contain files from outside.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hako_py.errors import HakoError

CONFIG_NAME = "hako.toml"
DEFAULT_PARAMETER_PREFIX = "/hako/{app_id}/"
DEFAULT_APPS_DIR = "apps"

_KNOWN_KEYS = {"region", "account_id", "parameter_prefix", "apps", "partition"}


@dataclass(frozen=True)
class RepoConfig:
    """Settings shared by every definition of a repository (``hako.toml``)."""

    root: Path
    region: str | None = None
    account_id: str | None = None
    partition: str = "aws"
    parameter_prefix: str = DEFAULT_PARAMETER_PREFIX
    apps: str = DEFAULT_APPS_DIR
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def for_app(self, app_id: str) -> dict[str, Any]:
        """The object Jsonnet code sees as ``std.extVar('hako')``."""
        prefix = self.parameter_prefix.replace("{app_id}", app_id).replace("{appId}", app_id)
        return {
            "app_id": app_id,
            "region": self.region,
            "account_id": self.account_id,
            "partition": self.partition,
            "parameter_prefix": prefix,
            **self.extra,
        }


def find_root(start: Path) -> Path:
    """The nearest folder at or above *start* holding ``hako.toml`` or ``.git``.

    Falls back to *start* itself, so a lone definition file is confined to its own folder.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / ".git").exists():
            return folder
    return start


def load_config(root: Path) -> RepoConfig:
    """Read ``hako.toml`` at *root*; a missing file means all defaults."""
    from hako_py.loading.confinement import ImportRefused
    from hako_py.loading.reading import read_limited_text

    path = root / CONFIG_NAME
    if not path.is_file():
        return RepoConfig(root=root)
    try:
        raw = tomllib.loads(read_limited_text(path))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HakoError(f"{path}: invalid TOML: {exc}") from None
    except ImportRefused as exc:
        raise HakoError(str(exc)) from None
    except OSError as exc:
        raise HakoError(f"{path}: {exc.strerror}") from None
    table = raw.get("hako", raw)
    if not isinstance(table, dict):
        raise HakoError(f"{path}: [hako] must be a table")
    values: dict[str, Any] = {}
    for key in ("region", "account_id", "parameter_prefix", "apps", "partition"):
        if key in table:
            value = table[key]
            if key == "account_id" and isinstance(value, int):
                value = f"{value:012d}"
            if not isinstance(value, str):
                raise HakoError(f"{path}: {key}: must be a string")
            values[key] = value
    extra = {k: v for k, v in table.items() if k not in _KNOWN_KEYS}
    return RepoConfig(root=root, source=path, extra=extra, **values)
