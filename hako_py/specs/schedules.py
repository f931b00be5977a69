"""What a definition's ``schedules`` ask for, and how hako names what it creates for them. Pure.

Ownership (EventBridge Scheduler can tag only schedule groups, API TagResource: "You can only
assign tags to schedule groups"): hako puts an app's schedules in a group it created and
tagged ``hako:schedule-group`` (by default one per cluster, ``hako-<cluster>``), and names
each one ``<appId>.<name>``. App ids cannot hold a dot (they are task definition families:
letters, digits, ``-`` and ``_``), so the name says exactly which app a schedule is of:
``web.nightly`` is never one of ``web-api``'s. A schedule is this app's only when both hold
(the name and the group's tag); anything else is never touched.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import AppDefinition, as_int
from hako_py.schedule_expressions import ExpressionError, instant
from hako_py.units import cpu_units, memory_mib

SEPARATOR = "."
GROUP_TAG = "hako:schedule-group"  # on the schedule groups hako created (value: "managed")
GROUP_TAG_VALUE = "managed"
DEFAULT_GROUP = "hako-{cluster}"  # the default of hako.toml's [schedules] group (loading.repo)
MAX_NAME = 64  # API Name / ScheduleGroupName: 1-64 of [0-9a-zA-Z-_.]
# API RetryPolicy: what AWS uses when a schedule sets none (Terraform and CloudFormation docs:
# "0 to 185 (default)", "60 to 86400 (default)"); hako always sends both, so live == desired.
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE = 86400
DEFAULT_TIMEZONE = "UTC"


def schedule_name(app_id: str, name: str) -> str:
    """The schedule's name in EventBridge Scheduler."""
    return f"{app_id}{SEPARATOR}{name}"


def name_prefix(app_id: str) -> str:
    """ListSchedules' NamePrefix for this app's schedules (the dot ends the app id)."""
    return f"{app_id}{SEPARATOR}"


def default_group(cluster: str, template: str = DEFAULT_GROUP) -> str:
    """The group of a schedule that names none: hako.toml's ``[schedules] group`` with
    ``{cluster}`` replaced by the cluster's name (a cluster ARN counts by its name); by
    default one group per cluster, ``hako-<cluster name>``."""
    return template.replace("{cluster}", cluster.rsplit("/", 1)[-1])


def run_group(app_id: str, name: str) -> str:
    """The ECS task group of the schedule's runs (EcsParameters.Group, RunTask.group): how
    ``hako schedule history`` finds them. startedBy cannot: Scheduler sets it to
    ``chronos-schedule/`` and a cut-off name (scheduler NOTES.md §6)."""
    return f"hako:{app_id}:{name}"


def cluster_ref(cluster: str) -> str:
    """The cluster's ARN until a deploy knows the account (render is offline); an ARN stays."""
    return cluster if cluster.startswith("arn:") else f"{{{{cluster:{cluster}}}}}"


def task_definition_ref(family: str) -> str:
    """The oneshot family's revision the deploy registers or reuses, until it is known."""
    return f"{{{{task-definition:{family}}}}}"


@dataclass(frozen=True)
class ScheduleSpec:
    """One entry of ``schedules``, with hako's defaults filled in."""

    key: str  # the name in the definition
    name: str  # <appId>.<key>
    group: str
    expression: str
    timezone: str = DEFAULT_TIMEZONE
    enabled: bool = True
    flexible_window: int | None = None
    description: str | None = None
    role_arn: str = ""
    command: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    cpu: int | None = None
    memory: int | None = None
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    event_age: int = DEFAULT_EVENT_AGE
    dead_letter_queue: str | None = None
    start_date: datetime.datetime | None = None  # StartDate (UTC)
    end_date: datetime.datetime | None = None  # EndDate (UTC)
    kms_key_arn: str | None = None
    run_group: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _instant(value: Any) -> datetime.datetime | None:
    """A validated start_date / end_date in UTC (checks.schedules refused any other)."""
    if not isinstance(value, str):
        return None
    try:
        return instant(value)
    except ExpressionError:
        return None


def schedule_spec(app: AppDefinition, key: str) -> ScheduleSpec:
    entry = app.schedules[key]
    retry = entry.get("retry") or {}
    attempts = as_int(retry.get("maximum_attempts"))
    age = as_int(retry.get("maximum_event_age"))
    env = entry.get("env") or {}
    return ScheduleSpec(
        key=key,
        name=schedule_name(app.app_id, key),
        group=str(entry.get("group") or default_group(app.cluster, app.schedule_group)),
        expression=str(entry.get("expression", "")),
        timezone=str(entry.get("timezone") or DEFAULT_TIMEZONE),
        enabled=entry.get("enabled", True) is not False,
        flexible_window=as_int(entry.get("flexible_window")),
        description=entry.get("description"),
        role_arn=str(entry.get("role_arn") or ""),
        command=tuple(str(c) for c in entry.get("command") or ()),
        env=tuple((str(k), _env_value(env[k])) for k in sorted(env)),
        cpu=cpu_units(entry["cpu"]) if "cpu" in entry else None,
        memory=memory_mib(entry["memory"]) if "memory" in entry else None,
        retry_attempts=DEFAULT_RETRY_ATTEMPTS if attempts is None else attempts,
        event_age=DEFAULT_EVENT_AGE if age is None else age,
        dead_letter_queue=entry.get("dead_letter_queue"),
        start_date=_instant(entry.get("start_date")),
        end_date=_instant(entry.get("end_date")),
        kms_key_arn=entry.get("kms_key_arn"),
        run_group=run_group(app.app_id, key),
    )


def schedule_specs(app: AppDefinition) -> list[ScheduleSpec]:
    return [schedule_spec(app, key) for key in sorted(app.schedules)]


def arn_account(arn: str) -> str | None:
    """The account of an ARN (its fifth field: arn:PARTITION:SERVICE:REGION:ACCOUNT:...), None
    when it has none (IAM User Guide, reference-arns.html)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" and parts[4] else None
