"""Put rendered requests and live ECS descriptions into one comparable form.

Both sides go through the same functions: API defaults filled in (``essential: true``,
``protocol: tcp``, ``cpu: 0``...), read-only fields dropped, unordered lists sorted and
empty values removed. Two task definitions are "the same" exactly when their normalized
forms are equal, so hako never registers a revision or shows a diff for noise.
"""

from __future__ import annotations

from typing import Any

TASK_DEFINITION_READ_ONLY = {
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequested",
}

# Service settings hako manages, with the value ECS reports when they are not set.
SERVICE_DEFAULTS: dict[str, Any] = {
    "desiredCount": None,
    "launchType": None,
    "capacityProviderStrategy": [],
    "platformVersion": None,
    "deploymentConfiguration": {},
    "networkConfiguration": {},
    "healthCheckGracePeriodSeconds": 0,
    "placementConstraints": [],
    "placementStrategy": [],
    "enableExecuteCommand": False,
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "schedulingStrategy": "REPLICA",
    "deploymentController": {"type": "ECS"},
    "loadBalancers": [],
    "serviceRegistries": [],
}
# Settings UpdateService cannot change on an existing service.
SERVICE_IMMUTABLE = ("launchType", "schedulingStrategy", "deploymentController")
# Settings UpdateService changes only on services of the ECS (rolling) deployment controller.
ROLLING_ONLY = ("loadBalancers", "serviceRegistries")


def prune(value: Any) -> Any:
    """Drop None, empty lists and empty objects, recursively (ECS treats them as unset)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def _sorted_by(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: tuple(str(item.get(k, "")) for k in keys))


def normalize_container(container: dict[str, Any], network_mode: str) -> dict[str, Any]:
    c = dict(container)
    c.setdefault("essential", True)
    c["cpu"] = c.get("cpu") or 0
    ports = []
    for mapping in c.get("portMappings") or []:
        m = dict(mapping)
        m.setdefault("protocol", "tcp")
        if network_mode in ("awsvpc", "host") and "containerPort" in m:
            m.setdefault("hostPort", m["containerPort"])
        ports.append(m)
    c["portMappings"] = _sorted_by(ports, "containerPort", "protocol", "hostPort", "name")
    c["environment"] = _sorted_by(list(c.get("environment") or []), "name")
    c["secrets"] = _sorted_by(list(c.get("secrets") or []), "name")
    c["mountPoints"] = [{"readOnly": False, **m} for m in c.get("mountPoints") or []]
    c["volumesFrom"] = [{"readOnly": False, **m} for m in c.get("volumesFrom") or []]
    c["dependsOn"] = _sorted_by(list(c.get("dependsOn") or []), "containerName")
    c["ulimits"] = _sorted_by(list(c.get("ulimits") or []), "name")
    c["systemControls"] = _sorted_by(list(c.get("systemControls") or []), "namespace")
    if c.get("healthCheck"):
        # ECS reports the defaults of a health check that set only its command
        c["healthCheck"] = {"interval": 30, "timeout": 5, "retries": 3, **c["healthCheck"]}
    return dict(prune(c))


def normalize_task_definition(td: dict[str, Any], tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Comparable form of a RegisterTaskDefinition request or a DescribeTaskDefinition result."""
    result = {k: v for k, v in td.items() if k not in TASK_DEFINITION_READ_ONLY}
    network_mode = str(result.get("networkMode") or "bridge")
    result["networkMode"] = network_mode
    if tags is not None:
        result["tags"] = tags
    result["tags"] = _sorted_by(list(result.get("tags") or []), "key")
    for key in ("cpu", "memory"):
        if result.get(key) is not None:
            result[key] = str(result[key])
    result["requiresCompatibilities"] = sorted(result.get("requiresCompatibilities") or [])
    result["placementConstraints"] = _sorted_by(list(result.get("placementConstraints") or []), "type", "expression")
    result["volumes"] = _sorted_by(list(result.get("volumes") or []), "name")
    result["containerDefinitions"] = [
        normalize_container(c, network_mode) for c in _sorted_by(list(result.get("containerDefinitions") or []), "name")
    ]
    return dict(prune(result))


def _deployment_configuration(value: dict[str, Any]) -> dict[str, Any]:
    config = {"maximumPercent": 200, "minimumHealthyPercent": 100, **value}
    breaker = {"enable": False, "rollback": False, **(value.get("deploymentCircuitBreaker") or {})}
    config["deploymentCircuitBreaker"] = breaker
    alarms = {"alarmNames": [], "enable": False, "rollback": False, **(value.get("alarms") or {})}
    alarms["alarmNames"] = sorted(alarms.get("alarmNames") or [])
    config["alarms"] = alarms  # ECS reports disabled alarms on services that never set them
    return config


def _network_configuration(value: dict[str, Any]) -> dict[str, Any]:
    awsvpc = value.get("awsvpcConfiguration")
    if not awsvpc:
        return {}
    return {
        "awsvpcConfiguration": {
            "subnets": sorted(awsvpc.get("subnets") or []),
            "securityGroups": sorted(awsvpc.get("securityGroups") or []),
            "assignPublicIp": awsvpc.get("assignPublicIp") or "DISABLED",
        }
    }


def normalize_service(service: dict[str, Any]) -> dict[str, Any]:
    """Comparable service settings from a CreateService request or a DescribeServices result."""
    result: dict[str, Any] = {}
    for key, default in SERVICE_DEFAULTS.items():
        value = service.get(key)
        result[key] = default if value is None else value
    result["deploymentConfiguration"] = _deployment_configuration(result["deploymentConfiguration"])
    result["networkConfiguration"] = _network_configuration(result["networkConfiguration"])
    if result["launchType"] == "FARGATE" and not result["platformVersion"]:
        result["platformVersion"] = "LATEST"
    result["placementConstraints"] = _sorted_by(list(result["placementConstraints"]), "type", "expression")
    result["capacityProviderStrategy"] = _sorted_by(
        [{"base": 0, "weight": 0, **s} for s in result["capacityProviderStrategy"]], "capacityProvider"
    )
    if result["capacityProviderStrategy"]:
        result["launchType"] = None
    result["loadBalancers"] = _sorted_by(list(result["loadBalancers"]), "targetGroupArn", "loadBalancerName",
                                         "containerName", "containerPort")
    result["serviceRegistries"] = _sorted_by(list(result["serviceRegistries"]), "registryArn", "containerName",
                                             "containerPort", "port")
    return dict(prune(result))


def service_changes(desired: dict[str, Any], live: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Settings to send in UpdateService, and settings that cannot change in place."""
    want, have = normalize_service(desired), normalize_service(live)
    updates: dict[str, Any] = {}
    immutable: list[str] = []
    for key in SERVICE_DEFAULTS:
        if want.get(key) == have.get(key):
            continue
        if key in SERVICE_IMMUTABLE:
            immutable.append(f"{key}: {have.get(key)!r} -> {want.get(key)!r}")
            continue
        controller = (have.get("deploymentController") or {}).get("type", "ECS")
        if key in ROLLING_ONLY and controller != "ECS":
            immutable.append(f"{key}: ECS cannot change it on a service with deployment controller {controller} "
                             f"({have.get(key)!r} -> {want.get(key)!r})")
            continue
        value = desired.get(key) if desired.get(key) is not None else SERVICE_DEFAULTS[key]
        if value is None:  # UpdateService cannot unset it; a defaulted value (e.g. LATEST) is fine
            continue
        updates[key] = value
    return updates, immutable
