"""``scheduler.service_discovery``: the Cloud Map services ECS registers the tasks in."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hako_py.aws.cloudmap import CloudMapApi
from hako_py.compare.diff import unified
from hako_py.errors import HakoError
from hako_py.formatting import quoted
from hako_py.specs.traffic import MANAGED_TAG, DiscoverySpec
from hako_py.traffic.steps import Refs, ResourcePlan


@dataclass
class DiscoveryLive:
    namespace_id: str | None
    service: dict[str, Any] | None


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


def _wait(api: CloudMapApi, operation_id: str, sleep: Callable[[float], None], attempts: int = 60) -> None:
    for _ in range(attempts):
        operation = api.write("get_operation", OperationId=operation_id).get("Operation") or {}
        status = operation.get("Status")
        if status == "SUCCESS":
            return
        if status == "FAIL":
            raise HakoError(f"Cloud Map operation {operation_id} failed: {operation.get('ErrorMessage')}")
        sleep(1.0)
    raise HakoError(f"Cloud Map operation {operation_id} did not finish")


def plan(api: CloudMapApi, spec: DiscoverySpec, live: DiscoveryLive, refs: Refs, file: str,
         sleep: Callable[[float], None] = time.sleep) -> ResourcePlan:
    want, have = spec.view(), live_view(spec, live)
    label = f"service_discovery {spec.name}.{spec.namespace_label}"
    result = ResourcePlan(diff=unified(have, want, f"live {label}", f"local {file}") if have != want else "")
    if live.service is not None:
        refs[spec.registry_ref] = str(live.service["Arn"])
    records = [{"Type": t, "TTL": ttl} for t, ttl in spec.dns_records]
    if live.service is None:
        def create(refs: Refs) -> None:
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
            refs[spec.registry_ref] = str(api.write("create_service", **request)["Service"]["Arn"])
        result.add(f"CreateService (Cloud Map) {spec.name} in {spec.namespace_label}", create)
        return result
    assert have is not None
    for key, label_text in (("RoutingPolicy", "routing_policy"), ("HealthCheckCustomConfig",
                                                                  "health_check_custom_config")):
        if have.get(key) != want.get(key):
            result.immutable.append(f"service_discovery {spec.name}.{label_text}: {quoted(have.get(key))} -> "
                                    f"{quoted(want.get(key))} (Cloud Map cannot change it; remove and deploy again)")
    if have.get("DnsRecords") != want["DnsRecords"] or have.get("Description") != want.get("Description"):
        service_id = str(live.service["Id"])

        def update(refs: Refs) -> None:
            change: dict[str, Any] = {"DnsConfig": {"DnsRecords": records}}
            if spec.description:
                change["Description"] = spec.description
            operation = api.write("update_service", Id=service_id, Service=change)
            if operation.get("OperationId"):
                _wait(api, str(operation["OperationId"]), sleep)
        result.add(f"UpdateService (Cloud Map) {spec.name}: dns records/description", update)
    return result


def removal(api: CloudMapApi, spec: DiscoverySpec, live: DiscoveryLive, *, retries: int = 10,
            sleep: Callable[[float], None] = time.sleep) -> tuple[ResourcePlan, list[str]]:
    result = ResourcePlan()
    kept: list[str] = []
    service = live.service
    if service is None:
        return result, kept
    if api.tags(str(service["Arn"])).get(MANAGED_TAG) != spec.app_id:
        kept.append(f"Cloud Map service {spec.name} (not created by hako for this app)")
        return result, kept
    service_id = str(service["Id"])

    def delete(refs: Refs) -> None:
        from hako_py.aws.errors import AwsError

        for attempt in range(retries):
            try:
                api.write("delete_service", Id=service_id)
                return
            except AwsError as exc:  # instances are deregistered as the tasks stop
                if exc.code != "ResourceInUse" or attempt == retries - 1:
                    raise
                sleep(2.0)
    result.add(f"DeleteService (Cloud Map) {spec.name} in {spec.namespace_label}", delete)
    return result, kept
