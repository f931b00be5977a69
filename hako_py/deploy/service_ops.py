"""Service commands besides deploy: diff, rollback, status, stop and remove."""

from __future__ import annotations

import json
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.aws.errors import AwsError
from hako_py.definition import AppDefinition
from hako_py.deploy.diff import colorize
from hako_py.deploy.follow import COMPLETED, FollowSettings, deployment_summary, follow_rollout, short_td
from hako_py.deploy.live import read_live
from hako_py.deploy.plan import service_diff, task_definition_diff
from hako_py.errors import HakoError
from hako_py.render import RenderedApp
from hako_py.reporter import Reporter
from hako_py.traffic.manager import Traffic
from hako_py.traffic.status import status_data, status_lines
from hako_py.traffic.steps import Refs


class ServiceMissing(HakoError):
    """The app's service does not exist in its cluster."""


def require_service(ecs: EcsApi, app: AppDefinition) -> dict[str, Any]:
    service = ecs.describe_service(app.cluster, app.app_id)
    if service is None:
        raise ServiceMissing(f"service {app.app_id} does not exist in cluster {app.cluster} "
                             f"(deploy it with: hako deploy {app.file})")
    return service


def live_diff(ecs: EcsApi, app: AppDefinition, rendered: RenderedApp, traffic: Traffic | None = None) -> str:
    """Unified diff live -> local of the normalized task definition, service and traffic settings."""
    live = read_live(ecs, app.cluster, app.app_id)
    traffic_plan = traffic.plan(live.service) if traffic is not None else None
    if traffic_plan is not None:
        rendered = traffic_plan.apply_to(rendered, live.service)
    parts = [task_definition_diff(rendered.task_definition, live, app.file)]
    if rendered.service is not None:
        parts.append(service_diff(rendered.service, live, app.file))
    if traffic_plan is not None:
        parts.append(traffic_plan.diff)
    return "".join(parts)


def show_diff(ecs: EcsApi, app: AppDefinition, rendered: RenderedApp, reporter: Reporter, *, color: bool,
              traffic: Traffic | None = None) -> bool:
    diff = live_diff(ecs, app, rendered, traffic)
    if diff:
        reporter.line((colorize(diff) if color else diff).rstrip("\n"))
    return bool(diff)


def rollback(
    ecs: EcsApi, app: AppDefinition, reporter: Reporter, settings: FollowSettings, *, to: int | None = None,
    dry_run: bool = False, scripts: Any = None, **timing: Any,
) -> int:
    service = require_service(ecs, app)
    current = str(service["taskDefinition"])
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
        reporter.line(f"service {app.app_id} already runs {short_td(target)}")
        return 0
    reporter.line(f"Rolling back service {app.app_id}: {short_td(current)} -> {short_td(target)}")
    if dry_run:
        reporter.line(f"dry run: would send UpdateService taskDefinition={short_td(target)} and "
                      f"DeregisterTaskDefinition {short_td(current)}")
        return 0
    if scripts is not None:
        scripts.fire("rollback_starting", current, target)
    updated = ecs.update_service({"cluster": app.cluster, "service": app.app_id, "taskDefinition": target})
    ecs.deregister_task_definition(current)
    reporter.line(f"deregistered {short_td(current)}")
    outcome = follow_rollout(lambda: ecs.describe_service(app.cluster, app.app_id), target, reporter, settings,
                             initial=updated, **timing)
    if scripts is not None:
        scripts.fire("rollback_finished", target, outcome.state == COMPLETED)
    if outcome.state == COMPLETED:
        reporter.line(f"rollback completed: service {app.app_id} runs {short_td(target)}")
        return 0
    reporter.line(f"rollback to {short_td(target)} did not complete ({outcome.state}: {outcome.message})")
    return 1


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
    if output == "json":
        return json.dumps(status, indent=2, default=str)
    lines = [f"Service {status['service']} in cluster {status['cluster']}: {status['status']}, "
             f"{short_td(status['taskDefinition'])}, running {status['runningCount']}/{status['desiredCount']}",
             "Deployments:"]
    for d in status["deployments"]:
        lines.append(f"  [{d['status']}] {short_td(d['taskDefinition'])} {d.get('rolloutState') or '-'} "
                     f"desired={d['desiredCount']} pending={d['pendingCount']} running={d['runningCount']}")
    lines.append("Tasks:" if status["tasks"] else "Tasks: none running")
    for t in status["tasks"]:
        lines.append(f"  [{t['lastStatus']}] {str(t['taskArn']).rsplit('/', 1)[-1]} {short_td(t['taskDefinitionArn'])}"
                     f" desired={t['desiredStatus']}")
    lines.append("Events:" if status["events"] else "Events: none")
    for e in status["events"]:
        created = e["createdAt"]
        stamp = created.strftime("%Y-%m-%d %H:%M:%S") if hasattr(created, "strftime") else str(created)
        lines.append(f"  {stamp} {e['message']}")
    lines.extend(status_lines(status.get("traffic") or {}))
    return "\n".join(lines)


def stop(ecs: EcsApi, app: AppDefinition, reporter: Reporter, *, dry_run: bool = False) -> int:
    service = require_service(ecs, app)
    if service.get("desiredCount") == 0:
        reporter.line(f"service {app.app_id} is already stopped (desired count 0)")
        return 0
    if dry_run:
        reporter.line(f"dry run: would send UpdateService {app.app_id} desiredCount=0")
        return 0
    ecs.update_service({"cluster": app.cluster, "service": app.app_id, "desiredCount": 0})
    reporter.line(f"service {app.app_id} stopped: desired count 0 (was {service.get('desiredCount')})")
    return 0


def remove(ecs: EcsApi, app: AppDefinition, reporter: Reporter, *, dry_run: bool = False,
           traffic: Traffic | None = None) -> int:
    service = ecs.describe_service(app.cluster, app.app_id)
    if service is None:
        nothing = "" if traffic is not None else "; nothing to remove"
        reporter.line(f"service {app.app_id} does not exist in cluster {app.cluster}{nothing}")
        return _remove_traffic(traffic, reporter, dry_run)
    if dry_run:
        reporter.line(f"dry run: would scale {app.app_id} to 0 and delete it")
        return _remove_traffic(traffic, reporter, dry_run)
    if service.get("desiredCount"):
        ecs.update_service({"cluster": app.cluster, "service": app.app_id, "desiredCount": 0})
        reporter.line(f"scaled {app.app_id} to 0")
    try:
        ecs.delete_service(app.cluster, app.app_id)
    except AwsError as exc:
        raise HakoError(f"could not delete service {app.app_id}: {exc}") from None
    reporter.line(f"removed service {app.app_id} from cluster {app.cluster}")
    return _remove_traffic(traffic, reporter, dry_run)


def _remove_traffic(traffic: Traffic | None, reporter: Reporter, dry_run: bool) -> int:
    """Delete the load balancer, target group, Cloud Map services and scalable target hako created."""
    if traffic is None:
        return 0
    plans, kept = traffic.removal()
    steps = [step for plan in plans for step in plan.steps]
    for step in steps:
        if dry_run:
            reporter.line(f"dry run: would send {step.text}")
        else:
            step.run(Refs())
            reporter.line(step.text)
    for item in kept:
        reporter.line(f"kept {item}")
    return 0


def summary_line(service: dict[str, Any]) -> str:
    return deployment_summary(service)
