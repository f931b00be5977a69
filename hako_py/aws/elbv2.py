"""Elastic Load Balancing v2: one method per operation hako uses.

Reads return plain dicts (the live state the traffic planners compare); writes take the
operation's request as boto3 does, typed by the types-boto3 stubs (``make typecheck``
checks every call site), and return its response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_elbv2.client import ElasticLoadBalancingv2Client
    from types_boto3_elbv2.type_defs import (
        CreateListenerInputTypeDef,
        CreateListenerOutputTypeDef,
        CreateLoadBalancerInputTypeDef,
        CreateLoadBalancerOutputTypeDef,
        CreateRuleInputTypeDef,
        CreateRuleOutputTypeDef,
        CreateTargetGroupInputTypeDef,
        CreateTargetGroupOutputTypeDef,
        DeleteListenerInputTypeDef,
        DeleteLoadBalancerInputTypeDef,
        DeleteRuleInputTypeDef,
        DeleteTargetGroupInputTypeDef,
        DescribeTargetGroupsInputTypeDef,
        ModifyListenerInputTypeDef,
        ModifyListenerOutputTypeDef,
        ModifyLoadBalancerAttributesInputTypeDef,
        ModifyLoadBalancerAttributesOutputTypeDef,
        ModifyRuleInputTypeDef,
        ModifyRuleOutputTypeDef,
        ModifyTargetGroupAttributesInputTypeDef,
        ModifyTargetGroupAttributesOutputTypeDef,
        ModifyTargetGroupInputTypeDef,
        ModifyTargetGroupOutputTypeDef,
        SetRulePrioritiesInputTypeDef,
        SetRulePrioritiesOutputTypeDef,
        SetSecurityGroupsInputTypeDef,
        SetSecurityGroupsOutputTypeDef,
        SetSubnetsInputTypeDef,
        SetSubnetsOutputTypeDef,
    )


def _absent(exc: AwsError) -> bool:
    return "NotFound" in exc.code


def _plain(value: Any) -> dict[str, Any]:
    """A response element as the plain dict the planners compare."""
    return dict(value)


class ElbApi:
    """Load balancers, target groups, listeners and rules."""

    def __init__(self, client: ElasticLoadBalancingv2Client) -> None:
        self.client = client

    # reads ---------------------------------------------------------------------------------
    def load_balancer(self, name: str) -> dict[str, Any] | None:
        try:
            with aws_errors(f"DescribeLoadBalancers {name}"):
                found = self.client.describe_load_balancers(Names=[name])
        except AwsError as exc:
            if _absent(exc):
                return None
            raise
        return _plain(found["LoadBalancers"][0]) if found.get("LoadBalancers") else None

    def target_group(self, name: str | None = None, arn: str | None = None) -> dict[str, Any] | None:
        request: DescribeTargetGroupsInputTypeDef = {"TargetGroupArns": [arn]} if arn else {"Names": [str(name)]}
        try:
            with aws_errors(f"DescribeTargetGroups {arn or name}"):
                found = self.client.describe_target_groups(**request)
        except AwsError as exc:
            if _absent(exc):
                return None
            raise
        return _plain(found["TargetGroups"][0]) if found.get("TargetGroups") else None

    def tags(self, arn: str) -> dict[str, str]:
        with aws_errors("DescribeTags"):
            found = self.client.describe_tags(ResourceArns=[arn])
        for description in found.get("TagDescriptions", []):
            return {t["Key"]: t.get("Value", "") for t in description.get("Tags", [])}
        return {}

    def listeners(self, load_balancer_arn: str) -> list[dict[str, Any]]:
        with aws_errors("DescribeListeners"):
            found = self.client.describe_listeners(LoadBalancerArn=load_balancer_arn)
        return [_plain(listener) for listener in found.get("Listeners", [])]

    def rules(self, listener_arn: str) -> list[dict[str, Any]]:
        with aws_errors("DescribeRules"):
            found = self.client.describe_rules(ListenerArn=listener_arn)
        return [_plain(rule) for rule in found.get("Rules", [])]

    def load_balancer_attributes(self, arn: str) -> dict[str, str]:
        with aws_errors("DescribeLoadBalancerAttributes"):
            found = self.client.describe_load_balancer_attributes(LoadBalancerArn=arn)
        return {a["Key"]: a.get("Value", "") for a in found.get("Attributes", []) if "Key" in a}

    def target_group_attributes(self, arn: str) -> dict[str, str]:
        with aws_errors("DescribeTargetGroupAttributes"):
            found = self.client.describe_target_group_attributes(TargetGroupArn=arn)
        return {a["Key"]: a.get("Value", "") for a in found.get("Attributes", []) if "Key" in a}

    def target_health(self, target_group_arn: str) -> list[dict[str, Any]]:
        with aws_errors("DescribeTargetHealth"):
            found = self.client.describe_target_health(TargetGroupArn=target_group_arn)
        return [_plain(health) for health in found.get("TargetHealthDescriptions", [])]

    # writes --------------------------------------------------------------------------------
    def create_load_balancer(self, **request: Unpack[CreateLoadBalancerInputTypeDef]
                             ) -> CreateLoadBalancerOutputTypeDef:
        with aws_errors("CreateLoadBalancer"):
            return self.client.create_load_balancer(**request)

    def set_subnets(self, **request: Unpack[SetSubnetsInputTypeDef]) -> SetSubnetsOutputTypeDef:
        with aws_errors("SetSubnets"):
            return self.client.set_subnets(**request)

    def set_security_groups(self, **request: Unpack[SetSecurityGroupsInputTypeDef]) -> SetSecurityGroupsOutputTypeDef:
        with aws_errors("SetSecurityGroups"):
            return self.client.set_security_groups(**request)

    def modify_load_balancer_attributes(self, **request: Unpack[ModifyLoadBalancerAttributesInputTypeDef]
                                        ) -> ModifyLoadBalancerAttributesOutputTypeDef:
        with aws_errors("ModifyLoadBalancerAttributes"):
            return self.client.modify_load_balancer_attributes(**request)

    def delete_load_balancer(self, **request: Unpack[DeleteLoadBalancerInputTypeDef]) -> None:
        with aws_errors("DeleteLoadBalancer"):
            self.client.delete_load_balancer(**request)

    def create_target_group(self, **request: Unpack[CreateTargetGroupInputTypeDef]) -> CreateTargetGroupOutputTypeDef:
        with aws_errors("CreateTargetGroup"):
            return self.client.create_target_group(**request)

    def modify_target_group(self, **request: Unpack[ModifyTargetGroupInputTypeDef]) -> ModifyTargetGroupOutputTypeDef:
        with aws_errors("ModifyTargetGroup"):
            return self.client.modify_target_group(**request)

    def modify_target_group_attributes(self, **request: Unpack[ModifyTargetGroupAttributesInputTypeDef]
                                       ) -> ModifyTargetGroupAttributesOutputTypeDef:
        with aws_errors("ModifyTargetGroupAttributes"):
            return self.client.modify_target_group_attributes(**request)

    def delete_target_group(self, **request: Unpack[DeleteTargetGroupInputTypeDef]) -> None:
        with aws_errors("DeleteTargetGroup"):
            self.client.delete_target_group(**request)

    def create_listener(self, **request: Unpack[CreateListenerInputTypeDef]) -> CreateListenerOutputTypeDef:
        with aws_errors("CreateListener"):
            return self.client.create_listener(**request)

    def modify_listener(self, **request: Unpack[ModifyListenerInputTypeDef]) -> ModifyListenerOutputTypeDef:
        with aws_errors("ModifyListener"):
            return self.client.modify_listener(**request)

    def delete_listener(self, **request: Unpack[DeleteListenerInputTypeDef]) -> None:
        with aws_errors("DeleteListener"):
            self.client.delete_listener(**request)

    def create_rule(self, **request: Unpack[CreateRuleInputTypeDef]) -> CreateRuleOutputTypeDef:
        with aws_errors("CreateRule"):
            return self.client.create_rule(**request)

    def modify_rule(self, **request: Unpack[ModifyRuleInputTypeDef]) -> ModifyRuleOutputTypeDef:
        with aws_errors("ModifyRule"):
            return self.client.modify_rule(**request)

    def set_rule_priorities(self, **request: Unpack[SetRulePrioritiesInputTypeDef]) -> SetRulePrioritiesOutputTypeDef:
        with aws_errors("SetRulePriorities"):
            return self.client.set_rule_priorities(**request)

    def delete_rule(self, **request: Unpack[DeleteRuleInputTypeDef]) -> None:
        with aws_errors("DeleteRule"):
            self.client.delete_rule(**request)
