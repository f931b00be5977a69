"""``scheduler.elb_v2``: the load balancer, target group, listeners and listener rule hako keeps.

Reads the live resources by name, compares them with the spec on the keys the definition
controls (attributes and health check settings it does not mention are left alone) and
plans the writes. Only this app's resources are ever deleted: tagged ``hako:app=APP_ID``, or
named ``hako-APP_ID`` by hako 2.18 and used by no other app (see :func:`owners`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from hako_py.aws.elbv2 import ElbApi
from hako_py.compare.diff import unified
from hako_py.definition import as_int
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.specs.traffic import MANAGED_TAG, ElbSpec, target_group_ref
from hako_py.specs.traffic_views import conditions as _conditions
from hako_py.specs.traffic_views import elb_view as desired_view
from hako_py.specs.traffic_views import listener_view as _listener_view
from hako_py.traffic.steps import Refs, ResourcePlan

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


def plan(api: ElbApi, spec: ElbSpec, live: ElbLive, refs: Refs, file: str) -> ResourcePlan:
    """The writes that make the live resources match *spec*; known ARNs go into *refs*."""
    want, have = desired_view(spec), live_view(spec, live)
    result = ResourcePlan(diff=unified(have, want, "live elb_v2", f"local {file}") if have != want else "")
    tg_ref = target_group_ref(spec.target_group_name)
    lb_key = f"load-balancer:{spec.load_balancer_name}"
    if live.load_balancer is not None:
        refs[lb_key] = str(live.load_balancer["LoadBalancerArn"])
    if live.target_group is not None:
        refs[tg_ref] = str(live.target_group["TargetGroupArn"])
    _plan_load_balancer(api, spec, live, result, lb_key, want)
    _plan_target_group(api, spec, live, result, tg_ref, want)
    if spec.creates_load_balancer:
        _plan_listeners(api, spec, live, result, lb_key, tg_ref)
    if spec.listener_rule is not None:
        _plan_rule(api, spec, live, result, tg_ref)
    return result


def _plan_load_balancer(api: ElbApi, spec: ElbSpec, live: ElbLive, result: ResourcePlan, lb_key: str,
                        want: dict[str, Any]) -> None:
    lb = live.load_balancer
    if not spec.creates_load_balancer:
        if lb is None:
            raise HakoError(f"scheduler.elb_v2.load_balancer_name: load balancer {spec.load_balancer_name} does not "
                            "exist (hako uses a named load balancer as it is and never creates it)")
        return
    if lb is None:
        def create(refs: Refs) -> None:
            request: dict[str, Any] = {"Name": spec.load_balancer_name, "Subnets": list(spec.subnets),
                                       "Scheme": spec.scheme, "Type": spec.type, "Tags": spec.api_tags}
            if spec.type == "application":
                request["SecurityGroups"] = list(spec.security_groups)
            created = api.write("create_load_balancer", **request)["LoadBalancers"][0]
            refs[lb_key] = str(created["LoadBalancerArn"])
        result.add(f"CreateLoadBalancer {spec.load_balancer_name} ({spec.type}, {spec.scheme})", create)
    else:
        for key, label in (("Type", "type"), ("Scheme", "scheme")):
            if lb.get(key) != want["loadBalancer"][key]:
                result.immutable.append(f"elb_v2.{label}: {quoted(lb.get(key))} -> {quoted(want['loadBalancer'][key])} "
                                        f"(load balancer {spec.load_balancer_name} must be recreated)")
        subnets = sorted(z.get("SubnetId") for z in lb.get("AvailabilityZones") or [])
        if subnets != list(spec.subnets):
            result.add(f"SetSubnets {spec.load_balancer_name}: {', '.join(spec.subnets)}",
                       lambda refs: api.write("set_subnets", LoadBalancerArn=refs[lb_key], Subnets=list(spec.subnets)))
        if spec.type == "application" and sorted(lb.get("SecurityGroups") or []) != list(spec.security_groups):
            result.add(f"SetSecurityGroups {spec.load_balancer_name}: {', '.join(spec.security_groups)}",
                       lambda refs: api.write("set_security_groups", LoadBalancerArn=refs[lb_key],
                                              SecurityGroups=list(spec.security_groups)))
    _attributes_step(api, result, "LoadBalancer", spec.load_balancer_name, spec.load_balancer_attributes,
                     live.load_balancer_attributes, lb_key)


def _plan_target_group(api: ElbApi, spec: ElbSpec, live: ElbLive, result: ResourcePlan, tg_ref: str,
                       want: dict[str, Any]) -> None:
    tg = live.target_group
    if not spec.creates_target_group:
        if tg is None:
            raise HakoError(f"scheduler.elb_v2.target_group_name: target group {spec.target_group_name} does not "
                            "exist (hako uses a named target group as it is and never creates it)")
        return
    if tg is None:
        def create(refs: Refs) -> None:
            request = {"Name": spec.target_group_name, "Protocol": spec.protocol, "Port": spec.port,
                       "VpcId": spec.vpc_id, "TargetType": spec.target_type, "Tags": spec.api_tags,
                       **spec.health_check}
            if spec.protocol_version:  # as hako's CreateTargetGroup (ecs_elb_v2.rb:99-108)
                request["ProtocolVersion"] = spec.protocol_version
            refs[tg_ref] = str(api.write("create_target_group", **request)["TargetGroups"][0]["TargetGroupArn"])
        result.add(f"CreateTargetGroup {spec.target_group_name} ({spec.protocol}:{spec.port}, {spec.target_type})",
                   create)
    else:
        for api_key, label in _TG_IMMUTABLE:
            if api_key in want["targetGroup"] and tg.get(api_key) != want["targetGroup"][api_key]:
                result.immutable.append(f"elb_v2 target group {label}: {quoted(tg.get(api_key))} -> "
                                        f"{quoted(want['targetGroup'][api_key])} (target group "
                                        f"{spec.target_group_name} must be recreated)")
        health = {k: v for k, v in spec.health_check.items() if tg.get(k) != v}
        if health:
            result.add(f"ModifyTargetGroup {spec.target_group_name}: {', '.join(sorted(health))}",
                       lambda refs: api.write("modify_target_group", TargetGroupArn=refs[tg_ref], **health))
    _attributes_step(api, result, "TargetGroup", spec.target_group_name, spec.target_group_attributes,
                     live.target_group_attributes, tg_ref)


def _attributes_step(api: ElbApi, result: ResourcePlan, kind: str, name: str, wanted: dict[str, str],
                     live: dict[str, str], arn_ref: str) -> None:
    """Modify{kind}Attributes with the declared attributes whose live value differs (others are left)."""
    changed = {k: v for k, v in wanted.items() if live.get(k) != v}
    if not changed:
        return
    operation = "modify_load_balancer_attributes" if kind == "LoadBalancer" else "modify_target_group_attributes"
    attributes = [{"Key": k, "Value": v} for k, v in sorted(changed.items())]
    result.add(f"Modify{kind}Attributes {name}: {', '.join(sorted(changed))}",
               lambda refs: api.write(operation, **{f"{kind}Arn": refs[arn_ref]}, Attributes=attributes))


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


def _plan_listeners(api: ElbApi, spec: ElbSpec, live: ElbLive, result: ResourcePlan, lb_key: str,
                    tg_ref: str) -> None:
    existing = {ls.get("Port"): ls for ls in live.listeners}
    tg_arn = str(live.target_group["TargetGroupArn"]) if live.target_group else None
    forward = _forwarder(tg_ref)
    for listener in spec.listeners:
        request = _listener_request(listener)
        current = existing.pop(request["Port"], None)
        if current is None:
            result.add(f"CreateListener {request['Protocol']}:{request['Port']} -> {spec.target_group_name}",
                       partial(_write_with_refs, api, "create_listener", {**request}, lb_key, forward))
            continue
        declared = _listener_view(listener)
        if _live_listener_view(current, listener) != declared or not _forwards_to(current, tg_arn):
            result.add(f"ModifyListener {request['Protocol']}:{request['Port']} -> {spec.target_group_name}",
                       partial(_write_with_refs, api, "modify_listener",
                               {**request, "ListenerArn": current["ListenerArn"]}, None, forward))
    for port, extra in sorted(existing.items(), key=lambda item: int(item[0] or 0)):
        if _forward_targets(list(extra.get("DefaultActions") or [])) - {tg_arn}:
            continue  # it forwards to another app's target group (a hako-named load balancer shared since)
        result.add(f"DeleteListener {extra.get('Protocol')}:{port} (not in the definition)",
                   partial(_write_with_refs, api, "delete_listener", {"ListenerArn": extra["ListenerArn"]}, None,
                           None))


def _forwarder(tg_ref: str) -> Callable[[Refs], dict[str, Any]]:
    return lambda refs: {"DefaultActions": [{"Type": "forward", "TargetGroupArn": refs[tg_ref]}]}


def _write_with_refs(api: ElbApi, operation: str, request: dict[str, Any], lb_key: str | None,
                     extra: Callable[[Refs], dict[str, Any]] | None, refs: Refs) -> None:
    """A listener write whose load balancer or target group ARN may come from an earlier step."""
    body = dict(request)
    if lb_key is not None:
        body["LoadBalancerArn"] = refs[lb_key]
    if extra is not None:
        body.update(extra(refs))
    api.write(operation, **body)


def _plan_rule(api: ElbApi, spec: ElbSpec, live: ElbLive, result: ResourcePlan, tg_ref: str) -> None:
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
        result.add(f"CreateRule on {spec.load_balancer_name}:{port} priority {priority} -> {spec.target_group_name}",
                   lambda refs: api.write("create_rule", ListenerArn=listener_arn, Priority=priority,
                                          Conditions=conditions, Tags=spec.api_tags,
                                          Actions=[{"Type": "forward", "TargetGroupArn": refs[tg_ref]}]))
        return
    rule_arn = str(live.rule["RuleArn"])
    if _live_conditions(live.rule) != sorted(conditions, key=lambda c: str(c["Field"])):
        result.add(f"ModifyRule on {spec.load_balancer_name}:{port}: conditions",
                   lambda refs: api.write("modify_rule", RuleArn=rule_arn, Conditions=conditions))
    if as_int(live.rule.get("Priority")) != priority:
        result.add(f"SetRulePriorities on {spec.load_balancer_name}:{port}: {live.rule.get('Priority')} -> {priority}",
                   lambda refs: api.write("set_rule_priorities",
                                          RulePriorities=[{"RuleArn": rule_arn, "Priority": priority}]))


def _forward_targets(actions: list[dict[str, Any]]) -> set[str]:
    """The target groups *actions* forward to (a plain forward, or a weighted ForwardConfig)."""
    found: set[str] = set()
    for action in actions:
        if action.get("Type") != "forward":
            continue
        if action.get("TargetGroupArn"):
            found.add(str(action["TargetGroupArn"]))
        found.update(str(g["TargetGroupArn"]) for g in (action.get("ForwardConfig") or {}).get("TargetGroups") or [])
    return found


def _serves_only(api: ElbApi, live: ElbLive, target_group_arn: str | None) -> bool:
    """Whether every listener and rule of the live load balancer forwards to *target_group_arn*
    alone, as the listeners hako 2.18 created do (ecs_elb_v2.rb:114-135): nothing of another app."""
    for listener in live.listeners:
        targets = _forward_targets(list(listener.get("DefaultActions") or []))
        for rule in api.rules(str(listener["ListenerArn"])):
            targets |= _forward_targets(list(rule.get("Actions") or []))
        if targets - {target_group_arn}:
            return False
    return True


NOT_OURS = "not created by hako for this app"


@dataclass(frozen=True)
class Owners:
    """Whether ``hako remove`` deletes the live load balancer and target group, and if not, why."""

    load_balancer: bool = False
    target_group: bool = False
    load_balancer_note: str = NOT_OURS
    target_group_note: str = NOT_OURS


def owners(api: ElbApi, spec: ElbSpec, live: ElbLive) -> Owners:
    """Whether this app's hako created the live load balancer and target group: tagged
    ``hako:app=APP_ID`` (hako-py tags what it creates), or, without a hako:app tag, named
    ``hako-APP_ID`` by hako 2.18, which names them and tags nothing (ecs_elb_v2.rb:255-267,
    its remove deletes them by name, :208-252) — then only when no other app uses them: the
    load balancer forwards to this app's target group alone, the target group serves no load
    balancer that stays. A name the definition gives is never this app's unless tagged so."""
    owns_lb = owns_tg = False
    lb_note = tg_note = NOT_OURS
    tg_arn = str(live.target_group["TargetGroupArn"]) if live.target_group is not None else None
    if spec.creates_load_balancer and live.load_balancer is not None:
        owner = api.tags(str(live.load_balancer["LoadBalancerArn"])).get(MANAGED_TAG)
        owns_lb = owner == spec.app_id or (owner is None and _serves_only(api, live, tg_arn))
        if owner is None and not owns_lb:
            lb_note = "named by hako, but it forwards to other target groups too"
    if spec.creates_target_group and live.target_group is not None and tg_arn is not None:
        owner = api.tags(tg_arn).get(MANAGED_TAG)
        going = {str(live.load_balancer["LoadBalancerArn"])} if owns_lb and live.load_balancer is not None else set()
        owns_tg = owner == spec.app_id or (owner is None and set(live.target_group.get("LoadBalancerArns") or [])
                                           <= going)
        if owner is None and not owns_tg:
            tg_note = "named by hako, but a load balancer that stays forwards to it"
    return Owners(owns_lb, owns_tg, lb_note, tg_note)


