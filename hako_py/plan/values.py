"""Values a plan knows only once an earlier instruction ran, and their resolution.

Only :class:`Ref` objects (and values built from them) are replaced: a string is never
taken for a reference, whatever it looks like.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hako_py.errors import HakoError


class MissingRef(HakoError):
    """A ref whose value no earlier instruction produced (a planner bug, or a failed lookup)."""


@dataclass(frozen=True)
class Ref:
    """The output an earlier instruction names (``Output(name, ...)``), resolved by *name*.

    *shown* is how diffs and dry runs show the value before it exists (render's
    ``{{target-group:NAME}}``, oneshot's ``FAMILY:<new revision>``).
    """

    name: str
    shown: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.shown or "{{" + self.name + "}}"


@dataclass(frozen=True)
class ResourceLabel:
    """ALBRequestCountPerTarget's resource label (``app/LB/ID/targetgroup/TG/ID``), from the
    load balancer's and target group's ARNs, either of which this plan may create."""

    load_balancer_arn: str | Ref
    target_group_arn: str | Ref

    def __str__(self) -> str:
        return "{{resource-label}}"


def resource_label(load_balancer_arn: str, target_group_arn: str) -> str:
    return f"{load_balancer_arn.split(':loadbalancer/', 1)[-1]}/{target_group_arn.rsplit(':', 1)[-1]}"


@dataclass(frozen=True)
class Short:
    """In a message: the last path segment of an ARN (``web:12`` for a task definition)."""

    value: str | Ref

    def __str__(self) -> str:
        return short(str(self.value))


def short(arn: str | None) -> str:
    return (arn or "?").rsplit("/", 1)[-1]


def lookup(ref: Ref, outputs: Mapping[str, Any]) -> Any:
    if ref.name not in outputs:
        raise MissingRef(f"no value for {ref}: no earlier step produced {ref.name!r} "
                         f"(known: {', '.join(sorted(outputs)) or 'none'})")
    return outputs[ref.name]


def resolve(value: Any, outputs: Mapping[str, Any]) -> Any:
    """*value* with every :class:`Ref` (and :class:`ResourceLabel`) in it replaced, recursively."""
    if isinstance(value, Ref):
        return lookup(value, outputs)
    if isinstance(value, ResourceLabel):
        return resource_label(str(resolve(value.load_balancer_arn, outputs)),
                              str(resolve(value.target_group_arn, outputs)))
    if isinstance(value, Short):
        return short(str(resolve(value.value, outputs)))
    if isinstance(value, list | tuple):
        return [resolve(v, outputs) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, outputs) for k, v in value.items()}
    return value


def refs_in(value: Any) -> list[Ref]:
    """Every :class:`Ref` in *value*, in order (inside derived values too)."""
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, ResourceLabel):
        return refs_in([value.load_balancer_arn, value.target_group_arn])
    if isinstance(value, Short):
        return refs_in(value.value)
    if isinstance(value, list | tuple):
        return [ref for item in value for ref in refs_in(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in refs_in(item)]
    return []


def shown(value: Any) -> Any:
    """*value* as diffs and dry runs show it: each unresolved value by its placeholder text."""
    if isinstance(value, Ref | ResourceLabel | Short):
        return str(value)
    if isinstance(value, list | tuple):
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    return value


def text(parts: tuple[str | Short | Ref, ...], outputs: Mapping[str, Any] | None = None) -> str:
    """A message of literal parts and values (resolved when *outputs* are given)."""
    if outputs is None:
        return "".join(str(part) for part in parts)
    return "".join(str(resolve(part, outputs)) for part in parts)
