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
