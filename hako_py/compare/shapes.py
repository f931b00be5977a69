"""Compare what a definition asks for with what AWS reports, field by field, by a schema.

A live ECS object carries more than the request that made it: defaults ECS filled in
(``essential: true``, ``enableFaultInjection: false``, ``strategy: ROLLING``), fields of
features the request never used, and fields AWS adds next year. Comparing the two objects
whole therefore reports differences that are not changes, and every such phantom makes a
deploy register a revision or restart a service.

The rule here: a field is compared when the definition sets it, or when it is *known* —
listed in a :class:`Struct` with the value ECS means when it is left out (its default).
A field the definition leaves out and hako does not know (a new AWS field) is ignored on
the live side, so it can never cause a diff. Known fields equal to their default on both
sides are left out of the views, so diffs show what matters.

:func:`pair` returns the two comparable *views*; the objects are equal exactly when the
views are, and a unified diff of the views shows the difference.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class _Absent:
    """A field that is not there (distinct from an explicit ``null``)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Items:
    """A list: ordered (``key`` None), matched by ``key`` members, or an unordered ``set``."""

    item: Struct | None = None
    key: tuple[str, ...] | None = None
    set: bool = False


@dataclass(frozen=True)
class Field:
    """A known field: what ECS means when it is left out, its nested shape, and how its
    values are put in one form (``canonical``) before comparing."""

    default: Any = ABSENT
    shape: Struct | Items | None = None
    canonical: Callable[[Any], Any] | None = None
    source: str = ""


@dataclass(frozen=True)
class Struct:
    """An object whose known fields are listed; unknown fields count only when desired."""

    fields: Mapping[str, Field] = field(default_factory=dict)


PLAIN = Field()


def is_empty(value: Any) -> bool:
    """Left out, as ECS sees it: ECS drops empty strings too (botocore's RegisterTaskDefinition
    example sends ``taskRoleArn: ""`` and the described revision has none)."""
    return value is ABSENT or value is None or value == "" or value == [] or value == {}


