"""Hide secret values in what hako prints: rendered requests, definitions, diffs, reports.

Three ways a string is recognised as (holding) a secret, see :mod:`hako_py.secret_detection`:

- by the name it is stored under (``DB_PASSWORD``): in ``{name, value}`` and ``{key,
  value}`` pairs (the ECS ``environment`` list, tags, overrides) and as a mapping key
  (``env``, log driver ``options``, labels); the whole value is hidden, and in such a data
  mapping a list or object under a secret-looking key is hidden whole too;
- by its own shape (``postgres://app:pw@db``, ``AKIA...``, ``ghp_...``): only the matching
  part is hidden (``postgres://<masked>@db``), so hiding a token cannot hide what a command
  around it does;
- as the value of a command-line flag naming a secret (``--password X``, ``--token=X``), or
  a credential passed as a word of its own (``curl -u user:pw``, ``mysql -pPW``).

Real secrets belong in ``secrets``, whose values hako never prints; this catches the ones
that were put somewhere else anyway. Commands print them only when asked
(``--reveal-secrets``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hako_py.credential_shapes import secret_arguments
from hako_py.redaction import fragment_spans, holds_secret
from hako_py.secret_detection import (
    SECRET_FLAG,
    hide_shapes,
    hide_spans,
    looks_secret,
    secret_entry,
    shape_parts,
    shape_spans,
)

MASK = "<masked>"
MASK_CHANGED = "<masked, changed>"  # in diffs: hidden, but different on the two sides

# Mappings whose keys are chosen by the user (so a key can name a secret), in both the
# definition's and the API's spelling.
DATA_MAPS = frozenset({"env", "environment", "docker_labels", "dockerLabels", "options", "tags", "labels",
                       "driver_opts", "driverOpts"})
# Fields that hold a pair's label, never a secret however they read.
LABELS = frozenset({"name", "key"})

# A path step: a mapping key, a list index, or ("name", N) for the list item named N, so
# that the same environment entry is found on both sides of a diff whatever its position.
Step = str | int | tuple[str, str]
Path = tuple[Step, ...]
WHOLE, SHAPES, AFTER_EQUALS = "whole", "shapes", "after="


def _named(item: Any) -> str | None:
    if isinstance(item, dict):
        for label in ("name", "key"):
            if isinstance(item.get(label), str):
                return str(item[label])
    return None


def secret_paths(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, how) of every string in *value* that must be (partly) hidden."""
    if isinstance(value, dict):
        pair_name = _named(value) or ""
        in_data_map = bool(path) and path[-1] in DATA_MAPS
        for key, item in value.items():
            if isinstance(item, dict | list):
                if in_data_map and looks_secret(str(key)):
                    yield (*path, key), WHOLE
                else:
                    yield from secret_paths(item, (*path, key))
                continue
            how = _string_rule(pair_name if key == "value" else ("" if key in LABELS else str(key)), item)
            if how:
                yield (*path, key), how
    elif isinstance(value, list):
        names = [_named(item) for item in value]
        unique = len(set(names)) == len(names) and None not in names
        flag_before = False
        arguments = secret_arguments(value)  # curl -u user:pw, mysql -pPW as separate words
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                step: Step = ("name", str(names[index])) if unique else index
                yield from secret_paths(item, (*path, step))
            elif isinstance(item, str):
                flag = SECRET_FLAG.match(item)
                if flag_before or index in arguments:
                    yield (*path, index), WHOLE
                elif flag and flag.group("value"):
                    yield (*path, index), AFTER_EQUALS
                else:
                    how = _string_rule("", item)
                    if how:
                        yield (*path, index), how
                flag_before = flag is not None and not flag.group("value")
                continue
            flag_before = False


def _string_rule(name: str, value: Any) -> str | None:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    if not secret_entry(name, value):
        return SHAPES if holds_secret(str(value)) else None
    return WHOLE if name and looks_secret(name) else SHAPES


