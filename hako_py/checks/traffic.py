"""Checks of load_balancers, elb_v2, elb, service_discovery and autoscaling that the schema
cannot express: what must be set together, and containers/ports that must exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hako_py.definition import as_int, containers_of
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.specs.traffic import DEFAULT_CONTAINER_PORT, FRONT_CONTAINER, default_container, policy_name

MAX_LOAD_BALANCER_NAME = 32
NGINX_FRONT = "nginx_front"
NGINX_FRONT_PORT = 80
ALB_LISTENER_PROTOCOLS = {"HTTP", "HTTPS"}
NLB_LISTENER_PROTOCOLS = {"TCP", "TLS", "UDP", "TCP_UDP"}


def script_maps_port(data: dict[str, Any], name: str, port: int | None) -> bool:
    """Whether a script adds the port mapping at deploy: hako's nginx_front appends
    ``{container_port: 80}`` to the ``front`` container (lib/hako/scripts/nginx_front.rb:42-52),
    so hako's examples never map it themselves."""
    return name == FRONT_CONTAINER and port == NGINX_FRONT_PORT and any(
        isinstance(script, dict) and script.get("type") == NGINX_FRONT for script in data.get("scripts") or [])


def _container_port(data: dict[str, Any], path: str, name: str, port: int | None) -> Iterator[Problem]:
    containers = {n: c for n, (_, c) in containers_of(data).items()}
    if name not in containers:
        yield Problem(join_path(path, "container_name"),
                      f"no container named '{name}' (containers: {', '.join(sorted(containers))})")
        return
    mapped = {as_int(m.get("container_port")) for m in containers[name].get("port_mappings") or []}
    if port is not None and port not in mapped and not script_maps_port(data, name, port):
        shown = ", ".join(str(p) for p in sorted(p for p in mapped if p is not None)) or "none"
        yield Problem(join_path(path, "container_port"),
                      f"container '{name}' does not map port {port} (its port_mappings: {shown})")


def _receiving(data: dict[str, Any], config: dict[str, Any]) -> tuple[str, int]:
    """The container and port an elb_v2 or elb sends traffic to (front or app, 80 by default)."""
    containers = {n: c for n, (_, c) in containers_of(data).items()}
    return (str(config.get("container_name") or default_container(containers)),
            as_int(config.get("container_port")) or DEFAULT_CONTAINER_PORT)


def _name_length(config: dict[str, Any], path: str) -> Iterator[Problem]:
    name = config.get("load_balancer_name")
    if name is not None and len(str(name)) > MAX_LOAD_BALANCER_NAME:
        yield Problem(join_path(path, "load_balancer_name"), f"is longer than {MAX_LOAD_BALANCER_NAME} characters")


