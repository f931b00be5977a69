"""``scheduler.elb``: the classic load balancer of hako 2.18, in API terms (pure).

hako names it ``elb.load_balancer_name`` or ``hako-APP_ID`` and sends the service
``loadBalancers: [{loadBalancerName, containerName, containerPort}]``
(``lib/hako/schedulers/ecs_elb.rb:101-112`` at v2.18.0). It creates a missing one from
``listeners``, ``subnets`` and ``security_groups`` (``:39-65``) and leaves an existing one as
it is, except cross-zone load balancing (``:68-79``). A classic load balancer forwards to a
fixed instance port, so with ``elb`` hako's ``dynamic_port_mapping`` defaults to false
(``lib/hako/schedulers/ecs.rb:49``): the nginx_front script then gives the front a fixed
host port, and :func:`instance_port` reads the port from the containers the scripts shaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import as_int
from hako_py.specs.traffic import DEFAULT_CONTAINER_PORT, MANAGED_TAG, default_container, managed_name


@dataclass(frozen=True)
class ClassicListener:
    """One ``elb.listeners`` entry (its instance port is the container's host port, known at deploy)."""

    protocol: str
    load_balancer_port: int
    ssl_certificate_id: str | None = None

    def api(self, instance_port: int) -> dict[str, Any]:
        listener: dict[str, Any] = {"Protocol": self.protocol, "LoadBalancerPort": self.load_balancer_port,
                                    "InstancePort": instance_port}
        if self.ssl_certificate_id:
            listener["SSLCertificateId"] = self.ssl_certificate_id
        return listener


@dataclass(frozen=True)
class ClassicElbSpec:
    """What ``scheduler.elb`` asks for."""

    app_id: str
    load_balancer_name: str
    hako_named: bool  # no load_balancer_name: hako's own name, hako-APP_ID
    listeners: tuple[ClassicListener, ...]
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    scheme: str | None
    container_name: str
    container_port: int
    cross_zone: bool | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def creates_load_balancer(self) -> bool:
        """Whether hako creates it when it is missing: the definition says how (its listeners)."""
        return bool(self.listeners)

    def service_entry(self) -> dict[str, Any]:
        """The service's ``loadBalancers`` entry, as hako sends it (ecs_elb.rb:106-112)."""
        return {"loadBalancerName": self.load_balancer_name, "containerName": self.container_name,
                "containerPort": self.container_port}

    def create_request(self, instance_port: int) -> dict[str, Any]:
        """CreateLoadBalancer as hako sends it (ecs_elb.rb:44-63), plus the hako:app tag that
        lets ``hako remove`` know it created it."""
        request: dict[str, Any] = {
            "LoadBalancerName": self.load_balancer_name,
            "Listeners": [listener.api(instance_port) for listener in self.listeners],
            "Subnets": list(self.subnets),
            "SecurityGroups": list(self.security_groups),
            "Tags": [{"Key": k, "Value": v} for k, v in sorted({**self.tags, MANAGED_TAG: self.app_id}.items())],
        }
        if self.scheme:
            request["Scheme"] = self.scheme
        return request


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def classic_elb_spec(app_id: str, scheduler: dict[str, Any], containers: dict[str, Any]) -> ClassicElbSpec | None:
    config = scheduler.get("elb")
    if not config:
        return None
    cross_zone = config.get("cross_zone_load_balancing")
    return ClassicElbSpec(
        app_id=app_id,
        load_balancer_name=str(config.get("load_balancer_name") or managed_name(app_id)),
        hako_named="load_balancer_name" not in config,
        listeners=tuple(ClassicListener(str(listener.get("protocol")), as_int(listener.get("load_balancer_port")) or 0,
                                        listener.get("ssl_certificate_id"))
                        for listener in config.get("listeners") or []),
        subnets=tuple(str(s) for s in config.get("subnets") or []),
        security_groups=tuple(str(s) for s in config.get("security_groups") or []),
        scheme=str(config["scheme"]) if config.get("scheme") else None,
        container_name=str(config.get("container_name") or default_container(containers)),
        container_port=as_int(config.get("container_port")) or DEFAULT_CONTAINER_PORT,
        cross_zone=None if cross_zone is None else bool(cross_zone),
        tags={str(k): _text(v) for k, v in (config.get("tags") or {}).items()},
    )


def instance_port(spec: ClassicElbSpec, scheduler: dict[str, Any], containers: dict[str, Any]) -> int | None:
    """The port the load balancer forwards to on the instances: the host port of the
    container's mapping (bridge or host networking: ECS does not put classic load balancers
    in front of awsvpc tasks); None when ECS would pick it (no fixed host port), which a
    classic load balancer cannot follow."""
    container = containers.get(spec.container_name) or {}
    for mapping in container.get("port_mappings") or []:
        if as_int(mapping.get("container_port")) == spec.container_port:
            if scheduler.get("network_mode") == "host":
                return as_int(mapping.get("host_port")) or spec.container_port
            return as_int(mapping.get("host_port")) or None
    return None


def classic_view(spec: ClassicElbSpec) -> dict[str, Any]:
    """What render and PR review show of ``scheduler.elb`` (instance ports are the container's host port)."""
    lb: dict[str, Any] = {"Name": spec.load_balancer_name}
    if spec.creates_load_balancer:
        lb["CreatedWhenMissing"] = {
            "Listeners": [listener.api(0) | {"InstancePort": "<host port>"} for listener in spec.listeners],
            "Subnets": list(spec.subnets), "SecurityGroups": list(spec.security_groups),
            "Scheme": spec.scheme or "internet-facing"}
    else:
        lb["ManagedBy"] = "others"
    if spec.cross_zone is not None:
        lb["CrossZoneLoadBalancing"] = spec.cross_zone
    return {"loadBalancer": lb, "container": {"Name": spec.container_name, "Port": spec.container_port}}
