"""Classic Elastic Load Balancing (``scheduler.elb``): one method per operation hako uses.

A classic load balancer has a name and no ARN: every call names it, as hako 2.18 did
(``lib/hako/schedulers/ecs_elb.rb``). Reads return plain dicts; writes take the operation's
request as boto3 does, typed by the types-boto3 stubs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors
from hako_py.aws.responses import plain

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_elb.client import ElasticLoadBalancingClient
    from types_boto3_elb.type_defs import (
        CreateAccessPointInputTypeDef,
        CreateAccessPointOutputTypeDef,
        DeleteAccessPointInputTypeDef,
        ModifyLoadBalancerAttributesInputTypeDef,
        ModifyLoadBalancerAttributesOutputTypeDef,
    )


class ClassicElbApi:
    """Classic load balancers, their tags, attributes and instances."""

    def __init__(self, client: ElasticLoadBalancingClient) -> None:
        self.client = client

    # reads ---------------------------------------------------------------------------------
    def load_balancer(self, name: str) -> dict[str, Any] | None:
        """The LoadBalancerDescription named *name*, or None (AWS answers LoadBalancerNotFound)."""
        try:
            with aws_errors(f"DescribeLoadBalancers {name}"):
                found = self.client.describe_load_balancers(LoadBalancerNames=[name])
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise
        descriptions = found.get("LoadBalancerDescriptions") or []
        return plain(descriptions[0]) if descriptions else None

    def tags(self, name: str) -> dict[str, str]:
        with aws_errors(f"DescribeTags {name}"):
            found = self.client.describe_tags(LoadBalancerNames=[name])
        for description in found.get("TagDescriptions", []):
            return {t["Key"]: t.get("Value", "") for t in description.get("Tags", [])}
        return {}

    def cross_zone(self, name: str) -> bool:
        """Whether cross-zone load balancing is on (the one attribute hako sets, ecs_elb.rb:68-79)."""
        with aws_errors(f"DescribeLoadBalancerAttributes {name}"):
            found = self.client.describe_load_balancer_attributes(LoadBalancerName=name)
        return bool(found.get("LoadBalancerAttributes", {}).get("CrossZoneLoadBalancing", {}).get("Enabled"))

    def instance_health(self, name: str) -> list[dict[str, Any]]:
        with aws_errors(f"DescribeInstanceHealth {name}"):
            found = self.client.describe_instance_health(LoadBalancerName=name)
        return [plain(state) for state in found.get("InstanceStates", [])]

    # writes --------------------------------------------------------------------------------
    def create_load_balancer(self, **request: Unpack[CreateAccessPointInputTypeDef]) -> CreateAccessPointOutputTypeDef:
        with aws_errors("CreateLoadBalancer"):
            return self.client.create_load_balancer(**request)

    def modify_load_balancer_attributes(self, **request: Unpack[ModifyLoadBalancerAttributesInputTypeDef]
                                        ) -> ModifyLoadBalancerAttributesOutputTypeDef:
        with aws_errors("ModifyLoadBalancerAttributes"):
            return self.client.modify_load_balancer_attributes(**request)

    def delete_load_balancer(self, **request: Unpack[DeleteAccessPointInputTypeDef]) -> None:
        with aws_errors("DeleteLoadBalancer"):
            self.client.delete_load_balancer(**request)
