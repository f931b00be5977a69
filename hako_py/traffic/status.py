"""``hako status`` lines for load balancers, Cloud Map and autoscaling (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hako_py.aws.errors import AwsError
from hako_py.formatting import shown
from hako_py.traffic.manager import Traffic


def status_data(traffic: Traffic, service: dict[str, Any]) -> dict[str, Any]:
    """Load balancers with target health, discovery instances, scaling bounds and activities."""
    data: dict[str, Any] = {}
    balancers = []
    for entry in service.get("loadBalancers") or []:
        balancers.append(_classic(traffic, entry) if entry.get("loadBalancerName") else _load_balancer(traffic, entry))
    if balancers:
        data["loadBalancers"] = balancers
    registries = [_registry(traffic, entry) for entry in service.get("serviceRegistries") or []]
    if registries:
        data["serviceDiscovery"] = registries
    scaling = _scaling(traffic)  # shown when declared, or when something else registered the service
    if traffic.scaling_spec is not None or not ({"registered", "error"} & set(scaling)):
        data["autoscaling"] = scaling
    return data


def _load_balancer(traffic: Traffic, entry: dict[str, Any]) -> dict[str, Any]:
    api = traffic.clients.elbv2()
    tg_arn = str(entry.get("targetGroupArn"))
    result: dict[str, Any] = {"targetGroupArn": tg_arn, "container": f"{entry.get('containerName')}:"
                                                                     f"{entry.get('containerPort')}"}
    try:
        group = api.target_group(arn=tg_arn)
        result["targetGroup"] = (group or {}).get("TargetGroupName")
        for lb_arn in (group or {}).get("LoadBalancerArns") or []:
            name = lb_arn.split(":loadbalancer/", 1)[-1].split("/")[1]
            lb = api.load_balancer(name)
            if lb is not None:
                result["dnsName"] = lb.get("DNSName")
                result["listeners"] = [f"{ls.get('Protocol')}:{ls.get('Port')}" for ls in
                                       sorted(api.listeners(str(lb["LoadBalancerArn"])),
                                              key=lambda ls: int(ls.get("Port") or 0))]
        result["targets"] = [
            {"id": t.get("Target", {}).get("Id"), "port": t.get("Target", {}).get("Port"),
             "state": t.get("TargetHealth", {}).get("State"), "reason": t.get("TargetHealth", {}).get("Reason")}
            for t in api.target_health(tg_arn)
        ]
    except AwsError as exc:
        result["error"] = str(exc)
    return result


def _classic(traffic: Traffic, entry: dict[str, Any]) -> dict[str, Any]:
    """A classic load balancer (scheduler.elb): its DNS name, listeners and instances' health."""
    api = traffic.clients.elb()
    name = str(entry["loadBalancerName"])
    result: dict[str, Any] = {"loadBalancerName": name, "container": f"{entry.get('containerName')}:"
                                                                      f"{entry.get('containerPort')}"}
    try:
        lb = api.load_balancer(name)
        if lb is not None:
            result["dnsName"] = lb.get("DNSName")
            result["listeners"] = [f"{d['Listener'].get('Protocol')}:{d['Listener'].get('LoadBalancerPort')}"
                                   for d in lb.get("ListenerDescriptions") or [] if d.get("Listener")]
            result["targets"] = [{"id": i.get("InstanceId"), "port": None, "state": i.get("State"),
                                  "reason": i.get("Description") if i.get("State") != "InService" else None}
                                 for i in api.instance_health(name)]
    except AwsError as exc:
        result["error"] = str(exc)
    return result


def _registry(traffic: Traffic, entry: dict[str, Any]) -> dict[str, Any]:
    api = traffic.clients.cloudmap()
    arn = str(entry.get("registryArn"))
    result: dict[str, Any] = {"registryArn": arn}
    try:
        service = api.service(arn.rsplit("/", 1)[-1])
        if service is not None:
            namespace = api.namespace(str(service.get("NamespaceId")))
            result["name"] = f"{service.get('Name')}.{(namespace or {}).get('Name', '?')}"
            result["instances"] = len(api.instances(str(service["Id"])))
    except AwsError as exc:
        result["error"] = str(exc)
    return result


def _scaling(traffic: Traffic) -> dict[str, Any]:
    api = traffic.clients.scaling()
    result: dict[str, Any] = {}
    try:
        target = api.scalable_target(traffic.resource_id)
        if target is None:
            return {"registered": False}
        result.update(minCapacity=target.get("MinCapacity"), maxCapacity=target.get("MaxCapacity"),
                      policies=sorted(str(p.get("PolicyName")) for p in api.policies(traffic.resource_id)))
    except AwsError as exc:
        return {"error": str(exc)}
    try:
        result["activities"] = [
            {"start": a.get("StartTime"), "status": a.get("StatusCode"), "description": a.get("Description"),
             "cause": a.get("Cause")}
            for a in api.activities(traffic.resource_id)
        ]
    except AwsError as exc:
        result["activitiesError"] = str(exc)
    return result


def status_lines(data: dict[str, Any]) -> Iterator[str]:
    for lb in data.get("loadBalancers") or []:
        where = f"{lb.get('dnsName')} ({', '.join(lb.get('listeners') or [])})" if lb.get("dnsName") else \
            "(no load balancer)"
        via = f"classic {lb['loadBalancerName']}" if lb.get("loadBalancerName") else \
            f"target group {shown(lb.get('targetGroup'), '-')}"
        yield f"Load balancer: {where} -> {via} -> {lb['container']}"
        if lb.get("error"):
            yield f"  cannot read: {lb['error']}"
        targets = lb.get("targets") or []
        states: dict[str, int] = {}
        for target in targets:
            states[str(target["state"])] = states.get(str(target["state"]), 0) + 1
        yield "  targets: " + (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none registered")
        for target in targets:
            reason = f" ({target['reason']})" if target.get("reason") else ""
            port = f":{target['port']}" if target.get("port") is not None else ""
            yield f"    {target['id']}{port} {target['state']}{reason}"
    for registry in data.get("serviceDiscovery") or []:
        if registry.get("error"):
            yield f"Service discovery {registry['registryArn']}: cannot read: {registry['error']}"
        else:
            yield f"Service discovery: {shown(registry.get('name'), '-')} ({registry.get('instances') or 0} instances)"
    scaling = data.get("autoscaling")
    if scaling is not None:
        if scaling.get("error"):
            yield f"Autoscaling: cannot read: {scaling['error']}"
        elif scaling.get("registered") is False:
            yield "Autoscaling: declared but not registered (deploy to apply it)"
        else:
            policies = ", ".join(scaling.get("policies") or []) or "no policies"
            yield (f"Autoscaling: min {shown(scaling.get('minCapacity'), '-')} max "
                   f"{shown(scaling.get('maxCapacity'), '-')} ({policies})")
            if scaling.get("activitiesError"):
                yield f"  recent activities: unavailable ({scaling['activitiesError']})"
            for activity in scaling.get("activities") or []:
                yield (f"  {shown(activity.get('start'), '-')} [{shown(activity.get('status'), '-')}] "
                       f"{shown(activity.get('description'), '')}")
