"""Classic Elastic Load Balancing calls hako-py makes (``scheduler.elb``), returning plain dicts.

A classic load balancer has a name and no ARN: every call names it, as hako 2.18 did
(``lib/hako/schedulers/ecs_elb.rb``).
"""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call
from hako_py.aws.errors import AwsError


class ClassicElbApi(Writes):
    """Classic load balancers, their tags and attributes."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def load_balancer(self, name: str) -> dict[str, Any] | None:
        """The LoadBalancerDescription named *name*, or None (AWS answers LoadBalancerNotFound)."""
        try:
            found = call(self.client, "describe_load_balancers", f"DescribeLoadBalancers {name}",
                         LoadBalancerNames=[name])
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise
        descriptions = found.get("LoadBalancerDescriptions") or []
        return dict(descriptions[0]) if descriptions else None

    def tags(self, name: str) -> dict[str, str]:
        found = call(self.client, "describe_tags", f"DescribeTags {name}", LoadBalancerNames=[name])
        for description in found.get("TagDescriptions", []):
            return {t["Key"]: t.get("Value", "") for t in description.get("Tags", [])}
        return {}

    def cross_zone(self, name: str) -> bool:
        """Whether cross-zone load balancing is on (the one attribute hako sets, ecs_elb.rb:68-79)."""
        found = call(self.client, "describe_load_balancer_attributes", f"DescribeLoadBalancerAttributes {name}",
                     LoadBalancerName=name)
        return bool((found.get("LoadBalancerAttributes") or {}).get("CrossZoneLoadBalancing", {}).get("Enabled"))

    def instance_health(self, name: str) -> list[dict[str, Any]]:
        found = call(self.client, "describe_instance_health", f"DescribeInstanceHealth {name}", LoadBalancerName=name)
        return list(found.get("InstanceStates") or [])
