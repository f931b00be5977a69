"""A planned write as data: which API, which operation, its parameters, and what it is called.

Parameters may hold named references (``{{task-definition:web-oneshot}}``,
``{{cluster:batch}}``) that only an earlier instruction makes known; :class:`Refs` maps them
to ARNs and the executor resolves them just before the call. Frozen and printable, so a
dry run, ``--output json`` and the (coming) plan executor all see the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# one reference type for every plan until the plan package (issue 16) replaces it with plan.Ref
from hako_py.traffic.steps import Refs

ECS = "ecs"
SCHEDULER = "scheduler"

__all__ = ["ECS", "SCHEDULER", "Instruction", "Refs"]


@dataclass(frozen=True)
class Instruction:
    """One write: ``api`` (ECS or SCHEDULER), its boto3 ``operation``, the ``parameters``, and
    ``text``: the operation first, as records and dry runs show it."""

    api: str
    operation: str
    parameters: dict[str, Any]
    text: str
