"""``scheduler.elb_v2``: the load balancer, target group, listeners and listener rule hako keeps.

Reads the live resources by name, compares them with the spec on the keys the definition
controls (attributes and health check settings it does not mention are left alone) and
plans the writes. Only resources tagged ``hako:app=APP_ID`` are ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.elbv2 import ElbApi
from hako_py.compare.diff import unified
from hako_py.definition import as_int
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.plan.instructions import Call, Operation, Output, Retry
from hako_py.plan.values import Ref
from hako_py.specs.traffic import MANAGED_TAG, ElbSpec, target_group_ref
from hako_py.specs.traffic_views import conditions as _conditions
from hako_py.specs.traffic_views import elb_view as desired_view
from hako_py.specs.traffic_views import listener_view as _listener_view
from hako_py.traffic.steps import Known, ResourcePlan, ref_name

_TG_IMMUTABLE = (("Protocol", "protocol"), ("Port", "port"), ("TargetType", "target_type"), ("VpcId", "vpc_id"),
                 ("ProtocolVersion", "protocol_version"))


@dataclass
class ElbLive:
    """What exists now under the spec's names."""

    load_balancer: dict[str, Any] | None = None
    load_balancer_attributes: dict[str, str] = field(default_factory=dict)
    listeners: list[dict[str, Any]] = field(default_factory=list)
    target_group: dict[str, Any] | None = None
    target_group_attributes: dict[str, str] = field(default_factory=dict)
    rule: dict[str, Any] | None = None
    rule_listener: dict[str, Any] | None = None
    # for removal only (read_owners): whether the hako:app tag says hako created them for this app
    owns_load_balancer: bool = False
    owns_target_group: bool = False


def read_live(api: ElbApi, spec: ElbSpec) -> ElbLive:
    live = ElbLive(load_balancer=api.load_balancer(spec.load_balancer_name),
                   target_group=api.target_group(spec.target_group_name))
    if live.load_balancer is not None:
        lb_arn = str(live.load_balancer["LoadBalancerArn"])
        live.listeners = api.listeners(lb_arn)
        if spec.load_balancer_attributes:
            live.load_balancer_attributes = api.load_balancer_attributes(lb_arn)
    if live.target_group is not None and spec.target_group_attributes:
        live.target_group_attributes = api.target_group_attributes(str(live.target_group["TargetGroupArn"]))
    if spec.listener_rule is not None and live.load_balancer is not None:
        port = as_int(spec.listener_rule.get("port"))
        live.rule_listener = next((ls for ls in live.listeners if ls.get("Port") == port), None)
        if live.rule_listener is not None and live.target_group is not None:
            live.rule = _forwarding_rule(api.rules(str(live.rule_listener["ListenerArn"])),
                                         str(live.target_group["TargetGroupArn"]))
    return live


def _forwarding_rule(rules: list[dict[str, Any]], target_group_arn: str) -> dict[str, Any] | None:
    for rule in rules:
        if rule.get("IsDefault"):
            continue
        for action in rule.get("Actions") or []:
            if action.get("TargetGroupArn") == target_group_arn:
                return rule
    return None


