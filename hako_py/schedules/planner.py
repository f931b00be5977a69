"""Decide the writes that make an app's schedules match its definition. Pure: no I/O.

On deploy: register the oneshot task definition (``<appId>-oneshot``) when it differs from
the family's latest revision, create the schedule groups hako needs (tagged as hako's),
create the schedules that are missing, update (whole: UpdateSchedule replaces a schedule)
those that differ and delete this app's schedules the definition no longer has. A schedule
that matches its definition gets no write, so a no-op deploy writes nothing.

The writes are plan instructions (:mod:`hako_py.plan`) run by the one executor. Render leaves
the cluster's and the revision's ARNs as placeholders (it is offline); :func:`bind` puts in
their place, at the two members that hold them, the ARN when it is known and otherwise a
:class:`~hako_py.plan.values.Ref` to the registration this plan makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.diff import unified
from hako_py.compare.masking import mask_pair
from hako_py.compare.schedules import changed_members, same_schedule, schedule_view
from hako_py.compare.task_definition import same_task_definition
from hako_py.errors import HakoError
from hako_py.plan.instructions import Call, Instruction, Operation, Plan, RegisterTaskDefinition
from hako_py.plan.values import ClusterArn, Ref, shown
from hako_py.schedules.reader import SchedulesLive
from hako_py.specs.schedules import GROUP_TAG, GROUP_TAG_VALUE, cluster_ref, task_definition_ref


@dataclass(frozen=True)
class SchedulesPlan:
    """The writes, in order, the diff that justifies them, and a summary of the changes."""

    instructions: Plan = field(default_factory=Plan)
    diff: str = ""
    changes: tuple[str, ...] = ()  # "nightly: expression, command" for a summary line
    notes: tuple[str, ...] = ()  # what was left alone and why (the failed-run notifier without its URL)

    @property
    def steps(self) -> list[str]:
        return self.instructions.writes


def revision_ref(family: str) -> Ref:
    """The oneshot revision this plan registers (shown as render shows it)."""
    return Ref(f"task-definition:{family}", shown=task_definition_ref(family))


def bind(request: dict[str, Any], family: str, cluster: str, revision: str | Ref,
         account_of: str | Ref | None = None) -> dict[str, Any]:
    """*request* (rendered: placeholders for the cluster and the revision) with *revision* (an
    ARN, or a ref to the registration) and the cluster's ARN in the account and region of
    *account_of* (a task definition ARN; default: *revision*), at
    Target.EcsParameters.TaskDefinitionArn and Target.Arn only."""
    target = dict(request["Target"])
    parameters = dict(target["EcsParameters"])
    if parameters.get("TaskDefinitionArn") == task_definition_ref(family):
        parameters["TaskDefinitionArn"] = revision
    if target.get("Arn") == cluster_ref(cluster) and not cluster.startswith("arn:"):
        target["Arn"] = ClusterArn(revision if account_of is None else account_of, cluster)
    target["EcsParameters"] = parameters
    return {**request, "Target": target}


def _view(request: dict[str, Any] | None) -> dict[str, Any] | None:
    return schedule_view(request) if request is not None else None


def plan_schedules(app_id: str, file: str, family: str, cluster: str, task_definition: dict[str, Any],
                   desired: dict[str, dict[str, Any]], live: SchedulesLive, *, force: bool = False) -> SchedulesPlan:
    """*desired*: the rendered requests by key (placeholders unbound); *task_definition*: the
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
    revision: str | Ref = revision_ref(family) if register or live_arn is None else live_arn
    # the cluster's ARN from the live revision when there is one: a new revision does not move the
    # cluster, so a diff shows only the revision changing (not the ARN against its placeholder)
    account_of: str | Ref = live_arn if live_arn is not None else revision
    if register and desired:
        instructions.append(RegisterTaskDefinition(task_definition, revision_ref(family).name, reused_note=""))
    writes = len(instructions)
    for group in sorted({str(r["GroupName"]) for r in desired.values()}):
        state = live.groups.get(group)
        if state is None or not state.exists:
            instructions.append(Call(Operation.CREATE_SCHEDULE_GROUP, {
                "Name": group, "Tags": [{"Key": GROUP_TAG, "Value": GROUP_TAG_VALUE}]},
                f"CreateScheduleGroup {group}"))
    diffs: list[str] = []
    changes: list[str] = []
    wanted_names = set()
    for key in sorted(desired):
        bound = bind(desired[key], family, cluster, revision, account_of)
        request = shown(bound)  # as compared and shown: a ref by its placeholder
        name = str(request["Name"])
        wanted_names.add(name)
        current = live.schedules.get(name)
        if current is not None and str(current.get("GroupName")) != str(request["GroupName"]):
            # the group is part of the key (API UpdateSchedule cannot move a schedule): a new one
            instructions.append(Call(Operation.DELETE_SCHEDULE, {
                "Name": name, "GroupName": str(current.get("GroupName"))},
                f"DeleteSchedule {current.get('GroupName')}/{name} (moves to group {request['GroupName']})"))
            current = None
        if current is not None and same_schedule(request, current):
            continue
        left, right = mask_pair(_view(current), _view(request))
        diffs.append(unified(left, right, f"live schedule {name}" if current else "live schedule (none)",
                             f"local {file}"))
        changes.append(f"{key}: {', '.join(changed_members(current, request))}")
        operation = Operation.UPDATE_SCHEDULE if current is not None else Operation.CREATE_SCHEDULE
        instructions.append(Call(operation, bound, f"{operation.api_name} {request['GroupName']}/{name} "
                                                   f"({request['ScheduleExpression']})"))
    for name in sorted(set(live.schedules) - wanted_names):
        current = live.schedules[name]
        left, right = mask_pair(_view(current), None)
        diffs.append(unified(left, right, f"live schedule {name}", f"local {file} (not defined)"))
        changes.append(f"{name.split('.', 1)[-1]}: removed")
        instructions.append(_delete(name, current, "not in the definition"))
    if len(instructions) == writes:
        instructions = []  # the schedules match: the oneshot revision is hako oneshot's business
    return SchedulesPlan(Plan(tuple(instructions)), "".join(diffs), tuple(changes))


def _delete(name: str, schedule: dict[str, Any], why: str | None = None) -> Call:
    group = str(schedule.get("GroupName"))
    return Call(Operation.DELETE_SCHEDULE, {"Name": name, "GroupName": group},
                f"DeleteSchedule {group}/{name}" + (f" ({why})" if why else ""))


def plan_removal(live: SchedulesLive) -> SchedulesPlan:
    """Delete every schedule of the app in hako's groups (the groups stay: other apps share them)."""
    return SchedulesPlan(Plan(tuple(_delete(name, schedule) for name, schedule in sorted(live.schedules.items()))))
