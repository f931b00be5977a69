"""``scheduler.elb``: the classic load balancer hako 2.18 kept (``lib/hako/schedulers/ecs_elb.rb``).

As hako, a missing one is created from the definition (``:39-65``) and an existing one is
used as it is, except cross-zone load balancing (``:68-79``; hako-py sets it only where it
differs). ``hako remove`` deletes it as hako did (``:82-93``), but only when it is this
app's: tagged ``hako:app=APP_ID`` (hako-py created it), or named ``hako-APP_ID`` by hako
without that tag (hako 2.18 tags nothing); and in both cases only when no other service of
the cluster sends traffic through it. A load balancer the definition names and hako did
not tag for this app is never deleted (hako deleted it too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.elb import ClassicElbApi
from hako_py.compare.diff import unified
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.specs.classic_elb import ClassicElbSpec
from hako_py.specs.traffic import MANAGED_TAG
from hako_py.traffic.steps import ResourcePlan


@dataclass
class ClassicLive:
    """The classic load balancer under the spec's name, as far as hako reads it."""

    load_balancer: dict[str, Any] | None = None
    cross_zone: bool | None = None
    tags: dict[str, str] = field(default_factory=dict)


def read_live(api: ClassicElbApi, spec: ClassicElbSpec, *, tags: bool = False) -> ClassicLive:
    """DescribeLoadBalancers, plus its attributes when the definition sets cross-zone load
    balancing and its tags when *tags* (remove decides with them)."""
    live = ClassicLive(load_balancer=api.load_balancer(spec.load_balancer_name))
    if live.load_balancer is not None:
        if spec.cross_zone is not None:
            live.cross_zone = api.cross_zone(spec.load_balancer_name)
        if tags:
            live.tags = api.tags(spec.load_balancer_name)
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


def plan(api: ClassicElbApi, spec: ClassicElbSpec, live: ClassicLive, instance_port: int | None,
         file: str) -> ResourcePlan:
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
        result.add(f"CreateLoadBalancer {name} (classic: "
                   + ", ".join(f"{ls['Protocol']}:{ls['LoadBalancerPort']}" for ls in request["Listeners"])
                   + f" -> instance port {instance_port})",
                   lambda refs: api.write("create_load_balancer", **request))
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
            enabled = spec.cross_zone
            result.add(f"ModifyLoadBalancerAttributes {name}: CrossZoneLoadBalancing {str(enabled).lower()}",
                       lambda refs: api.write("modify_load_balancer_attributes", LoadBalancerName=name,
                                              LoadBalancerAttributes={"CrossZoneLoadBalancing": {"Enabled": enabled}}))
    if result.steps:
        result.diff = unified(have, want, "live elb", f"local {file}")
    return result


def users(services: list[dict[str, Any]], name: str, app_id: str) -> list[str]:
    """The services other than *app_id* whose loadBalancers name the classic load balancer *name*."""
    return sorted(str(service.get("serviceName")) for service in services
                  if service.get("serviceName") != app_id
                  and any(entry.get("loadBalancerName") == name for entry in service.get("loadBalancers") or []))


def removal(api: ClassicElbApi, spec: ClassicElbSpec, live: ClassicLive,
            other_users: Callable[[], list[str]]) -> tuple[ResourcePlan, list[str]]:
    """DeleteLoadBalancer when it is this app's (see the module's docstring); else what is kept, why."""
    result = ResourcePlan()
    name = spec.load_balancer_name
    if live.load_balancer is None:
        return result, []
    owner = live.tags.get(MANAGED_TAG)
    if owner not in (None, spec.app_id):
        return result, [f"classic load balancer {name} (tagged {MANAGED_TAG}={owner}: another app's)"]
    if owner is None and not spec.hako_named:
        return result, [f"classic load balancer {name} (not created by hako for this app)"]
    sharing = other_users()  # read only for a load balancer that would be deleted
    if sharing:
        return result, [f"classic load balancer {name} (services {', '.join(sharing)} use it too)"]
    result.add(f"DeleteLoadBalancer {name} (classic)", lambda refs: api.write("delete_load_balancer",
                                                                             LoadBalancerName=name))
    return result, []
