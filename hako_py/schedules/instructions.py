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
EVENTS = "events"  # the failed-run notifier's rule, target, API destination and connection

__all__ = ["ECS", "EVENTS", "SCHEDULER", "Instruction", "Refs"]


@dataclass(frozen=True)
class Instruction:
    """One write: ``api`` (ECS, SCHEDULER or EVENTS), its boto3 ``operation``, the ``parameters``,
    and ``text``: the operation first, as records and dry runs show it. ``produces``: (reference,
    member of the response) for a write that makes an ARN later instructions name (an API
    destination's, known only once it is created)."""

    api: str
    operation: str
    parameters: dict[str, Any]
    text: str
    produces: tuple[str, str] | None = None