def _live_conditions(rule: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for condition in rule.get("Conditions") or []:
        field_name = condition.get("Field")
        if field_name == "host-header":
            values = (condition.get("HostHeaderConfig") or {}).get("Values") or condition.get("Values") or []
            found.append({"Field": field_name, "HostHeaderConfig": {"Values": list(values)}})
        elif field_name == "path-pattern":
            values = (condition.get("PathPatternConfig") or {}).get("Values") or condition.get("Values") or []
            found.append({"Field": field_name, "PathPatternConfig": {"Values": list(values)}})
    return sorted(found, key=lambda c: str(c["Field"]))


def _live_listener_view(listener: dict[str, Any], declared: dict[str, Any] | None) -> dict[str, Any]:
    view: dict[str, Any] = {"Port": listener.get("Port"), "Protocol": listener.get("Protocol")}
    certificates = [c.get("CertificateArn") for c in listener.get("Certificates") or []]
    if certificates:
        view["Certificates"] = certificates
    if listener.get("SslPolicy") and declared is not None and declared.get("ssl_policy"):
        view["SslPolicy"] = listener["SslPolicy"]  # AWS picks a default policy; compare only a declared one
    return view


def live_view(spec: ElbSpec, live: ElbLive) -> dict[str, Any] | None:
    """The live resources projected onto the keys of :func:`desired_view`."""
    if live.load_balancer is None and live.target_group is None:
        return None
    view: dict[str, Any] = {}
    lb = live.load_balancer
    if spec.creates_load_balancer and lb is not None:
        lb_view: dict[str, Any] = {
            "Name": lb.get("LoadBalancerName"), "Type": lb.get("Type"), "Scheme": lb.get("Scheme"),
            "Subnets": sorted(z.get("SubnetId") for z in lb.get("AvailabilityZones") or []),
        }
        if lb.get("Type") == "application":
            lb_view["SecurityGroups"] = sorted(lb.get("SecurityGroups") or [])
        if spec.load_balancer_attributes:
            lb_view["Attributes"] = {k: live.load_balancer_attributes.get(k) for k in
                                     sorted(spec.load_balancer_attributes)}
        view["loadBalancer"] = lb_view
        declared = {as_int(listener.get("port")): listener for listener in spec.listeners}
        view["listeners"] = [_live_listener_view(ls, declared.get(ls.get("Port")))
                             for ls in sorted(live.listeners, key=lambda ls: int(ls.get("Port") or 0))]
    elif lb is not None:
        view["loadBalancer"] = {"Name": spec.load_balancer_name, "ManagedBy": "others"}
    tg = live.target_group
    if spec.creates_target_group and tg is not None:
        tg_view: dict[str, Any] = {"Name": tg.get("TargetGroupName"), "Protocol": tg.get("Protocol"),
                                   "Port": tg.get("Port"), "TargetType": tg.get("TargetType"),
                                   "VpcId": tg.get("VpcId")}
        if spec.protocol_version:
            tg_view["ProtocolVersion"] = tg.get("ProtocolVersion")
        if spec.health_check:
            tg_view["HealthCheck"] = {k: tg.get(k) for k in sorted(spec.health_check)}
        if spec.target_group_attributes:
            tg_view["Attributes"] = {k: live.target_group_attributes.get(k) for k in
                                     sorted(spec.target_group_attributes)}
        view["targetGroup"] = tg_view
    elif tg is not None:
        view["targetGroup"] = {"Name": spec.target_group_name, "ManagedBy": "others"}
    if live.rule is not None:
        view["listenerRule"] = {"Port": live.rule_listener.get("Port") if live.rule_listener else None,
                                "Priority": as_int(live.rule.get("Priority")),
                                "Conditions": _live_conditions(live.rule)}
    view["container"] = {"Name": spec.container_name, "Port": spec.container_port}
    return view


def plan(spec: ElbSpec, live: ElbLive, known: Known, file: str) -> ResourcePlan:
    """The writes that make the live resources match *spec* (pure); found ARNs go into *known*."""
    want, have = desired_view(spec), live_view(spec, live)
    result = ResourcePlan(diff=unified(have, want, "live elb_v2", f"local {file}") if have != want else "")
    tg_key = ref_name(target_group_ref(spec.target_group_name))
    lb_key = f"load-balancer:{spec.load_balancer_name}"
    if live.load_balancer is not None:
        known[lb_key] = str(live.load_balancer["LoadBalancerArn"])
    if live.target_group is not None:
        known[tg_key] = str(live.target_group["TargetGroupArn"])
    _plan_load_balancer(spec, live, result, known.value(lb_key), want)
    _plan_target_group(spec, live, result, known.value(tg_key), want)
    if spec.creates_load_balancer:
        _plan_listeners(spec, live, result, known.value(lb_key), known.value(tg_key))
    if spec.listener_rule is not None:
        _plan_rule(spec, live, result, known.value(tg_key))
    return result


def _plan_load_balancer(spec: ElbSpec, live: ElbLive, result: ResourcePlan, lb_arn: str | Ref,
                        want: dict[str, Any]) -> None:
    lb = live.load_balancer
    if not spec.creates_load_balancer:
        if lb is None:
            raise HakoError(f"scheduler.elb_v2.load_balancer_name: load balancer {spec.load_balancer_name} does not "
                            "exist (hako uses a named load balancer as it is and never creates it)")
        return
    if lb is None:
        request: dict[str, Any] = {"Name": spec.load_balancer_name, "Subnets": list(spec.subnets),
                                   "Scheme": spec.scheme, "Type": spec.type, "Tags": spec.api_tags}
        if spec.type == "application":
            request["SecurityGroups"] = list(spec.security_groups)
        assert isinstance(lb_arn, Ref)
        result.add(Call(Operation.CREATE_LOAD_BALANCER, request,
                        f"CreateLoadBalancer {spec.load_balancer_name} ({spec.type}, {spec.scheme})",
                        outputs=(Output(lb_arn.name, ("LoadBalancers", 0, "LoadBalancerArn")),)))
    else:
        for key, label in (("Type", "type"), ("Scheme", "scheme")):
            if lb.get(key) != want["loadBalancer"][key]:
                result.immutable.append(f"elb_v2.{label}: {quoted(lb.get(key))} -> {quoted(want['loadBalancer'][key])} "
                                        f"(load balancer {spec.load_balancer_name} must be recreated)")
        subnets = sorted(z.get("SubnetId") for z in lb.get("AvailabilityZones") or [])
        if subnets != list(spec.subnets):
            result.add(Call(Operation.SET_SUBNETS, {"LoadBalancerArn": lb_arn, "Subnets": list(spec.subnets)},
                            f"SetSubnets {spec.load_balancer_name}: {', '.join(spec.subnets)}"))
        if spec.type == "application" and sorted(lb.get("SecurityGroups") or []) != list(spec.security_groups):
            result.add(Call(Operation.SET_SECURITY_GROUPS,
                            {"LoadBalancerArn": lb_arn, "SecurityGroups": list(spec.security_groups)},
                            f"SetSecurityGroups {spec.load_balancer_name}: {', '.join(spec.security_groups)}"))
    _attributes_step(result, "LoadBalancer", spec.load_balancer_name, spec.load_balancer_attributes,
                     live.load_balancer_attributes, lb_arn)


def _plan_target_group(spec: ElbSpec, live: ElbLive, result: ResourcePlan, tg_arn: str | Ref,
                       want: dict[str, Any]) -> None:
    tg = live.target_group
    if not spec.creates_target_group:
        if tg is None:
            raise HakoError(f"scheduler.elb_v2.target_group_name: target group {spec.target_group_name} does not "
                            "exist (hako uses a named target group as it is and never creates it)")
        return
    if tg is None:
        request = {"Name": spec.target_group_name, "Protocol": spec.protocol, "Port": spec.port,
                   "VpcId": spec.vpc_id, "TargetType": spec.target_type, "Tags": spec.api_tags,
                   **spec.health_check}
        if spec.protocol_version:  # as hako's CreateTargetGroup (ecs_elb_v2.rb:99-108)
            request["ProtocolVersion"] = spec.protocol_version
        assert isinstance(tg_arn, Ref)
        result.add(Call(Operation.CREATE_TARGET_GROUP, request,
                        f"CreateTargetGroup {spec.target_group_name} ({spec.protocol}:{spec.port}, {spec.target_type})",
                        outputs=(Output(tg_arn.name, ("TargetGroups", 0, "TargetGroupArn")),)))
    else:
        for api_key, label in _TG_IMMUTABLE:
            if api_key in want["targetGroup"] and tg.get(api_key) != want["targetGroup"][api_key]:
                result.immutable.append(f"elb_v2 target group {label}: {quoted(tg.get(api_key))} -> "
                                        f"{quoted(want['targetGroup'][api_key])} (target group "
                                        f"{spec.target_group_name} must be recreated)")
        health = {k: v for k, v in spec.health_check.items() if tg.get(k) != v}
        if health:
            result.add(Call(Operation.MODIFY_TARGET_GROUP, {"TargetGroupArn": tg_arn, **health},
                            f"ModifyTargetGroup {spec.target_group_name}: {', '.join(sorted(health))}"))
    _attributes_step(result, "TargetGroup", spec.target_group_name, spec.target_group_attributes,
                     live.target_group_attributes, tg_arn)


def _attributes_step(result: ResourcePlan, kind: str, name: str, wanted: dict[str, str], live: dict[str, str],
                     arn: str | Ref) -> None:
    """Modify{kind}Attributes with the declared attributes whose live value differs (others are left)."""
    changed = {k: v for k, v in wanted.items() if live.get(k) != v}
    if not changed:
        return
    operation = (Operation.MODIFY_LOAD_BALANCER_ATTRIBUTES if kind == "LoadBalancer"
                 else Operation.MODIFY_TARGET_GROUP_ATTRIBUTES)
    attributes = [{"Key": k, "Value": v} for k, v in sorted(changed.items())]
    result.add(Call(operation, {f"{kind}Arn": arn, "Attributes": attributes},
                    f"Modify{kind}Attributes {name}: {', '.join(sorted(changed))}"))


def _listener_request(listener: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"Protocol": listener["protocol"], "Port": as_int(listener["port"])}
    if listener.get("certificate_arn"):
        request["Certificates"] = [{"CertificateArn": listener["certificate_arn"]}]
    if listener.get("ssl_policy"):
        request["SslPolicy"] = listener["ssl_policy"]
    return request


def _forwards_to(listener: dict[str, Any], target_group_arn: str | None) -> bool:
    return any(a.get("Type") == "forward" and a.get("TargetGroupArn") == target_group_arn
               for a in listener.get("DefaultActions") or [])


def _plan_listeners(spec: ElbSpec, live: ElbLive, result: ResourcePlan, lb_arn: str | Ref,
                    tg_arn: str | Ref) -> None:
    existing = {ls.get("Port"): ls for ls in live.listeners}
    live_tg_arn = str(live.target_group["TargetGroupArn"]) if live.target_group else None
    forward = [{"Type": "forward", "TargetGroupArn": tg_arn}]
    for listener in spec.listeners:
        request = _listener_request(listener)
        current = existing.pop(request["Port"], None)
        if current is None:
            result.add(Call(Operation.CREATE_LISTENER,
                            {**request, "LoadBalancerArn": lb_arn, "DefaultActions": forward},
                            f"CreateListener {request['Protocol']}:{request['Port']} -> {spec.target_group_name}"))
            continue
        declared = _listener_view(listener)
        if _live_listener_view(current, listener) != declared or not _forwards_to(current, live_tg_arn):
            result.add(Call(Operation.MODIFY_LISTENER,
                            {**request, "ListenerArn": current["ListenerArn"], "DefaultActions": forward},
                            f"ModifyListener {request['Protocol']}:{request['Port']} -> {spec.target_group_name}"))
    for port, extra in sorted(existing.items(), key=lambda item: int(item[0] or 0)):
        result.add(Call(Operation.DELETE_LISTENER, {"ListenerArn": extra["ListenerArn"]},
                        f"DeleteListener {extra.get('Protocol')}:{port} (not in the definition)"))


def _plan_rule(spec: ElbSpec, live: ElbLive, result: ResourcePlan, tg_arn: str | Ref) -> None:
    rule = spec.listener_rule
    assert rule is not None
    port = as_int(rule.get("port"))
    if live.rule_listener is None:
        raise HakoError(f"scheduler.elb_v2.listener_rule.port: load balancer {spec.load_balancer_name} has no "
                        f"listener on port {port}")
    listener_arn = str(live.rule_listener["ListenerArn"])
    priority = as_int(rule.get("priority"))
    conditions = _conditions(rule)
    if live.rule is None:
        result.add(Call(Operation.CREATE_RULE, {"ListenerArn": listener_arn, "Priority": priority,
                                                "Conditions": conditions, "Tags": spec.api_tags,
                                                "Actions": [{"Type": "forward", "TargetGroupArn": tg_arn}]},
                        f"CreateRule on {spec.load_balancer_name}:{port} priority {priority} -> "
                        f"{spec.target_group_name}"))
        return
    rule_arn = str(live.rule["RuleArn"])
    if _live_conditions(live.rule) != sorted(conditions, key=lambda c: str(c["Field"])):
        result.add(Call(Operation.MODIFY_RULE, {"RuleArn": rule_arn, "Conditions": conditions},
                        f"ModifyRule on {spec.load_balancer_name}:{port}: conditions"))
    if as_int(live.rule.get("Priority")) != priority:
        result.add(Call(Operation.SET_RULE_PRIORITIES,
                        {"RulePriorities": [{"RuleArn": rule_arn, "Priority": priority}]},
                        f"SetRulePriorities on {spec.load_balancer_name}:{port}: {live.rule.get('Priority')} -> "
                        f"{priority}"))


def owned(api: ElbApi, arn: str, app_id: str) -> bool:
    return api.tags(arn).get(MANAGED_TAG) == app_id


def read_owners(api: ElbApi, spec: ElbSpec, live: ElbLive) -> ElbLive:
    """*live* with who created its load balancer and target group (one DescribeTags each, and
    only for what the definition says hako creates): what :func:`removal` decides from."""
    if spec.creates_load_balancer and live.load_balancer is not None:
        live.owns_load_balancer = owned(api, str(live.load_balancer["LoadBalancerArn"]), spec.app_id)
    if spec.creates_target_group and live.target_group is not None:
        live.owns_target_group = owned(api, str(live.target_group["TargetGroupArn"]), spec.app_id)
    return live


# DeleteTargetGroup answers ResourceInUse while the load balancer deleted just before goes away.
TARGET_GROUP_IN_USE = Retry("ResourceInUse", attempts=30, delay=1.0)


def removal(spec: ElbSpec, live: ElbLive) -> tuple[ResourcePlan, list[str]]:
    """Deletes of what hako created for *spec* (pure: ownership was read by :func:`read_owners`);
    and what it leaves, why."""
    result = ResourcePlan()
    kept: list[str] = []
    tg = live.target_group
    if live.rule is not None and tg is not None and live.owns_target_group:
        rule_arn = str(live.rule["RuleArn"])
        result.add(Call(Operation.DELETE_RULE, {"RuleArn": rule_arn},
                        f"DeleteRule {rule_arn.rsplit('/', 1)[-1]} on {spec.load_balancer_name}"))
    lb = live.load_balancer
    if lb is not None:
        if live.owns_load_balancer:
            result.add(Call(Operation.DELETE_LOAD_BALANCER, {"LoadBalancerArn": str(lb["LoadBalancerArn"])},
                            f"DeleteLoadBalancer {spec.load_balancer_name}"))
        else:
            kept.append(f"load balancer {spec.load_balancer_name} (not created by hako for this app)")
            if tg is not None and live.owns_target_group:
                # listeners that forward to hako's own target group were added by hako
                for listener in live.listeners:
                    if _forwards_to(listener, str(tg["TargetGroupArn"])):
                        result.add(Call(Operation.DELETE_LISTENER, {"ListenerArn": listener["ListenerArn"]},
                                        f"DeleteListener {listener.get('Protocol')}:{listener.get('Port')} on "
                                        f"{spec.load_balancer_name} (forwards to hako's target group)"))
    if tg is not None:
        if live.owns_target_group:
            result.add(Call(Operation.DELETE_TARGET_GROUP, {"TargetGroupArn": str(tg["TargetGroupArn"])},
                            f"DeleteTargetGroup {spec.target_group_name}", retry=TARGET_GROUP_IN_USE))
        else:
            kept.append(f"target group {spec.target_group_name} (not created by hako for this app)")
    return result, kept
