"""Planned writes to traffic resources, as plan instructions (:mod:`hako_py.plan`).

A plan is decided from reads only (so ``--dry-run`` shows every write). What the reads
found is in :class:`Known` (name -> ARN); an ARN that only a planned write will create is
a :class:`~hako_py.plan.values.Ref` to that write's output, by the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hako_py.plan.instructions import Instruction
from hako_py.plan.values import Ref


def ref_name(placeholder: str) -> str:
    """``{{target-group:NAME}}`` (as render shows it) -> ``target-group:NAME``."""
    return placeholder[2:-2] if placeholder.startswith("{{") and placeholder.endswith("}}") else placeholder


class Known(dict[str, str]):
    """ARNs found by the reads, by name (``load-balancer:NAME``, ``target-group:NAME``,
    ``cloud-map:NAMESPACE/NAME``)."""

    def value(self, name: str) -> str | Ref:
        """The ARN when it exists, else a ref to the write that creates it."""
        return self[name] if name in self else Ref(name, shown="{{" + name + "}}")


@dataclass
class ResourcePlan:
    """Writes for one kind of resource, plus the changes AWS cannot make in place."""

    steps: list[Instruction] = field(default_factory=list)
    immutable: list[str] = field(default_factory=list)
    diff: str = ""

    def add(self, *instructions: Instruction) -> None:
        self.steps.extend(instructions)

    @property
    def writes(self) -> list[str]:
        return [s.text for s in self.steps if s.text is not None]
