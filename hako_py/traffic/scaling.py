"""``scheduler.autoscaling``: the service's scalable target and policies.

Applied after the ECS service exists (Application Auto Scaling needs it). Policies not in
the definition are deleted from the service's scalable target, which hako owns once the
definition declares autoscaling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from hako_py.aws.scaling import DIMENSION, NAMESPACE, ScalingApi
from hako_py.compare.diff import unified
from hako_py.specs.traffic import ScalingSpec, policy_request
from hako_py.specs.traffic_views import scaling_view as desired_view
from hako_py.traffic.steps import Refs, ResourcePlan

ALARM_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
                "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                "ComparisonOperator", "TreatMissingData")


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


def plan(api: ScalingApi, spec: ScalingSpec, live: ScalingLive, resource_label: str | None, file: str,
         label_from: Callable[[Refs], str | None] | None = None) -> ResourcePlan:
    """Register the target when its bounds differ, put changed policies, delete undeclared ones.

    *resource_label* (for ALBRequestCountPerTarget) may still be unknown when the load
    balancer is created by the same deploy; *label_from* then computes it from the ARNs the
    earlier steps put in *refs*, when the policy is put.
    """
    want, have = desired_view(spec, resource_label), live_view(spec, live, resource_label)
    result = ResourcePlan(diff=unified(have, want, "live autoscaling", f"local {file}") if have != want else "")
    base = {"ServiceNamespace": NAMESPACE, "ResourceId": live.resource_id, "ScalableDimension": DIMENSION}
    have_bounds = {k: (have or {}).get(k) for k in ("MinCapacity", "MaxCapacity", "RoleARN")}
    want_bounds = {k: want.get(k) for k in ("MinCapacity", "MaxCapacity", "RoleARN")}
    if have is None or have_bounds != want_bounds:
        request = {**base, "MinCapacity": spec.min_capacity, "MaxCapacity": spec.max_capacity}
        if spec.role_arn:
            request["RoleARN"] = spec.role_arn
        result.add(f"RegisterScalableTarget {live.resource_id} min {spec.min_capacity} max {spec.max_capacity}",
                   lambda refs: api.write("register_scalable_target", **request))
    live_policies = {str(p["PolicyName"]): p for p in (have or {}).get("Policies", [])}
    for declared, wanted in zip(spec.policies, (policy_request(p, resource_label) for p in spec.policies),
                                strict=True):
        name = str(wanted["PolicyName"])
        current = live_policies.pop(name, None)
        if current == wanted:
            continue

        def put(refs: Refs, declared: dict[str, Any] = declared) -> None:
            body = policy_request(declared, resource_label or (label_from(refs) if label_from else None))
            created = api.write("put_scaling_policy", **base, **body)
            for alarm in declared.get("alarms") or []:
                _point_alarm(api, str(alarm), str(created["PolicyARN"]))
        result.add(f"PutScalingPolicy {name} ({wanted['PolicyType']})", put)
    for name in sorted(live_policies):
        result.add(f"DeleteScalingPolicy {name} (not in the definition)",
                   partial(_delete_policy, api, {**base, "PolicyName": name}))
    return result


def _delete_policy(api: ScalingApi, request: dict[str, Any], refs: Refs) -> None:
    api.write("delete_scaling_policy", **request)


def _point_alarm(api: ScalingApi, alarm_name: str, policy_arn: str) -> None:
    """Make the step policy the alarm's action (as the original hako did), keeping its other fields."""
    from hako_py.errors import HakoError

    alarm = api.alarms([alarm_name]).get(alarm_name)
    if alarm is None:
        raise HakoError(f"scheduler.autoscaling: alarm {alarm_name} does not exist")
    if policy_arn in (alarm.get("AlarmActions") or []):
        return
    request = {k: alarm[k] for k in ALARM_FIELDS if alarm.get(k) not in (None, [])}
    request["AlarmActions"] = [*(alarm.get("AlarmActions") or []), policy_arn]
    api.put_alarm(request)


def removal(api: ScalingApi, live: ScalingLive) -> ResourcePlan:
    result = ResourcePlan()
    if live.target is not None:
        result.add(f"DeregisterScalableTarget {live.resource_id} (and its policies)",
                   lambda refs: api.write("deregister_scalable_target", ServiceNamespace=NAMESPACE,
                                          ResourceId=live.resource_id, ScalableDimension=DIMENSION))
    return result
