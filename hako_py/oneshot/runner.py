"""Run a oneshot task and behave like a local program: its logs on stdout, its exit code as ours.

Exit codes: the app container's exit code; 127 when the task stopped without one (the
original hako's convention); 125 when the task could not be started; 124 after
--timeout (the task is stopped first); on SIGINT/SIGTERM the task is stopped and we exit
with the app's exit code, or 128 + the signal number when it has none.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from hako_py.aws.errors import AwsError, retryable
from hako_py.aws.logs import LogsApi
from hako_py.compare.masking import mask_requests
from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.deploy.follow import short_td
from hako_py.oneshot.exit_status import describe, exit_status
from hako_py.oneshot.logs import DEFAULT_LOG_GRACE_SECONDS, LogFollower
from hako_py.oneshot.request import (
    NEW_REVISION,
    TaskRunOptions,
    attach_marker,
    awslogs_target,
    registration,
    run_task_request,
    stream_name,
)
from hako_py.plan.executor import Executor
from hako_py.plan.operations import Facade
from hako_py.plan.register import backoff
from hako_py.render import RenderedApp
from hako_py.scripts.runner import NoScripts, ScriptSet

EXIT_NO_CODE = 127
EXIT_NOT_STARTED = 125
EXIT_TIMEOUT = 124
TRANSIENT = ("Too many concurrent attempts", "Throttl", "Rate exceeded", "RequestLimitExceeded")


def is_transient(reason: str) -> bool:
    """ECS failures worth retrying (concurrency limits, throttling) rather than reporting."""
    return any(marker in reason for marker in TRANSIENT)


RUN_TASK_ATTEMPTS = 6
STOP_DRAIN_SECONDS = 60.0


@dataclass(frozen=True)
class OneshotOptions(TaskRunOptions):
    wait: bool = True
    attach_key: str | None = None
    result_file: str | None = None
    dry_run: bool = False
    interval: float = 1.0
    log_grace: float = DEFAULT_LOG_GRACE_SECONDS
    command: str = "hako oneshot"  # who the stop reasons ECS records name ("hako schedule run" too runs tasks)


class Interrupts:
    """SIGINT/SIGTERM become a flag plus a wake-up, so the poll loop reacts at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.received(signum)

    def received(self, signum: int) -> None:
        """A signal came (here or, for a fleet's worker thread, to the main thread)."""
        self.signum = signum
        self.event.set()

    def wait(self, seconds: float) -> None:
        self.event.wait(seconds)
        self.event.clear()


