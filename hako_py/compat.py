"""hako 2.18's spellings read into hako-py's own, in one place, before validation.

A definition written for the original hako (eagletmt/hako v2.18.0) must load unchanged
(issue 17). Where hako accepts another spelling of something hako-py already knows,
:func:`normalize` rewrites it to hako-py's, so validation, rendering and deploys see one
form; keys hako ignored, or reads for features hako-py does not have, are accepted with a
warning saying so. The definition as written is what ``show-definition`` prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hako_py.errors import Problem
from hako_py.paths import join_path

LEGACY_SIDECARS = "additional_containers"
# lib/hako/schedulers/ecs_autoscaling.rb:169-188: hako's policy types, hako-py's names for them
POLICY_TYPES = {"StepScaling": "step_scaling", "TargetTrackingScaling": "target_tracking"}

# Scheduler keys of hako's oneshot that hako-py accepts but does not act on (ecs.rb:56-61).
ONESHOT_KEYS = {
    "autoscaling_group_for_oneshot": "hako-py does not scale this Auto Scaling group out when RunTask finds no "
                                     "room (the oneshot fails instead); a capacity provider "
                                     "(capacity_provider_strategy) gives the same",
    "autoscaling_topic_for_oneshot": "hako-py publishes nothing to this SNS topic when RunTask finds no room (the "
                                     "oneshot fails instead)",
    "oneshot_notification_prefix": "hako-py follows the oneshot task with DescribeTasks and its logs, not with the "
                                   "S3 notifications under this prefix",
}


def normalize(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """*data* with hako's spellings replaced by hako-py's, and warnings about what is ignored.

    *data* is rewritten in place: pass a copy (``strip_nulls`` makes one)."""
    warnings: list[Problem] = []
    if LEGACY_SIDECARS in data:
        # definition_loader.rb:22: sidecars, else the hako 1 name additional_containers
        legacy = data.pop(LEGACY_SIDECARS)
        if "sidecars" in data:
            warnings.append(Problem(LEGACY_SIDECARS, "ignored, as hako ignores it when sidecars is set"))
        else:
            data["sidecars"] = legacy
            warnings.append(Problem(LEGACY_SIDECARS, "is hako's old name of sidecars (hako 2.18 still reads it); "
                                                     "rename it to sidecars"))
    scheduler = data.get("scheduler")
    if isinstance(scheduler, dict):
        warnings.extend(_scheduler(scheduler))
    for container in _containers(data):
        for mapping in _list(container.get("port_mappings")):
            # hako passes the protocol as written (container.rb:65-73); ECS's values are lower case
            _lower(mapping, "protocol")
    return data, warnings


def _scheduler(scheduler: dict[str, Any]) -> Iterator[Problem]:
    for key, why in ONESHOT_KEYS.items():
        if key in scheduler:
            yield Problem(join_path("scheduler", key), f"accepted as hako 2.18 defines it, but {why}")
    deployment = scheduler.get("deployment_configuration")
    breaker = deployment.get("deployment_circuit_breaker") if isinstance(deployment, dict) else None
    if isinstance(breaker, dict) and "rollback" not in breaker:
        # hako sends {enable:, rollback: false} (ecs.rb:66-74): ECS's rollback off, hako rolls back
        breaker["rollback"] = False
    autoscaling = scheduler.get("autoscaling")
    if isinstance(autoscaling, dict):
        for policy in _list(autoscaling.get("policies")):
            if isinstance(policy, dict) and isinstance(policy.get("policy_type"), str) \
                    and policy["policy_type"] in POLICY_TYPES:
                policy["policy_type"] = POLICY_TYPES[policy["policy_type"]]
    elb = scheduler.get("elb_v2")
    if isinstance(elb, dict):
        if "container" in elb:
            # hello-grpc.jsonnet:37 writes `container: 50051`; hako reads only container_port
            # (ecs_elb_v2.rb:279), so the service was created with port 80
            yield Problem("scheduler.elb_v2.container",
                          f"ignored, as hako 2.18 ignored it: the traffic goes to container_port "
                          f"({elb.get('container_port', 80)}); did you mean container_port?")
        _upper(elb, "protocol")
        if isinstance(elb.get("health_check"), dict):
            _upper(elb["health_check"], "protocol")
        for listener in _list(elb.get("listeners")):
            _upper(listener, "protocol")
    classic = scheduler.get("elb")
    if isinstance(classic, dict):
        for listener in _list(classic.get("listeners")):  # sent verbatim (ecs_elb.rb:46); ELB reads any case
            _upper(listener, "protocol")


def check_hako_keys(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    """What hako 2.18 refuses among the keys only it defines."""
    scheduler = data.get("scheduler")
    if not isinstance(scheduler, dict):
        return  # the schema reports it
    if "autoscaling_topic_for_oneshot" in scheduler and "autoscaling_group_for_oneshot" not in scheduler:
        # ecs.rb:58-60
        yield Problem("scheduler.autoscaling_group_for_oneshot",
                      "must be set when autoscaling_topic_for_oneshot is set (as in hako)")


def _containers(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if isinstance(data.get("app"), dict):
        yield data["app"]
    sidecars = data.get("sidecars")
    if isinstance(sidecars, dict):
        yield from (container for container in sidecars.values() if isinstance(container, dict))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _lower(mapping: Any, key: str) -> None:
    if isinstance(mapping, dict) and isinstance(mapping.get(key), str):
        mapping[key] = mapping[key].lower()


def _upper(mapping: Any, key: str) -> None:
    if isinstance(mapping, dict) and isinstance(mapping.get(key), str):
        mapping[key] = mapping[key].upper()