def plain(value: Any) -> Any:
    """A JSON-like value in one form: timestamps as ISO strings, empties dropped from objects."""
    if isinstance(value, dict):
        # empties dropped after their own empties are: {capabilities: {add: [], drop: []}} is {}
        cleaned = {str(k): plain(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if not is_empty(v)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def copied(value: Any) -> Any:
    """A deep copy of a request or a described object before it is prepared (prepared in
    place): what ``copy.deepcopy`` gives, walked directly through the dicts and lists such
    objects are made of, several times faster (PR review prepares every render); anything
    else (a timestamp of a described object) is deep-copied as before. Unlike deepcopy, an
    object reached twice is copied twice: preparing changes each copy alike."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)


def pair(desired: Any, live: Any, shape: Struct | Items | None) -> tuple[Any, Any]:
    """The comparable views of *desired* and *live* under *shape* (ABSENT when missing)."""
    if isinstance(shape, Struct) and _is_object(desired) and _is_object(live):
        return _pair_struct(desired, live, shape)
    if isinstance(shape, Items) and _is_list(desired) and _is_list(live):
        return _pair_items(list(desired or []), list(live or []), shape)
    return plain(desired), plain(live)


def defaults_of(shape: Struct | Items | None, *, complete: bool = False) -> Any:
    """What ECS means by an object of *shape* left out entirely (ABSENT when nothing).

    ``complete``: as a request would send it, empty lists included (an UpdateService that
    puts a structure back to its defaults must send its required members, e.g. the
    ``alarmNames: []`` of deployment alarms, or botocore refuses it)."""
    if not isinstance(shape, Struct):
        return ABSENT
    result = {}
    for name, known in shape.fields.items():
        value = known.default if known.default is not ABSENT else defaults_of(known.shape, complete=complete)
        if value is not ABSENT and (complete or not is_empty(value)):
            result[name] = value
    return result or ABSENT


def view(value: Any, shape: Struct | Items | None) -> Any:
    """The canonical view of one object (both sides of a review are desired objects): what
    ``pair(value, value, shape)[0]`` is, worked out for one side instead of two equal ones
    (PR review normalizes every render; this halves that). The two are the same because
    pairing an object with itself pairs every field and item with itself, except in a keyed
    list holding two items of one key, where :func:`_pair_items` pairs the first with the
    last: such an object is paired the long way."""
    try:
        return _view(value, shape)
    except _SharedKey:
        return pair(value, value, shape)[0]


class _SharedKey(Exception):
    """A keyed list has two items of one key (see :func:`view`)."""


def _view(value: Any, shape: Struct | Items | None) -> Any:
    if isinstance(shape, Struct) and _is_object(value):
        return _view_struct(value, shape)
    if isinstance(shape, Items) and _is_list(value):
        return _view_items(list(value or []), shape)
    return plain(value)


def _view_struct(value: Any, shape: Struct) -> Any:
    """:func:`_pair_struct` of *value* with itself: a field is left out when empty or its default."""
    mapping = value if isinstance(value, dict) else {}
    result: dict[str, Any] = {}
    for name in sorted(set(mapping) | set(shape.fields)):
        known = shape.fields.get(name, PLAIN)
        member = mapping.get(name, known.default)
        if known.canonical is not None:
            member = known.canonical(member)
        member = _view(member, known.shape)
        if not (is_empty(member) or member == known.default):
            result[name] = member
    return result if value is not ABSENT or result else ABSENT


def _view_items(items: list[Any], shape: Items) -> list[Any]:
    """:func:`_pair_items` of *items* with themselves."""
    if shape.set:
        return sorted(map(plain, items), key=repr)
    if shape.key is None:
        return [_view(item, shape.item) for item in items]
    key = shape.key
    if len({_key_of(item, key, shape.item) for item in items}) != len(items):
        raise _SharedKey
    return sorted((_view(item, shape.item) for item in items), key=lambda item: _key_of(item, key, shape.item))


def _is_object(value: Any) -> bool:
    return value is ABSENT or value is None or isinstance(value, dict)


def _is_list(value: Any) -> bool:
    return value is ABSENT or value is None or isinstance(value, list)


def _pair_struct(desired: Any, live: Any, shape: Struct) -> tuple[Any, Any]:
    desired_map = desired if isinstance(desired, dict) else {}
    live_map = live if isinstance(live, dict) else {}
    desired_view: dict[str, Any] = {}
    live_view: dict[str, Any] = {}
    for name in sorted(set(desired_map) | set(shape.fields)):
        known = shape.fields.get(name, PLAIN)
        left = desired_map.get(name, known.default)
        right = live_map.get(name, known.default)
        if known.canonical is not None:
            left, right = known.canonical(left), known.canonical(right)
        left, right = pair(left, right, known.shape)
        if left == right and (is_empty(left) or left == known.default):
            continue  # the same default on both sides: nothing to show
        if not is_empty(left):
            desired_view[name] = left
        if not is_empty(right):
            live_view[name] = right
    return (desired_view if desired is not ABSENT or desired_view else ABSENT,
            live_view if live is not ABSENT or live_view else ABSENT)


def _key_of(item: Any, key: tuple[str, ...], shape: Struct | None = None) -> str:
    """The identity of a list item: its key members, defaults filled (a port mapping without
    ``protocol`` is the same mapping as one with ``protocol: tcp``)."""
    if not isinstance(item, dict):
        return repr(item)
    parts = []
    for name in key:
        known = shape.fields.get(name, PLAIN) if shape else PLAIN
        value = item.get(name, known.default)
        if known.canonical is not None:
            value = known.canonical(value)
        parts.append("" if value is ABSENT or value is None else str(value))
    return "\0".join(parts)


def _pair_items(desired: list[Any], live: list[Any], shape: Items) -> tuple[list[Any], list[Any]]:
    if shape.set:
        return sorted(map(plain, desired), key=repr), sorted(map(plain, live), key=repr)
    if shape.key is None:
        pairs = [pair(d, lv, shape.item) for d, lv in zip(desired, live, strict=False)]
        desired_view = [p[0] for p in pairs] + [view(d, shape.item) for d in desired[len(live):]]
        live_view = [p[1] for p in pairs] + [view(lv, shape.item) for lv in live[len(desired):]]
        return desired_view, live_view
    live_by_key = {_key_of(item, shape.key, shape.item): item for item in live}
    desired_view, live_view = [], []
    for item in desired:
        key = _key_of(item, shape.key, shape.item)
        if key in live_by_key:
            left, right = pair(item, live_by_key.pop(key), shape.item)
            desired_view.append(left)
            live_view.append(right)
        else:
            desired_view.append(view(item, shape.item))
    live_view.extend(view(item, shape.item) for item in live_by_key.values())
    def order(item: Any) -> str:
        return _key_of(item, shape.key or (), shape.item)

    return sorted(desired_view, key=order), sorted(live_view, key=order)