def removal(api: ElbApi, spec: ElbSpec, live: ElbLive, *, retries: int = 30,
            sleep: Callable[[float], None] = time.sleep) -> tuple[ResourcePlan, list[str]]:
    """Deletes of what hako created for *spec* (see :func:`owners`); and what it leaves, why."""
    result = ResourcePlan()
    kept: list[str] = []
    owned_here = owners(api, spec, live)
    owns_lb, owns_tg = owned_here.load_balancer, owned_here.target_group
    tg = live.target_group
    if live.rule is not None and tg is not None and owns_tg:
        rule_arn = str(live.rule["RuleArn"])
        result.add(f"DeleteRule {rule_arn.rsplit('/', 1)[-1]} on {spec.load_balancer_name}",
                   lambda refs: api.write("delete_rule", RuleArn=rule_arn))
    lb = live.load_balancer
    if lb is not None:
        if owns_lb:
            lb_arn = str(lb["LoadBalancerArn"])
            result.add(f"DeleteLoadBalancer {spec.load_balancer_name}",
                       lambda refs: api.write("delete_load_balancer", LoadBalancerArn=lb_arn))
        else:
            kept.append(f"load balancer {spec.load_balancer_name} ({owned_here.load_balancer_note})")
            if tg is not None and owns_tg:
                # listeners that forward to hako's own target group were added by hako
                for listener in live.listeners:
                    if _forwards_to(listener, str(tg["TargetGroupArn"])):
                        result.add(f"DeleteListener {listener.get('Protocol')}:{listener.get('Port')} on "
                                   f"{spec.load_balancer_name} (forwards to hako's target group)",
                                   partial(_write_with_refs, api, "delete_listener",
                                           {"ListenerArn": listener["ListenerArn"]}, None, None))
    if tg is not None:
        tg_arn = str(tg["TargetGroupArn"])
        if owns_tg:
            def delete_target_group(refs: Refs) -> None:
                from hako_py.aws.errors import AwsError

                for attempt in range(retries):
                    try:
                        api.write("delete_target_group", TargetGroupArn=tg_arn)
                        return
                    except AwsError as exc:  # still in use while the load balancer goes away
                        if exc.code != "ResourceInUse" or attempt == retries - 1:
                            raise
                        sleep(1.0)
            result.add(f"DeleteTargetGroup {spec.target_group_name}", delete_target_group)
        else:
            kept.append(f"target group {spec.target_group_name} ({owned_here.target_group_note})")
    return result, kept
