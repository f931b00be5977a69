"""Application Auto Scaling (and the CloudWatch alarms of step policies): one method per
operation hako uses. Reads return plain dicts; writes take the operation's request as boto3
does, typed by the types-boto3 stubs, and return its response."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

from hako_py.aws.errors import aws_errors

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_application_autoscaling.client import ApplicationAutoScalingClient
    from types_boto3_application_autoscaling.type_defs import (
        DeleteScalingPolicyRequestTypeDef,
        DeregisterScalableTargetRequestTypeDef,
        PutScalingPolicyRequestTypeDef,
        PutScalingPolicyResponseTypeDef,
        RegisterScalableTargetRequestTypeDef,
        RegisterScalableTargetResponseTypeDef,
    )
    from types_boto3_cloudwatch.client import CloudWatchClient
    from types_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

NAMESPACE: Final[Literal["ecs"]] = "ecs"
DIMENSION: Final[Literal["ecs:service:DesiredCount"]] = "ecs:service:DesiredCount"


def resource_id(cluster: str, service: str) -> str:
    return f"service/{cluster.rsplit('/', 1)[-1]}/{service}"


class ScalingApi:
    """The scalable target and policies of one ECS service."""

    def __init__(self, client: ApplicationAutoScalingClient, cloudwatch: CloudWatchClient) -> None:
        self.client = client
        self.cloudwatch = cloudwatch

    # reads ---------------------------------------------------------------------------------
    def scalable_target(self, resource: str) -> dict[str, Any] | None:
        with aws_errors("DescribeScalableTargets"):
            found = self.client.describe_scalable_targets(ServiceNamespace=NAMESPACE, ResourceIds=[resource],
                                                          ScalableDimension=DIMENSION)
        targets = found.get("ScalableTargets") or []
        return dict(targets[0]) if targets else None

    def policies(self, resource: str) -> list[dict[str, Any]]:
        with aws_errors("DescribeScalingPolicies"):
            found = self.client.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource,
                                                          ScalableDimension=DIMENSION)
        return [dict(policy) for policy in found.get("ScalingPolicies") or []]

    def activities(self, resource: str, limit: int = 10) -> list[dict[str, Any]]:
        with aws_errors("DescribeScalingActivities"):
            found = self.client.describe_scaling_activities(ServiceNamespace=NAMESPACE, ResourceId=resource,
                                                            ScalableDimension=DIMENSION, MaxResults=limit)
        return [dict(activity) for activity in found.get("ScalingActivities") or []]

    def alarms(self, names: list[str]) -> dict[str, dict[str, Any]]:
        with aws_errors("DescribeAlarms"):
            found = self.cloudwatch.describe_alarms(AlarmNames=names)
        return {str(a["AlarmName"]): dict(a) for a in found.get("MetricAlarms") or []}

    # writes --------------------------------------------------------------------------------
    def register_scalable_target(self, **request: Unpack[RegisterScalableTargetRequestTypeDef]
                                 ) -> RegisterScalableTargetResponseTypeDef:
        with aws_errors("RegisterScalableTarget"):
            return self.client.register_scalable_target(**request)

    def deregister_scalable_target(self, **request: Unpack[DeregisterScalableTargetRequestTypeDef]) -> None:
        with aws_errors("DeregisterScalableTarget"):
            self.client.deregister_scalable_target(**request)

    def put_scaling_policy(self, **request: Unpack[PutScalingPolicyRequestTypeDef]) -> PutScalingPolicyResponseTypeDef:
        with aws_errors("PutScalingPolicy"):
            return self.client.put_scaling_policy(**request)

    def delete_scaling_policy(self, **request: Unpack[DeleteScalingPolicyRequestTypeDef]) -> None:
        with aws_errors("DeleteScalingPolicy"):
            self.client.delete_scaling_policy(**request)

    def put_metric_alarm(self, **request: Unpack[PutMetricAlarmInputTypeDef]) -> None:
        with aws_errors(f"PutMetricAlarm {request.get('AlarmName')}"):
            self.cloudwatch.put_metric_alarm(**request)
