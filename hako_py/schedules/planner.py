"""Decide the writes that make an app's schedules match its definition. Pure: no I/O.

On deploy: register the oneshot task definition (``<appId>-oneshot``) when it differs from
the family's latest revision, create the schedule groups hako needs (tagged as hako's),
create the schedules that are missing, update (whole: UpdateSchedule replaces a schedule)
those that differ and delete this app's schedules the definition no longer has. A schedule
that matches its definition gets no write, so a no-op deploy writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.diff import unified
from hako_py.compare.masking import mask_pair
from hako_py.compare.schedules import changed_members, same_schedule, schedule_view
from hako_py.compare.task_definition import same_task_definition
from hako_py.errors import HakoError
from hako_py.plan.instructions import Plan
from hako_py.schedules.instructions import ECS, SCHEDULER, Instruction, Refs
from hako_py.schedules.reader import SchedulesLive
from hako_py.specs.schedules import GROUP_TAG, GROUP_TAG_VALUE, cluster_ref, task_definition_ref

NEW_REVISION = "<new revision>"


@dataclass(frozen=True)
class SchedulesPlan:
    """The writes, in order, the diff that justifies them, and the references known at planning."""

    instructions: tuple[Instruction, ...] = ()
    diff: str = ""
    refs: Refs = field(default_factory=Refs)
    changes: tuple[str, ...] = ()  # "nightly: expression, command" for a summary line
    notes: tuple[str, ...] = ()  # what was left alone and why (the failed-run notifier without its URL)
    notifier: Plan = field(default_factory=Plan)  # the failed-run notifier's writes, after the schedules'

    @property
    def steps(self) -> list[str]:
        return [i.text for i in self.instructions] + self.notifier.writes


def cluster_arn(task_definition_arn: str, cluster: str) -> str:
    """The cluster's ARN in the task definition's partition, region and account."""
    if cluster.startswith("arn:"):
        return cluster
    prefix = task_definition_arn.split(":task-definition/", 1)[0]
    return f"{prefix}:cluster/{cluster}"


def known_refs(family: str, cluster: str, task_definition_arn: str | None) -> Refs:
    """The references a plan can resolve from the live state alone."""
    refs = Refs()
    if task_definition_arn is not None:
        refs[task_definition_ref(family)] = task_definition_arn
        refs[cluster_ref(cluster)] = cluster_arn(task_definition_arn, cluster)
    return refs


def _view(request: dict[str, Any] | None) -> dict[str, Any] | None:
    return schedule_view(request) if request is not None else None


def plan_schedules(app_id: str, file: str, family: str, cluster: str, task_definition: dict[str, Any],
                   desired: dict[str, dict[str, Any]], live: SchedulesLive, *, force: bool = False) -> SchedulesPlan:
    """*desired*: the rendered requests by key (references unresolved); *task_definition*: the
    oneshot RegisterTaskDefinition request."""
    for group in sorted({str(r["GroupName"]) for r in desired.values()}):
        state = live.groups.get(group)
        if state is not None and state.exists and not state.owned:
            raise HakoError(f"schedule group {group} exists but hako did not create it (no {GROUP_TAG} tag): hako "
                            f"writes only into its own groups; choose another group in {file}, or tag it "
                            f"{GROUP_TAG}={GROUP_TAG_VALUE} if hako may manage it")
    instructions: list[Instruction] = []
    register = force or not same_task_definition(task_definition, live.task_definition, live.task_definition_tags)
    live_arn = None if live.task_definition is None else str(live.task_definition["taskDefinitionArn"])
    refs = known_refs(family, cluster, None if register else live_arn)
    if register and live_arn is not None:  # a new revision: the cluster's ARN is the same, compare it resolved
        refs[cluster_ref(cluster)] = cluster_arn(live_arn, cluster)
    if register and desired:
        instructions.append(Instruction(ECS, "register_task_definition", task_definition,
                                        f"RegisterTaskDefinition family={family}"))
    for group in sorted({str(r["GroupName"]) for r in desired.values()}):
        state = live.groups.get(group)
        if state is None or not state.exists:
            instructions.append(Instruction(SCHEDULER, "create_schedule_group", {
                "Name": group, "Tags": [{"Key": GROUP_TAG, "Value": GROUP_TAG_VALUE}]},
                f"CreateScheduleGroup {group}"))
    diffs: list[str] = []
    changes: list[str] = []
    wanted_names = set()
    for key in sorted(desired):
        request = refs.resolve(desired[key])
        name = str(request["Name"])
        wanted_names.add(name)
        current = live.schedules.get(name)
        if current is not None and str(current.get("GroupName")) != str(request["GroupName"]):
            # the group is part of the key (API UpdateSchedule cannot move a schedule): a new one
            instructions.append(Instruction(SCHEDULER, "delete_schedule", {
                "Name": name, "GroupName": str(current.get("GroupName"))},
                f"DeleteSchedule {current.get('GroupName')}/{name} (moves to group {request['GroupName']})"))
            current = None
        if current is not None and same_schedule(request, current):
            continue
        left, right = mask_pair(_view(current), _view(request))
        diffs.append(unified(left, right, f"live schedule {name}" if current else "live schedule (none)",
                             f"local {file}"))
        changes.append(f"{key}: {', '.join(changed_members(current, request))}")
        operation = "update_schedule" if current is not None else "create_schedule"
        words = "UpdateSchedule" if current is not None else "CreateSchedule"
        instructions.append(Instruction(SCHEDULER, operation, desired[key],
                                        f"{words} {request['GroupName']}/{name} ({request['ScheduleExpression']})"))
    for name in sorted(set(live.schedules) - wanted_names):
        current = live.schedules[name]
        left, right = mask_pair(_view(current), None)
        diffs.append(unified(left, right, f"live schedule {name}", f"local {file} (not defined)"))
        changes.append(f"{name.split('.', 1)[-1]}: removed")
        instructions.append(Instruction(SCHEDULER, "delete_schedule", {
            "Name": name, "GroupName": str(current.get("GroupName"))},
            f"DeleteSchedule {current.get('GroupName')}/{name} (not in the definition)"))
    if not any(i.api == SCHEDULER for i in instructions):
        instructions = []  # the schedules match: the oneshot revision is hako oneshot's business
    return SchedulesPlan(tuple(instructions), "".join(diffs), refs, tuple(changes))


def plan_removal(live: SchedulesLive) -> SchedulesPlan:
    """Delete every schedule of the app in hako's groups (the groups stay: other apps share them)."""
    instructions = tuple(
        Instruction(SCHEDULER, "delete_schedule", {"Name": name, "GroupName": str(schedule.get("GroupName"))},
                    f"DeleteSchedule {schedule.get('GroupName')}/{name}")
        for name, schedule in sorted(live.schedules.items()))
    return SchedulesPlan(instructions)