def check_load_balancers(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    for index, entry in enumerate(data.get("scheduler", {}).get("load_balancers") or []):
        path = join_path("scheduler.load_balancers", index)
        given = [k for k in ("target_group_arn", "target_group_name") if k in entry]
        if len(given) != 1:
            yield Problem(path, "give exactly one of target_group_arn and target_group_name")
        if "target_group_arn" in entry and ":targetgroup/" not in str(entry["target_group_arn"]):
            yield Problem(join_path(path, "target_group_arn"), "is not a target group ARN "
                          "(arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)")
        yield from _container_port(data, path, str(entry.get("container_name") or "app"),
                                   as_int(entry.get("container_port")))


def check_elb_v2(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    config = scheduler.get("elb_v2")
    if not config:
        return
    path = "scheduler.elb_v2"
    network = config.get("type") == "network"
    shared = "load_balancer_name" in config
    awsvpc = scheduler.get("network_mode") == "awsvpc"
    if shared:
        if config.get("listeners"):
            yield Problem(join_path(path, "listeners"), "hako creates listeners only on its own load balancer; "
                          "on a shared load_balancer_name use listener_rule")
    else:
        for key in ("subnets", "listeners"):
            if not config.get(key):
                yield Problem(join_path(path, key), "is required when hako creates the load balancer "
                              "(or name an existing one with load_balancer_name)")
        if not network and not config.get("security_groups"):
            yield Problem(join_path(path, "security_groups"), "is required for the application load balancer "
                          "hako creates")
        if "listener_rule" in config:
            yield Problem(join_path(path, "listener_rule"), "applies to a shared load balancer: set "
                          "load_balancer_name, or use listeners on the load balancer hako creates")
    yield from _name_length(config, path)
    if "target_group_name" not in config and not config.get("vpc_id"):
        yield Problem(join_path(path, "vpc_id"), "is required when hako creates the target group")
    allowed = NLB_LISTENER_PROTOCOLS if network else ALB_LISTENER_PROTOCOLS
    for index, listener in enumerate(config.get("listeners") or []):
        lpath = join_path(join_path(path, "listeners"), index)
        if listener.get("protocol") not in allowed:
            yield Problem(join_path(lpath, "protocol"), f"a {'network' if network else 'application'} load "
                          f"balancer listens with {', '.join(sorted(allowed))}")
        if listener.get("protocol") in ("HTTPS", "TLS") and not listener.get("certificate_arn"):
            yield Problem(join_path(lpath, "certificate_arn"), f"is required for a {listener['protocol']} listener")
    ports = [as_int(listener.get("port")) for listener in config.get("listeners") or []]
    if len(ports) != len(set(ports)):
        yield Problem(join_path(path, "listeners"), "two listeners use the same port")
    rule = config.get("listener_rule")
    if rule is not None:
        if network:
            yield Problem(join_path(path, "listener_rule"), "network load balancers have no listener rules")
        if not rule.get("host_header") and not rule.get("path_pattern"):
            yield Problem(join_path(path, "listener_rule"), "set host_header or path_pattern (what to route)")
    if "matcher" in config and "matcher" in (config.get("health_check") or {}):
        yield Problem(join_path(path, "matcher"), "set the healthy codes in one place: matcher (hako's form) or "
                      "health_check.matcher")
    target_type = config.get("target_type")
    if target_type == "instance" and awsvpc:
        yield Problem(join_path(path, "target_type"), "tasks with network_mode awsvpc register by IP: use 'ip'")
    if target_type == "ip" and not awsvpc:
        yield Problem(join_path(path, "target_type"), "'ip' targets need network_mode 'awsvpc'")
    container, port = _receiving(data, config)
    for problem in _container_port(data, path, container, port):
        if "container" in config and problem.path.endswith("container_port"):
            problem = Problem(problem.path, f"{problem.message}; elb_v2.container is ignored, as hako ignored it: "
                              "did you mean container_port?")
        yield problem


def check_elb(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    """``scheduler.elb``, hako 2.18's classic load balancer (lib/hako/schedulers/ecs_elb.rb)."""
    scheduler = data.get("scheduler", {})
    config = scheduler.get("elb")
    if not config:
        return
    path = "scheduler.elb"
    if scheduler.get("elb_v2"):  # ecs.rb:41-43
        yield Problem(path, "set elb (a classic load balancer) or elb_v2, not both (as in hako)")
    # ECS API LoadBalancer: "Services with tasks that use the awsvpc network mode (for example,
    # those with the Fargate launch type) only support Application Load Balancers and Network
    # Load Balancers. Classic Load Balancers are not supported."
    if scheduler.get("network_mode") == "awsvpc" or scheduler.get("launch_type") == "FARGATE":
        yield Problem(path, "ECS puts no classic load balancer in front of awsvpc tasks (Fargate): use elb_v2")
    if scheduler.get("dynamic_port_mapping") is True:
        yield Problem(join_path("scheduler", "dynamic_port_mapping"), "a classic load balancer forwards to a fixed "
                      "host port: dynamic_port_mapping cannot be true with elb (hako's hello-lb example says so)")
    hako_named = "load_balancer_name" not in config
    if hako_named or config.get("listeners"):  # hako creates a missing one from these (ecs_elb.rb:44-63)
        for key in ("listeners", "subnets", "security_groups"):
            if not config.get(key):
                yield Problem(join_path(path, key), "is required when hako creates the load balancer"
                              + (" (hako-APP_ID; or name an existing one with load_balancer_name)" if hako_named
                                 else ""))
    yield from _name_length(config, path)
    for index, listener in enumerate(config.get("listeners") or []):
        if listener.get("protocol") in ("HTTPS", "SSL") and not listener.get("ssl_certificate_id"):
            yield Problem(join_path(join_path(join_path(path, "listeners"), index), "ssl_certificate_id"),
                          f"is required for a {listener['protocol']} listener")
    ports = [as_int(listener.get("load_balancer_port")) for listener in config.get("listeners") or []]
    if len(ports) != len(set(ports)):
        yield Problem(join_path(path, "listeners"), "two listeners use the same load_balancer_port")
    container, port = _receiving(data, config)
    problems = list(_container_port(data, path, container, port))
    yield from problems
    if not problems and scheduler.get("network_mode") != "host" and not script_maps_port(data, container, port):
        containers = {n: c for n, (_, c) in containers_of(data).items()}
        mapping = next(m for m in containers[container].get("port_mappings") or []
                       if as_int(m.get("container_port")) == port)
        if not as_int(mapping.get("host_port")):
            yield Problem(join_path(path, "container_port"), f"container '{container}' maps port {port} to no fixed "
                          "host_port: a classic load balancer forwards to a fixed instance port (set host_port)")


def check_service_discovery(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(scheduler.get("service_discovery") or []):
        path = join_path("scheduler.service_discovery", index)
        service = entry.get("service") or {}
        spath = join_path(path, "service")
        given = [k for k in ("namespace_id", "namespace") if k in service]
        if len(given) != 1:
            yield Problem(spath, "give exactly one of namespace_id and namespace")
        key = (str(service.get("namespace_id") or service.get("namespace")), str(service.get("name")))
        if key in seen:
            yield Problem(join_path(spath, "name"), f"service {key[1]} is registered twice")
        seen.add(key)
        records = (service.get("dns_config") or {}).get("dns_records") or []
        if any(r.get("type") == "SRV" for r in records):
            if "container_port" not in entry and "port" not in entry:
                yield Problem(path, "an SRV record needs container_port (or port without awsvpc)")
        elif "container_port" in entry:
            yield Problem(join_path(path, "container_port"), "is used by SRV records only; add an SRV record "
                          "or remove it")
        if "container_port" in entry:
            yield from _container_port(data, path, str(entry.get("container_name") or "app"),
                                       as_int(entry.get("container_port")))


def check_autoscaling(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    config = scheduler.get("autoscaling")
    if not config:
        return
    path = "scheduler.autoscaling"
    low, high = as_int(config.get("min_capacity")), as_int(config.get("max_capacity"))
    if low is not None and high is not None and low > high:
        yield Problem(join_path(path, "min_capacity"), f"{low} is above max_capacity {high}")
    targets = len(scheduler.get("load_balancers") or []) + (1 if scheduler.get("elb_v2") else 0)
    names: set[str] = set()
    for index, policy in enumerate(config.get("policies") or []):
        ppath = join_path(join_path(path, "policies"), index)
        name = policy_name(policy)
        if name in names:
            yield Problem(join_path(ppath, "name"), f"two policies are named '{name}'; set distinct names")
        names.add(name)
        if policy.get("predefined_metric_type") == "ALBRequestCountPerTarget" and targets != 1:
            yield Problem(join_path(ppath, "predefined_metric_type"),
                          "ALBRequestCountPerTarget needs exactly one load balancer target group "
                          f"(elb_v2 or one load_balancers entry; this service has {targets})")


def check_needs_service(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    if "desired_count" in scheduler or scheduler.get("scheduling_strategy") == "DAEMON":
        return
    for key in ("load_balancers", "elb_v2", "elb", "service_discovery", "autoscaling"):
        if scheduler.get(key):
            yield Problem(join_path("scheduler", key), "applies to the app's service; set desired_count "
                          "(a batch-only app has no service)")


TRAFFIC_CHECKS = (check_load_balancers, check_elb_v2, check_elb, check_service_discovery, check_autoscaling,
                  check_needs_service)
