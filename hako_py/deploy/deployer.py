"""``hako deploy``: execute a plan, follow the rollout, roll back on failure.

Invariants: a no-op deploy sends no write request; a failure never leaves the service
without a working task definition (it is put back on the revision that was PRIMARY
before); success is reported only for a COMPLETED rollout of the revision deployed.
"""

from __future__ import annotations

import shlex
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import AppDefinition
from hako_py.deploy.diagnostics import deployed_before, report_stopped_tasks, stopped_tasks
from hako_py.deploy.follow import COMPLETED, REPLACED, FollowSettings, Outcome, follow_rollout, short_td
from hako_py.deploy.live import failed_rollout, in_progress_deployment, read_live
from hako_py.deploy.plan import NEW_REVISION, SERVICE, ServicePlan, make_plan, running_task_definition
from hako_py.interrupts import exit_code, raising_on
from hako_py.plan import display
from hako_py.plan.data import plan_data
from hako_py.plan.executor import Executor
from hako_py.plan.instructions import Call, FollowRollout, Hook, Operation, Plan, plan_of
from hako_py.plan.operations import Facade
from hako_py.plan.values import Ref
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
    """One deploy of one app: read -> plan -> show -> verify -> execute -> follow/recover.

    Collaborators are injected so tests drive it for real (the sandbox's endpoint)."""

    def __init__(
        self,
        aws: Facade,
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
        self.aws = aws
        self.ecs = aws.ecs()
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

    def _executor(self, sent: Callable[[str], None] | None = None,
                  explain_reuse: Callable[[str], str] | None = None) -> Executor:
        return Executor(self.aws, self.out.line, hooks=self.scripts, follow=self._follow_plan, sent=sent,
                        sleep=self.sleep, explain_reuse=explain_reuse)

    def _follow_plan(self, cluster: str, service: str, target: str, timeout: float | None,
                     initial: dict[str, Any] | None) -> Outcome:
        """A plan's FollowRollout: the rollout of *target* followed as deploy follows one."""
        settings = FollowSettings(interval=self.options.follow.interval,
                                  timeout=self.options.follow.timeout if timeout is None else timeout)
        return follow_rollout(lambda: self.ecs.describe_service(cluster, service), target, self.out, settings,
                              initial=initial, clock=self.clock, sleep=self.sleep)

    def _show_plan(self, app: AppDefinition, plan: ServicePlan, traffic: TrafficPlan | None,
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
                             f"hako remove {shlex.quote(app.file)} && hako deploy {shlex.quote(app.file)})")
        for change in traffic.immutable if traffic else []:
            self.out.problem(f"warning: not applied: {change}")
        for note in schedules.notes if schedules else ():
            self.out.problem(f"warning: {note}")

    def deploy(self, app: AppDefinition, rendered: RenderedApp) -> int:
        live = read_live(self.ecs, app.cluster, app.app_id)
        self.out.line(f"Deploying {app.app_id} to cluster {app.cluster}")
        before = running_task_definition(live.service) if live.service else None
        self.record.fields.update(taskDefinition={"before": before, "after": None}, dryRun=self.options.dry_run,
                                  rollout=None)
        self.record.fields.setdefault("timings", {}).update(rolloutSeconds=None)
        traffic = self.traffic.plan(live.service) if self.traffic is not None else None
        assert rendered.service is not None, "deploy needs a service; callers check has_service"
        service_request = traffic.bind(rendered.service, live.service) if traffic else rendered.service
        plan = make_plan(app.app_id, app.file, rendered.task_definition, service_request, live,
                         force=self.options.force)
        schedules = self.schedules.plan(force=self.options.force) if self.schedules is not None else None
        script_writes = self.scripts.planned_writes()  # e.g. nginx_front's configuration, when it changed
        self._show_plan(app, plan, traffic, schedules, script_writes)
        traffic_steps = traffic.writes if traffic else []
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
                                 "Fix the definition and deploy again, or go back with hako rollback "
                                 f"{shlex.quote(app.file)}",
                                 EXIT_FAILED, after=before, problem=True)
            busy = in_progress_deployment(live.service) if live.service else None
            if busy and self.options.dry_run:
                return self._end("unchanged", f"no changes; a rollout of {short_td(busy.get('taskDefinition'))} is "
                                 f"still in progress (dry run: not following it; hako status {shlex.quote(app.file)})",
                                 EXIT_OK, after=before)
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
                                 f"with hako status {shlex.quote(app.file)})", EXIT_OK, after=before)
            return self._end("unchanged", f"no changes: service {app.app_id} already runs "
                             f"{short_td(live.task_definition_arn)} as defined", EXIT_OK, after=before)
        if live.service is not None:  # a dry run says what the deploy would do: refuse as well
            busy = in_progress_deployment(live.service)
            if busy is not None:
                return self._end("refused", f"error: service {app.app_id} has a deployment in progress "
                                 f"({busy.get('id')}, {short_td(busy.get('taskDefinition'))}, "
                                 f"rolloutState {busy.get('rolloutState') or 'unknown'}); nothing was changed. "
                                 f"Wait for it (hako status {shlex.quote(app.file)}) and deploy again.", EXIT_FAILED,
                                 after=before, problem=True)
        if self.preflight is not None and not self.preflight():
            return self._end("verification-failed", "verification failed: nothing was changed (fix the [NG] items, "
                             "or --no-verify)", EXIT_FAILED, after=before, problem=True)
        # the scripts' objects (nginx_front's configuration) in place before a task could start,
        # as in hako; the schedules after the service: none may run a revision before the service does
        steps = ((traffic.before if traffic else Plan()) + Plan(tuple(w.call for w in script_writes))
                 + plan.instructions() + (traffic.after if traffic else Plan())
                 + (schedules.instructions if schedules else Plan()))
        if self.options.dry_run:
            self.scripts.fire("before_writes", rendered.task_definition)
            writes = display.show(steps, self.out.line, header="dry run: would send", sent=self.record.wrote)
            self.record.fields["plan"] = plan_data(steps)  # --output json: the instructions themselves
            return self._end("dry-run", f"dry run: {len(writes)} write{'s' if len(writes) != 1 else ''} not sent",
                             EXIT_OK, after=None)
        previous = str(live.service["taskDefinition"]) if live.service else None
        self.scripts.fire("before_writes", rendered.task_definition)
        for write in steps.writes:
            self.record.wrote(write)
        outputs = self._executor(explain_reuse=lambda arn: deployed_before(self.ecs, app.cluster, live.service,
                                                                           arn)).run(steps)
        new_arn = str(outputs[NEW_REVISION.name]) if plan.register else None
        target = new_arn or str(plan.reuse_task_definition)
        service = outputs.get(SERVICE)
        if plan.create_service is not None:
            self.created = True
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
                             f"(watch it with hako status {shlex.quote(app.file)})", EXIT_OK, after=target)
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
                             f"continues in ECS. Watch it with: hako status {shlex.quote(app.file)}",
                             exit_code(interrupt), after=target, problem=True)
        finally:
            self.record.fields["timings"]["rolloutSeconds"] = round(self.clock() - started, 3)
        self.record.fields["rollout"] = {"state": outcome.state, "message": outcome.message}
        if outcome.ok:
            self.scripts.fire("deploy_finished", target)
            return self._end("deployed", f"deployment completed: service {app.app_id} runs {short_td(target)}",
                             EXIT_OK, after=target)
        return self._recover(app, outcome.state, outcome.message, outcome.service, target, previous, registered)

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
        assert previous is not None
        outcome = self._executor(sent=self.record.wrote).run(
            self._recovery(app, previous, target, registered, update=not ecs_rolled_back),
            {"service-as-failed": service})["rollback"]
        self.scripts.fire("rollback_finished", previous, outcome.state == COMPLETED)
        if outcome.state == COMPLETED:
            return self._end("rolled-back", f"rolled back: service {app.app_id} runs {short_td(previous)} again; the "
                             f"deployment of {short_td(target)} failed", EXIT_FAILED, after=previous, problem=True)
        return self._end("rollback-failed", f"rollback to {short_td(previous)} did not complete ({outcome.state}: "
                         f"{outcome.message}); check hako status {shlex.quote(app.file)}", EXIT_FAILED,
                         after=running_task_definition(outcome.service) if outcome.service else None,
                         problem=True)

    def _recovery(self, app: AppDefinition, previous: str, target: str, registered: str | None, *,
                  update: bool) -> Plan:
        """Back to *previous* (unless ECS's circuit breaker is on it already), without the revision
        this deploy registered, followed to its end."""
        return plan_of(
            Call(Operation.UPDATE_SERVICE, {"cluster": app.cluster, "service": app.app_id, "taskDefinition": previous},
                 f"UpdateService {app.app_id}: taskDefinition {short_td(previous)} (rollback)", done=())
            if update else None,
            Hook("rollback_starting", (target, previous)),
            Call(Operation.DEREGISTER_TASK_DEFINITION, {"taskDefinition": registered},
                 f"DeregisterTaskDefinition {short_td(registered)}", done=(f"deregistered {short_td(registered)}",))
            if registered is not None else None,
            FollowRollout(app.cluster, app.app_id, previous, "rollback", timeout=self.options.rollback_timeout,
                          initial=Ref("service-as-failed")),
        )
