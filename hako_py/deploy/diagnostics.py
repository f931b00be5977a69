"""Explain a failed rollout: stopped tasks, their reasons and containers' exit codes."""

from __future__ import annotations

from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.deploy.follow import short_td
from hako_py.formatting import shown
from hako_py.reporter import Reporter

MAX_TASKS = 5


def stopped_tasks(ecs: EcsApi, cluster: str, service: str, task_definition: str | None) -> list[dict[str, Any]]:
    arns = ecs.list_service_tasks(cluster, service, desired_status="STOPPED")
    if not arns:
        return []
    tasks = [
        t for t in ecs.describe_tasks(cluster, arns)
        if t.get("group") in (None, f"service:{service}")
        and (task_definition is None or t.get("taskDefinitionArn") == task_definition)
    ]
    return tasks[:MAX_TASKS]


def deployed_before(ecs: EcsApi, cluster: str, service: dict[str, Any] | None, arn: str) -> str:
    """What ECS reports of an earlier deployment of *arn*, a revision that is registered (the
    family's latest) but not what *service* runs: its deployment (API Deployment.rolloutState:
    "If the service fails to reach a steady state and circuit breaker is turned on, the
    deployment transitions to a FAILED state"), else its stopped tasks (API DescribeTasks:
    "stopped tasks appear in the returned results for at least one hour"; Task.taskDefinitionArn,
    Task.group ``service:NAME``). Only when neither exists is it called never deployed: a
    circuit breaker's rollback removes the failed deployment from the service once it is over,
    so "registered but not running" alone does not mean "never deployed"."""
    if service is None:
        return "never deployed: the service does not exist yet"
    name = str(service.get("serviceName"))
    for deployment in service.get("deployments") or []:
        if deployment.get("taskDefinition") == arn:
            state = deployment.get("rolloutState") or deployment.get("status") or "unknown"
            reason = deployment.get("rolloutStateReason")
            return f"deployed before: its deployment {deployment.get('id')} is {state}" + (f" ({reason})" if reason
                                                                                         else "")
    tasks = stopped_tasks(ecs, cluster, name, arn)
    if tasks:
        why = tasks[0].get("stoppedReason") or tasks[0].get("stopCode") or "no reason given"
        return (f"deployed before, then the service went back to {short_td(service.get('taskDefinition'))} "
                f"(rolled back): its tasks stopped ({why})")
    return "never deployed: ECS reports no deployment of it and no stopped task from it"


def report_stopped_tasks(reporter: Reporter, tasks: list[dict[str, Any]]) -> None:
    """Why the failed deployment's tasks stopped: part of the problem, so said even under -q."""
    if not tasks:
        reporter.problem("  no stopped tasks found for the failed deployment")
        return
    for task in tasks:
        task_id = str(task.get("taskArn") or "").rsplit("/", 1)[-1]
        reporter.problem(f"  task {task_id} ({short_td(task.get('taskDefinitionArn'))}) stopped: "
                         f"{task.get('stoppedReason') or task.get('stopCode') or 'no reason given'}")
        for container in sorted(task.get("containers") or [], key=lambda c: str(c.get("name"))):
            reporter.problem(f"    container {shown(container.get('name'), '?')}: exit code "
                             f"{shown(container.get('exitCode'))}"
                             f"{', reason: ' + container['reason'] if container.get('reason') else ''}")
