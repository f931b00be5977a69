"""Register a task definition exactly once, even when responses get lost.

RegisterTaskDefinition has no client token: if the connection drops after ECS registered
the revision, a blind retry registers a duplicate. So every attempt first looks at the
family's latest ACTIVE revision and reuses it when it already is the desired one; that
also lets a deploy killed after registering converge without a second revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.errors import AwsError, retryable
from hako_py.compare.task_definition import same_task_definition

ATTEMPTS = 6


def backoff(attempt: int) -> float:
    return float(min(2 ** attempt * 0.5, 10))


def register_once(ecs: EcsApi, request: dict[str, Any], wait: Callable[[float], None],
                  attempts: int = ATTEMPTS) -> tuple[dict[str, Any], bool]:
    """(task definition, whether this call registered it)."""
    family = str(request["family"])
    for attempt in range(attempts):
        latest = ecs.describe_task_definition(family)
        if latest is not None and same_task_definition(request, latest[0], latest[1]):
            return latest[0], False
        try:
            return ecs.register_task_definition(request), True
        except AwsError as exc:
            if attempt + 1 == attempts or not retryable(exc):
                raise
            wait(backoff(attempt))
    raise AssertionError("unreachable")
