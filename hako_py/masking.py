"""Hide secret values in what hako prints: rendered requests, definitions, diffs, reports.

A value is hidden when the name it is stored under looks secret (``DB_PASSWORD``) or when
the value itself is shaped like a credential (``postgres://app:pw@db/x``, ``AKIA...``,
``ghp_...``); see :mod:`hako_py.secret_detection`. Names are looked at in two forms, both
found anywhere in the structure: ``{name: N, value: V}`` pairs (the ECS ``environment``
list, container overrides) and mappings (``env``, log driver ``options``, labels). Real
secrets belong in ``secrets``, whose values hako never prints; this catches the ones that
were put somewhere else anyway. Commands print them only when asked (``--reveal-secrets``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hako_py.secret_detection import secret_entry

MASK = "<masked>"
MASK_CHANGED = "<masked, changed>"  # in diffs: hidden, but different on the two sides

# A path step: a mapping key, a list index, or ("name", N) for the list item named N, so
# that the same environment entry is found on both sides of a diff whatever its position.
Step = str | int | tuple[str, str]
Path = tuple[Step, ...]


def _named(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return str(item["name"])
    return None


def secret_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """The paths of every string in *value* that must be hidden."""
    if isinstance(value, dict):
        # In a {name, value} pair the value is judged by the pair's name, elsewhere by its key.
        pair_name = _named(value) or ""
        for key, item in value.items():
            if isinstance(item, dict | list):
                yield from secret_paths(item, (*path, key))
            elif secret_entry(pair_name if key == "value" else str(key), item):
                yield (*path, key)
    elif isinstance(value, list):
        names = [_named(item) for item in value]
        unique = len(set(names)) == len(names) and None not in names
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                step: Step = ("name", str(names[index])) if unique else index
                yield from secret_paths(item, (*path, step))
            elif isinstance(item, str) and secret_entry("", item):
                yield (*path, index)


def _slot(value: Any, path: Path) -> tuple[Any, str | int] | None:
    """The container holding the element at *path* and its key or index there, or None when
    that element does not exist (the other side of a diff may lack it)."""
    for step in path[:-1]:
        value = _step(value, step)
    last = path[-1]
    if isinstance(last, str) and isinstance(value, dict) and last in value:
        return value, last
    if isinstance(last, int) and isinstance(value, list) and last < len(value):
        return value, last
    return None


def _step(value: Any, step: Step) -> Any:
    if isinstance(step, tuple):
        if isinstance(value, list):
            return next((item for item in value if _named(item) == step[1]), None)
        return None
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and step < len(value) else None
    return value.get(step) if isinstance(value, dict) else None


def _get(value: Any, path: Path) -> tuple[bool, Any]:
    slot = _slot(value, path)
    return (True, slot[0][slot[1]]) if slot else (False, None)


def _set(value: Any, path: Path, replacement: str) -> None:
    slot = _slot(value, path)
    if slot:
        slot[0][slot[1]] = replacement


def mask(value: Any) -> Any:
    """A copy of *value* with every secret string replaced by ``<masked>`` (no copy when
    nothing needs hiding)."""
    paths = list(secret_paths(value))
    if not paths:
        return value
    result = copy.deepcopy(value)
    for path in paths:
        _set(result, path, MASK)
    return result


def mask_pair(left: Any, right: Any) -> tuple[Any, Any]:
    """Copies of both sides of a diff with secrets hidden; a changed secret still shows as
    changed (``<masked>`` → ``<masked, changed>``) without showing either value."""
    paths = {*secret_paths(left), *secret_paths(right)}
    if not paths:
        return left, right  # nothing to hide: no copy (PR review compares thousands of these)
    left_copy, right_copy = copy.deepcopy(left), copy.deepcopy(right)
    for path in paths:
        had_left, old = _get(left, path)
        had_right, new = _get(right, path)
        if had_left and had_right and old != new:
            _set(left_copy, path, MASK)
            _set(right_copy, path, MASK_CHANGED)
            continue
        _set(left_copy, path, MASK)
        _set(right_copy, path, MASK)
    return left_copy, right_copy


def mask_requests(rendered: dict[str, Any]) -> dict[str, Any]:
    """Rendered requests (or one request) with secrets hidden."""
    result: dict[str, Any] = mask(rendered)
    return result


def mask_definition(data: dict[str, Any]) -> dict[str, Any]:
    """An evaluated definition with secrets hidden (``env`` maps, ``environment`` lists,
    log options, anything credential-shaped)."""
    result: dict[str, Any] = mask(data)
    return result
