"""What EventBridge Scheduler and ECS hold for an app's schedules now (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.scheduler import SchedulerApi
from hako_py.specs.schedules import GROUP_TAG, GROUP_TAG_VALUE, SEPARATOR, name_prefix


@dataclass(frozen=True)
class GroupState:
    """A schedule group: whether it exists and whether hako created it (its tag)."""

    name: str
    exists: bool
    owned: bool


@dataclass(frozen=True)
class SchedulesLive:
    """The app's schedules (GetSchedule, by name) in groups hako owns, the groups concerned, the
    app-named schedules hako must leave alone (in groups it did not create), and the oneshot
    task definition's latest revision (with its tags)."""

    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, GroupState] = field(default_factory=dict)
    foreign: tuple[str, ...] = ()
    task_definition: dict[str, Any] | None = None
    task_definition_tags: list[dict[str, str]] | None = None


def is_app_schedule(app_id: str, name: str) -> bool:
    """``<appId>.<key>``: app ids hold no dot and keys neither, so this is exactly this app's."""
    prefix = name_prefix(app_id)
    return name.startswith(prefix) and SEPARATOR not in name[len(prefix):] and len(name) > len(prefix)


def read_group(api: SchedulerApi, name: str) -> GroupState:
    found = api.group(name)
    if found is None:
        return GroupState(name, exists=False, owned=False)
    tags = api.tags(str(found["Arn"])) if found.get("Arn") else {}
    return GroupState(name, exists=True, owned=tags.get(GROUP_TAG) == GROUP_TAG_VALUE)


def read_schedules(api: SchedulerApi, app_id: str, groups: list[str], ecs: EcsApi | None = None,
                   family: str | None = None) -> SchedulesLive:
    """The live state: 1 ListSchedules (paginated) + 2 reads per group + 1 GetSchedule per schedule
    (+ 1 DescribeTaskDefinition when *ecs* and *family* are given)."""
    summaries = [s for s in api.schedules(name_prefix(app_id)) if is_app_schedule(app_id, str(s.get("Name")))]
    wanted = sorted({*groups, *(str(s.get("GroupName") or "default") for s in summaries)})
    states = {name: read_group(api, name) for name in wanted}
    schedules: dict[str, dict[str, Any]] = {}
    foreign: list[str] = []
    for summary in summaries:
        group, name = str(summary.get("GroupName") or "default"), str(summary["Name"])
        if not states[group].owned:
            foreign.append(f"{group}/{name}")
            continue
        found = api.schedule(group, name)
        if found is not None:
            schedules[name] = found
    task_definition, tags = None, None
    if ecs is not None and family is not None:
        described = ecs.describe_task_definition(family)
        if described is not None:
            task_definition, tags = described
    return SchedulesLive(schedules, states, tuple(sorted(foreign)), task_definition, tags)
