"""Checks of ``schedules`` the schema cannot express, made before any AWS call.

Neither botocore (it checks required members, types and minimums only) nor moto checks a
schedule's expression, time zone, name length or role ARN (scheduler NOTES.md §5), and AWS
would refuse them only at deploy, after the oneshot task definition was registered: hako
checks them here, each located at its key.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from hako_py.checks.fargate import FARGATE_MEMORY, describe_valid
from hako_py.definition import is_fargate
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.schedule_expressions import ExpressionError, instant
from hako_py.schedule_expressions import problems as expression_problems
from hako_py.specs.failed_runs import MAX_NAME as NOTIFIER_MAX_NAME
from hako_py.specs.failed_runs import SCRIPT_TYPE, notifier_name
from hako_py.specs.schedules import MAX_NAME, arn_account, default_group, schedule_name
from hako_py.units import cpu_units, memory_mib

# API Target.RoleArn and DeadLetterConfig.Arn patterns (botocore scheduler 2021-06-30: RoleArn,
# DeadLetterConfigArnString).
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$", re.ASCII)  # \d, \w: ASCII only
QUEUE_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]+$", re.ASCII)
EC2_CPU = (128, 196608)  # API RegisterTaskDefinition cpu, EC2 and external launch types
GROUP_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
ROLE_HELP = ("the IAM role EventBridge Scheduler assumes to start the task: it must trust scheduler.amazonaws.com "
             "and allow ecs:RunTask on the oneshot family and iam:PassRole for the task's roles")


def check_schedules(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    schedules = data.get("schedules") or {}
    for key in sorted(schedules):
        entry = schedules[key]
        path = join_path("schedules", key)
        for which, message in expression_problems(str(entry.get("expression", "")), entry.get("timezone")):
            yield Problem(join_path(path, which), message)
        name = schedule_name(app_id, key)
        if len(name) > MAX_NAME:
            yield Problem(path, f"the schedule's name {name} is longer than {MAX_NAME} characters "
                          "(EventBridge Scheduler's limit): shorten the app id or the schedule's name")
        role = entry.get("role_arn")
        if not role:
            yield Problem(join_path(path, "role_arn"), f"is required: {ROLE_HELP}")
        elif not ROLE_ARN.match(str(role)):
            yield Problem(join_path(path, "role_arn"), f"{role!r} is not an IAM role ARN "
                          "(arn:aws:iam::123456789012:role/NAME)")
        queue = entry.get("dead_letter_queue")
        if queue is not None and not QUEUE_ARN.match(str(queue)):
            yield Problem(join_path(path, "dead_letter_queue"), f"{queue!r} is not an SQS queue ARN")
        yield from _date_problems(path, entry)
        yield from _size_problems(path, entry, data.get("scheduler") or {})


def _size_problems(path: str, entry: dict[str, Any], scheduler: dict[str, Any]) -> Iterator[Problem]:
    """A schedule's task cpu / memory overrides, held to the task's own rules: each run would
    otherwise fail at RunTask, long after the deploy. On Fargate the pair the run gets (the
    override, else the task's value) must be one of Fargate's combinations (ECS Developer Guide,
    "Task CPU and memory", fargate-tasks-services.html#fargate-tasks-size); elsewhere task cpu is
    "between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)" (API
    RegisterTaskDefinition, request parameter cpu)."""
    sizes: dict[str, int] = {}
    for amount, parse in (("cpu", cpu_units), ("memory", memory_mib)):
        if amount not in entry:
            continue
        parsed = parse(entry[amount])
        if not parsed:
            yield Problem(join_path(path, amount), f"{entry[amount]!r} is not a task {amount} amount")
        else:
            sizes[amount] = parsed
    if not sizes:
        return
    if not is_fargate(scheduler):
        cpu = sizes.get("cpu")
        if cpu is not None and not EC2_CPU[0] <= cpu <= EC2_CPU[1]:
            yield Problem(join_path(path, "cpu"), f"{entry['cpu']!r} is {cpu} CPU units; ECS takes "
                          f"{EC2_CPU[0]}-{EC2_CPU[1]}")
        return
    cpu = sizes.get("cpu", cpu_units(scheduler.get("cpu")) if "cpu" in scheduler else None)
    memory = sizes.get("memory", memory_mib(scheduler.get("memory")) if "memory" in scheduler else None)
    if cpu not in FARGATE_MEMORY:
        where = "cpu" if "cpu" in sizes else "memory"
        yield Problem(join_path(path, where), f"the run's cpu {cpu} is not a Fargate CPU size "
                      f"(one of {', '.join(str(c) for c in FARGATE_MEMORY)})")
    elif memory not in FARGATE_MEMORY[cpu]:
        where = "memory" if "memory" in sizes else "cpu"
        yield Problem(join_path(path, where), f"the run's memory {memory} MiB is not valid with cpu {cpu} on "
                      f"Fargate (valid: {describe_valid(cpu)})")


def _date_problems(path: str, entry: dict[str, Any]) -> Iterator[Problem]:
    """start_date / end_date: ISO 8601 with an offset, the end after the start, and not on an at()
    schedule, where AWS ignores both (API CreateScheduleInput StartDate, EndDate)."""
    dates: dict[str, datetime.datetime] = {}
    for key in ("start_date", "end_date"):
        if key not in entry:
            continue
        try:
            dates[key] = instant(str(entry[key]))
        except ExpressionError as exc:
            yield Problem(join_path(path, key), str(exc))
            continue
        if str(entry.get("expression", "")).startswith("at("):
            yield Problem(join_path(path, key), "has no effect on a one-time at() schedule (EventBridge Scheduler "
                          "ignores it): remove it")
    if len(dates) == 2 and dates["end_date"] <= dates["start_date"]:
        yield Problem(join_path(path, "end_date"), f"{entry['end_date']} is not after start_date "
                      f"{entry['start_date']}")


def check_failed_runs(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    """The failed-run notifier's name (rule, API destination, connection) must fit EventBridge's 64
    characters; it reports runs of schedules, so an app without any has nothing to report."""
    cluster = str((data.get("scheduler") or {}).get("cluster") or "default")
    for index, entry in enumerate(data.get("scripts") or ()):
        if not isinstance(entry, dict) or entry.get("type") != SCRIPT_TYPE or "failed_runs" not in entry:
            continue
        path = join_path(join_path("scripts", index), "failed_runs")
        name = notifier_name(app_id, cluster)
        if len(name) > NOTIFIER_MAX_NAME:
            yield Problem(path, f"the failed-run notifier's name {name} is longer than {NOTIFIER_MAX_NAME} "
                          "characters (EventBridge's limit for rules and API destinations): shorten the app id "
                          "or the cluster's name")
        if not data.get("schedules"):
            yield Problem(path, "reports failed runs of the app's schedules, and it has none (add schedules, or "
                          "remove failed_runs)")


def default_group_problems(data: dict[str, Any], template: str) -> Iterator[Problem]:
    """The default group (hako.toml's ``[schedules] group``, ``{cluster}`` filled in) must be a
    valid group name for each schedule that names no group of its own: the repository's
    setting is only known here, not by the checks of the definition alone."""
    cluster = str((data.get("scheduler") or {}).get("cluster") or "default")
    group = default_group(cluster, template)
    if GROUP_NAME.match(group):
        return
    for key in sorted(data.get("schedules") or {}):
        if "group" not in data["schedules"][key]:
            yield Problem(join_path(join_path("schedules", key), "group"), f"the default group {group} is not a "
                          "valid schedule group name (1-64 letters, digits, '-', '_', '.'): set group, or "
                          "hako.toml's [schedules] group")


def cross_account_warnings(data: dict[str, Any], account: str | None) -> Iterator[Problem]:
    """A schedule's role or dead-letter queue in another account than the deploy's (hako.toml's
    account_id, else the task's execution role's): legal (IAM roles and SQS queues can be shared
    across accounts) but easy to paste from the wrong environment, and the run then fails
    where nobody looks. A warning, located, so validate, verify and deploy show it."""
    account = account or arn_account(str((data.get("scheduler") or {}).get("execution_role_arn") or ""))
    if account is None:
        return
    for key in sorted(data.get("schedules") or {}):
        entry = data["schedules"][key]
        for field, what in (("role_arn", "role"), ("dead_letter_queue", "dead-letter queue")):
            other = arn_account(str(entry.get(field) or ""))
            if other is not None and other != account:
                yield Problem(join_path(join_path("schedules", key), field), f"the schedule's {what} is in account "
                              f"{other}, not the deploy's account {account}: make sure it is meant to be")


SCHEDULE_CHECKS = (check_schedules, check_failed_runs)
