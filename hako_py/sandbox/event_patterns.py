"""EventBridge event patterns and input transformers, as the sandbox evaluates them. Pure.

moto matches patterns itself but not into arrays of objects (``containers.exitCode`` never
matches an event whose ``containers`` is a list: scheduler NOTES.md §5), which is exactly what
a rule on failed ECS tasks needs. This follows EventBridge's documented semantics for the
operators it implements:

- a pattern is the event's shape; each leaf is a list of conditions, any of which may match
  (eb-event-patterns.html); fields the pattern does not name are ignored;
- "If the value in the event is an array, then the event pattern matches if the intersection
  of the event pattern array and the event array is non-empty" (eb-event-patterns-arrays.html):
  values are collected through arrays, also arrays of objects, and one matching value is enough;
- conditions (content-filtering-with-event-patterns.html): a literal (string, number, boolean,
  null; numbers equal as numbers), ``prefix``, ``suffix``, ``equals-ignore-case``,
  ``anything-but`` (a literal, a list of them, or a ``prefix``/``suffix``), ``numeric``
  (``["<", 5, ">=", 0]``), ``exists``. A field that is missing matches only ``exists: false``.

Input transformers (API InputTransformer; eb-transform-target-input.html): ``InputPathsMap``
names JSON paths (``$.detail.group``, array indices ``$.detail.containers[0]``), and each
``<name>`` of ``InputTemplate`` is replaced by the value: as JSON outside a string, as text
inside one ("valid JSON with variables in quotes or out"). A path that is not there gives
``null`` (outside a string) or nothing (inside).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

_MISSING = object()
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, leaf value) of every leaf, arrays flattened into their field's path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value


def _present(event: Any, path: tuple[str, ...]) -> bool:
    """Whether the field exists (through arrays: in any element)."""
    if not path:
        return True
    if isinstance(event, list):
        return any(_present(item, path) for item in event)
    return isinstance(event, dict) and path[0] in event and _present(event[path[0]], path[1:])


def _conditions(pattern: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], list[Any]]]:
    for key, item in pattern.items():
        if isinstance(item, dict):
            yield from _conditions(item, (*path, str(key)))
        else:
            yield (*path, str(key)), list(item) if isinstance(item, list) else [item]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and expected == value
    a, b = _number(expected), _number(value)
    if a is not None or b is not None:
        return a is not None and b is not None and a == b
    return bool(expected == value)


def _string_rule(rule: dict[str, Any], value: Any) -> bool | None:
    """prefix / suffix / equals-ignore-case on a string value; None: not one of them."""
    for name, test in (("prefix", str.startswith), ("suffix", str.endswith)):
        if name in rule:
            return isinstance(value, str) and isinstance(rule[name], str) and test(value, rule[name])
    if "equals-ignore-case" in rule:
        wanted = rule["equals-ignore-case"]
        return isinstance(value, str) and isinstance(wanted, str) and value.casefold() == wanted.casefold()
    return None


def _numeric(bounds: list[Any], value: Any) -> bool:
    number = _number(value)
    if number is None or len(bounds) % 2:
        return False
    for index in range(0, len(bounds), 2):
        compare, limit = _NUMERIC.get(str(bounds[index])), _number(bounds[index + 1])
        if compare is None or limit is None or not compare(number, limit):
            return False
    return True


def _matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return _equal(condition, value)
    found = _string_rule(condition, value)
    if found is not None:
        return found
    if "anything-but" in condition:
        excluded = condition["anything-but"]
        if isinstance(excluded, dict):
            return _string_rule(excluded, value) is False
        return not any(_equal(e, value) for e in (excluded if isinstance(excluded, list) else [excluded]))
    if "numeric" in condition:
        return isinstance(condition["numeric"], list) and _numeric(condition["numeric"], value)
    return False


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether *event* matches *pattern* (every field of the pattern; any value, any condition)."""
    values: dict[tuple[str, ...], list[Any]] = {}
    for path, value in _leaves(event):
        values.setdefault(path, []).append(value)
    for path, conditions in _conditions(pattern):
        exists = [c["exists"] for c in conditions if isinstance(c, dict) and "exists" in c]
        if exists and any(bool(e) == _present(event, path) for e in exists):
            continue
        found = values.get(path, [])
        if not any(_matches(c, v) for c in conditions if not (isinstance(c, dict) and "exists" in c)
                   for v in found):
            return False
    return True


def json_path(document: Any, path: str) -> Any:
    """The value at a simple JSON path (``$``, ``$.a.b``, ``$.a[0].b``), or _MISSING."""
    if path == "$":
        return document
    if not path.startswith("$."):
        return _MISSING
    value = document
    for name, index in _PATH_PART.findall(path[2:]):
        if name:
            if not isinstance(value, dict) or name not in value:
                return _MISSING
            value = value[name]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
    return value


def transform(transformer: dict[str, Any], event: dict[str, Any]) -> str:
    """The text an input transformer makes of *event*."""
    values = {name: json_path(event, str(path)) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    template = str(transformer.get("InputTemplate") or "")
    result: list[str] = []
    in_string, escaped, index = False, False, 0
    while index < len(template):
        char = template[index]
        found = _PLACEHOLDER.match(template, index) if char == "<" else None
        if found is not None and found.group(1) in values:
            value = values[found.group(1)]
            if in_string:
                result.append("" if value is _MISSING else json.dumps(value)[1:-1] if isinstance(value, str)
                              else json.dumps(value))
            else:
                result.append("null" if value is _MISSING else json.dumps(value))
            index = found.end()
            continue
        if in_string and escaped:
            escaped = False
        elif in_string and char == "\\":
            escaped = True
        elif char == '"':
            in_string = not in_string
        result.append(char)
        index += 1
    return "".join(result)
