"""Unified diffs of normalized ECS objects, with secret-looking env values masked."""

from __future__ import annotations

import copy
import difflib
import json
from typing import Any

from hako_py.checks.warnings import looks_secret

MASK = "<masked>"
MASK_CHANGED = "<masked, changed>"


def _env_maps(td: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for container in td.get("containerDefinitions") or []:
        for entry in container.get("environment") or []:
            found[(str(container.get("name")), str(entry.get("name")))] = entry
    return found


def mask_pair(left: dict[str, Any] | None, right: dict[str, Any] | None) -> tuple[Any, Any]:
    """Copies with secret-looking env values replaced; a changed value still shows as changed."""
    left_copy, right_copy = copy.deepcopy(left), copy.deepcopy(right)
    left_env = _env_maps(left_copy) if left_copy else {}
    right_env = _env_maps(right_copy) if right_copy else {}
    for key in set(left_env) | set(right_env):
        if not looks_secret(key[1]):
            continue
        old, new = left_env.get(key), right_env.get(key)
        if old is not None and new is not None and old.get("value") != new.get("value"):
            old["value"], new["value"] = MASK, MASK_CHANGED
            continue
        for entry in (old, new):
            if entry is not None:
                entry["value"] = MASK
    return left_copy, right_copy


def dump(value: Any) -> list[str]:
    if value is None:
        return []
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").splitlines(keepends=True)


def unified(left: Any, right: Any, left_label: str, right_label: str) -> str:
    return "".join(difflib.unified_diff(dump(left), dump(right), left_label, right_label))


def colorize(diff: str) -> str:
    """ANSI colours for a terminal: red removals, green additions, cyan hunk headers."""
    lines = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            lines.append(f"\033[1m{line.rstrip()}\033[0m\n")
        elif line.startswith("+"):
            lines.append(f"\033[32m{line.rstrip()}\033[0m\n")
        elif line.startswith("-"):
            lines.append(f"\033[31m{line.rstrip()}\033[0m\n")
        elif line.startswith("@@"):
            lines.append(f"\033[36m{line.rstrip()}\033[0m\n")
        else:
            lines.append(line)
    return "".join(lines)
