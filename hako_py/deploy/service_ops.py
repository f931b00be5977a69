"""Service commands besides deploy: diff, rollback, status, stop and remove."""

from __future__ import annotations

import shlex
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.errors import AwsError
from hako_py.compare.diff import colorize
from hako_py.definition import AppDefinition
from hako_py.deploy.follow import (
    COMPLETED,
    FollowSettings,
    follow_rollout,
    follow_service,
    scaled_to_zero,
    short_td,
)
from hako_py.deploy.live import read_live
from hako_py.deploy.plan import running_task_definition, service_diff, task_definition_diff
from hako_py.errors import HakoError
from hako_py.formatting import shown, to_json
from hako_py.plan import display
from hako_py.plan.executor import Executor
from hako_py.plan.instructions import Call, FollowRollout, Hook, Operation, Output, Plan, plan_of
from hako_py.plan.operations import Facade
from hako_py.plan.values import Ref
from hako_py.plan.values import shown as placeholders
from hako_py.record import Record
from hako_py.render import RenderedApp
from hako_py.reporter import Reporter
from hako_py.schedules.manager import Schedules
from hako_py.schedules.planner import SchedulesPlan
from hako_py.traffic.manager import Traffic
from hako_py.traffic.status import status_data, status_lines


class ServiceMissing(HakoError):
    """The app's service does not exist in its cluster."""


def require_service(ecs: EcsApi, app: AppDefinition) -> dict[str, Any]:
    service = ecs.describe_service(app.cluster, app.app_id)
    if service is None:
        raise ServiceMissing(f"service {app.app_id} does not exist in cluster {app.cluster} "
                             f"(deploy it with: hako deploy {shlex.quote(app.file)})")
    return service


def live_diff(ecs: EcsApi, app: AppDefinition, rendered: RenderedApp, traffic: Traffic | None = None,
              schedules: Schedules | None = None) -> str:
    """Unified diff live -> local of the normalized task definition, service, traffic settings and
    schedules (a batch-only app: its schedules alone, with the oneshot revision they run)."""
    schedules_diff = schedules.plan().diff if schedules is not None else ""
    if not app.has_service and schedules is not None:
        return schedules_diff
    live = read_live(ecs, app.cluster, app.app_id)
    traffic_plan = traffic.plan(live.service) if traffic is not None else None
    parts = [task_definition_diff(rendered.task_definition, live, app.file)]
    if rendered.service is not None:
        service = traffic_plan.bind(rendered.service, live.service) if traffic_plan is not None else rendered.service
        parts.append(service_diff(placeholders(service), live, app.file))
    if traffic_plan is not None:
        parts.append(traffic_plan.diff)
    parts.append(schedules_diff)
    return "".join(parts)


def show_diff(ecs: EcsApi, app: AppDefinition, rendered: RenderedApp, reporter: Reporter, *, color: bool,
              traffic: Traffic | None = None, schedules: Schedules | None = None) -> bool:
    diff = live_diff(ecs, app, rendered, traffic, schedules)
    if diff:
        reporter.line((colorize(diff) if color else diff).rstrip("\n"))
    return bool(diff)


