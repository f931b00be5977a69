"""A simulated ECS scheduler over moto's backend: rollouts, service tasks, oneshot tasks.

What real ECS does and moto does not: an UpdateService starts a new PRIMARY deployment
(IN_PROGRESS) while the old one turns ACTIVE and drains; after ``rollout_seconds`` the new
one is COMPLETED and the old one is gone, with service events worded like ECS's. RunTask
tasks go PROVISIONING -> PENDING -> RUNNING -> STOPPED with exit codes, stop codes, times
and awslogs output chosen through the control API. One lock serializes the simulator and
moto's request handling, so each sees a consistent backend.
"""

from __future__ import annotations

import functools
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.references import awslogs_stream
from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.docker_tasks import DockerTasks
from hako_py.sandbox.log_delivery import Destination, LogDelivery
from hako_py.sandbox.problems import Problems

EVENT_LIMIT = 100
OUTPUT_DRAIN_SECONDS = 60.0  # Docker mode: how long a task stays STOPPING while its output is delivered
ESSENTIAL_EXITED = "Essential container in task exited"
START_RETRY_SECONDS = 5.0  # after a service task failed to start, before the scheduler tries again


@dataclass
class TaskOutcome:
    """How the next oneshot task ends (control API ``POST /_sandbox/next-task``)."""

    exit_code: int | None = 0
    stop_reason: str = ESSENTIAL_EXITED
    log_lines: list[str] = field(default_factory=list)
    run_seconds: float | None = None
    container_exit_codes: dict[str, int | None] = field(default_factory=dict)
    family: str | None = None
    pull_error: str | None = None


@dataclass
class _Rollout:
    """One deployment being rolled out. ``injected``: ``fail-next-rollout`` chose it to fail (every
    attempt does); ``fail``: this attempt's tasks fail (injected, a launch failed, a container exited)."""

    deployment: dict[str, Any]
    started: float
    injected: bool
    tasks: list[Any] = field(default_factory=list)
    phase: str = "starting"
    fail: bool = False


@dataclass
class _Oneshot:
    outcome: TaskOutcome
    created: float
    running_since: float | None = None
    lines_sent: int = 0
    finished: bool = False
    stop_sent: bool = False
    exited_at: float | None = None  # Docker mode: when the app container exited


def _short_id() -> str:
    return str(random.randint(10**17, 10**18 - 1))


def put_in_moto(destination: Destination, events: list[tuple[int, str]]) -> None:
    glue.put_log_events(destination.account, destination.region, destination.group, destination.stream, events)


