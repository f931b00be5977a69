"""``scheduler.elb``: the classic load balancer hako 2.18 kept (``lib/hako/schedulers/ecs_elb.rb``).

As hako, a missing one is created from the definition (``:39-65``) and an existing one is
used as it is, except cross-zone load balancing (``:68-79``; hako-py sets it only where it
differs). ``hako remove`` deletes it as hako did (``:82-93``), but only when it is this
app's: tagged ``hako:app=APP_ID`` (hako-py created it), or named ``hako-APP_ID`` by hako
without that tag (hako 2.18 tags nothing); and in both cases only when no other service of
the cluster sends traffic through it. A load balancer the definition names and hako did
not tag for this app is never deleted (hako deleted it too). Readers fill the live state,
the planners are pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.elb import ClassicElbApi
from hako_py.compare.diff import unified
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.plan.instructions import Call, Operation
from hako_py.specs.traffic import MANAGED_TAG, ClassicElbSpec
from hako_py.traffic.steps import ResourcePlan


@dataclass
class ClassicLive:
    """The classic load balancer under the spec's name, as far as hako reads it."""

    load_balancer: dict[str, Any] | None = None
    cross_zone: bool | None = None
    # for removal only (read_owner): its hako:app tag, the other services sending traffic through it
    owner: str | None = None
    users: tuple[str, ...] = ()


def read_live(api: ClassicElbApi, spec: ClassicElbSpec) -> ClassicLive:
    """DescribeLoadBalancers, plus its attributes when the definition sets cross-zone load balancing."""
    live = ClassicLive(load_balancer=api.load_balancer(spec.load_balancer_name))
    if live.load_balancer is not None and spec.cross_zone is not None:
        live.cross_zone = api.cross_zone(spec.load_balancer_name)
    return live


def read_owner(api: ClassicElbApi, ecs: EcsApi, cluster: str, spec: ClassicElbSpec, live: ClassicLive) -> ClassicLive:
    """*live* with its hako:app tag and, when that leaves it this app's, the other services of
    the cluster whose loadBalancers name it: what :func:`removal` decides from."""
    if live.load_balancer is None:
        return live
    live.owner = api.tags(spec.load_balancer_name).get(MANAGED_TAG)
    if live.owner == spec.app_id or (live.owner is None and spec.hako_named):
        services = ecs.describe_services(cluster, ecs.list_services(cluster))
        live.users = tuple(sorted(
            str(service.get("serviceName")) for service in services if service.get("serviceName") != spec.app_id
            and any(entry.get("loadBalancerName") == spec.load_balancer_name
                    for entry in service.get("loadBalancers") or [])))
    return live


def _listeners(descriptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    listeners = []
    for description in descriptions:
        listener = description.get("Listener") or {}
        item = {key: listener[key] for key in ("Protocol", "LoadBalancerPort", "InstancePort", "SSLCertificateId")
                if listener.get(key) is not None}
        item["Protocol"] = str(item.get("Protocol", "")).upper()
        listeners.append(item)
    return sorted(listeners, key=lambda item: int(item.get("LoadBalancerPort") or 0))


def plan(spec: ClassicElbSpec, live: ClassicLive, instance_port: int | None, file: str) -> ResourcePlan:
    """Create a missing load balancer, set cross-zone load balancing where it differs."""
    name = spec.load_balancer_name
    lb = live.load_balancer
    want: dict[str, Any] = {"Name": name}
    have: dict[str, Any] = {"Name": name} if lb is not None else {}
    result = ResourcePlan()
    if lb is None:
        if not spec.creates_load_balancer:
            raise HakoError(f"scheduler.elb.load_balancer_name: classic load balancer {name} does not exist "
                            "(give listeners, subnets and security_groups for hako to create it)")
        if instance_port is None:
            raise HakoError(f"scheduler.elb.container_port: container {spec.container_name} maps port "
                            f"{spec.container_port} to no fixed host port, which a classic load balancer needs")
        request = spec.create_request(instance_port)
        want["Listeners"] = request["Listeners"]
        result.add(Call(Operation.CLASSIC_CREATE_LOAD_BALANCER, request,
                        f"CreateLoadBalancer {name} (classic: "
                        + ", ".join(f"{ls['Protocol']}:{ls['LoadBalancerPort']}" for ls in request["Listeners"])
                        + f" -> instance port {instance_port})"))
    elif spec.creates_load_balancer and instance_port is not None:
        wanted = _listeners([{"Listener": listener.api(instance_port)} for listener in spec.listeners])
        running = _listeners(list(lb.get("ListenerDescriptions") or []))
        if wanted != running:  # as hako: an existing load balancer's listeners stay as they are
            result.immutable.append(f"elb.listeners: {quoted(running)} -> {quoted(wanted)} (classic load balancer "
                                    f"{name} exists; hako does not change its listeners)")
    if spec.cross_zone is not None:
        want["CrossZoneLoadBalancing"] = spec.cross_zone
        if lb is not None:
            have["CrossZoneLoadBalancing"] = live.cross_zone
        if lb is None or live.cross_zone != spec.cross_zone:
            result.add(Call(Operation.CLASSIC_MODIFY_LOAD_BALANCER_ATTRIBUTES,
                            {"LoadBalancerName": name,
                             "LoadBalancerAttributes": {"CrossZoneLoadBalancing": {"Enabled": spec.cross_zone}}},
                            f"ModifyLoadBalancerAttributes {name}: CrossZoneLoadBalancing "
                            f"{str(spec.cross_zone).lower()}"))
    if result.steps:
        result.diff = unified(have, want, "live elb", f"local {file}")
    return result


def removal(spec: ClassicElbSpec, live: ClassicLive) -> tuple[ResourcePlan, list[str]]:
    """DeleteLoadBalancer when it is this app's (see the module's docstring; pure: the owner and
    the other users were read by :func:`read_owner`); else what is kept, why."""
    result = ResourcePlan()
    name = spec.load_balancer_name
    if live.load_balancer is None:
        return result, []
    if live.owner not in (None, spec.app_id):
        return result, [f"classic load balancer {name} (tagged {MANAGED_TAG}={live.owner}: another app's)"]
    if live.owner is None and not spec.hako_named:
        return result, [f"classic load balancer {name} (not created by hako for this app)"]
    if live.users:
        return result, [f"classic load balancer {name} (services {', '.join(live.users)} use it too)"]
    result.add(Call(Operation.CLASSIC_DELETE_LOAD_BALANCER, {"LoadBalancerName": name},
                    f"DeleteLoadBalancer {name} (classic)"))
    return result, []
