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
from hako_py.specs.failed_runs import failed_runs_role
from hako_py.specs.schedules import arn_account
from hako_py.specs.traffic import TrafficSpecs
from hako_py.verify.check import NG, OK, SKIP, CannotCheck, Check, guarded
from hako_py.verify.permissions import missing_permissions
from hako_py.verify.traffic import traffic_checks
from hako_py.verify.trust import trust_problem

BUILTIN_CAPACITY_PROVIDERS = {"FARGATE", "FARGATE_SPOT"}


def _presence(subject: str, present: Callable[[], bool], missing: str = "does not exist") -> Check:
    return guarded(subject, lambda: Check(OK, subject) if present() else Check(NG, subject, missing))


def verify(app: AppDefinition, task_definition: dict[str, Any], lookups: Lookups, specs: TrafficSpecs, *,
           scripts_create_log_groups: bool = False, script_buckets: list[tuple[str, str]] | None = None) -> list[Check]:
    """Every check; when the credentials fail or the endpoint cannot be reached, the checks so
    far and one NG line saying so (not one per check repeating it). *specs*: the traffic
    settings as render derived them (``RenderedApp.specs``)."""
    region = app.region or lookups.clients.region
    done: list[Check] = []
    try:
        for check in _checks(app, task_definition, lookups, specs, region, scripts_create_log_groups):
            done.append(check)
        for bucket, bucket_region in script_buckets or []:  # e.g. nginx_front's configuration bucket
            done.append(_presence(f"S3 bucket {bucket}", partial(lookups.s3_bucket, bucket_region, bucket),
                                  f"does not exist ({bucket_region}); a script writes to it"))
    except CannotCheck as failure:
        message = str(failure.error).split(": ", 1)[-1]
        done.append(Check(NG, failure.subject, f"{message}; the remaining checks were not run"))
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
        yield guarded(subject, partial(_schedule_role_check, subject, role_arn, app.account_id, lookups))
        yield guarded(f"{subject} may run the task", partial(
            _schedule_permissions_check, f"{subject} may run the task", role_arn, app, td, region, lookups))
    notifier_role = failed_runs_role(app)
    if notifier_role is not None:
        subject = f"failed-run notifier role {notifier_role.rsplit('/', 1)[-1]}"
        yield guarded(subject, partial(_service_role_check, subject, notifier_role, EVENTS_PRINCIPAL, lookups))
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
    # each check asks about all of them: the first reads them in one request, the others reuse it
    subnets = [str(subnet) for subnet in awsvpc.get("subnets") or []]
    for subnet in subnets:
        yield _presence(f"subnet {subnet}", partial(_none_missing, lookups.missing_subnets, region, subnets, subnet))
    groups = [str(group) for group in awsvpc.get("security_groups") or []]
    for group in groups:
        yield _presence(f"security group {group}",
                        partial(_none_missing, lookups.missing_security_groups, region, groups, group))
    for strategy in app.scheduler.get("capacity_provider_strategy") or []:
        name = str(strategy.get("capacity_provider"))
        if name in BUILTIN_CAPACITY_PROVIDERS:
            yield Check(OK, f"capacity provider {name}", "built in")
            continue
        yield _presence(f"capacity provider {name}", partial(_no_missing_providers, lookups, name))
    yield from traffic_checks(app, td, lookups.clients, specs)


def _none_missing(find_missing: Callable[[str | None, list[str]], list[str]], region: str | None,
                  items: list[str], item: str) -> bool:
    return item not in find_missing(region, items)


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


# The role EventBridge Scheduler assumes to start the task names scheduler.amazonaws.com in its
# trust policy (Scheduler User Guide, setting-up.html#setting-up-execution-role); the role of a
# rule's API destination target ("To use an API destination as a target, you must provide an IAM
# role", EventBridge user guide eb-create-rule-api-destination-target.html) is assumed by
# EventBridge, events.amazonaws.com (CDK's API destination examples: ServicePrincipal("events.amazonaws.com")).
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"


def _service_role_check(subject: str, arn: str, principal: str, lookups: Lookups) -> Check:
    """A role an AWS service assumes: it exists and its trust policy names the service."""
    trusted = lookups.role_trusts(arn.rsplit("/", 1)[-1], principal)
    if trusted is None:
        return Check(NG, subject, "does not exist")
    if not trusted:
        return Check(NG, subject, f"does not trust {principal}")
    return Check(OK, subject, f"trusts {principal}")


def _schedule_role_check(subject: str, arn: str, account: str | None, lookups: Lookups) -> Check:
    """The schedule's role: Scheduler may assume it for the deploy's account (hako.toml's
    account_id, else the role's own): :func:`hako_py.verify.trust.trust_problem`."""
    document = lookups.trust_policy(arn.rsplit("/", 1)[-1])
    if document is None:
        return Check(NG, subject, "does not exist")
    problem = trust_problem(document, SCHEDULER_PRINCIPAL, account or arn_account(arn))
    if problem is not None:
        return Check(NG, subject, problem)
    return Check(OK, subject, f"trusts {SCHEDULER_PRINCIPAL}")


def _schedule_permissions_check(subject: str, arn: str, app: AppDefinition, td: dict[str, Any], region: str | None,
                                lookups: Lookups) -> Check:
    """ecs:RunTask on the oneshot family (any revision) and iam:PassRole for the task's roles,
    by the role's own policies (:mod:`hako_py.verify.permissions`)."""
    partition = arn.split(":")[1]
    account = app.account_id or arn_account(arn) or "*"
    family = f"arn:{partition}:ecs:{region or '*'}:{account}:task-definition/{app.oneshot_family}:*"
    wanted = [("ecs:RunTask", family)]
    wanted += [("iam:PassRole", str(td[key])) for key in ("taskRoleArn", "executionRoleArn") if td.get(key)]
    missing = missing_permissions(lookups.role_policies(arn.rsplit("/", 1)[-1]), wanted)
    if missing:
        return Check(NG, subject, "; ".join(missing) + " by its policies")
    roles = [resource.rsplit("/", 1)[-1] for action, resource in wanted if action == "iam:PassRole"]
    return Check(OK, subject, f"ecs:RunTask on {app.oneshot_family}" +
                 (f", iam:PassRole for {', '.join(roles)}" if roles else ""))


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
