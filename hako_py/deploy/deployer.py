"""``hako deploy``: execute a plan, follow the rollout, roll back on failure.

Invariants: a no-op deploy sends no write request; a failure never leaves the service
without a working task definition (it is put back on the revision that was PRIMARY
before); success is reported only for a COMPLETED rollout of the revision deployed.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hako_py.aws.ecs import EcsApi
from hako_py.definition import AppDefinition
from hako_py.deploy.diagnostics import report_stopped_tasks, stopped_tasks
from hako_py.deploy.follow import COMPLETED, REPLACED, FollowSettings, follow_rollout, short_td
from hako_py.deploy.live import failed_rollout, in_progress_deployment, read_live
from hako_py.deploy.plan import NEW_REVISION, Plan, make_plan, running_task_definition
from hako_py.deploy.register import register_once
from hako_py.errors import HakoError
from hako_py.formatting import shown
from hako_py.interrupts import exit_code, raising_on
from hako_py.printable import printable
from hako_py.record import Record
from hako_py.render import RenderedApp
from hako_py.reporter import Reporter
from hako_py.schedules.manager import Schedules
from hako_py.schedules.planner import SchedulesPlan
from hako_py.scripts.base import ScriptWrite
from hako_py.scripts.runner import NoScripts, ScriptSet
from hako_py.traffic.manager import Traffic, TrafficPlan

EXIT_OK = 0
EXIT_FAILED = 1
ROLLBACK_TIMEOUT = 600.0


@dataclass(frozen=True)
class DeployOptions:
    force: bool = False
    dry_run: bool = False
    wait: bool = True
    rollback: bool = True
    follow: FollowSettings = field(default_factory=FollowSettings)
    rollback_timeout: float = ROLLBACK_TIMEOUT
    color: bool = False


class Deployer:
    """One deploy of one app; collaborators are injected so tests drive it for real."""

    def __init__(
        self,
        ecs: EcsApi,
        reporter: Reporter,
        options: DeployOptions,
        *,
        scripts: ScriptSet | None = None,
        preflight: Callable[[], bool] | None = None,
        traffic: Traffic | None = None,
        schedules: Schedules | None = None,
        record: Record | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ecs = ecs
        self.out = reporter
        self.options = options
        self.scripts = scripts or NoScripts()
        self.preflight = preflight
        self.traffic = traffic
        self.schedules = schedules  # applied after the service (see hako_py.schedules)
        self.record = record or Record()
        self.clock = clock
        self.sleep = sleep
        self.created = False  # this deploy created the service (then there is nothing to roll back to)

    def _end(self, result: str, message: str, code: int, *, after: str | None, problem: bool = False) -> int:
        """The deploy's last sentence and what the service runs now, for people and for --output json."""
        self.record.fields["taskDefinition"]["after"] = after
        return self.record.end(self.out, result, message, code, problem=problem)

    def _show_plan(self, app: AppDefinition, plan: Plan, traffic: TrafficPlan | None,
                   schedules: SchedulesPlan | None = None, script_writes: list[ScriptWrite] | None = None) -> None:
        from hako_py.compare.diff import colorize

        for diff in (plan.task_definition_diff, plan.service_diff, traffic.diff if traffic else "",
                     schedules.diff if schedules else "", *(w.diff for w in script_writes or [])):
            if diff:
                diff = printable(diff)  # definition text stays text; the colours are hako's own
                self.out.line((colorize(diff) if self.options.color else diff).rstrip("\n"))
        for change in plan.immutable_changes:
            self.out.problem(f"warning: not applied to the existing service: {change}")
        if any("UpdateService cannot change it" in change for change in plan.immutable_changes):
            self.out.problem(f"  (to apply such a change, recreate the service, which stops its tasks: "
                             f"hako remove {app.file} && hako deploy {app.file})")
        for change in traffic.immutable if traffic else []:
            self.out.problem(f"warning: not applied: {change}")

    def deploy(self, app: AppDefinition, rendered: RenderedApp) -> int:
        live = read_live(self.ecs, app.cluster, app.app_id)
        self.out.line(f"Deploying {app.app_id} to cluster {app.cluster}")
        before = running_task_definition(live.service) if live.service else None
        self.record.fields.update(taskDefinition={"before": before, "after": None}, dryRun=self.options.dry_run,
                                  rollout=None)
        self.record.fields.setdefault("timings", {}).update(rolloutSeconds=None)
        traffic = self.traffic.plan(live.service) if self.traffic is not None else None
        rendered = traffic.apply_to(rendered, live.service) if traffic else rendered
        plan = make_plan(app.app_id, app.file, rendered, live, force=self.options.force)
        schedules = self.schedules.plan(force=self.options.force) if self.schedules is not None else None
        script_writes = self.scripts.planned_writes()  # e.g. nginx_front's configuration, when it changed
        self._show_plan(app, plan, traffic, schedules, script_writes)
        traffic_steps = traffic.steps if traffic else []
        schedule_steps = schedules.steps if schedules else []
        if not plan.has_writes and not traffic_steps and not schedule_steps and not script_writes:
            failed = failed_rollout(live.service) if live.service else None
            if failed is not None:
                # nothing to change, but the service does not run as defined: never a success
                self.record.fields["rollout"] = {"state": "FAILED", "message": failed.get("rolloutStateReason")}
                return self._end("failed", f"no changes to apply, but the last rollout of "
                                 f"{short_td(failed.get('taskDefinition'))} FAILED "
                                 f"({failed.get('rolloutStateReason') or 'no reason given'}); the service runs "
                                 f"{failed.get('runningCount') or 0}/{failed.get('desiredCount') or 0} tasks of it. "
                                 f"Fix the definition and deploy again, or go back with hako rollback {app.file}",
                                 EXIT_FAILED, after=before, problem=True)
            busy = in_progress_deployment(live.service) if live.service else None
            if busy and self.options.dry_run:
                return self._end("unchanged", f"no changes; a rollout of {short_td(busy.get('taskDefinition'))} is "
                                 f"still in progress (dry run: not following it; hako status {app.file})", EXIT_OK,
                                 after=before)
            if live.service and busy and busy.get("taskDefinition") == live.task_definition_arn and self.options.wait:
                # an earlier deploy (killed, or --no-wait) started this rollout: see it through
                target = str(live.task_definition_arn)
                self.out.line(f"no changes; the rollout of {short_td(target)} started earlier is still in "
                              "progress: following it")
                older = [d for d in live.service.get("deployments") or [] if d.get("status") == "ACTIVE"]
                previous = str(older[0]["taskDefinition"]) if older else None
                self.record.fields["taskDefinition"]["before"] = previous
                return self._follow(app, target, live.service, previous=previous, registered=None)
            if busy and not self.options.wait:
                return self._end("unchanged", f"no changes to apply; the rollout of "
                                 f"{short_td(busy.get('taskDefinition'))} is still in progress (not waiting: watch it "
                                 f"with hako status {app.file})", EXIT_OK, after=before)
            return self._end("unchanged", f"no changes: service {app.app_id} already runs "
                             f"{short_td(live.task_definition_arn)} as defined", EXIT_OK, after=before)
        if live.service is not None:  # a dry run says what the deploy would do: refuse as well
            busy = in_progress_deployment(live.service)
            if busy is not None:
                return self._end("refused", f"error: service {app.app_id} has a deployment in progress "
                                 f"({busy.get('id')}, {short_td(busy.get('taskDefinition'))}, "
                                 f"rolloutState {busy.get('rolloutState') or 'unknown'}); nothing was changed. "
                                 f"Wait for it (hako status {app.file}) and deploy again.", EXIT_FAILED,
                                 after=before, problem=True)
        if self.preflight is not None and not self.preflight():
            return self._end("verification-failed", "verification failed: nothing was changed (fix the [NG] items, "
                             "or --no-verify)", EXIT_FAILED, after=before, problem=True)
        steps = [s.text for p in traffic.before_service for s in p.steps] if traffic else []
        steps += [w.step for w in script_writes]
        steps += plan.steps()
        steps += [s.text for p in traffic.after_service for s in p.steps] if traffic else []
        steps += schedule_steps
        if self.options.dry_run:
            self.scripts.fire("before_writes", rendered.task_definition)
            for step in steps:
                self.record.wrote(step)
            self.out.line("dry run: would send")
            for step in steps:
                self.out.line(f"  {step}")
            return self._end("dry-run", f"dry run: {len(steps)} write{'s' if len(steps) != 1 else ''} not sent",
                             EXIT_OK, after=None)
        previous = str(live.service["taskDefinition"]) if live.service else None
        self.scripts.fire("before_writes", rendered.task_definition)
        for step in steps:
            self.record.wrote(step)
        if traffic is not None:
            traffic.run(traffic.before_service, self.out.line)
            plan = self._resolved(plan, traffic)
        for write in script_writes:  # as hako: the front's configuration is in place before tasks start
            write.send()
            self.out.line(write.done)
        new_arn = self._register(plan)
        target = new_arn or str(plan.reuse_task_definition)
        self._tag_task_definition(plan)
        service = self._apply_service(plan, target)
        self._apply_tags(plan, service or live.service)
        if traffic is not None:
            traffic.run(traffic.after_service, self.out.line)
        if self.schedules is not None and schedules is not None and schedule_steps:
            self.schedules.run(schedules, self.out.line)
        if not (plan.register or plan.create_service or plan.update_service):
            tagged = bool(plan.tag_service or plan.tag_task_definition)
            changed = " and ".join(what for what, did in (("tags", tagged),
                                                           ("traffic settings", bool(traffic_steps)),
                                                           ("schedules", bool(schedule_steps)),
                                                           ("scripts' objects", bool(script_writes))) if did)
            return self._end("updated", f"service {app.app_id} runs {short_td(target)} as defined; only its "
                             f"{changed} changed", EXIT_OK, after=target)
        self.scripts.fire("deploy_started", service)
        if not self.options.wait:
            return self._end("started", f"not waiting: the rollout of {short_td(target)} continues in ECS "
                             f"(watch it with hako status {app.file})", EXIT_OK, after=target)
        return self._follow(app, target, service, previous, new_arn)

    def _follow(self, app: AppDefinition, target: str, service: dict[str, Any] | None, previous: str | None,
                registered: str | None) -> int:
        started = self.clock()
        try:
            # SIGTERM too (a CI job cancelled, a container stopped), and SIGINT even when the
            # process inherited it ignored (a job started in the background): either stops
            # only the following, never the deployment, and the user must be told so
            with raising_on(signal.SIGINT, signal.SIGTERM):
                self.out.line(f"Following the rollout of {short_td(target)} "
                              f"(timeout {self.options.follow.timeout:g}s)")
                outcome = follow_rollout(
                    lambda: self.ecs.describe_service(app.cluster, app.app_id), target, self.out,
                    self.options.follow, initial=service, clock=self.clock, sleep=self.sleep,
                )
        except KeyboardInterrupt as interrupt:
            self.out.done()
            return self._end("interrupted", f"interrupted: stopped following; the deployment of {short_td(target)} "
                             f"continues in ECS. Watch it with: hako status {app.file}", exit_code(interrupt),
                             after=target, problem=True)
        finally:
            self.record.fields["timings"]["rolloutSeconds"] = round(self.clock() - started, 3)
        self.record.fields["rollout"] = {"state": outcome.state, "message": outcome.message}
        if outcome.ok:
            self.scripts.fire("deploy_finished", target)
            return self._end("deployed", f"deployment completed: service {app.app_id} runs {short_td(target)}",
                             EXIT_OK, after=target)
        return self._recover(app, outcome.state, outcome.message, outcome.service, target, previous, registered)

    @staticmethod
    def _resolved(plan: Plan, traffic: TrafficPlan) -> Plan:
        """The service request with the ARNs the traffic steps just created."""
        missing = traffic.unresolved([plan.create_service, plan.update_service])
        if missing:
            raise HakoError(f"no ARN for {', '.join(sorted(set(missing)))} after applying the traffic settings")
        return replace(plan, create_service=traffic.refs.resolve(plan.create_service),
                       update_service=traffic.refs.resolve(plan.update_service))

    def _register(self, plan: Plan) -> str | None:
        if not plan.register:
            if plan.reuse_task_definition:
                self.out.line(f"task definition unchanged: {short_td(plan.reuse_task_definition)}")
            return None
        registered, now = register_once(self.ecs, plan.register, self.sleep)
        arn = str(registered["taskDefinitionArn"])
        if now:
            self.out.line(f"registered task definition {short_td(arn)}")
        else:
            self.out.line(f"task definition {short_td(arn)} is already registered (never deployed); using it")
        return arn

    def _tag_task_definition(self, plan: Plan) -> None:
        """A kept revision's tags change without a new revision (see compare/task_definition.py);
        before the service starts tasks from it, which copy its tags at launch."""
        if plan.tag_task_definition.add and plan.reuse_task_definition:
            self.ecs.tag_resource(plan.reuse_task_definition, plan.tag_task_definition.add)
            self.out.line(f"tagged task definition {short_td(plan.reuse_task_definition)}: "
                          f"{', '.join(sorted(plan.tag_task_definition.add))}")

    def _apply_tags(self, plan: Plan, service: dict[str, Any] | None) -> None:
        """TagResource / UntagResource: UpdateService cannot change a service's tags."""
        if not plan.tag_service or plan.create_service is not None or service is None:
            return  # CreateService set them already
        arn = str(service["serviceArn"])
        if plan.tag_service.add:
            self.ecs.tag_resource(arn, plan.tag_service.add)
            self.out.line(f"tagged service {plan.app_id}: {', '.join(sorted(plan.tag_service.add))}")
        if plan.tag_service.remove:
            self.ecs.untag_resource(arn, list(plan.tag_service.remove))
            self.out.line(f"untagged service {plan.app_id}: {', '.join(plan.tag_service.remove)}")

    def _apply_service(self, plan: Plan, target: str) -> dict[str, Any] | None:
        if plan.create_service is not None:
            # the token makes CreateService idempotent across retries of a lost response
            request = {**plan.create_service, "taskDefinition": target, "clientToken": uuid.uuid4().hex}
            service = self.ecs.create_service(request)
            self.created = True
            self.out.line(f"created service {plan.app_id} with {short_td(target)} "
                          f"(desiredCount {shown(request.get('desiredCount'), 'not set')})")
            return service
        if plan.update_service is not None:
            request = {k: (target if v == NEW_REVISION else v) for k, v in plan.update_service.items()}
            service = self.ecs.update_service(request)
            changed = ", ".join(k for k in request if k not in ("cluster", "service"))
            self.out.line(f"updated service {plan.app_id}: {changed}")
            return service
        return None

    def _recover(
        self,
        app: AppDefinition,
        state: str,
        message: str,
        service: dict[str, Any] | None,
        target: str,
        previous: str | None,
        registered: str | None,
    ) -> int:
        self.out.problem(f"deployment of {short_td(target)} failed ({state}): {message}")
        stopped = stopped_tasks(self.ecs, app.cluster, app.app_id, target)
        report_stopped_tasks(self.out, stopped)
        self.scripts.fire("deploy_failed", stopped)
        current = running_task_definition(service) if service else None
        ecs_rolled_back = state == REPLACED and previous is not None and current == previous
        if ecs_rolled_back:
            self.out.problem(f"ECS is rolling the service back to {short_td(previous)} (deployment circuit breaker)")
        elif state == REPLACED:
            return self._end("failed", f"another deployment replaced this one: the service now runs "
                             f"{short_td(current)}; not rolling back over it", EXIT_FAILED, after=current,
                             problem=True)
        elif not self.options.rollback:
            return self._end("failed", f"not rolling back (--no-rollback): service {app.app_id} is left on "
                             f"{short_td(target)} in state {state}", EXIT_FAILED, after=target, problem=True)
        elif previous is None:
            why = ("was created by this deploy" if self.created
                   else "has no earlier revision running beside the rollout it was following")
            return self._end("failed", f"service {app.app_id} {why} and has no earlier revision to roll back to; it "
                             f"stays on {short_td(target)}", EXIT_FAILED, after=target, problem=True)
        else:
            self.out.problem(f"rolling back service {app.app_id} to {short_td(previous)}")
            self.ecs.update_service({"cluster": app.cluster, "service": app.app_id, "taskDefinition": previous})
            self.record.wrote(f"UpdateService {app.app_id}: taskDefinition {short_td(previous)} (rollback)")
        assert previous is not None
        self.scripts.fire("rollback_starting", target, previous)
        if registered is not None:
            self.ecs.deregister_task_definition(registered)
            self.record.wrote(f"DeregisterTaskDefinition {short_td(registered)}")
            self.out.line(f"deregistered {short_td(registered)}")
        settings = FollowSettings(interval=self.options.follow.interval, timeout=self.options.rollback_timeout)
        outcome = follow_rollout(lambda: self.ecs.describe_service(app.cluster, app.app_id), previous, self.out,
                                 settings, initial=service, clock=self.clock, sleep=self.sleep)
        self.scripts.fire("rollback_finished", previous, outcome.state == COMPLETED)
        if outcome.state == COMPLETED:
            return self._end("rolled-back", f"rolled back: service {app.app_id} runs {short_td(previous)} again; the "
                             f"deployment of {short_td(target)} failed", EXIT_FAILED, after=previous, problem=True)
        return self._end("rollback-failed", f"rollback to {short_td(previous)} did not complete ({outcome.state}: "
                         f"{outcome.message}); check hako status {app.file}", EXIT_FAILED,
                         after=running_task_definition(outcome.service) if outcome.service else None,
                         problem=True)
