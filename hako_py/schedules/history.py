"""The runs of an app's schedules (ECS tasks) and what its schedules do next: for ``hako schedule
history``, ``hako schedule list`` and ``hako status``. Reads only.

A run is found by its ECS task group, ``hako:<appId>:<name>`` (EcsParameters.Group): startedBy
cannot tell schedules apart (Scheduler writes ``chronos-schedule/`` and a cut-off name). ECS
lists stopped tasks for about an hour ("stopped tasks appear in the returned results for at
least one hour", API DescribeTasks), so the history is that long; older runs are in the
app's logs.
"""

from __future__ import annotations

import datetime
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.scheduler import SchedulerApi
from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.schedule_expressions import ExpressionError, next_runs
from hako_py.schedule_targets import STARTED_BY_PREFIX
from hako_py.specs.schedules import ScheduleSpec, run_group, schedule_specs

MANUAL_STARTED_BY = "hako-schedule-run"  # hako schedule run: a run "as the schedule would", started by hand


def _when(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def run_view(task: dict[str, Any]) -> dict[str, Any]:
    """One run: when, how it was started, how it ended."""
    containers = {str(c.get("name")): c for c in task.get("containers") or []}
    started_by = str(task.get("startedBy") or "")
    return {
        "schedule": str(task.get("group", "")).rsplit(":", 1)[-1],
        "taskArn": task.get("taskArn"),
        "trigger": "schedule" if started_by.startswith(STARTED_BY_PREFIX) else (
            "manual" if started_by == MANUAL_STARTED_BY else started_by or "-"),
        "lastStatus": task.get("lastStatus"),
        "createdAt": task.get("createdAt"),
        "startedAt": task.get("startedAt"),
        "stoppedAt": task.get("stoppedAt"),
        "exitCode": containers.get(APP_CONTAINER, {}).get("exitCode"),
        "stopCode": task.get("stopCode"),
        "stoppedReason": task.get("stoppedReason"),
    }


def runs(ecs: EcsApi, app: AppDefinition, name: str | None = None) -> list[dict[str, Any]]:
    """The schedules' runs ECS still lists (running and stopped), newest first."""
    arns = (ecs.list_family_tasks(app.cluster, app.oneshot_family, "RUNNING")
            + ecs.list_family_tasks(app.cluster, app.oneshot_family, "STOPPED"))
    tasks = ecs.describe_tasks(app.cluster, arns) if arns else []
    groups = {run_group(app.app_id, key) for key in ([name] if name else app.schedules)}
    prefix = f"hako:{app.app_id}:"
    chosen = [t for t in tasks if str(t.get("group", "")) in groups
              or (name is None and str(t.get("group", "")).startswith(prefix))]
    chosen.sort(key=lambda t: str(t.get("createdAt") or ""), reverse=True)
    return [run_view(t) for t in chosen]


def upcoming(spec_or_live: ScheduleSpec | dict[str, Any], now: datetime.datetime, count: int = 3
             ) -> list[datetime.datetime]:
    """The next run times of a schedule (local computation in its time zone); [] when disabled."""
    if isinstance(spec_or_live, ScheduleSpec):
        if not spec_or_live.enabled:
            return []
        expression, zone, start = spec_or_live.expression, spec_or_live.timezone, None
    else:
        if spec_or_live.get("State") == "DISABLED":
            return []
        expression = str(spec_or_live.get("ScheduleExpression"))
        zone = str(spec_or_live.get("ScheduleExpressionTimezone") or "UTC")
        start = spec_or_live.get("StartDate") or spec_or_live.get("CreationDate")
        start = start if isinstance(start, datetime.datetime) else None
    try:
        return next_runs(expression, zone, now, count, start=start)
    except ExpressionError:
        return []


def schedules_status(scheduler: SchedulerApi, ecs: EcsApi, app: AppDefinition, now: datetime.datetime,
                     last: int = 3) -> list[dict[str, Any]]:
    """Each schedule of the definition as it is live: state, expression, next runs, last runs."""
    history = runs(ecs, app)
    result = []
    for spec in schedule_specs(app):
        live = scheduler.schedule(spec.group, spec.name)
        result.append({
            "name": spec.key,
            "schedule": f"{spec.group}/{spec.name}",
            "deployed": live is not None,
            "state": live.get("State") if live else None,
            "expression": live.get("ScheduleExpression") if live else spec.expression,
            "timezone": (live.get("ScheduleExpressionTimezone") if live else spec.timezone) or "UTC",
            "nextRuns": [_when(t) for t in upcoming(live if live else spec, now)],
            "lastRuns": [r for r in history if r["schedule"] == spec.key][:last],
        })
    return result