class OneshotRunner:
    def __init__(self, aws: Facade, logs_for: Callable[[str | None], LogsApi], stdout: TextIO, stderr: TextIO,
                 options: OneshotOptions, *, clock: Callable[[], float] = time.monotonic,
                 interrupts: Interrupts | None = None, scripts: ScriptSet | None = None, quiet: bool = False) -> None:
        self.scripts = scripts or NoScripts()
        self.aws = aws
        self.ecs = aws.ecs()
        self.logs_for = logs_for
        self.stdout = stdout
        self.stderr = stderr
        self.options = options
        self.clock = clock
        self.interrupts = interrupts or Interrupts()
        self.quiet = quiet
        self.started = False  # the task started (or was attached to): from here on its outcome is the job's

    def say(self, message: str) -> None:
        """Progress on stderr; -q keeps it quiet, so only the job's output and problems show."""
        if not self.quiet:
            self.problem(message)

    def problem(self, message: str) -> None:
        """Something went wrong: said even under -q."""
        self.stderr.write(message + "\n")
        self.stderr.flush()

    # task definition ---------------------------------------------------------------------
    def _task_definition(self, app: AppDefinition, desired: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """read -> plan -> (dry run: say) -> execute: the revision to run, and its document."""
        self.scripts.fire("before_writes", desired)
        if self.options.dry_run:
            # No AWS request at all, as hako's dry-run (lib/hako/schedulers/ecs.rb:241-274 in 2.18.0
            # prints and returns 0): the family alone names its newest ACTIVE revision, the one a real run
            # starts whether it registers a new one or finds it unchanged.
            # (a fleet's dry run did send the preflight's reads before: say only what is true of both)
            self.say(f"dry run: no task definition registered and no task started; {app.oneshot_family} gets a new "
                     "revision if it changed")
            return app.oneshot_family, desired
        planned = registration(desired, self.ecs.describe_task_definition(app.oneshot_family))
        if planned.reuse is not None:
            self.say(f"task definition unchanged: {short_td(planned.reuse[0])}")
            return planned.reuse
        outputs = Executor(self.aws, self.say, sleep=self.interrupts.wait).run(planned.plan)
        return str(outputs[NEW_REVISION]), outputs[f"{NEW_REVISION}:document"]

    # run ----------------------------------------------------------------------------------
    def _start(self, request: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """RunTask with retries of transient failures; (task, failure reason)."""
        reason = ""
        # The same token across retries of a call whose outcome is unknown: ECS starts the
        # task once. A new one after ECS answered that it started nothing.
        token = uuid.uuid4().hex
        for attempt in range(RUN_TASK_ATTEMPTS):
            try:
                response = self.ecs.run_task(**request, clientToken=token)
            except AwsError as exc:
                reason = str(exc)
                if not is_transient(reason) and not retryable(exc):
                    return None, reason
            else:
                token = uuid.uuid4().hex
                tasks = response.get("tasks") or []
                if tasks:
                    return tasks[0], ""
                failures = response.get("failures") or []
                reason = "; ".join(f"{f.get('reason') or 'no reason given'}"
                                   f"{' (' + f['detail'] + ')' if f.get('detail') else ''}"
                                   for f in failures) or "no task started and no reason given"
                if not is_transient(reason):
                    return None, reason
            delay = backoff(attempt)
            self.say(f"RunTask: {reason}; retrying in {delay:g}s")
            self.interrupts.wait(delay)
            if self.interrupts.signum is not None:
                return None, f"interrupted while retrying RunTask ({reason})"
        return None, reason

    def run(self, app: AppDefinition, rendered: RenderedApp, task_definition: dict[str, Any]) -> int:
        """Run *task_definition* (the oneshot's, built once by the command) as a task of *app*."""
        self.interrupts.install()
        try:
            return self._run(app, rendered, task_definition)
        finally:
            self.interrupts.restore()

    def _run(self, app: AppDefinition, rendered: RenderedApp, desired: dict[str, Any]) -> int:
        task_cpu = _int(rendered.task_definition.get("cpu"))
        task_memory = _int(rendered.task_definition.get("memory"))
        arn, task_definition = self._task_definition(app, desired)
        request = run_task_request(rendered, arn, self.options.overrides, attach_key=self.options.attach_key,
                                   task_cpu=task_cpu, task_memory=task_memory)
        if self.options.dry_run:
            self.stdout.write(json.dumps(mask_requests(request), indent=2) + "\n")
            return 0
        return self._start_and_follow(app, request, task_definition)

    def run_request(self, app: AppDefinition, request: dict[str, Any], task_definition: dict[str, Any]) -> int:
        """Start *request* (a RunTask made elsewhere: ``hako schedule run``) and follow it as a oneshot."""
        self.interrupts.install()
        try:
            return self._start_and_follow(app, request, task_definition)
        finally:
            self.interrupts.restore()

    def _start_and_follow(self, app: AppDefinition, request: dict[str, Any], task_definition: dict[str, Any]) -> int:
        cluster = str(request["cluster"])
        task = self._attach(cluster) if self.options.attach_key else None
        if task is None:
            task, reason = self._start(request)
            if task is None:
                self.problem(f"the task could not be started: {reason}")
                self._write_result(None, EXIT_NOT_STARTED, reason)
                return EXIT_NOT_STARTED
            self.say(f"started task {task['taskArn'].rsplit('/', 1)[-1]} ({short_td(task['taskDefinitionArn'])}) "
                     f"in cluster {cluster}")
        self.started = True
        self.scripts.fire("oneshot_started", task)
        if not self.options.wait:
            self.stdout.write(no_wait_line(cluster, task) + "\n")
            return 0
        exit_code = self._follow(app, cluster, task, task_definition)
        self.scripts.fire("oneshot_finished", exit_code)
        return exit_code

    def _attach(self, cluster: str) -> dict[str, Any] | None:
        assert self.options.attach_key is not None
        arns = self.ecs.list_tasks_started_by(cluster, attach_marker(self.options.attach_key))
        tasks = [t for t in self.ecs.describe_tasks(cluster, arns) if t.get("lastStatus") != "STOPPED"] if arns else []
        if not tasks:
            return None
        task = max(tasks, key=lambda t: str(t.get("createdAt", "")))
        self.say(f"attached to running task {task['taskArn'].rsplit('/', 1)[-1]} with the same --attach-key "
                 "(no new task started)")
        return task

    def _follow(self, app: AppDefinition, cluster: str, task: dict[str, Any], task_definition: dict[str, Any]) -> int:
        arn = str(task["taskArn"])
        target = awslogs_target(task_definition, app.region)
        follower = None
        if target is None:
            self.problem("the app container does not use the awslogs driver: its output cannot be followed")
        else:
            group, prefix, region = target
            follower = LogFollower(self.logs_for(region), group, stream_name(prefix, arn), self.stdout)
        started = self.clock()
        stop_requested: str | None = None
        stop_deadline: float | None = None
        timed_out = False
        while True:
            described = self.ecs.describe_tasks(cluster, [arn])
            current = described[0] if described else task
            if follower is not None:
                follower.poll()
            if current.get("lastStatus") == "STOPPED":
                if follower is not None:
                    follower.drain(self.options.log_grace, self.interrupts.wait, self.clock)
                break
            signum = self.interrupts.signum
            if signum is not None and stop_requested is None:
                name = signal.Signals(signum).name
                stop_requested = name
                self.problem(f"received {name}: stopping task {arn.rsplit('/', 1)[-1]}")
                self.ecs.stop_task(cluster=cluster, task=arn, reason=f"{self.options.command} received {name}"[:255])
                stop_deadline = self.clock() + STOP_DRAIN_SECONDS
            timeout = self.options.timeout
            if timeout is not None and not timed_out and stop_requested is None and self.clock() - started >= timeout:
                timed_out = True
                stop_requested = "timeout"
                self.problem(f"timed out after {timeout:g}s: stopping task {arn.rsplit('/', 1)[-1]}")
                self.ecs.stop_task(cluster=cluster, task=arn,
                                   reason=f"{self.options.command} timed out after {timeout:g}s"[:255])
                stop_deadline = self.clock() + STOP_DRAIN_SECONDS
            if stop_deadline is not None and self.clock() >= stop_deadline:
                self.problem("the task did not stop in time; giving up waiting")
                break
            self.interrupts.wait(self.options.interval)
        return self._finish(current, stop_requested, timed_out)

    def _finish(self, task: dict[str, Any], stop_requested: str | None, timed_out: bool) -> int:
        containers = {str(c.get("name")): c for c in task.get("containers") or []}
        app_exit = containers.get(APP_CONTAINER, {}).get("exitCode")
        stop_code = task.get("stopCode")
        ending = [f"task stopped: {task.get('stopCode') or '-'}: {task.get('stoppedReason') or 'no reason given'}"]
        for name, container in sorted(containers.items()):
            code = container.get("exitCode")
            ending.append(f"  container {name}: exit code {code if code is not None else 'none'}"
                          f"{', reason: ' + container['reason'] if container.get('reason') else ''}")
        if timed_out:
            exit_code = EXIT_TIMEOUT
        elif stop_code == "TaskFailedToStart" and app_exit is None:
            exit_code = EXIT_NOT_STARTED
        elif app_exit is not None:
            exit_code = exit_status(int(app_exit))
            if exit_code != int(app_exit):
                ending.append(f"the app's exit code {describe(int(app_exit))} does not fit an exit status "
                              f"(0-255); exiting {exit_code}")
        elif stop_requested is not None and self.interrupts.signum is not None:
            exit_code = 128 + int(self.interrupts.signum)
        else:
            exit_code = EXIT_NO_CODE
        for line in ending:  # how the task ended is a problem to see when it did not succeed
            (self.problem if exit_code != 0 else self.say)(line)
        self._write_result(task, exit_code, None)
        return exit_code

    def _write_result(self, task: dict[str, Any] | None, exit_code: int, reason: str | None) -> None:
        path = self.options.result_file
        if not path:
            return
        result: dict[str, Any] = {"exitCode": exit_code}
        if task is not None:
            app_code = next((c.get("exitCode") for c in task.get("containers") or []
                             if c.get("name") == APP_CONTAINER), None)
            if app_code is not None:
                result["containerExitCode"] = app_code
            result.update({
                "cluster": task.get("clusterArn"),
                "taskArn": task.get("taskArn"),
                "taskDefinitionArn": task.get("taskDefinitionArn"),
                "startedAt": task.get("startedAt"),
                "stoppedAt": task.get("stoppedAt"),
                "stopCode": task.get("stopCode"),
                "stoppedReason": task.get("stoppedReason"),
                "containers": [{"name": c.get("name"), "exitCode": c.get("exitCode"), "reason": c.get("reason")}
                               for c in task.get("containers") or []],
            })
        if reason is not None:
            result["startFailure"] = reason
        try:
            write_result_file(path, json.dumps(result, indent=2, default=_iso) + "\n")
        except OSError as exc:  # the job's exit code matters more than the summary: never lose it
            self.problem(f"could not write the result file {path}: {exc.strerror or exc} (exit code {exit_code})")


def write_result_file(path: str, text: str) -> None:
    """Write *text* to --result-file *path* as a scheduler expects: a regular file is
    replaced whole (written beside it, then renamed, so nobody reads half of it); anything
    else — a symlink's target, ``/dev/stdout``, a FIFO another process reads — is written to,
    never replaced (a rename would turn a device node or a link into a plain file)."""
    real = os.path.realpath(path)
    if os.path.exists(real) and not os.path.isfile(real):
        with open(real, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(real), delete=False, suffix=".tmp") as temporary:
        temporary.write(text)
    os.replace(temporary.name, real)


def _iso(value: Any) -> Any:
    """Timestamps in ISO 8601, as everywhere in hako's output (botocore gives datetimes)."""
    import datetime

    from hako_py.formatting import iso

    if isinstance(value, datetime.datetime | datetime.date):
        return iso(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def no_wait_line(cluster: str, task: dict[str, Any]) -> str:
    """What ``--no-wait`` prints: one compact JSON line that starts as hako 2.18's
    (``{"cluster":...,"task_arn":...}``, ``JSON.dump`` in lib/hako/schedulers/ecs.rb:266-269),
    so a script written for hako reads it unchanged, followed by hako-py's own camelCase keys."""
    return json.dumps({"cluster": cluster, "task_arn": task["taskArn"], "taskArn": task["taskArn"],
                       "taskDefinitionArn": task["taskDefinitionArn"]}, separators=(",", ":"))
