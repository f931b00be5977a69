"""``scheduler.autoscaling``: the service's scalable target and policies.

Applied after the ECS service exists (Application Auto Scaling needs it). Policies not in
the definition are deleted from the service's scalable target, which hako owns once the
definition declares autoscaling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.scaling import DIMENSION, NAMESPACE, ScalingApi
from hako_py.compare.diff import unified
from hako_py.plan.instructions import Call, Operation, Output, PointAlarm, Say
from hako_py.plan.values import Ref, ResourceLabel
from hako_py.specs.traffic import ScalingSpec, policy_request
from hako_py.specs.traffic_views import scaling_view as desired_view
from hako_py.traffic.steps import ResourcePlan


@dataclass
class ScalingLive:
    resource_id: str
    target: dict[str, Any] | None = None
    policies: list[dict[str, Any]] = field(default_factory=list)


def read_live(api: ScalingApi, resource_id: str) -> ScalingLive:
    target = api.scalable_target(resource_id)
    return ScalingLive(resource_id, target, api.policies(resource_id) if target is not None else [])


_POLICY_CONFIGS = ("TargetTrackingScalingPolicyConfiguration", "StepScalingPolicyConfiguration")


def _policy_view(policy: dict[str, Any]) -> dict[str, Any]:
    view = {"PolicyName": policy.get("PolicyName"), "PolicyType": policy.get("PolicyType")}
    for key in _POLICY_CONFIGS:
        if policy.get(key):
            view[key] = policy[key]
    return view


def _comparable(policy: dict[str, Any], declared: dict[str, Any] | None) -> dict[str, Any]:
    """A live policy cut down to the fields the declared one sets (AWS fills in defaults)."""
    view = _policy_view(policy)
    if declared is None:
        return view
    for key in _POLICY_CONFIGS:
        if key in view and key in declared:
            view[key] = _project(view[key], declared[key])
    return view


def _project(live: Any, declared: Any) -> Any:
    if isinstance(live, dict) and isinstance(declared, dict):
        return {k: _project(live.get(k), v) for k, v in declared.items()}
    if isinstance(live, list) and isinstance(declared, list) and len(live) == len(declared):
        return [_project(a, b) for a, b in zip(live, declared, strict=True)]
    if isinstance(live, int | float) and isinstance(declared, float) and not isinstance(live, bool):
        return float(live)
    return live


def live_view(spec: ScalingSpec, live: ScalingLive, resource_label: str | None) -> dict[str, Any] | None:
    if live.target is None:
        return None
    view: dict[str, Any] = {"MinCapacity": live.target.get("MinCapacity"),
                            "MaxCapacity": live.target.get("MaxCapacity")}
    if spec.role_arn:
        view["RoleARN"] = live.target.get("RoleARN")
    declared = {str(p["PolicyName"]): p for p in desired_view(spec, resource_label)["Policies"]}
    view["Policies"] = sorted((_comparable(p, declared.get(str(p.get("PolicyName")))) for p in live.policies),
                              key=lambda p: str(p["PolicyName"]))
    return view


def plan(spec: ScalingSpec, live: ScalingLive, resource_label: str | ResourceLabel | None, file: str) -> ResourcePlan:
    """Register the target when its bounds differ, put changed policies, delete undeclared ones (pure).

    *resource_label* (for ALBRequestCountPerTarget) is a :class:`ResourceLabel` of refs when
    the load balancer or target group is created by the same deploy: the executor computes
    it from their ARNs when the policy is put.
    """
    label = resource_label if isinstance(resource_label, str) else None  # what the diff can show
    want, have = desired_view(spec, label), live_view(spec, live, label)
    result = ResourcePlan(diff=unified(have, want, "live autoscaling", f"local {file}") if have != want else "")
    base = {"ServiceNamespace": NAMESPACE, "ResourceId": live.resource_id, "ScalableDimension": DIMENSION}
    have_bounds = {k: (have or {}).get(k) for k in ("MinCapacity", "MaxCapacity", "RoleARN")}
    want_bounds = {k: want.get(k) for k in ("MinCapacity", "MaxCapacity", "RoleARN")}
    if have is None or have_bounds != want_bounds:
        request = {**base, "MinCapacity": spec.min_capacity, "MaxCapacity": spec.max_capacity}
        if spec.role_arn:
            request["RoleARN"] = spec.role_arn
        result.add(Call(Operation.REGISTER_SCALABLE_TARGET, request,
                        f"RegisterScalableTarget {live.resource_id} min {spec.min_capacity} max {spec.max_capacity}"))
    live_policies = {str(p["PolicyName"]): p for p in (have or {}).get("Policies", [])}
    for declared, wanted in zip(spec.policies, (policy_request(p, label) for p in spec.policies), strict=True):
        name = str(wanted["PolicyName"])
        current = live_policies.pop(name, None)
        if current == wanted:
            continue
        body = policy_request(declared, None) if isinstance(resource_label, ResourceLabel) else wanted
        if isinstance(resource_label, ResourceLabel):
            body = _with_label(body, resource_label)
        policy = f"scaling-policy:{name}"
        alarms = [PointAlarm(str(alarm), Ref(policy)) for alarm in declared.get("alarms") or []]
        said = f"PutScalingPolicy {name} ({wanted['PolicyType']})"
        result.add(Call(Operation.PUT_SCALING_POLICY, {**base, **body}, said, done=(),
                        outputs=(Output(policy, ("PolicyARN",)),)), *alarms, Say((said,)))
    for name in sorted(live_policies):
        result.add(Call(Operation.DELETE_SCALING_POLICY, {**base, "PolicyName": name},
                        f"DeleteScalingPolicy {name} (not in the definition)"))
    return result


def _with_label(body: dict[str, Any], label: ResourceLabel) -> dict[str, Any]:
    """*body* with the label (still made of refs) in its predefined metric."""
    config = body.get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = config.get("PredefinedMetricSpecification") or {}
    if "ResourceLabel" not in metric:
        return body
    return {**body, "TargetTrackingScalingPolicyConfiguration": {
        **config, "PredefinedMetricSpecification": {**metric, "ResourceLabel": label}}}


def removal(live: ScalingLive) -> ResourcePlan:
    result = ResourcePlan()
    if live.target is not None:
        result.add(Call(Operation.DEREGISTER_SCALABLE_TARGET,
                        {"ServiceNamespace": NAMESPACE, "ResourceId": live.resource_id, "ScalableDimension": DIMENSION},
                        f"DeregisterScalableTarget {live.resource_id} (and its policies)"))
    return result