def rollback(
    aws: Facade, app: AppDefinition, reporter: Reporter, settings: FollowSettings, *, to: int | None = None,
    dry_run: bool = False, scripts: Any = None, record: Record | None = None, **timing: Any,
) -> int:
    record = record or Record()
    ecs = aws.ecs()
    service = require_service(ecs, app)
    current = running_task_definition(service)
    if current is None:
        raise HakoError(f"service {app.app_id} runs no task definition hako can roll back from")
    record.fields.update(taskDefinition={"before": current, "after": current}, dryRun=dry_run, rollout=None)
    family = current.rsplit("/", 1)[-1].rsplit(":", 1)[0]
    if to is not None:
        described = ecs.describe_task_definition(f"{family}:{to}")
        if described is None or described[0].get("status") != "ACTIVE":
            raise HakoError(f"{family}:{to} does not exist or is not ACTIVE")
        target = str(described[0]["taskDefinitionArn"])
    else:
        revisions = ecs.list_task_definitions(family)
        older = [arn for arn in revisions if int(arn.rsplit(":", 1)[-1]) < int(current.rsplit(":", 1)[-1])]
        if not older:
            raise HakoError(f"no ACTIVE revision of {family} older than {short_td(current)} to roll back to")
        target = older[0]
    if target == current:
        return record.end(reporter, "unchanged", f"service {app.app_id} already runs {short_td(target)}", 0)
    reporter.line(f"Rolling back service {app.app_id}: {short_td(current)} -> {short_td(target)}")
    plan = rollback_plan(app, current, target)
    writes = plan.writes
    for write in writes:
        record.wrote(write)
    if dry_run:
        return record.end(reporter, "dry-run", f"dry run: would send {writes[0]} and {writes[1]}", 0)

    def sent(write: str) -> None:
        if write == writes[0]:
            record.fields["taskDefinition"]["after"] = target

    def follow(cluster: str, name: str, revision: str, timeout: float | None, initial: Any) -> Any:
        return follow_rollout(lambda: ecs.describe_service(cluster, name), revision, reporter, settings,
                              initial=initial, **timing)

    outcome = Executor(aws, reporter.line, hooks=scripts, follow=follow, sent=sent).run(plan)["rollout"]
    record.fields["rollout"] = {"state": outcome.state, "message": outcome.message}
    if scripts is not None:
        scripts.fire("rollback_finished", target, outcome.state == COMPLETED)
    if outcome.state == COMPLETED:
        return record.end(reporter, "rolled-back", f"rollback completed: service {app.app_id} runs {short_td(target)}",
                          0)
    return record.end(reporter, "failed", f"rollback to {short_td(target)} did not complete ({outcome.state}: "
                      f"{outcome.message})", 1, problem=True)


def rollback_plan(app: AppDefinition, current: str, target: str) -> Plan:
    """The service on *target*, *current* deregistered (as the original hako does, so repeated
    rollbacks walk back through history), the rollout followed."""
    return plan_of(
        Hook("rollback_starting", (current, target)),
        Call(Operation.UPDATE_SERVICE, {"cluster": app.cluster, "service": app.app_id, "taskDefinition": target},
             f"UpdateService {app.app_id}: taskDefinition {short_td(target)}", done=(), outputs=(Output("service"),)),
        Call(Operation.DEREGISTER_TASK_DEFINITION, {"taskDefinition": current},
             f"DeregisterTaskDefinition {short_td(current)}", done=(f"deregistered {short_td(current)}",)),
        FollowRollout(app.cluster, app.app_id, target, "rollout", initial=Ref("service")),
    )


def service_status(ecs: EcsApi, app: AppDefinition, traffic: Traffic | None = None) -> dict[str, Any]:
    service = require_service(ecs, app)
    task_arns = ecs.list_service_tasks(app.cluster, app.app_id)
    tasks = [t for t in ecs.describe_tasks(app.cluster, task_arns) if t.get("group") in (None, f"service:{app.app_id}")]
    return {
        "service": app.app_id,
        "cluster": app.cluster,
        "status": service.get("status"),
        "taskDefinition": service.get("taskDefinition"),
        "desiredCount": service.get("desiredCount"),
        "runningCount": service.get("runningCount"),
        "pendingCount": service.get("pendingCount"),
        "deployments": [
            {k: d.get(k) for k in ("id", "status", "taskDefinition", "rolloutState", "rolloutStateReason",
                                   "desiredCount", "pendingCount", "runningCount", "createdAt", "updatedAt")}
            for d in service.get("deployments") or []
        ],
        "tasks": [
            {k: t.get(k) for k in ("taskArn", "taskDefinitionArn", "lastStatus", "desiredStatus", "startedAt",
                                   "healthStatus")}
            for t in tasks
        ],
        "events": [{"createdAt": e.get("createdAt"), "message": e.get("message")}
                   for e in (service.get("events") or [])[:10]],
        "traffic": status_data(traffic, service) if traffic is not None else {},
    }


