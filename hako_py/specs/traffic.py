"""What the definition asks for, in API terms: pure functions of the scheduler and containers.

Validation (``checks/traffic.py``), rendering and the deploy planners all read the
definition through these specs, so a default (e.g. the container that receives traffic)
is decided in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import APP_CONTAINER, as_int

MANAGED_TAG = "hako:app"
FRONT_CONTAINER = "front"
DEFAULT_CONTAINER_PORT = 80
DEFAULT_TARGET_GROUP_PORT = 80
TARGET_TRACKING_METRICS = {
    "ECSServiceAverageCPUUtilization",
    "ECSServiceAverageMemoryUtilization",
    "ALBRequestCountPerTarget",
}


def target_group_ref(name: str) -> str:
    """A target group's ARN before deploy looks it up (or creates it): shown by render."""
    return "{{target-group:" + name + "}}"


def target_group_of(ref: str) -> str | None:
    """The target group name in a :func:`target_group_ref`, or None for anything else (an ARN)."""
    prefix = "{{target-group:"
    return ref[len(prefix):-2] if ref.startswith(prefix) and ref.endswith("}}") else None


def cloud_map_ref(namespace: str, name: str) -> str:
    return "{{cloud-map:" + namespace + "/" + name + "}}"


def is_ref(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{{") and value.endswith("}}")


def managed_name(app_id: str) -> str:
    """The original hako's name for what it creates (load balancers allow 32 characters)."""
    return f"hako-{app_id}"[:32].rstrip("-")


@dataclass(frozen=True)
class ElbSpec:
    """``scheduler.elb_v2``: a load balancer hako keeps, or a target group on a shared one."""

    app_id: str
    type: str
    scheme: str
    load_balancer_name: str
    creates_load_balancer: bool
    target_group_name: str
    creates_target_group: bool
    vpc_id: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    listeners: tuple[dict[str, Any], ...]
    listener_rule: dict[str, Any] | None
    protocol: str
    port: int
    target_type: str
    health_check: dict[str, Any]
    container_name: str
    container_port: int
    load_balancer_attributes: dict[str, str]
    target_group_attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    protocol_version: str | None = None  # HTTP1/HTTP2/GRPC of an HTTP(S) target group, set at creation

    @property
    def api_tags(self) -> list[dict[str, str]]:
        tags = {**self.tags, MANAGED_TAG: self.app_id}
        return [{"Key": k, "Value": tags[k]} for k in sorted(tags)]


_HEALTH_KEYS = {
    "path": "HealthCheckPath",
    "port": "HealthCheckPort",
    "protocol": "HealthCheckProtocol",
    "interval_seconds": "HealthCheckIntervalSeconds",
    "timeout_seconds": "HealthCheckTimeoutSeconds",
    "healthy_threshold_count": "HealthyThresholdCount",
    "unhealthy_threshold_count": "UnhealthyThresholdCount",
}


def _strings(mapping: dict[str, Any] | None) -> dict[str, str]:
    return {str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (mapping or {}).items()}


def default_container(containers: dict[str, Any]) -> str:
    """The original hako sent traffic to its 'front' proxy; without one, to the app."""
    return FRONT_CONTAINER if FRONT_CONTAINER in containers else APP_CONTAINER


def elb_spec(app_id: str, scheduler: dict[str, Any], containers: dict[str, Any]) -> ElbSpec | None:
    config = scheduler.get("elb_v2")
    if not config:
        return None
    kind = str(config.get("type", "application"))
    awsvpc = scheduler.get("network_mode") == "awsvpc"
    health_check: dict[str, Any] = {}
    for key, api in _HEALTH_KEYS.items():
        value = (config.get("health_check") or {}).get(key)
        if value is not None:
            health_check[api] = as_int(value) if key.endswith(("seconds", "count")) else str(value)
    if config.get("health_check_path") and "HealthCheckPath" not in health_check:
        health_check["HealthCheckPath"] = str(config["health_check_path"])
    matcher = (config.get("health_check") or {}).get("matcher")
    if matcher:
        health_check["Matcher"] = {"HttpCode": str(matcher)}
    protocol = str(config.get("protocol") or ("TCP" if kind == "network" else "HTTP"))
    http = protocol in ("HTTP", "HTTPS")
    codes = {api: str(value) for key, api in (("http_code", "HttpCode"), ("grpc_code", "GrpcCode"))
             if (value := (config.get("matcher") or {}).get(key)) is not None}
    if codes and http:  # hako's form, for application load balancers only (ecs_elb_v2.rb:92-98)
        health_check["Matcher"] = codes
    return ElbSpec(
        app_id=app_id,
        type=kind,
        scheme=str(config.get("scheme", "internet-facing")),
        load_balancer_name=str(config.get("load_balancer_name") or managed_name(app_id)),
        creates_load_balancer="load_balancer_name" not in config,
        target_group_name=str(config.get("target_group_name") or managed_name(app_id)),
        creates_target_group="target_group_name" not in config,
        vpc_id=config.get("vpc_id"),
        subnets=tuple(sorted(config.get("subnets") or [])),
        security_groups=tuple(sorted(config.get("security_groups") or [])),
        listeners=tuple(sorted((dict(listener) for listener in config.get("listeners") or []),
                               key=lambda listener: as_int(listener.get("port")) or 0)),
        listener_rule=dict(config["listener_rule"]) if config.get("listener_rule") else None,
        protocol=protocol,
        port=as_int(config.get("port")) or DEFAULT_TARGET_GROUP_PORT,
        target_type=str(config.get("target_type") or ("ip" if awsvpc else "instance")),
        health_check=health_check,
        container_name=str(config.get("container_name") or default_container(containers)),
        container_port=as_int(config.get("container_port")) or DEFAULT_CONTAINER_PORT,
        load_balancer_attributes=_strings(config.get("load_balancer_attributes")),
        target_group_attributes=_strings(config.get("target_group_attributes")),
        tags=_strings(config.get("tags")),
        # hako sends it for application load balancers only, and ignores it for network ones
        protocol_version=str(config["protocol_version"]) if config.get("protocol_version") and http else None,
    )


@dataclass(frozen=True)
class Attachment:
    """One entry of the service's ``loadBalancers``."""

    target_group: str  # an ARN, or a target group ref until deploy resolves it
    container_name: str
    container_port: int

    def api(self) -> dict[str, Any]:
        return {"targetGroupArn": self.target_group, "containerName": self.container_name,
                "containerPort": self.container_port}


def attachments(scheduler: dict[str, Any], elb: ElbSpec | None) -> list[Attachment]:
    """The service's ``loadBalancers``: the scheduler's entries, then *elb*'s target group."""
    found = []
    for entry in scheduler.get("load_balancers") or []:
        target = entry.get("target_group_arn") or target_group_ref(str(entry.get("target_group_name")))
        found.append(Attachment(str(target), str(entry.get("container_name") or APP_CONTAINER),
                                as_int(entry.get("container_port")) or 0))
    if elb is not None:
        found.append(Attachment(target_group_ref(elb.target_group_name), elb.container_name, elb.container_port))
    return found


@dataclass(frozen=True)
class DiscoverySpec:
    """One ``scheduler.service_discovery`` entry."""

    app_id: str
    name: str
    namespace_id: str | None
    namespace: str | None
    description: str | None
    dns_records: tuple[tuple[str, int], ...]
    routing_policy: str
    failure_threshold: int | None
    container_name: str | None
    container_port: int | None
    port: int | None
    dns_namespace_id: str | None = None  # Cloud Map's deprecated DnsConfig.NamespaceId, sent at creation

    @property
    def namespace_label(self) -> str:
        return self.namespace or self.namespace_id or "?"

    @property
    def registry_ref(self) -> str:
        return cloud_map_ref(self.namespace_label, self.name)

    def registry(self, arn: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"registryArn": arn}
        if self.container_name is not None and self.container_port is not None:
            entry.update(containerName=self.container_name, containerPort=self.container_port)
        if self.port is not None:
            entry["port"] = self.port
        return entry

    def view(self) -> dict[str, Any]:
        """What hako compares with the live Cloud Map service."""
        view: dict[str, Any] = {
            "Name": self.name,
            "Namespace": self.namespace_label,
            "DnsRecords": [{"Type": t, "TTL": ttl} for t, ttl in self.dns_records],
            "RoutingPolicy": self.routing_policy,
        }
        if self.description:
            view["Description"] = self.description
        if self.failure_threshold is not None:
            view["HealthCheckCustomConfig"] = {"FailureThreshold": self.failure_threshold}
        return view


def discovery_specs(app_id: str, scheduler: dict[str, Any]) -> list[DiscoverySpec]:
    specs = []
    for entry in scheduler.get("service_discovery") or []:
        service = entry.get("service") or {}
        dns = service.get("dns_config") or {}
        custom = service.get("health_check_custom_config")
        srv = any(r.get("type") == "SRV" for r in dns.get("dns_records") or [])
        container_port = as_int(entry.get("container_port"))
        specs.append(DiscoverySpec(
            app_id=app_id,
            name=str(service.get("name")),
            namespace_id=service.get("namespace_id"),
            namespace=service.get("namespace"),
            description=service.get("description"),
            dns_records=tuple((str(r.get("type")), as_int(r.get("ttl")) or 0) for r in dns.get("dns_records") or []),
            routing_policy=str(dns.get("routing_policy") or "MULTIVALUE"),
            failure_threshold=(as_int(custom.get("failure_threshold")) or 1) if custom is not None else None,
            container_name=str(entry.get("container_name") or APP_CONTAINER) if srv and container_port else None,
            container_port=container_port if srv else None,
            port=as_int(entry.get("port")),
            dns_namespace_id=dns.get("namespace_id"),
        ))
    return specs


@dataclass(frozen=True)
class ScalingSpec:
    """``scheduler.autoscaling``: bounds and policies of the service's desired count."""

    min_capacity: int
    max_capacity: int
    role_arn: str | None
    policies: tuple[dict[str, Any], ...]

    def clamp(self, count: int | None) -> int:
        return min(max(count if count is not None else self.min_capacity, self.min_capacity), self.max_capacity)


def policy_name(policy: dict[str, Any]) -> str:
    if policy.get("name"):
        return str(policy["name"])
    if policy.get("policy_type") == "target_tracking":
        return str(policy.get("predefined_metric_type"))
    return "-and-".join(str(a) for a in policy.get("alarms") or [])


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def policy_request(policy: dict[str, Any], resource_label: str | None) -> dict[str, Any]:
    """PutScalingPolicy fields (without the resource ids) for one declared policy."""
    if policy.get("policy_type") == "target_tracking":
        metric: dict[str, Any] = {"PredefinedMetricType": str(policy["predefined_metric_type"])}
        if metric["PredefinedMetricType"] == "ALBRequestCountPerTarget":
            metric["ResourceLabel"] = resource_label or "{{resource-label}}"
        config: dict[str, Any] = {"TargetValue": _number(policy["target_value"]),
                                  "PredefinedMetricSpecification": metric}
        for key, api in (("scale_in_cooldown", "ScaleInCooldown"), ("scale_out_cooldown", "ScaleOutCooldown")):
            if policy.get(key) is not None:
                config[api] = as_int(policy[key])
        if policy.get("disable_scale_in") is not None:
            config["DisableScaleIn"] = bool(policy["disable_scale_in"])
        return {"PolicyName": policy_name(policy), "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": config}
    step: dict[str, Any] = {"ScalingAdjustment": as_int(policy["scaling_adjustment"])}
    for key, api in (("metric_interval_lower_bound", "MetricIntervalLowerBound"),
                     ("metric_interval_upper_bound", "MetricIntervalUpperBound")):
        if policy.get(key) is not None:
            step[api] = _number(policy[key])
    return {
        "PolicyName": policy_name(policy),
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {
            "AdjustmentType": str(policy["adjustment_type"]),
            "StepAdjustments": [step],
            "Cooldown": as_int(policy["cooldown"]),
            "MetricAggregationType": str(policy["metric_aggregation_type"]),
        },
    }


def scaling_spec(scheduler: dict[str, Any]) -> ScalingSpec | None:
    config = scheduler.get("autoscaling")
    if not config:
        return None
    return ScalingSpec(
        min_capacity=as_int(config.get("min_capacity")) or 0,
        max_capacity=as_int(config.get("max_capacity")) or 0,
        role_arn=config.get("role_arn"),
        policies=tuple(dict(p) for p in config.get("policies") or []),
    )


@dataclass(frozen=True)
class TrafficSpecs:
    """Everything traffic-related one app asks for, derived once (by render) and handed to the
    deploy planners, ``hako verify`` and ``hako status`` with the rendered requests."""

    elb: ElbSpec | None = None
    attachments: tuple[Attachment, ...] = ()
    discovery: tuple[DiscoverySpec, ...] = ()
    scaling: ScalingSpec | None = None
    declared: bool = False  # the scheduler has load_balancers, elb_v2, service_discovery or autoscaling


def traffic_specs(app_id: str, scheduler: dict[str, Any], containers: dict[str, Any]) -> TrafficSpecs:
    elb = elb_spec(app_id, scheduler, containers)
    return TrafficSpecs(
        elb=elb,
        attachments=tuple(attachments(scheduler, elb)),
        discovery=tuple(discovery_specs(app_id, scheduler)),
        scaling=scaling_spec(scheduler),
        declared=any(scheduler.get(k) for k in ("load_balancers", "elb_v2", "service_discovery", "autoscaling")),
    )
