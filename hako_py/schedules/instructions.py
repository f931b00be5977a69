"""A planned write as data: which API, which operation, its parameters, and what it is called.

Parameters may hold named references (``{{task-definition:web-oneshot}}``,
``{{cluster:batch}}``) that only an earlier instruction makes known; :class:`Refs` maps them
to ARNs and the executor resolves them just before the call. Frozen and printable, so a
dry run, ``--output json`` and the (coming) plan executor all see the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ECS = "ecs"
SCHEDULER = "scheduler"



class Refs(dict[str, str]):
    """Symbolic references (``{{task-definition:FAMILY}}``, ``{{cluster:NAME}}``) -> ARNs."""

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
class Instruction:
    """One write: ``api`` (ECS or SCHEDULER), its boto3 ``operation``, the ``parameters``, and
    ``text``: the operation first, as records and dry runs show it."""

    api: str
    operation: str
    parameters: dict[str, Any]
    text: str
