"""A rollout whose tasks keep failing: what the circuit breaker changes.

API DeploymentCircuitBreaker: "If it is turned on, a service deployment will transition to a
failed state and stop launching new tasks". Without it ECS keeps launching replacements for the
failing tasks and the deployment stays IN_PROGRESS (API Deployment.failedTasks: "The number of
consecutively failed tasks in the deployment"); REAL repo-update-service-ecs-anywhere-external shows
such a deployment, IN_PROGRESS with failedTasks 2, beside the one that completed. Every test talks
to the session's sandbox over HTTP with boto3 and its control API.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import SandboxControl, unique

FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start."


def _service(ecs: Any, cluster: str) -> dict[str, Any]:
    service: dict[str, Any] = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
    return service


def _wait(ecs: Any, cluster: str, done: Any, seconds: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        service = _service(ecs, cluster)
        if done(service) or time.monotonic() > deadline:
            return service
        time.sleep(0.02)


def _states(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d["status"], d["taskDefinition"].rsplit(":", 1)[-1], d["rolloutState"]) for d in service["deployments"]]


def _failing_update(ecs: Any, sandbox: Sandbox, network: dict[str, Any], breaker: dict[str, bool] | None) -> str:
    """A service of revision 1 that completed, then updated to revision 2 whose tasks fail; its cluster."""
    cluster, family = unique("c-"), unique("stuck-")
    ecs.create_cluster(clusterName=cluster)
    for _ in range(2):
        ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "busybox"}])
    extra = {"deploymentConfiguration": {"deploymentCircuitBreaker": breaker}} if breaker is not None else {}
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=f"{family}:1", desiredCount=2,
                       launchType="FARGATE", networkConfiguration=network, **extra)
    _wait(ecs, cluster, lambda s: _states(s) == [("PRIMARY", "1", "COMPLETED")])
    SandboxControl(sandbox.url).call("POST", "fail-next-rollout", {"service": "web", "cluster": cluster})
    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"{family}:2")
    return cluster


@pytest.mark.parametrize("breaker", [None, {"enable": False, "rollback": False}], ids=["default", "turned-off"])
def test_without_the_breaker_a_failing_rollout_stays_in_progress(ecs: Any, sandbox: Sandbox,
                                                                 default_network: dict[str, Any],
                                                                 breaker: dict[str, bool] | None) -> None:
    """The sandbox marked it FAILED ("ECS deployment circuit breaker: tasks failed to start.") with the breaker
    off (ECS's default: deploymentCircuitBreaker {enable: false}). Now it stays IN_PROGRESS while each attempt's
    tasks stop ("Essential container in task exited", exit code 1) and failedTasks grows; the old tasks keep
    serving. An UpdateService back to the previous revision (hako's rollback) then completes."""
    cluster = _failing_update(ecs, sandbox, default_network, breaker)
    service = _wait(ecs, cluster, lambda s: s["deployments"][0]["failedTasks"] >= 6)  # three attempts of two
    assert _states(service) == [("PRIMARY", "2", "IN_PROGRESS"), ("ACTIVE", "1", "COMPLETED")]
    primary, active = service["deployments"]
    assert primary["failedTasks"] >= 6 and primary["rolloutStateReason"] == f"ECS deployment {primary['id']} in progress."
    assert active["runningCount"] == 2
    stopped = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=stopped[:100])["tasks"]
    assert len(tasks) >= 6 and all(t["taskDefinitionArn"].endswith(":2") for t in tasks)
    assert {(t["stopCode"], t["stoppedReason"], t["containers"][0]["exitCode"]) for t in tasks} == {
        ("EssentialContainerExited", "Essential container in task exited", 1)}

    ecs.update_service(cluster=cluster, service="web", taskDefinition=service["taskDefinition"].rsplit(":", 1)[0] + ":1")
    back = _wait(ecs, cluster, lambda s: _states(s) == [("PRIMARY", "1", "COMPLETED")])
    assert _states(back) == [("PRIMARY", "1", "COMPLETED")] and back["runningCount"] == 2
    live = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="RUNNING")["taskArns"]
    assert {t["taskDefinitionArn"].rsplit(":", 1)[-1]
            for t in ecs.describe_tasks(cluster=cluster, tasks=live)["tasks"]} == {"1"}


def test_with_the_breaker_a_failing_rollout_fails(ecs: Any, sandbox: Sandbox, default_network: dict[str, Any]) -> None:
    """Breaker turned on (no rollback): the deployment turns FAILED and stops launching tasks."""
    cluster = _failing_update(ecs, sandbox, default_network, {"enable": True, "rollback": False})
    service = _wait(ecs, cluster, lambda s: s["deployments"][0]["rolloutState"] == "FAILED")
    primary = service["deployments"][0]
    assert (primary["rolloutState"], primary["rolloutStateReason"], primary["failedTasks"]) == ("FAILED", FAILED_REASON, 2)
    time.sleep(sandbox.simulator.rollout_seconds * 2)
    assert _service(ecs, cluster)["deployments"][0]["failedTasks"] == 2  # no new attempt