def format_status(status: dict[str, Any], output: str) -> str:
    """Text for people (times in ISO 8601, ``-`` for what ECS did not say) or JSON for scripts."""
    if output == "json":
        return to_json(status)
    lines = [f"Service {status['service']} in cluster {status['cluster']}: {shown(status.get('status'), '-')}, "
             f"{short_td(status.get('taskDefinition'))}, running {shown(status.get('runningCount'), '-')}/"
             f"{shown(status.get('desiredCount'), '-')}",
             "Deployments:"]
    for d in status["deployments"]:
        lines.append(f"  [{shown(d.get('status'), '-')}] {short_td(d.get('taskDefinition'))} "
                     f"{d.get('rolloutState') or '-'} desired={shown(d.get('desiredCount'), '-')} "
                     f"pending={shown(d.get('pendingCount'), '-')} running={shown(d.get('runningCount'), '-')}")
    lines.append("Tasks:" if status["tasks"] else "Tasks: none running")
    for t in status["tasks"]:
        lines.append(f"  [{shown(t.get('lastStatus'), '-')}] {str(t.get('taskArn') or '?').rsplit('/', 1)[-1]} "
                     f"{short_td(t.get('taskDefinitionArn'))} desired={shown(t.get('desiredStatus'), '-')}")
    lines.append("Events:" if status["events"] else "Events: none")
    for e in status["events"]:
        lines.append(f"  {shown(e.get('createdAt'), '-')} {shown(e.get('message'), '')}")
    lines.extend(status_lines(status.get("traffic") or {}))
    return "\n".join(lines)


def stop(ecs: EcsApi, app: AppDefinition, reporter: Reporter, *, dry_run: bool = False, wait: bool = True,
         settings: FollowSettings | None = None, record: Record | None = None, **timing: Any) -> int:
    """Scale to 0 and, unless *wait* is false, follow the tasks until none runs (as deploy follows a
    rollout: draining tasks behind a load balancer takes a while, and silence looks like a hang)."""
    record = record or Record()
    service = require_service(ecs, app)
    was = service.get("desiredCount") or 0
    record.fields.update(desiredCount={"before": was, "after": 0}, dryRun=dry_run)
    if was == 0:
        return record.end(reporter, "already-stopped", f"service {app.app_id} is already stopped (desired count 0)",
                          0)
    write = f"UpdateService {app.app_id}: desiredCount 0"
    record.wrote(write)
    if dry_run:
        return record.end(reporter, "dry-run", f"dry run: would send {write}", 0)
    reporter.line(f"Stopping service {app.app_id} in cluster {app.cluster} (desired count {was} -> 0)")
    updated = ecs.update_service(cluster=app.cluster, service=app.app_id, desiredCount=0)
    if not wait:
        return record.end(reporter, "stopping", f"service {app.app_id} is stopping: desired count 0 (was {was}); "
                          f"not waiting for its tasks (watch them with hako status {shlex.quote(app.file)})", 0)
    settings = settings or FollowSettings()
    outcome = follow_service(lambda: ecs.describe_service(app.cluster, app.app_id), scaled_to_zero, reporter,
                             settings, initial=updated, what="stopping the tasks", **timing)
    if outcome.state == COMPLETED:
        return record.end(reporter, "stopped", f"service {app.app_id} stopped: desired count 0 (was {was}), "
                          "no task running", 0)
    return record.end(reporter, "failed", f"service {app.app_id}: desired count 0 (was {was}), but {outcome.message}",
                      1, problem=True)


def removal_plan(app: AppDefinition, service: dict[str, Any]) -> tuple[Plan, Plan]:
    """(scale to 0 when tasks are wanted, delete): the service's own removal, planned from its
    description. Two plans: a failed delete is reported as such, a failed scale-down as itself."""
    scale = plan_of(Call(Operation.UPDATE_SERVICE, {"cluster": app.cluster, "service": app.app_id, "desiredCount": 0},
                         f"UpdateService {app.app_id}: desiredCount 0", done=(f"scaled {app.app_id} to 0",))
                    if service.get("desiredCount") else None)
    delete = plan_of(Call(Operation.DELETE_SERVICE, {"cluster": app.cluster, "service": app.app_id},
                          f"DeleteService {app.app_id}", done=()))
    return scale, delete


