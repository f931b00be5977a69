"""The CreateSchedule / UpdateSchedule request of each schedule. Pure: no AWS calls.

Each schedule targets the app's cluster with the ECS templated target (Target.Arn = the
cluster ARN, Target.EcsParameters; Scheduler User Guide managing-targets-templated.html), so
Scheduler calls RunTask itself, with the oneshot task definition and the same launch type,
network, placement and tags as ``hako oneshot``'s RunTask. The schedule's command, env and
cpu/memory travel in Target.Input, which Scheduler passes as RunTask's ``overrides``
(TaskOverride; AWS refuses other input with "Unable to convert target input to
TaskOverride", boto/boto3 issue #4370).

UpdateSchedule replaces the whole schedule ("if you do not set an optional field in your
request, that field will be set to its system-default value", API UpdateSchedule), so the
request is always complete, with AWS's defaults spelled out (RetryPolicy, time zone, state,
flexible window, action after completion): what is sent is what GetSchedule reports.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.specs.schedules import ScheduleSpec, cluster_ref, schedule_specs, task_definition_ref

# RunTask member -> EcsParameters member (botocore scheduler EcsParameters; nested ECS
# structures keep their ECS spelling except awsvpcConfiguration's members, see _network).
ECS_PARAMETERS = {
    "launchType": "LaunchType",
    "platformVersion": "PlatformVersion",
    "capacityProviderStrategy": "CapacityProviderStrategy",
    "enableECSManagedTags": "EnableECSManagedTags",
    "enableExecuteCommand": "EnableExecuteCommand",
    "placementConstraints": "PlacementConstraints",
    "placementStrategy": "PlacementStrategy",
    "propagateTags": "PropagateTags",
}
_AWSVPC = {"subnets": "Subnets", "securityGroups": "SecurityGroups", "assignPublicIp": "AssignPublicIp"}


def _network(network: dict[str, Any]) -> dict[str, Any]:
    """RunTask's networkConfiguration in Scheduler's spelling (AwsVpcConfiguration: Subnets, ...)."""
    awsvpc = network.get("awsvpcConfiguration") or {}
    return {"awsvpcConfiguration": {_AWSVPC[k]: v for k, v in awsvpc.items() if k in _AWSVPC}}


def task_overrides(spec: ScheduleSpec) -> dict[str, Any] | None:
    """RunTask's overrides for a run of *spec* (None: it changes nothing)."""
    container: dict[str, Any] = {}
    if spec.command:
        container["command"] = list(spec.command)
    if spec.env:
        container["environment"] = [{"name": k, "value": v} for k, v in spec.env]
    overrides: dict[str, Any] = {}
    if container:
        overrides["containerOverrides"] = [{"name": APP_CONTAINER, **container}]
    if spec.cpu is not None:
        overrides["cpu"] = str(spec.cpu)
    if spec.memory is not None:
        overrides["memory"] = str(spec.memory)
    return overrides or None


def input_text(overrides: dict[str, Any]) -> str:
    """Target.Input: the overrides as compact JSON with sorted keys (one text per content)."""
    return json.dumps(overrides, sort_keys=True, separators=(",", ":"))


def ecs_parameters(run_task: dict[str, Any], spec: ScheduleSpec, task_definition: str) -> dict[str, Any]:
    parameters: dict[str, Any] = {"TaskDefinitionArn": task_definition, "TaskCount": 1}
    for member, name in ECS_PARAMETERS.items():
        if member in run_task:
            parameters[name] = run_task[member]
    if "networkConfiguration" in run_task:
        parameters["NetworkConfiguration"] = _network(run_task["networkConfiguration"])
    if run_task.get("tags"):
        parameters["Tags"] = [{"key": t["key"], "value": t["value"]} for t in run_task["tags"]]
    parameters["Group"] = spec.run_group
    return parameters


def schedule_request(spec: ScheduleSpec, run_task: dict[str, Any], *, cluster: str, task_definition: str
                     ) -> dict[str, Any]:
    """The complete CreateSchedule (= UpdateSchedule) request."""
    target: dict[str, Any] = {
        "Arn": cluster,
        "RoleArn": spec.role_arn,
        "EcsParameters": ecs_parameters(run_task, spec, task_definition),
        "RetryPolicy": {"MaximumEventAgeInSeconds": spec.event_age, "MaximumRetryAttempts": spec.retry_attempts},
    }
    overrides = task_overrides(spec)
    if overrides is not None:
        target["Input"] = input_text(overrides)
    if spec.dead_letter_queue:
        target["DeadLetterConfig"] = {"Arn": spec.dead_letter_queue}
    window: dict[str, Any] = {"Mode": "OFF"}
    if spec.flexible_window:
        window = {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": spec.flexible_window}
    request: dict[str, Any] = {
        "Name": spec.name,
        "GroupName": spec.group,
        "ScheduleExpression": spec.expression,
        "ScheduleExpressionTimezone": spec.timezone,
        "State": "ENABLED" if spec.enabled else "DISABLED",
        "FlexibleTimeWindow": window,
        "ActionAfterCompletion": "NONE",
        "Target": target,
    }
    if spec.description:
        request["Description"] = spec.description
    # timestamps as ISO 8601 in UTC (botocore takes them as text; GetSchedule answers datetimes,
    # which compare.schedules reads as the same instants)
    if spec.start_date is not None:
        request["StartDate"] = iso_utc(spec.start_date)
    if spec.end_date is not None:
        request["EndDate"] = iso_utc(spec.end_date)
    if spec.kms_key_arn:
        request["KmsKeyArn"] = spec.kms_key_arn
    return request


def iso_utc(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_requests(app: AppDefinition, run_task: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """name -> request, the cluster and task definition as references a deploy resolves; None without schedules."""
    if not app.schedules:
        return None
    cluster, task_definition = cluster_ref(app.cluster), task_definition_ref(app.oneshot_family)
    return {spec.key: schedule_request(spec, run_task, cluster=cluster, task_definition=task_definition)
            for spec in schedule_specs(app)}
