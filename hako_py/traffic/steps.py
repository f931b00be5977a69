"""Planned writes to traffic resources, run in order by a deploy or remove.

A plan is decided from reads only (so ``--dry-run`` shows every write); a step runs later
with the ARNs known so far in a :class:`Refs` table, and adds the ones it creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Refs(dict[str, str]):
    """Symbolic references (target group and Cloud Map refs, load balancer names) -> ARNs."""

    def resolve(self, value: Any) -> Any:
        """*value* with every known reference replaced by its ARN, recursively."""
        if isinstance(value, str):
            return self.get(value, value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value


@dataclass(frozen=True)
class Step:
    """One write: what it does, in words, and how."""

    text: str
    run: Callable[[Refs], object]


@dataclass
class ResourcePlan:
    """Writes for one kind of resource, plus the changes AWS cannot make in place."""

    steps: list[Step] = field(default_factory=list)
    immutable: list[str] = field(default_factory=list)
    diff: str = ""

    def add(self, text: str, run: Callable[[Refs], object]) -> None:
        self.steps.append(Step(text, run))