def remove(aws: Facade, app: AppDefinition, reporter: Reporter, *, dry_run: bool = False,
           traffic: Traffic | None = None, record: Record | None = None, schedules: Schedules | None = None) -> int:
    record = record or Record()
    record.fields.update(dryRun=dry_run, kept=[])
    # the schedules go first: none may start a task of an app being removed
    removal = schedules.removal() if schedules is not None else None
    service = aws.ecs().describe_service(app.cluster, app.app_id)
    if service is None:
        absent = f"service {app.app_id} does not exist in cluster {app.cluster}"
        if traffic is None and removal is None:
            return record.end(reporter, "absent", f"{absent}; nothing to remove", 0)
        if app.has_service:
            reporter.line(absent)
        _remove_schedules(schedules, removal, reporter, dry_run, record)
        _remove_traffic(aws, traffic, reporter, dry_run, record)
        return _removed(reporter, record, app, dry_run)
    _remove_schedules(schedules, removal, reporter, dry_run, record)
    scale, delete = removal_plan(app, service)
    if dry_run:
        for write in (scale + delete).writes:
            record.wrote(write)
        reporter.line(f"dry run: would scale {app.app_id} to 0 and delete it")
        _remove_traffic(aws, traffic, reporter, dry_run, record)
        return _removed(reporter, record, app, dry_run)
    executor = Executor(aws, reporter.line, sent=record.wrote)
    executor.run(scale)
    try:
        executor.run(delete)
    except AwsError as exc:
        raise HakoError(f"could not delete service {app.app_id}: {exc}") from None
    message = f"removed service {app.app_id} from cluster {app.cluster}"
    if traffic is None and removal is None:
        return record.end(reporter, "removed", message, 0)
    reporter.line(message)
    _remove_traffic(aws, traffic, reporter, dry_run, record)
    return _removed(reporter, record, app, dry_run)


def _removed(reporter: Reporter, record: Record, app: AppDefinition, dry_run: bool) -> int:
    """The closing line of a remove that also covered the app's load balancer, Cloud Map and autoscaling."""
    writes, kept = len(record.writes), len(record.fields["kept"])
    counts = f"{writes} write{'s' if writes != 1 else ''}, {kept} resource{'s' if kept != 1 else ''} kept"
    if not writes:
        return record.end(reporter, "absent", f"nothing to remove for {app.app_id} ({counts})", 0)
    if dry_run:
        return record.end(reporter, "dry-run", f"dry run: nothing removed ({counts} would be sent)", 0)
    return record.end(reporter, "removed", f"removed {app.app_id}: {counts}", 0)


def _remove_schedules(schedules: Schedules | None, removal: SchedulesPlan | None, reporter: Reporter,
                      dry_run: bool, record: Record) -> None:
    """Delete the app's schedules (its schedule groups stay: other apps' schedules share them)."""
    if schedules is None or removal is None:
        return
    if dry_run:
        display.show(removal.instructions, reporter.line, prefix="dry run: would send ", sent=record.wrote)
    else:  # each DeleteSchedule said as it is done
        schedules.run(removal, reporter.line, sent=record.wrote)


def _remove_traffic(aws: Facade, traffic: Traffic | None, reporter: Reporter, dry_run: bool, record: Record) -> None:
    """Delete the load balancer, target group, Cloud Map services and scalable target hako created."""
    if traffic is None:
        return
    plan, kept = traffic.removal()
    if dry_run:
        display.show(plan, reporter.line, prefix="dry run: would send ", sent=record.wrote)
    else:
        Executor(aws, reporter.line, sent=record.wrote).run(plan)
    for item in kept:
        record.fields["kept"].append(item)
        reporter.line(f"kept {item}")