class EcsSimulator:
    """Advance every service and task this sandbox created, in whatever account and region moto
    holds them, ``tick`` seconds apart. Each object is advanced on its own: one that fails is
    reported once (stderr) and does not hold back the others."""

    def __init__(self, rollout_seconds: float = 3.0, task_seconds: float = 1.0, tick: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, docker: DockerTasks | None = None,
                 logs: LogDelivery | None = None, problems: Problems | None = None) -> None:
        self.problems = problems or (logs.problems if logs is not None else Problems())
        self.docker = docker
        self.logs = logs or LogDelivery(put_in_moto, problems=self.problems)
        self.rollout_seconds = rollout_seconds
        self.task_seconds = task_seconds
        self.tick_seconds = tick
        self.clock = clock
        self.lock = threading.RLock()
        self.log_empty_pages = 0  # GetLogEvents: that many empty pages before each page of events (log_pages)
        # What this sandbox created, by ARN (which names account and region), in creation order
        self.owned_services: dict[str, None] = {}
        self.owned_tasks: dict[str, None] = {}  # RunTask's
        self.fail_next_rollout: set[str] = set()
        self.next_outcomes: list[TaskOutcome] = []
        self.start_failures: list[dict[str, str]] = []
        self._rollouts: dict[str, _Rollout] = {}
        self._service_tasks: dict[str, list[Any]] = {}
        self._retry_start_at: dict[str, float] = {}  # service key -> when to try again after a failed start
        self._managed: set[str] = set()
        self._replaced_ids: set[str] = set()  # deployments replaced before they completed: no rollback target
        self._launch_errors: set[tuple[str, str]] = set()  # (deployment id, event) said once
        self._oneshots: dict[str, _Oneshot] = {}
        self.task_stopped: Callable[[Any], None] | None = None  # ECS's task state change event (task_events)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def log_delay_seconds(self) -> float:
        """How much later task output reaches CloudWatch Logs (see LogDelivery)."""
        return self.logs.delay

    @log_delay_seconds.setter
    def log_delay_seconds(self, seconds: float) -> None:
        self.logs.delay = seconds

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        glue.freeze_task_progression()
        self._thread = threading.Thread(target=self._run, name="hako-sandbox-ecs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self.docker is not None:
            with self.lock:
                self.docker.close()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            self.problems.guarded("simulator", self.tick)

    def tick(self) -> None:
        """Advance everything once; never raises for one object's sake (see Problems)."""
        guarded = self.problems.guarded
        with self.lock:
            guarded("log delivery", self.logs.flush)
            if self.docker is not None:
                guarded("container output", self.docker.flush)
            # Only what this sandbox owns, looked up by ARN: a tick every 20 ms that walked every
            # service and task moto holds (and built each one's ARN) grew with the session.
            scopes = set(glue.ecs_scopes())
            for arn in list(self.owned_services):
                service = glue.service_by_arn(arn, scopes)
                if service is not None:
                    guarded(f"service {arn}", functools.partial(self._tick_service, service))
            for arn in list(self.owned_tasks):
                if arn in self._managed:
                    continue
                state = self._oneshots.get(arn)
                if state is not None and state.finished:
                    self.owned_tasks.pop(arn, None)  # nothing more happens to it
                    continue
                task = glue.task_by_arn(arn, scopes)
                if task is not None:
                    guarded(f"task {arn}", functools.partial(self._tick_oneshot, task))

    def _end_task(self, task: Any, **how: Any) -> None:
        """Stop a task in moto and tell whoever listens for ECS's task state change events."""
        glue.stop_task(task, **how)
        if self.task_stopped is not None:
            self.task_stopped(task)

    # services ----------------------------------------------------------------------------
    @staticmethod
    def _event(service: Any, message: str) -> None:
        event = {"id": str(uuid.uuid4()), "createdAt": glue.utcnow(), "message": f"(service {service.name}) {message}"}
        glue.set_service_events(service, [event, *service.events][:EVENT_LIMIT])

    def _new_deployment(self, service: Any) -> dict[str, Any]:
        deployment_id = f"ecs-svc/{_short_id()}"
        now = glue.utcnow()
        return {
            "id": deployment_id,
            "status": "PRIMARY",
            "taskDefinition": service.task_definition,
            "desiredCount": service.desired_count,
            "pendingCount": service.desired_count,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": now,
            "updatedAt": now,
            **glue.deployment_fields(service),  # launch type, platform, network, Service Connect, volumes
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        }

    def _start_tasks(self, service: Any, deployment: dict[str, Any], count: int) -> list[Any]:
        """Start *count* tasks; in Docker mode one whose containers cannot start is already STOPPED.
        A task that cannot be made at all is left out (see :meth:`_launch_failed`)."""
        tasks = []
        for _ in range(count):
            try:
                tasks.append(glue.start_task(service, f"service:{service.name}", deployment["id"]))
            except Exception as exc:  # one bad service (its subnet deleted...) must not stop the simulator
                self._launch_failed(service, deployment, exc)
        for task in tasks:
            self._managed.add(task.task_arn)
            if self.docker is None or self._start_containers(task, {}):
                glue.register_task_traffic(service, task)
        if tasks:
            ids = " ".join(f"(task {t.id})" for t in tasks)
            self._event(service, f"has started {len(tasks)} tasks: {ids}.")
        return tasks

    def _launch_failed(self, service: Any, deployment: dict[str, Any], exc: Exception) -> None:
        """A task the scheduler could not launch: API Deployment.failedTasks counts it ("A task is considered
        a failure if the service scheduler can't launch the task"), the service says why once per deployment
        in ECS's words ("(service NAME) failed to launch a task with (error ...)."), stderr once."""
        self.problems.report(f"service {service.arn}", exc)
        deployment["failedTasks"] = int(deployment.get("failedTasks") or 0) + 1
        message = f"failed to launch a task with (error {exc})."
        if (deployment["id"], message) not in self._launch_errors:
            self._launch_errors.add((deployment["id"], message))
            self._event(service, message)

    def _start_containers(self, task: Any, overrides: dict[str, Any]) -> bool:
        """Run the task's containers; False when they cannot start (e.g. the image is missing),
        and the task is then stopped as ECS reports it: TaskFailedToStart, CannotPullContainerError."""
        assert self.docker is not None
        definition = glue.task_definition_of(task.task_definition_arn)
        account, region = glue.scope_of(task.task_arn)
        try:
            self.docker.start(account, region, task.task_arn, definition.container_definitions, overrides)
        except Exception as exc:
            reason = str(exc)
            glue.set_docker_error(task, reason)
            self._end_task(task, stop_code="TaskFailedToStart", reason=reason, exit_codes={},
                           container_reasons={c.name: reason for c in task.containers})
            self.docker.remove(task.task_arn)
            return False
        return True

    def _stop_tasks(self, service: Any, tasks: list[Any], *, reason: str, exit_code: int | None,
                    event: bool = True) -> None:
        live = [t for t in tasks if t.last_status != "STOPPED"]
        for task in live:
            glue.deregister_task_traffic(service, task)
            codes: dict[str, int | None] = {c.name: exit_code for c in task.containers}
            if self.docker is not None:
                self.docker.stop(task.task_arn)
                for name, state in self.docker.states(task.task_arn).items():
                    codes[name] = state.get("ExitCode")
                self.docker.remove(task.task_arn)
            self._end_task(task, stop_code="EssentialContainerExited" if exit_code else "ServiceSchedulerInitiated",
                           reason=reason, exit_codes=codes)
        if live and event:
            ids = " ".join(f"(task {t.id})" for t in live)
            self._event(service, f"has stopped {len(live)} running tasks: {ids}.")

    @staticmethod
    def _breaker(service: Any) -> dict[str, Any]:
        config = getattr(service, "deployment_configuration", None) or {}
        breaker = config.get("deploymentCircuitBreaker") or {}
        return breaker if isinstance(breaker, dict) else {}

    def _breaker_rollback(self, service: Any) -> bool:
        breaker = self._breaker(service)
        return bool(breaker.get("enable") and breaker.get("rollback"))

    def _tick_service(self, service: Any) -> None:
        key = str(service.arn)
        if service.status != "ACTIVE":
            for tasks in (self._service_tasks.pop(key, []), getattr(self._rollouts.pop(key, None), "tasks", [])):
                self._stop_tasks(service, tasks, reason="Service deleted", exit_code=None, event=False)
            return
        if service.scheduling_strategy == "DAEMON":  # one task per container instance, not a count asked for
            glue.set_desired_count(service, glue.daemon_desired_count(service))
        primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
        rollout = self._rollouts.get(key)
        now = self.clock()
        if service.task_definition and (primary is None or primary.get("taskDefinition") != service.task_definition):
            for deployment in service.deployments:
                if deployment.get("status") == "PRIMARY":
                    deployment["status"] = "ACTIVE"
            deployment = self._new_deployment(service)
            glue.set_deployments(service, [deployment, *service.deployments])
            self._replaced(service, rollout, deployment)
            rollout = _Rollout(deployment, now, self._take_failure(service))
            self._attempt(service, rollout, now)
            self._rollouts[key] = rollout
        elif primary is not None and primary.get("rolloutState") == "IN_PROGRESS" and (
            rollout is None or rollout.deployment is not primary
        ):
            self._replaced(service, rollout, primary)
            rollout = _Rollout(primary, now, self._take_failure(service))
            self._attempt(service, rollout, now)
            self._rollouts[key] = rollout
        if rollout is not None and rollout.phase != "done":
            self._advance_rollout(key, service, rollout, now)
        elif primary is not None and primary.get("rolloutState") == "COMPLETED":
            self._scale(key, service, primary)
        glue.set_service_counts(service, running=sum(d.get("runningCount", 0) for d in service.deployments),
                                pending=sum(d.get("pendingCount", 0) for d in service.deployments))

    def _replaced(self, service: Any, old: _Rollout | None, by: dict[str, Any]) -> None:
        """A rollout another deployment replaced before it completed (two deploys at once): ECS
        scales the replaced deployment down, so its tasks are stopped now instead of being
        forgotten (they stayed PROVISIONING with desired status RUNNING, their containers
        running, forever). The service's earlier tasks keep serving until *by* completes."""
        if old is None or old.phase == "done":
            return
        old.phase = "done"
        self._replaced_ids.add(str(old.deployment["id"]))
        self._stop_tasks(service, old.tasks, reason=f"Scaling activity initiated by (deployment {by['id']})",
                         exit_code=None)
        old.deployment.update(desiredCount=0, runningCount=0, pendingCount=0, updatedAt=glue.utcnow())

    def _take_failure(self, service: Any) -> bool:
        for name in (f"{service.cluster_name}:{service.name}", service.name):
            if name in self.fail_next_rollout:
                self.fail_next_rollout.discard(name)
                return True
        return False

    def _attempt(self, service: Any, rollout: _Rollout, now: float) -> None:
        """Start the rollout's tasks (again, after an attempt whose tasks failed)."""
        rollout.started, rollout.phase, rollout.fail = now, "starting", rollout.injected
        wanted = service.desired_count
        rollout.tasks = self._start_tasks(service, rollout.deployment, wanted)
        if len(rollout.tasks) < wanted:  # some could not even be launched
            rollout.fail = True

    def _advance_rollout(self, key: str, service: Any, rollout: _Rollout, now: float) -> None:
        deployment = rollout.deployment
        elapsed = now - rollout.started
        if self.docker is not None and rollout.phase == "starting" and not rollout.fail:
            rollout.fail = any(glue.docker_error(t) or any(
                st.get("Status") == "exited" for st in self.docker.states(t.task_arn).values()) for t in rollout.tasks)
        if rollout.phase == "starting" and elapsed >= self.rollout_seconds / 2:
            if rollout.fail:
                self._stop_tasks(service, rollout.tasks, reason=ESSENTIAL_EXITED, exit_code=1)
                deployment.update(runningCount=0, pendingCount=0,
                                  failedTasks=int(deployment.get("failedTasks") or 0) + len(rollout.tasks))
            else:
                for task in rollout.tasks:
                    glue.mark_running(task)
                deployment.update(runningCount=len(rollout.tasks), pendingCount=0)
            deployment["updatedAt"] = glue.utcnow()
            rollout.phase = "running"
        if rollout.phase == "running" and elapsed >= self.rollout_seconds:
            deployment["updatedAt"] = glue.utcnow()
            if rollout.fail and not self._breaker(service).get("enable"):
                # API DeploymentCircuitBreaker: only "If it is turned on, a service deployment will transition
                # to a failed state and stop launching new tasks". Without it ECS keeps launching replacements:
                # the rollout stays IN_PROGRESS while failedTasks grows (REAL repo-update-service-ecs-anywhere-
                # external: an earlier deployment IN_PROGRESS with failedTasks 2).
                self._attempt(service, rollout, now)
                return
            rollout.phase = "done"
            if rollout.fail:
                self._fail(service, deployment)
                return
            deployment.update(rolloutState="COMPLETED",
                              rolloutStateReason=f"ECS deployment {deployment['id']} completed.")
            old = self._service_tasks.get(key, [])
            self._stop_tasks(service, old, reason="Scaling activity initiated by (deployment "
                             f"{deployment['id']})", exit_code=None)
            glue.set_deployments(service, [deployment])
            self._service_tasks[key] = [t for t in rollout.tasks if t.last_status != "STOPPED"]
            self._event(service, f"(deployment {deployment['id']}) deployment completed.")
            self._event(service, "has reached a steady state.")

    def _fail(self, service: Any, deployment: dict[str, Any]) -> None:
        deployment.update(rolloutState="FAILED",
                          rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
        self._event(service, f"(deployment {deployment['id']}) deployment failed: tasks failed to start.")
        previous = next((d for d in service.deployments if d is not deployment and d.get("status") == "ACTIVE"
                         and d.get("id") not in self._replaced_ids), None)  # the last one that completed
        if previous is not None and self._breaker_rollback(service):
            self._event(service, f"rolling back to deployment {previous['id']}.")
            deployment["status"] = "ACTIVE"
            glue.set_service_task_definition(service, previous["taskDefinition"])

    def _scale(self, key: str, service: Any, primary: dict[str, Any]) -> None:
        tasks = [t for t in self._service_tasks.get(key, []) if t.last_status != "STOPPED"]
        wanted = service.desired_count
        if len(tasks) < wanted and self.clock() >= self._retry_start_at.get(key, 0.0):
            started = [t for t in self._start_tasks(service, primary, wanted - len(tasks))
                       if t.last_status != "STOPPED"]
            if len(tasks) + len(started) < wanted:  # some failed to start: ECS retries later, not at once
                self._retry_start_at[key] = self.clock() + START_RETRY_SECONDS
            for task in started:
                glue.mark_running(task)
            tasks += started
        elif len(tasks) > wanted:
            self._stop_tasks(service, tasks[wanted:], reason="Scaling activity initiated by (service)", exit_code=None)
            tasks = tasks[:wanted]
            if wanted == 0:
                self._event(service, "has reached a steady state.")
        self._service_tasks[key] = tasks
        primary.update(desiredCount=wanted, runningCount=len(tasks), pendingCount=0)

    # oneshot tasks -----------------------------------------------------------------------
    def _outcome_for(self, task: Any) -> TaskOutcome:
        family = task.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]
        for index, outcome in enumerate(self.next_outcomes):
            if outcome.family in (None, family):
                return self.next_outcomes.pop(index)
        return TaskOutcome()

    def _tick_oneshot(self, task: Any) -> None:
        state = self._oneshots.get(task.task_arn)
        now = self.clock()
        if state is None:
            state = _Oneshot(self._outcome_for(task), now)
            self._oneshots[task.task_arn] = state
            definition = glue.task_definition_of(task.task_definition_arn)
            glue.complete_containers(task, definition)
            glue.mark_created(task)
            glue.set_task_state(task, "PROVISIONING")
            if self.docker is not None and not self._start_containers(task, task.overrides or {}):
                state.finished = True
            return
        if state.finished:
            return
        if self.docker is not None:
            self._tick_docker_oneshot(task, state)
            return
        outcome = state.outcome
        if task.desired_status == "STOPPED":  # StopTask
            exit_code = 143 if state.running_since is not None else None
            self._end_task(task, stop_code="UserInitiated", reason=task.stopped_reason or "Task stopped by user",
                           exit_codes={c.name: exit_code for c in task.containers})
            state.finished = True
            return
        age = now - state.created
        if outcome.pull_error and age >= 0.2:
            self._end_task(task, stop_code="TaskFailedToStart", reason=outcome.pull_error,
                           exit_codes={}, container_reasons={c.name: outcome.pull_error for c in task.containers})
            state.finished = True
            return
        if state.running_since is None:
            if age >= 0.2:
                glue.mark_running(task, pulled=True)
                state.running_since = now
            elif age >= 0.1 and task.last_status == "PROVISIONING":
                glue.set_task_state(task, "PENDING")
            return
        run_seconds = self.task_seconds if outcome.run_seconds is None else outcome.run_seconds
        fraction = 1.0 if run_seconds <= 0 else min(1.0, (now - state.running_since) / run_seconds)
        self._emit_logs(task, state, int(len(outcome.log_lines) * fraction))
        if fraction >= 1.0:
            self._emit_logs(task, state, len(outcome.log_lines))
            codes = {c.name: outcome.container_exit_codes.get(c.name, 0) for c in task.containers}
            codes[task.containers[0].name] = outcome.exit_code
            if "app" in codes:
                codes["app"] = outcome.exit_code
            self._end_task(task, stop_code="EssentialContainerExited", reason=outcome.stop_reason, exit_codes=codes)
            state.finished = True

    def _tick_docker_oneshot(self, task: Any, state: _Oneshot) -> None:
        """Task state follows the containers: RUNNING while the app runs, STOPPED with real exit codes."""
        assert self.docker is not None
        if task.desired_status == "STOPPED" and not state.stop_sent:  # StopTask
            state.stop_sent = True
            glue.set_task_state(task, "STOPPING")
            self.docker.stop(task.task_arn)
        states = self.docker.states(task.task_arn)
        app = states.get("app") or next(iter(states.values()), {})
        if state.running_since is None and (app.get("Running") or app.get("Status") == "exited"):
            glue.mark_running(task)
            state.running_since = self.clock()
        if app.get("Status") != "exited":
            return
        if state.exited_at is None:
            state.exited_at = self.clock()
            self.docker.stop(task.task_arn)  # the essential container exited: stop the others
            glue.set_task_state(task, "STOPPING")
        # As with Docker's awslogs driver, which flushes before the container counts as stopped,
        # the task is STOPPED once its output is in CloudWatch Logs: a follower then has it all.
        if not self.docker.delivered(task.task_arn) and self.clock() - state.exited_at < OUTPUT_DRAIN_SECONDS:
            return
        states = self.docker.states(task.task_arn)
        codes = {name: st.get("ExitCode") for name, st in states.items()}
        if state.stop_sent:
            self._end_task(task, stop_code="UserInitiated", reason=task.stopped_reason or "Task stopped by user",
                           exit_codes=codes)
        else:
            self._end_task(task, stop_code="EssentialContainerExited", reason=ESSENTIAL_EXITED, exit_codes=codes)
        self.docker.remove(task.task_arn)
        state.finished = True

    def _emit_logs(self, task: Any, state: _Oneshot, upto: int) -> None:
        if upto <= state.lines_sent:
            return
        definition = glue.task_definition_of(task.task_definition_arn)
        container = next((c for c in definition.container_definitions if c.get("name") == "app"),
                         definition.container_definitions[0])
        config = container.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            state.lines_sent = upto
            return
        options = config.get("options") or {}
        group = options.get("awslogs-group", f"/ecs/{definition.family}")
        stream = awslogs_stream(options.get("awslogs-stream-prefix"), container["name"], task.id)
        now_ms = int(time.time() * 1000)
        lines = state.outcome.log_lines[state.lines_sent:upto]
        account, region = glue.scope_of(task.task_arn)
        destination = Destination(account, str(options.get("awslogs-region", region)), group, stream)
        self.logs.put(destination, [(now_ms, line) for line in lines])
        state.lines_sent = upto
