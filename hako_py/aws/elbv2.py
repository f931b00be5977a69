"""Elastic Load Balancing v2 calls hako-py makes, returning plain dicts."""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call
from hako_py.aws.errors import AwsError


def _absent(exc: AwsError) -> bool:
    return "NotFound" in exc.code


class ElbApi(Writes):
    """Load balancers, target groups, listeners and rules."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def load_balancer(self, name: str) -> dict[str, Any] | None:
        try:
            found = call(self.client, "describe_load_balancers", f"DescribeLoadBalancers {name}", Names=[name])
        except AwsError as exc:
            if _absent(exc):
                return None
            raise
        return dict(found["LoadBalancers"][0]) if found.get("LoadBalancers") else None

    def target_group(self, name: str | None = None, arn: str | None = None) -> dict[str, Any] | None:
        request = {"TargetGroupArns": [arn]} if arn else {"Names": [name]}
        try:
            found = call(self.client, "describe_target_groups", f"DescribeTargetGroups {arn or name}", **request)
        except AwsError as exc:
            if _absent(exc):
                return None
            raise
        return dict(found["TargetGroups"][0]) if found.get("TargetGroups") else None

    def tags(self, arn: str) -> dict[str, str]:
        found = call(self.client, "describe_tags", "DescribeTags", ResourceArns=[arn])
        for description in found.get("TagDescriptions", []):
            return {t["Key"]: t.get("Value", "") for t in description.get("Tags", [])}
        return {}

    def listeners(self, load_balancer_arn: str) -> list[dict[str, Any]]:
        found = call(self.client, "describe_listeners", "DescribeListeners", LoadBalancerArn=load_balancer_arn)
        return list(found.get("Listeners", []))

    def rules(self, listener_arn: str) -> list[dict[str, Any]]:
        return list(call(self.client, "describe_rules", "DescribeRules", ListenerArn=listener_arn).get("Rules", []))

    def load_balancer_attributes(self, arn: str) -> dict[str, str]:
        found = call(self.client, "describe_load_balancer_attributes", "DescribeLoadBalancerAttributes",
                     LoadBalancerArn=arn)
        return {a["Key"]: a.get("Value", "") for a in found.get("Attributes", [])}

    def target_group_attributes(self, arn: str) -> dict[str, str]:
        found = call(self.client, "describe_target_group_attributes", "DescribeTargetGroupAttributes",
                     TargetGroupArn=arn)
        return {a["Key"]: a.get("Value", "") for a in found.get("Attributes", [])}

    def target_health(self, target_group_arn: str) -> list[dict[str, Any]]:
        found = call(self.client, "describe_target_health", "DescribeTargetHealth", TargetGroupArn=target_group_arn)
        return list(found.get("TargetHealthDescriptions", []))

