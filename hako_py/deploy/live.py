"""Read what runs in ECS for an app (the read half of a deploy: at most 2 requests)."""

from __future__ import annotations

from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.deploy.plan import LiveState, running_task_definition


def read_live(ecs: EcsApi, cluster: str, app_id: str) -> LiveState:
    """The service, and the task definition it runs (or the family's latest without a service)."""
    service = ecs.describe_service(cluster, app_id)
    reference = running_task_definition(service) or app_id if service else app_id
    described = ecs.describe_task_definition(str(reference)) if reference else None
    if described is None:
        return LiveState(service=service, task_definition=None)
    task_definition, tags = described
    return LiveState(service=service, task_definition=task_definition, task_definition_tags=tags)


def in_progress_deployment(service: dict[str, Any]) -> dict[str, Any] | None:
    """A deployment still rolling out (ECS allows only one deploy at a time to be meaningful)."""
    deployments = service.get("deployments") or []
    for deployment in deployments:
        if deployment.get("rolloutState") == "IN_PROGRESS":
            return dict(deployment)
    if len(deployments) > 1:
        return dict(next(d for d in deployments if d.get("status") == "PRIMARY") or deployments[0])
    return None


def failed_rollout(service: dict[str, Any]) -> dict[str, Any] | None:
    """The PRIMARY deployment when its rollout FAILED (circuit breaker, or a task that never
    started): the service then does not run what it was last given, whatever the definition says."""
    for deployment in service.get("deployments") or []:
        if deployment.get("status") == "PRIMARY" and deployment.get("rolloutState") == "FAILED":
            return dict(deployment)
    return None
