"""``scheduler.service_discovery``: the Cloud Map services ECS registers the tasks in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hako_py.aws.cloudmap import CloudMapApi
from hako_py.compare.diff import unified
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.plan.instructions import AwaitCloudMapOperation, Call, Operation, Output, Retry, Say
from hako_py.plan.values import Ref
from hako_py.specs.traffic import MANAGED_TAG, DiscoverySpec
from hako_py.traffic.steps import Known, ResourcePlan, ref_name


@dataclass
class DiscoveryLive:
    namespace_id: str | None
    service: dict[str, Any] | None
    owned: bool = False  # for removal only (read_owner): the hako:app tag names this app


def read_live(api: CloudMapApi, spec: DiscoverySpec) -> DiscoveryLive:
    namespace_id = spec.namespace_id or (api.namespace_id(spec.namespace) if spec.namespace else None)
    if namespace_id is None:
        raise HakoError(f"scheduler.service_discovery: namespace {spec.namespace_label} does not exist")
    return DiscoveryLive(namespace_id, api.find_service(namespace_id, spec.name))


def live_view(spec: DiscoverySpec, live: DiscoveryLive) -> dict[str, Any] | None:
    service = live.service
    if service is None:
        return None
    dns = service.get("DnsConfig") or {}
    view: dict[str, Any] = {
        "Name": service.get("Name"),
        "Namespace": spec.namespace_label,
        "DnsRecords": [{"Type": r.get("Type"), "TTL": r.get("TTL")} for r in dns.get("DnsRecords") or []],
        "RoutingPolicy": dns.get("RoutingPolicy") or "MULTIVALUE",
    }
    if service.get("Description"):
        view["Description"] = service["Description"]
    if service.get("HealthCheckCustomConfig"):
        view["HealthCheckCustomConfig"] = {"FailureThreshold": service["HealthCheckCustomConfig"].get(
            "FailureThreshold", 1)}
    return view


def plan(spec: DiscoverySpec, live: DiscoveryLive, known: Known, file: str) -> ResourcePlan:
    """The writes that make the Cloud Map service match *spec* (pure); a found ARN goes into *known*."""
    want, have = spec.view(), live_view(spec, live)
    label = f"service_discovery {spec.name}.{spec.namespace_label}"
    result = ResourcePlan(diff=unified(have, want, f"live {label}", f"local {file}") if have != want else "")
    key = ref_name(spec.registry_ref)
    if live.service is not None:
        known[key] = str(live.service["Arn"])
    records = [{"Type": t, "TTL": ttl} for t, ttl in spec.dns_records]
    if live.service is None:
        request: dict[str, Any] = {
            "Name": spec.name, "NamespaceId": live.namespace_id,
            "DnsConfig": {"RoutingPolicy": spec.routing_policy, "DnsRecords": records},
            "Tags": [{"Key": MANAGED_TAG, "Value": spec.app_id}],
        }
        if spec.dns_namespace_id:  # hako sends dns_config.namespace_id as given (ecs_service_discovery.rb:161)
            request["DnsConfig"]["NamespaceId"] = spec.dns_namespace_id
        if spec.description:
            request["Description"] = spec.description
        if spec.failure_threshold is not None:
            request["HealthCheckCustomConfig"] = {"FailureThreshold": spec.failure_threshold}
        result.add(Call(Operation.CLOUD_MAP_CREATE_SERVICE, request,
                        f"CreateService (Cloud Map) {spec.name} in {spec.namespace_label}",
                        outputs=(Output(key, ("Service", "Arn")),)))
        return result
    assert have is not None
    for field_name, label_text in (("RoutingPolicy", "routing_policy"),
                                   ("HealthCheckCustomConfig", "health_check_custom_config")):
        if have.get(field_name) != want.get(field_name):
            result.immutable.append(f"service_discovery {spec.name}.{label_text}: {quoted(have.get(field_name))} -> "
                                    f"{quoted(want.get(field_name))} (Cloud Map cannot change it; remove and deploy "
                                    "again)")
    if have.get("DnsRecords") != want["DnsRecords"] or have.get("Description") != want.get("Description"):
        change: dict[str, Any] = {"DnsConfig": {"DnsRecords": records}}
        if spec.description:
            change["Description"] = spec.description
        operation = f"cloud-map-operation:{key}"
        # the said line comes once Cloud Map has finished the update
        result.add(Call(Operation.CLOUD_MAP_UPDATE_SERVICE, {"Id": str(live.service["Id"]), "Service": change},
                        f"UpdateService (Cloud Map) {spec.name}: dns records/description", done=(),
                        outputs=(Output(operation, ("OperationId",), optional=True),)),
                   AwaitCloudMapOperation(Ref(operation)),
                   Say((f"UpdateService (Cloud Map) {spec.name}: dns records/description",)))
    return result


# DeleteService answers ResourceInUse until ECS has deregistered the stopping tasks' instances.
SERVICE_IN_USE = Retry("ResourceInUse", attempts=10, delay=2.0)


def read_owner(api: CloudMapApi, spec: DiscoverySpec, live: DiscoveryLive) -> DiscoveryLive:
    """*live* with whether hako created its service for this app: what :func:`removal` decides from."""
    if live.service is not None:
        live.owned = api.tags(str(live.service["Arn"])).get(MANAGED_TAG) == spec.app_id
    return live


def removal(spec: DiscoverySpec, live: DiscoveryLive) -> tuple[ResourcePlan, list[str]]:
    """The delete of the Cloud Map service hako created (pure); what it leaves, why."""
    result = ResourcePlan()
    kept: list[str] = []
    service = live.service
    if service is None:
        return result, kept
    if not live.owned:
        kept.append(f"Cloud Map service {spec.name} (not created by hako for this app)")
        return result, kept
    result.add(Call(Operation.CLOUD_MAP_DELETE_SERVICE, {"Id": str(service["Id"])},
                    f"DeleteService (Cloud Map) {spec.name} in {spec.namespace_label}", retry=SERVICE_IN_USE))
    return result, kept
