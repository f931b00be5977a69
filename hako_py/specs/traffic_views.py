"""The traffic settings as hako compares and shows them: pure, no AWS (render and PR review
use these; the deploy planners compare the live resources against them)."""

from __future__ import annotations

from typing import Any

from hako_py.definition import as_int
from hako_py.specs.traffic import ElbSpec, ScalingSpec, TrafficSpecs, policy_request


def conditions(rule: dict[str, Any]) -> list[dict[str, Any]]:
    conditions = []
    if rule.get("host_header"):
        conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": list(rule["host_header"])}})
    if rule.get("path_pattern"):
        conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": list(rule["path_pattern"])}})
    return conditions


def listener_view(listener: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"Port": as_int(listener.get("port")), "Protocol": listener.get("protocol")}
    if listener.get("certificate_arn"):
        view["Certificates"] = [listener["certificate_arn"]]
    if listener.get("ssl_policy"):
        view["SslPolicy"] = listener["ssl_policy"]
    return view


def elb_view(spec: ElbSpec) -> dict[str, Any]:
    """The spec as hako compares it (also what PR review shows)."""
    view: dict[str, Any] = {}
    if spec.creates_load_balancer:
        lb: dict[str, Any] = {"Name": spec.load_balancer_name, "Type": spec.type, "Scheme": spec.scheme,
                              "Subnets": list(spec.subnets)}
        if spec.type == "application":
            lb["SecurityGroups"] = list(spec.security_groups)
        if spec.load_balancer_attributes:
            lb["Attributes"] = dict(sorted(spec.load_balancer_attributes.items()))
        view["loadBalancer"] = lb
        view["listeners"] = [listener_view(listener) for listener in spec.listeners]
    else:
        view["loadBalancer"] = {"Name": spec.load_balancer_name, "ManagedBy": "others"}
    if spec.creates_target_group:
        tg: dict[str, Any] = {"Name": spec.target_group_name, "Protocol": spec.protocol, "Port": spec.port,
                              "TargetType": spec.target_type, "VpcId": spec.vpc_id}
        if spec.protocol_version:
            tg["ProtocolVersion"] = spec.protocol_version
        if spec.health_check:
            tg["HealthCheck"] = dict(sorted(spec.health_check.items()))
        if spec.target_group_attributes:
            tg["Attributes"] = dict(sorted(spec.target_group_attributes.items()))
        view["targetGroup"] = tg
    else:
        view["targetGroup"] = {"Name": spec.target_group_name, "ManagedBy": "others"}
    if spec.listener_rule is not None:
        view["listenerRule"] = {"Port": as_int(spec.listener_rule.get("port")),
                                "Priority": as_int(spec.listener_rule.get("priority")),
                                "Conditions": sorted(conditions(spec.listener_rule), key=lambda c: str(c["Field"]))}
    view["container"] = {"Name": spec.container_name, "Port": spec.container_port}
    return view


def scaling_view(spec: ScalingSpec, resource_label: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"MinCapacity": spec.min_capacity, "MaxCapacity": spec.max_capacity}
    if spec.role_arn:
        view["RoleARN"] = spec.role_arn
    view["Policies"] = sorted((policy_request(p, resource_label) for p in spec.policies),
                              key=lambda p: str(p["PolicyName"]))
    return view



def traffic_view(specs: TrafficSpecs) -> dict[str, Any] | None:
    """What PR review shows for an app's traffic settings."""
    view: dict[str, Any] = {}
    if specs.elb is not None:
        view["elbV2"] = elb_view(specs.elb)
    if specs.discovery:
        view["serviceDiscovery"] = [s.view() for s in specs.discovery]
    if specs.scaling is not None:
        view["autoscaling"] = scaling_view(specs.scaling, None)
    return view or None
