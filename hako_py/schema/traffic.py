"""Schema of the scheduler keys for traffic and scaling: load_balancers, elb_v2, elb (classic),
service_discovery and autoscaling.

These are hako-level keys (as in the original hako), not ECS request fields, so they are
written here by hand; ``hako_py.traffic`` turns them into ELBv2, Cloud Map and
Application Auto Scaling requests.
"""

from __future__ import annotations

from typing import Any

INTEGER_PATTERN = "^-?[0-9]+$"


def integer(doc: str, minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["integer", "string"], "pattern": INTEGER_PATTERN, "x-hako-kind": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    if doc:
        schema["description"] = doc
    return schema


def _number(doc: str) -> dict[str, Any]:
    return {"type": ["number", "string"], "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "x-hako-kind": "number",
            "description": doc}


def _strings(doc: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": doc}


def _string_map(doc: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
            "x-hako-data-keys": True, "description": doc}


def _object(doc: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "description": doc, "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


PORT = integer("A TCP port.", 1, 65535)

LOAD_BALANCERS = {
    "type": "array",
    "description": "Existing ELBv2 target groups the service registers its tasks in (the load balancer is "
                   "managed elsewhere).",
    "items": _object(
        "One target group: give target_group_arn or target_group_name.",
        {
            "target_group_arn": {"type": "string", "description": "The target group's ARN."},
            "target_group_name": {"type": "string", "description": "The target group's name (looked up at deploy)."},
            "container_name": {"type": "string", "description": "The container receiving traffic (default 'app')."},
            "container_port": integer("The container port receiving traffic.", 1, 65535),
        },
        ["container_port"],
    ),
}

HEALTH_CHECK = _object(
    "The target group's health check (ModifyTargetGroup fields).",
    {
        "path": {"type": "string", "description": "HTTP(S) path, e.g. /health."},
        "port": {"type": "string", "description": "'traffic-port' (default) or a port number."},
        "protocol": {"type": "string", "enum": ["HTTP", "HTTPS", "TCP"], "description": "Health check protocol."},
        "interval_seconds": integer("Seconds between checks.", 5, 300),
        "timeout_seconds": integer("Seconds before a check fails.", 2, 120),
        "healthy_threshold_count": integer("Successes before a target is healthy.", 2, 10),
        "unhealthy_threshold_count": integer("Failures before a target is unhealthy.", 2, 10),
        "matcher": {"type": "string", "description": "HTTP codes meaning healthy, e.g. '200-399'."},
    },
)

LISTENER = _object(
    "A listener hako creates on its load balancer, forwarding to the app's target group.",
    {
        "port": PORT,
        "protocol": {"type": "string", "enum": ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"],
                     "description": "Listener protocol."},
        "certificate_arn": {"type": "string", "description": "ACM certificate for HTTPS/TLS."},
        "ssl_policy": {"type": "string", "description": "Security policy for HTTPS/TLS."},
    },
    ["port", "protocol"],
)

LISTENER_RULE = _object(
    "A rule on a shared load balancer's listener forwarding matching requests to the app's target group.",
    {
        "port": PORT,
        "priority": integer("Rule priority (unique per listener).", 1, 50000),
        "host_header": _strings("Host names to match (e.g. api.example.com)."),
        "path_pattern": _strings("Paths to match (e.g. /api/*)."),
    },
    ["port", "priority"],
)

ELB_V2 = _object(
    "A load balancer hako creates and keeps (application or network), or only a target group on a shared "
    "load balancer with a listener rule (give load_balancer_name).",
    {
        "type": {"type": "string", "enum": ["application", "network"], "description": "Default 'application'."},
        "scheme": {"type": "string", "enum": ["internet-facing", "internal"],
                   "description": "Default 'internet-facing'."},
        "load_balancer_name": {"type": "string", "description": "An existing (shared) load balancer; hako does not "
                                                                "create or delete it. Default: hako-APP_ID, created."},
        "target_group_name": {"type": "string", "description": "An existing target group to use as it is. Default: "
                                                               "hako-APP_ID, created and kept by hako."},
        "vpc_id": {"type": "string", "description": "VPC of the target group hako creates."},
        "subnets": _strings("Subnets of the load balancer hako creates."),
        "security_groups": _strings("Security groups of the application load balancer hako creates."),
        "listeners": {"type": "array", "items": LISTENER, "description": "Listeners of the load balancer hako "
                                                                         "creates."},
        "listener_rule": LISTENER_RULE,
        "protocol": {"type": "string", "enum": ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"],
                     "description": "Target group protocol (default HTTP, or TCP for a network load balancer)."},
        "port": integer("Target group port (default 80; ECS registers the container port).", 1, 65535),
        "target_type": {"type": "string", "enum": ["ip", "instance"],
                        "description": "Default 'ip' under awsvpc, else 'instance'."},
        "health_check_path": {"type": "string", "description": "Shorthand for health_check.path."},
        "health_check": HEALTH_CHECK,
        "protocol_version": {"type": "string", "enum": ["HTTP1", "HTTP2", "GRPC"],
                             "description": "Protocol version of the target group hako creates (application load "
                                            "balancers; as hako, default HTTP1). Set at creation only."},
        "matcher": _object(
            "Codes meaning healthy, as hako writes them (or health_check.matcher for HTTP codes).",
            {"http_code": {"type": "string", "description": "HTTP codes, e.g. '200-399'."},
             "grpc_code": {"type": "string", "description": "gRPC codes (protocol_version GRPC), e.g. '0-99'."}},
        ),
        "container_name": {"type": "string", "description": "Container receiving traffic (default 'front' when a "
                                                            "sidecar is called so, else 'app')."},
        "container_port": integer("Container port receiving traffic (default 80).", 1, 65535),
        "container": {"description": "Ignored, as hako 2.18 ignored it (hako's hello-grpc example has it): the "
                                     "port is container_port."},
        "load_balancer_attributes": _string_map("Load balancer attributes, e.g. idle_timeout.timeout_seconds."),
        "target_group_attributes": _string_map("Target group attributes, e.g. "
                                               "deregistration_delay.timeout_seconds."),
        "tags": _string_map("Tags of the load balancer and target group hako creates."),
    },
)

CLASSIC_LISTENER = _object(
    "A listener of the classic load balancer hako creates; it forwards to the container's host port.",
    {
        "protocol": {"type": "string", "enum": ["HTTP", "HTTPS", "TCP", "SSL"], "description": "Listener protocol."},
        "load_balancer_port": PORT,
        "ssl_certificate_id": {"type": "string", "description": "Certificate ARN for HTTPS/SSL."},
    },
    ["protocol", "load_balancer_port"],
)

ELB = _object(
    "A classic load balancer (hako 2.18's `elb`): hako creates it from listeners, subnets and security_groups "
    "when it is missing, and leaves an existing one as it is (but cross_zone_load_balancing). The container "
    "needs a fixed host port (dynamic_port_mapping defaults to false).",
    {
        "load_balancer_name": {"type": "string", "description": "Its name. Default: hako-APP_ID (hako's)."},
        "listeners": {"type": "array", "items": CLASSIC_LISTENER,
                      "description": "Listeners of the load balancer hako creates (without them it must exist)."},
        "subnets": _strings("Subnets of the load balancer hako creates."),
        "security_groups": _strings("Security groups of the load balancer hako creates."),
        "scheme": {"type": "string", "enum": ["internet-facing", "internal"],
                   "description": "Scheme of the load balancer hako creates (default internet-facing)."},
        "cross_zone_load_balancing": {"type": "boolean", "description": "Cross-zone load balancing (set on every "
                                                                        "deploy where it differs)."},
        "container_name": {"type": "string", "description": "Container receiving traffic (default 'front' when a "
                                                            "sidecar is called so, else 'app')."},
        "container_port": integer("Container port receiving traffic (default 80).", 1, 65535),
        "tags": _string_map("Tags of the load balancer hako creates."),
    },
)

SERVICE_DISCOVERY = {
    "type": "array",
    "description": "AWS Cloud Map registrations of the service's tasks (as in the original hako).",
    "items": _object(
        "One discovery service: hako creates (and keeps) it in the namespace, ECS registers the tasks.",
        {
            "container_name": {"type": "string", "description": "Container for SRV records (default 'app')."},
            "container_port": integer("Container port for SRV records.", 1, 65535),
            "port": integer("Port for SRV records when the task has no awsvpc networking.", 1, 65535),
            "service": _object(
                "The Cloud Map service.",
                {
                    "name": {"type": "string", "description": "Service name: NAME.NAMESPACE resolves to the tasks."},
                    "namespace_id": {"type": "string", "description": "The namespace id (ns-...)."},
                    "namespace": {"type": "string", "description": "The namespace name, looked up at deploy "
                                                                   "(instead of namespace_id)."},
                    "description": {"type": "string", "description": "Service description."},
                    "dns_config": _object(
                        "DNS records Cloud Map keeps for each task.",
                        {
                            "dns_records": {"type": "array", "minItems": 1, "description": "Record types to keep.",
                                            "items": _object(
                                "A record type and its TTL.",
                                {"type": {"type": "string", "enum": ["A", "AAAA", "SRV", "CNAME"],
                                          "description": "DNS record type (SRV carries the port)."},
                                 "ttl": integer("Seconds resolvers may cache the record.", 0, 2147483647)},
                                ["type", "ttl"])},
                            "routing_policy": {"type": "string", "enum": ["MULTIVALUE", "WEIGHTED"],
                                               "description": "Default MULTIVALUE (cannot change later)."},
                            "namespace_id": {"type": "string", "description": "Cloud Map's deprecated "
                                             "DnsConfig.NamespaceId, sent when hako creates the service (as hako)."},
                        },
                        ["dns_records"],
                    ),
                    "health_check_custom_config": _object(
                        "Let ECS report task health to Cloud Map (cannot change later).",
                        {"failure_threshold": integer("Deprecated by AWS; always 1.", 1, 10)},
                    ),
                },
                ["name", "dns_config"],
            ),
        },
        ["service"],
    ),
}

TARGET_TRACKING = _object(
    "Keep a metric at a target value.",
    {
        "policy_type": {"enum": ["target_tracking", "TargetTrackingScaling"],
                        "description": "A target tracking policy (TargetTrackingScaling is hako's name)."},
        "name": {"type": "string", "description": "Policy name (default: the metric type)."},
        "target_value": _number("The value to keep the metric at."),
        "predefined_metric_type": {
            "type": "string",
            "enum": ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization",
                     "ALBRequestCountPerTarget"],
            "description": "ALBRequestCountPerTarget needs the service's load balancer (elb_v2 or load_balancers).",
        },
        "scale_in_cooldown": integer("Seconds between scale-in activities.", 0),
        "scale_out_cooldown": integer("Seconds between scale-out activities.", 0),
        "disable_scale_in": {"type": "boolean", "description": "Never scale in."},
    },
    ["policy_type", "target_value", "predefined_metric_type"],
)

STEP_SCALING = _object(
    "Change the count by steps when CloudWatch alarms fire (the original hako's policies).",
    {
        "policy_type": {"enum": ["step_scaling", "StepScaling"],
                        "description": "A step scaling policy (the default; StepScaling is hako's name)."},
        "name": {"type": "string", "description": "Policy name (default: the alarm names joined by -and-)."},
        "alarms": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                   "description": "Existing CloudWatch alarms whose action becomes this policy."},
        "cooldown": integer("Seconds after an activity before another.", 0),
        "adjustment_type": {"type": "string", "enum": ["ChangeInCapacity", "PercentChangeInCapacity",
                                                       "ExactCapacity"],
                            "description": "How scaling_adjustment changes the count."},
        "scaling_adjustment": integer("Tasks (or percent) to add; negative removes."),
        "metric_interval_lower_bound": _number("Lower bound of the step, relative to the alarm threshold."),
        "metric_interval_upper_bound": _number("Upper bound of the step, relative to the alarm threshold."),
        "metric_aggregation_type": {"type": "string", "enum": ["Average", "Minimum", "Maximum"],
                                    "description": "How the alarm's metric data points are combined."},
    },
    ["alarms", "cooldown", "adjustment_type", "scaling_adjustment", "metric_aggregation_type"],
)

AUTOSCALING = _object(
    "Application Auto Scaling of the service's desired count; while it is set, deploys keep the "
    "current desired count.",
    {
        "role_arn": {"type": "string", "description": "Scaling role (default: the service-linked role)."},
        "min_capacity": integer("Fewest tasks.", 0),
        "max_capacity": integer("Most tasks.", 0),
        "policies": {
            "type": "array",
            "description": "Scaling policies (policy_type target_tracking or step_scaling, the default).",
            "items": {"if": {"properties": {"policy_type": {"enum": ["target_tracking", "TargetTrackingScaling"]}},
                             "required": ["policy_type"]},
                      "then": TARGET_TRACKING, "else": STEP_SCALING},
        },
    },
    ["min_capacity", "max_capacity"],
)

TRAFFIC_KEYS: dict[str, Any] = {
    "load_balancers": LOAD_BALANCERS,
    "elb_v2": ELB_V2,
    "elb": ELB,
    "service_discovery": SERVICE_DISCOVERY,
    "autoscaling": AUTOSCALING,
}
