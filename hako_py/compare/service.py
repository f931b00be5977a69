"""Does the live service run as defined? If not: what UpdateService (and tagging) fixes it.

Both sides are prepared by the same rules before a field-by-field comparison under
:func:`hako_py.compare.ecs_defaults.service`:

- Neither ``launchType`` nor ``capacityProviderStrategy`` in the definition means "the
  cluster's default" (API CreateServiceRequest.capacityProviderStrategy: "If no
  capacityProviderStrategy or launchType is specified, the defaultCapacityProviderStrategy
  for the cluster is used"; CLI create-service example 2 shows ``launchType: EC2`` when the
  cluster has none). What ECS chose then is not compared: sending ``capacityProviderStrategy:
  []`` would move the service *off* its capacity providers.
- ``platformVersion`` left out means LATEST (API CreateServiceRequest.platformVersion),
  which ECS reports as ``LATEST`` for Fargate and capacity-provider services.
- DAEMON services set their own desired count (developer guide "Service scheduler
  concepts") and default to 100/0 percent.
- ``serviceConnectConfiguration``, ``volumeConfigurations`` and ``vpcLatticeConfigurations``
  are not members of ``Service``; ECS reports them on the deployments (model: Deployment),
  so the PRIMARY deployment's are compared.
- ``role`` is reported as ``roleArn`` (a name in the definition equals the ARN's last part).
- ``tags`` are compared only when the definition sets some, then as the whole set (keys
  starting ``aws:`` are AWS's own); UpdateService cannot change them, TagResource and
  UntagResource do (API TagResource).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.ecs_defaults import service as service_shape
from hako_py.compare.shapes import ABSENT, Struct, copied, defaults_of, pair, view
from hako_py.formatting import quoted

# Members of CreateServiceRequest that ECS reports on the PRIMARY deployment, not the service.
ON_DEPLOYMENT = ("serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations")
# What UpdateService changes on services whose deployment controller is not ECS (API
# UpdateService: "For services using the blue/green (CODE_DEPLOY) deployment controller, only
# the desired count, deployment configuration, health check grace period, task placement
# constraints and strategies, enable ECS managed tags option, and propagate tags can be
# updated"; EXTERNAL: the same without the deployment configuration).
UPDATABLE_BY_CONTROLLER = {
    "CODE_DEPLOY": frozenset({"desiredCount", "deploymentConfiguration", "healthCheckGracePeriodSeconds",
                              "placementConstraints", "placementStrategy", "enableECSManagedTags",
                              "propagateTags"}),
    "EXTERNAL": frozenset({"desiredCount", "healthCheckGracePeriodSeconds", "placementConstraints",
                           "placementStrategy", "enableECSManagedTags", "propagateTags"}),
}
# What UpdateService takes to remove a deployment-level setting the definition no longer
# has (API UpdateServiceRequest: an empty list removes volume / VPC Lattice
# configurations; Service Connect is turned off with enabled: false).
REVERT: dict[str, Any] = {"serviceConnectConfiguration": {"enabled": False}, "volumeConfigurations": [],
                          "vpcLatticeConfigurations": []}
# Request members that identify the service or are handled elsewhere (the task definition
# by the deploy plan, tags by TagResource), never compared as settings.
NOT_SETTINGS = frozenset({"cluster", "serviceName", "service", "taskDefinition", "clientToken", "tags"})


@dataclass(frozen=True)
class TagChanges:
    """TagResource / UntagResource calls that make the service's tags the definition's."""

    add: dict[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


@dataclass(frozen=True)
class ServiceComparison:
    desired: Any
    live: Any
    updates: dict[str, Any]
    immutable: tuple[str, ...]
    tags: TagChanges

    @property
    def same(self) -> bool:
        return not self.updates and not self.immutable and not self.tags


def _is_daemon(service: dict[str, Any]) -> bool:
    return str(service.get("schedulingStrategy") or "REPLICA") == "DAEMON"


def _role_name(value: Any) -> Any:
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else value


def _primary_deployment(service: dict[str, Any]) -> dict[str, Any]:
    for deployment in service.get("deployments") or []:
        if deployment.get("status") == "PRIMARY":
            return dict(deployment)
    return {}


def tag_map(items: Any) -> dict[str, str]:
    """Tags as a mapping (from the API's [{key, value}] or a mapping), without ``aws:`` keys."""
    if isinstance(items, dict):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        pairs = [(str(t["key"]), str(t.get("value", ""))) for t in items or [] if isinstance(t, dict) and "key" in t]
    return {k: v for k, v in sorted(pairs) if not k.startswith("aws:")}


def _prepared_pair(desired: dict[str, Any], live: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    want = {k: copied(v) for k, v in desired.items() if k not in NOT_SETTINGS}
    primary = _primary_deployment(live)
    have: dict[str, Any] = {k: copied(v) for k, v in live.items() if k not in NOT_SETTINGS}
    for key in ON_DEPLOYMENT:
        if key in primary:
            have[key] = copied(primary[key])
    have.pop("roleArn", None)
    if "role" in want:  # compared only when the definition names one (ECS fills in its own role)
        want["role"] = _role_name(want["role"])
        if "roleArn" in live:
            have["role"] = _role_name(live["roleArn"])
    if "launchType" not in want and "capacityProviderStrategy" not in want:
        for side in (want, have):  # the cluster's default, whatever ECS made of it
            side.pop("launchType", None)
            side.pop("capacityProviderStrategy", None)
    elif "capacityProviderStrategy" in want:
        have.pop("launchType", None)  # moving to capacity providers replaces the launch type
    elif have.get("capacityProviderStrategy"):
        # a launch type wanted on a service of capacity providers: reported once (see
        # compare_services), never "fixed" by sending capacityProviderStrategy: []
        have.pop("capacityProviderStrategy", None)
    if "serviceConnectConfiguration" in want and "serviceConnectConfiguration" in have:
        want["serviceConnectConfiguration"], have["serviceConnectConfiguration"] = _service_connect_pair(
            want["serviceConnectConfiguration"], have["serviceConnectConfiguration"])
    if "platformVersion" not in want:
        if have.get("platformVersion") in (None, "LATEST"):
            have.pop("platformVersion", None)
        elif want.get("launchType") == "FARGATE" or "capacityProviderStrategy" in want:
            want["platformVersion"] = "LATEST"
    if _is_daemon(want) or _is_daemon(have):
        want.pop("desiredCount", None)
        have.pop("desiredCount", None)
    return want, have


def _service_connect_pair(want: Any, have: Any) -> tuple[Any, Any]:
    """Service Connect as ECS reports it on the deployment: the namespace as an ARN (the
    request may name it, or leave it to the cluster's default), ``discoveryName`` defaulting
    to the port name and each client alias's ``dnsName`` to ``discoveryName.namespace`` (API
    ServiceConnectService.discoveryName, ServiceConnectClientAlias.dnsName; REAL the Service
    Connect tutorial's describe-services). What the request leaves to ECS is not compared."""
    if not isinstance(want, dict) or not isinstance(have, dict):
        return want, have
    want, have = copy.deepcopy(want), copy.deepcopy(have)
    namespace = want.get("namespace")
    live_namespace = have.get("namespace")
    if namespace is None or (not str(namespace).startswith("arn:") and str(live_namespace).startswith("arn:")):
        # left to the cluster's default, or named where ECS reports the ARN: not comparable
        # without a Cloud Map lookup (write the ARN to have it compared)
        have.pop("namespace", None)
        want.pop("namespace", None)
    live_services = {str(s.get("portName")): s for s in have.get("services") or [] if isinstance(s, dict)}
    for service in want.get("services") or []:
        if not isinstance(service, dict):
            continue
        live = live_services.get(str(service.get("portName")))
        if live is None:
            continue
        if "discoveryName" not in service and live.get("discoveryName") == service.get("portName"):
            live.pop("discoveryName", None)
        wanted_aliases = {a.get("port"): a for a in service.get("clientAliases") or [] if isinstance(a, dict)}
        for alias in live.get("clientAliases") or []:
            if isinstance(alias, dict) and "dnsName" not in wanted_aliases.get(alias.get("port"), {"dnsName": 1}):
                alias.pop("dnsName", None)
    return want, have


def _shape(desired: dict[str, Any], live: dict[str, Any]) -> Struct:
    """The service's known fields; the rest of the request's members (role, Service
    Connect, ...) are compared as plain values when the definition sets them."""
    return service_shape(daemon=_is_daemon(desired) or _is_daemon(live))


def update_service_members() -> frozenset[str]:
    """What UpdateService can change: its request's members in the installed botocore model."""
    from hako_py.ecs_model import load_model

    return frozenset(m.name for m in load_model().input_shape("UpdateService").members)


def compare_services(desired: dict[str, Any], live: dict[str, Any],
                     updatable: frozenset[str] | None = None) -> ServiceComparison:
    """Compare a CreateService request with a described service (``include: ['TAGS']``).

    *updatable*: the members of UpdateServiceRequest (default: from the botocore model).
    """
    updatable = update_service_members() if updatable is None else updatable
    want, have = _prepared_pair(desired, live)
    shape = _shape(want, have)
    left, right = pair(want, have, shape)
    left = left if isinstance(left, dict) else {}
    right = right if isinstance(right, dict) else {}
    controller = str((live.get("deploymentController") or {}).get("type") or "ECS")
    allowed = UPDATABLE_BY_CONTROLLER.get(controller)
    updates: dict[str, Any] = {}
    immutable: list[str] = []
    if "launchType" in want and live.get("capacityProviderStrategy") and not want.get("capacityProviderStrategy"):
        immutable.append(f"launchType: the service runs on capacity providers "
                         f"({_providers(live['capacityProviderStrategy'])}); UpdateService cannot give it a launch "
                         "type: set capacity_provider_strategy instead, or recreate the service")
        left.pop("launchType", None)
        right.pop("launchType", None)
    for key in sorted(set(left) | set(right)):
        if left.get(key) == right.get(key):
            continue
        before, after = quoted(right.get(key)), quoted(left.get(key))
        if key not in updatable:
            immutable.append(f"{key}: {before} -> {after} (UpdateService cannot change it)")
        elif allowed is not None and key not in allowed:
            immutable.append(f"{key}: ECS cannot change it on a service with deployment controller {controller} "
                             f"({before} -> {after})")
        elif key in want:
            updates[key] = desired.get(key, want[key])
        elif key in REVERT:
            updates[key] = REVERT[key]
        else:
            known = shape.fields.get(key)
            default = ABSENT if known is None else (
                known.default if known.default is not ABSENT else defaults_of(known.shape, complete=True))
            if default is ABSENT:
                immutable.append(f"{key}: set on the service ({before}) but not in the definition; "
                                 "UpdateService cannot unset it (set it explicitly)")
            else:
                updates[key] = default
    tag_changes = _tag_changes(desired, live)
    shown_left, shown_right = dict(left), dict(right)
    if "tags" in desired:
        shown_left["tags"] = tag_map(desired.get("tags"))
        shown_right["tags"] = tag_map(live.get("tags"))
    return ServiceComparison(shown_left, shown_right, updates, tuple(immutable), tag_changes)


def _providers(strategy: Any) -> str:
    return ", ".join(str(item.get("capacityProvider")) for item in strategy or [] if isinstance(item, dict))


def _tag_changes(desired: dict[str, Any], live: dict[str, Any]) -> TagChanges:
    if "tags" not in desired:
        return TagChanges()
    want, have = tag_map(desired.get("tags")), tag_map(live.get("tags"))
    add = {k: v for k, v in want.items() if have.get(k) != v}
    remove = tuple(sorted(k for k in have if k not in want))
    return TagChanges(add, remove)


def service_view(service: dict[str, Any]) -> Any:
    """Canonical settings of one CreateService request (PR review compares two renders)."""
    want, _ = _prepared_pair(service, {})
    shown = view(want, _shape(want, {}))
    if isinstance(shown, dict) and "tags" in service:
        shown["tags"] = tag_map(service.get("tags"))
    return shown if shown is not ABSENT else {}
