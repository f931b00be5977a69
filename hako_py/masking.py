"""Hide the values of secret-looking environment entries in what hako prints.

A value is hidden when its variable's name looks secret (``looks_secret``: TOKEN,
PASSWORD, API_KEY, ...). Real secrets belong in ``secrets`` (only their ARNs are ever
printed); this catches the ones that were put in ``env`` anyway. Commands print them only
when asked (``--reveal-secrets``).
"""

from __future__ import annotations

import copy
from typing import Any

from hako_py.checks.warnings import looks_secret

MASK = "<masked>"
MASK_CHANGED = "<masked, changed>"  # in diffs: hidden, but different on the two sides


def _mask_pairs(entries: Any) -> None:
    for entry in entries or []:
        if isinstance(entry, dict) and looks_secret(str(entry.get("name", ""))) and "value" in entry:
            entry["value"] = MASK


def mask_requests(rendered: dict[str, Any]) -> dict[str, Any]:
    """A copy of rendered requests (or one request) with secret-looking env values hidden."""
    result = copy.deepcopy(rendered)
    for td in (result.get("taskDefinition"), result):
        if isinstance(td, dict):
            for container in td.get("containerDefinitions") or []:
                _mask_pairs(container.get("environment"))
    overrides = (result.get("runTask") or result).get("overrides") if isinstance(result, dict) else None
    for container in (overrides or {}).get("containerOverrides") or []:
        _mask_pairs(container.get("environment"))
    return result


def mask_definition(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an evaluated definition with secret-looking ``env`` values hidden."""
    result = copy.deepcopy(data)
    containers = [result.get("app"), *(result.get("sidecars") or {}).values()]
    for container in containers:
        env = container.get("env") if isinstance(container, dict) else None
        if isinstance(env, dict):
            for name in env:
                if looks_secret(str(name)):
                    env[name] = MASK
    return result


def mask_pairs(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    """NAME=VALUE pairs (e.g. --env overrides) with secret-looking values hidden."""
    return [(name, MASK if looks_secret(name) else value) for name, value in pairs]
