"""Application Auto Scaling (and the CloudWatch alarms of step policies), as plain dicts."""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"


def resource_id(cluster: str, service: str) -> str:
    return f"service/{cluster.rsplit('/', 1)[-1]}/{service}"


class ScalingApi(Writes):
    """The scalable target and policies of one ECS service."""

    def __init__(self, client: Any, cloudwatch: Any) -> None:
        self.client = client
        self.cloudwatch = cloudwatch

    def scalable_target(self, resource: str) -> dict[str, Any] | None:
        found = call(self.client, "describe_scalable_targets", "DescribeScalableTargets", ServiceNamespace=NAMESPACE,
                     ResourceIds=[resource], ScalableDimension=DIMENSION)
        targets = found.get("ScalableTargets") or []
        return dict(targets[0]) if targets else None

    def policies(self, resource: str) -> list[dict[str, Any]]:
        found = call(self.client, "describe_scaling_policies", "DescribeScalingPolicies", ServiceNamespace=NAMESPACE,
                     ResourceId=resource, ScalableDimension=DIMENSION)
        return list(found.get("ScalingPolicies") or [])

    def activities(self, resource: str, limit: int = 10) -> list[dict[str, Any]]:
        found = call(self.client, "describe_scaling_activities", "DescribeScalingActivities",
                     ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION, MaxResults=limit)
        return list(found.get("ScalingActivities") or [])

    def alarms(self, names: list[str]) -> dict[str, dict[str, Any]]:
        found = call(self.cloudwatch, "describe_alarms", "DescribeAlarms", AlarmNames=names)
        return {str(a["AlarmName"]): dict(a) for a in found.get("MetricAlarms") or []}


    def put_alarm(self, request: dict[str, Any]) -> None:
        call(self.cloudwatch, "put_metric_alarm", f"PutMetricAlarm {request.get('AlarmName')}", **request)
