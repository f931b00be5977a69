"""What EventBridge Scheduler asks of ECS when a schedule with the ECS templated target fires.

Scheduler calls RunTask with the target's EcsParameters, its Input as ``overrides`` (a
TaskOverride; boto/boto3 issue #4370) and ``startedBy`` set to ``chronos-schedule/`` and the
schedule's name, cut to 36 characters in every run seen (scheduler NOTES.md §6: an
observation, not documented). ``hako schedule run`` starts a run "as the schedule would" from
the same mapping, and the sandbox fires schedules with it.
"""

from __future__ import annotations

import json
from typing import Any

STARTED_BY_PREFIX = "chronos-schedule/"
MANUAL_STARTED_BY = "hako-schedule-run"  # hako schedule run: a run "as the schedule would", started by hand
STARTED_BY_LENGTH = 36
# EcsParameters member -> RunTask member (botocore scheduler EcsParameters / ecs RunTaskRequest)
RUN_TASK_MEMBERS = {
    "TaskDefinitionArn": "taskDefinition",
    "TaskCount": "count",
    "LaunchType": "launchType",
    "PlatformVersion": "platformVersion",
    "CapacityProviderStrategy": "capacityProviderStrategy",
    "EnableECSManagedTags": "enableECSManagedTags",
    "EnableExecuteCommand": "enableExecuteCommand",
    "PlacementConstraints": "placementConstraints",
    "PlacementStrategy": "placementStrategy",
    "PropagateTags": "propagateTags",
    "ReferenceId": "referenceId",
    "Group": "group",
}
_AWSVPC = {"Subnets": "subnets", "SecurityGroups": "securityGroups", "AssignPublicIp": "assignPublicIp"}


def scheduler_started_by(schedule_name: str) -> str:
    return (STARTED_BY_PREFIX + schedule_name)[:STARTED_BY_LENGTH]


def run_task_of(schedule: dict[str, Any], *, started_by: str | None = None) -> dict[str, Any]:
    """The RunTask request a schedule (GetSchedule's answer) makes when it fires."""
    target = schedule.get("Target") or {}
    parameters = target.get("EcsParameters") or {}
    request: dict[str, Any] = {"cluster": target.get("Arn")}
    for member, name in RUN_TASK_MEMBERS.items():
        if parameters.get(member) is not None:
            request[name] = parameters[member]
    request.setdefault("count", 1)
    network = (parameters.get("NetworkConfiguration") or {}).get("awsvpcConfiguration")
    if network:
        request["networkConfiguration"] = {"awsvpcConfiguration": {
            _AWSVPC[k]: v for k, v in network.items() if k in _AWSVPC and v is not None}}
    tags = parameters.get("Tags")
    if tags:
        request["tags"] = [{"key": str(t.get("key")), "value": str(t.get("value"))} for t in tags]
    if target.get("Input"):
        request["overrides"] = json.loads(str(target["Input"]))
    request["startedBy"] = started_by or scheduler_started_by(str(schedule.get("Name", "")))
    return request
