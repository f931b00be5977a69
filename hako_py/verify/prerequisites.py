"""``hako verify``: check, read-only, that everything a deploy or oneshot needs exists.

Runs every check (one line each: [OK], [NG] or [SKIP] with the reason) and never reads a
secret's value. ``deploy`` and ``oneshot`` run it first and stop before any write when a
check is NG.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from hako_py.aws.lookups import Lookups
from hako_py.definition import AppDefinition
from hako_py.ecr_images import parse_ecr_image
from hako_py.references import awslogs_groups, parse_secret_source
from hako_py.specs.traffic import TrafficSpecs
from hako_py.verify.check import NG, OK, SKIP, Check, CredentialsFailed, guarded
from hako_py.verify.traffic import traffic_checks

BUILTIN_CAPACITY_PROVIDERS = {"FARGATE", "FARGATE_SPOT"}


def _presence(subject: str, present: Callable[[], bool], missing: str = "does not exist") -> Check:
    return guarded(subject, lambda: Check(OK, subject) if present() else Check(NG, subject, missing))


def verify(app: AppDefinition, task_definition: dict[str, Any], lookups: Lookups, specs: TrafficSpecs, *,
           scripts_create_log_groups: bool = False) -> list[Check]:
    """Every check; when the credentials fail, the checks so far and one NG line about the
    credentials (not one per check repeating it). *specs*: the traffic settings as render
    derived them (``RenderedApp.specs``)."""
    region = app.region or lookups.clients.region
    done: list[Check] = []
    try:
        for check in _checks(app, task_definition, lookups, specs, region, scripts_create_log_groups):
            done.append(check)
    except CredentialsFailed as failure:
        message = str(failure.error).split(": ", 1)[-1]
        done.append(Check(NG, "AWS credentials", f"{message}; the remaining checks were not run"))
    return done


def _checks(app: AppDefinition, td: dict[str, Any], lookups: Lookups, specs: TrafficSpecs, region: str | None,
            creates_groups: bool) -> Iterator[Check]:
    yield _presence(f"cluster {app.cluster}", lambda: lookups.cluster_status(app.cluster) == "ACTIVE",
                    "does not exist (or is not ACTIVE)")
    for container in td.get("containerDefinitions", []):
        yield _image_check(container, lookups)
        secrets = list(container.get("secrets") or [])
        secrets += list((container.get("logConfiguration") or {}).get("secretOptions") or [])
        for secret in secrets:
            yield from _secret_checks(container["name"], secret, lookups, region)
    for key in ("taskRoleArn", "executionRoleArn"):
        if td.get(key):
            yield guarded(_role_subject(key, str(td[key])), partial(_role_check, key, str(td[key]), lookups))
    for role_arn in sorted({str(entry.get("role_arn")) for entry in app.schedules.values() if entry.get("role_arn")}):
        subject = f"schedule role {role_arn.rsplit('/', 1)[-1]}"
        yield guarded(subject, partial(_schedule_role_check, subject, role_arn, lookups))
    create_group_options = {
        (c.get("logConfiguration") or {}).get("options", {}).get("awslogs-group")
        for c in td.get("containerDefinitions", [])
        if str((c.get("logConfiguration") or {}).get("options", {}).get("awslogs-create-group", "")).lower() == "true"
    }
    for group, group_region in awslogs_groups(td, region):
        subject = f"log group {group}"
        yield guarded(subject, partial(_log_group_check, group, group_region or region, lookups, creates_groups,
                                      group in create_group_options))
    awsvpc = (app.scheduler.get("network_configuration") or {}).get("awsvpc_configuration") or {}
    for subnet in awsvpc.get("subnets") or []:
        yield _presence(f"subnet {subnet}", partial(_none_missing, lookups.missing_subnets, region, str(subnet)))
    for group in awsvpc.get("security_groups") or []:
        yield _presence(f"security group {group}",
                        partial(_none_missing, lookups.missing_security_groups, region, str(group)))
    for strategy in app.scheduler.get("capacity_provider_strategy") or []:
        name = str(strategy.get("capacity_provider"))
        if name in BUILTIN_CAPACITY_PROVIDERS:
            yield Check(OK, f"capacity provider {name}", "built in")
            continue
        yield _presence(f"capacity provider {name}", partial(_no_missing_providers, lookups, name))
    yield from traffic_checks(app, td, lookups.clients, specs)


def _none_missing(find_missing: Callable[[str | None, list[str]], list[str]], region: str | None, item: str) -> bool:
    return not find_missing(region, [item])


def _no_missing_providers(lookups: Lookups, name: str) -> bool:
    return not lookups.missing_capacity_providers([name])


def _image_check(container: dict[str, Any], lookups: Lookups) -> Check:
    image = str(container.get("image"))
    subject = f"image {image} ({container['name']})"
    ecr = parse_ecr_image(image)
    if ecr is None:
        return Check(SKIP, subject, "not an ECR image; cannot check without pulling it")
    return _presence(subject, partial(lookups.ecr_image, ecr.region, ecr.repository, ecr.tag, ecr.digest),
                     "no such image in ECR")


def _secret_checks(container: str, secret: dict[str, Any], lookups: Lookups, region: str | None) -> Iterator[Check]:
    name, value_from = str(secret.get("name")), str(secret.get("valueFrom"))
    subject = f"secret {name} ({container})"
    source = parse_secret_source(value_from)
    if source is None:
        yield Check(SKIP, subject, f"unrecognized valueFrom {value_from}")
        return
    where = source.region or region
    label = "SSM parameter" if source.kind == "ssm" else "Secrets Manager secret"
    exists = lookups.ssm_parameter if source.kind == "ssm" else lookups.secret
    yield guarded(subject, lambda: Check(OK, subject, f"{label} {source.name}") if exists(where, source.name)
                 else Check(NG, subject, f"{label} {source.name} does not exist ({where})"))
    if source.json_key:
        yield Check(SKIP, f"{subject} JSON key {source.json_key}",
                    "cannot be checked without reading the secret's value")


def _role_subject(key: str, arn: str) -> str:
    """The same label whether the check succeeds or cannot run."""
    return f"{'task role' if key == 'taskRoleArn' else 'execution role'} {arn.rsplit('/', 1)[-1]}"


def _role_check(key: str, arn: str, lookups: Lookups) -> Check:
    role = arn.rsplit("/", 1)[-1]
    subject = _role_subject(key, arn)
    trusted = lookups.role_trusts_ecs_tasks(role)
    if trusted is None:
        return Check(NG, subject, "does not exist")
    if not trusted:
        return Check(NG, subject, "does not trust ecs-tasks.amazonaws.com")
    return Check(OK, subject, "trusts ecs-tasks.amazonaws.com")


def _schedule_role_check(subject: str, arn: str, lookups: Lookups) -> Check:
    """The role EventBridge Scheduler assumes to start the task: its trust policy must name
    scheduler.amazonaws.com (Scheduler User Guide, setting-up.html#setting-up-execution-role)."""
    trusted = lookups.role_trusts(arn.rsplit("/", 1)[-1], "scheduler.amazonaws.com")
    if trusted is None:
        return Check(NG, subject, "does not exist")
    if not trusted:
        return Check(NG, subject, "does not trust scheduler.amazonaws.com")
    return Check(OK, subject, "trusts scheduler.amazonaws.com")


def _log_group_check(group: str, region: str | None, lookups: Lookups, by_script: bool, by_driver: bool) -> Check:
    subject = f"log group {group}"
    if lookups.log_group(region, group):
        return Check(OK, subject)
    if by_script:
        return Check(OK, subject, "missing; the create_aws_cloud_watch_logs_log_group script creates it")
    if by_driver:
        return Check(OK, subject, "missing; awslogs-create-group creates it")
    return Check(NG, subject, f"does not exist ({region}); create it or add the "
                 "create_aws_cloud_watch_logs_log_group script")