def hidden(value: Any, how: str, mask: str = MASK) -> Any:
    """*value* with its secret part replaced by *mask*, as *how* says."""
    text = str(value)
    if how == SHAPES:  # the credential-shaped parts, and secrets handed in (--ext-str DB_PASSWORD=...)
        return hide_spans(text, shape_spans(text) + fragment_spans(text), mask) if holds_secret(text) else \
            hide_shapes(text, mask)
    if how == AFTER_EQUALS:
        return text.partition("=")[0] + "=" + mask
    return mask


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


def _replace(value: Any, path: Path, how: str, mask: str) -> None:
    slot = _slot(value, path)
    if slot:
        slot[0][slot[1]] = hidden(slot[0][slot[1]], how, mask)


def mask(value: Any) -> Any:
    """A copy of *value* with every secret hidden (no copy when nothing needs hiding)."""
    paths = list(secret_paths(value))
    if not paths:
        return value
    result = copy.deepcopy(value)
    for path, how in paths:
        _replace(result, path, how, MASK)
    return result


def mask_pair(left: Any, right: Any) -> tuple[Any, Any]:
    """Copies of both sides of a diff with secrets hidden; a changed secret still shows as
    changed (``<masked>`` → ``<masked, changed>``) without showing either value."""
    rules: dict[Path, str] = {}
    for side in (left, right):
        for path, how in secret_paths(side):
            rules[path] = WHOLE if WHOLE in (how, rules.get(path)) else how
    if not rules:
        return left, right  # nothing to hide: no copy (PR review compares thousands of these)
    left_copy, right_copy = copy.deepcopy(left), copy.deepcopy(right)
    for path, how in rules.items():
        had_left, old = _get(left, path)
        had_right, new = _get(right, path)
        changed = had_left and had_right and old != new
        _replace(left_copy, path, how, MASK)
        _replace(right_copy, path, how, MASK_CHANGED if changed else MASK)
    return left_copy, right_copy


# Values hidden in output but not worth hiding in error texts: they are no secrets, and
# hiding them would garble messages such as "must be a boolean, got true".
_PLAIN_WORDS = frozenset({"true", "false", "null", "none"})


def secret_values(value: Any) -> Iterator[str]:
    """Every text :func:`mask` hides in *value* (a whole value, or the credential part of a
    shaped one), for :func:`hako_py.redaction.remember`: an error or warning about the
    definition must not print what its rendering hides (``app.cpu: must be an integer, got
    "hunter2"`` when ``hunter2`` is also ``DB_PASSWORD``)."""
    for path, how in secret_paths(value):
        found, item = _get(value, path)
        if not found or isinstance(item, dict | list):
            continue
        text = str(item)
        if how == WHOLE:
            if text.lower() not in _PLAIN_WORDS:
                yield text
        elif how == AFTER_EQUALS:
            yield text.partition("=")[2]
        else:
            yield from shape_parts(text)


def mask_requests(rendered: dict[str, Any]) -> dict[str, Any]:
    """Rendered requests (or one request) with secrets hidden, also in a schedule's Target.Input
    (RunTask overrides as a JSON text: env pairs inside it are hidden like any other)."""
    result: dict[str, Any] = mask(rendered)
    schedules = result.get("schedules")
    if isinstance(schedules, dict):
        result = {**result, "schedules": {name: _masked_input(request) for name, request in schedules.items()}}
    return result


def _masked_input(request: Any) -> Any:
    import json

    target = request.get("Target") if isinstance(request, dict) else None
    text = target.get("Input") if isinstance(target, dict) else None
    if not isinstance(target, dict) or not isinstance(text, str):
        return request
    try:
        parsed = json.loads(text)
    except ValueError:
        return request
    hidden_input = mask(parsed)
    if hidden_input is parsed:
        return request
    masked_text = json.dumps(hidden_input, sort_keys=True, separators=(",", ":"))
    return {**request, "Target": {**target, "Input": masked_text}}


def mask_definition(data: dict[str, Any]) -> dict[str, Any]:
    """An evaluated definition with secrets hidden (``env`` maps, ``environment`` lists,
    log options, command flags, anything credential-shaped)."""
    result: dict[str, Any] = mask(data)
    return result
