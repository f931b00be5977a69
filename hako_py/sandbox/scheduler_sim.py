"""The sandbox fires EventBridge Scheduler schedules, which moto only stores (it never runs them).

A thread looks at every ENABLED schedule moto holds, computes when it comes due in its time
zone (the same computation ``hako status`` shows, :mod:`hako_py.schedule_expressions`) and,
when it is due, starts its target as Scheduler does: RunTask with the ECS parameters, the
Input as overrides and ``startedBy`` ``chronos-schedule/<name>`` (:mod:`hako_py.schedule_targets`),
sent over HTTP to this sandbox, so the ECS simulator runs the task like any other (Docker or
simulated) and the control API steers its outcome (``next-task`` with the oneshot family).

Time can run faster for schedules (``POST /_sandbox/settings {"scheduleTimeScale": 60}``: a
real second is a minute) and a schedule can be fired at once (``POST /_sandbox/fire-schedule``).
Those requests are the sandbox's own: they are not counted as the caller's.
"""

from __future__ import annotations

import datetime
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.aws import new_session
from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.credentials import SANDBOX_CREDENTIALS
from hako_py.sandbox.problems import Problems
from hako_py.schedule_expressions import next_runs
from hako_py.schedule_targets import run_task_of

INTERNAL_HEADER = "X-Hako-Sandbox-Scheduler"  # requests the simulator sends: not the caller's to count


@dataclass
class _Due:
    modified: Any  # LastModificationDate when computed: an update recomputes
    at: datetime.datetime | None


@dataclass
class ScheduleSimulator:
    problems: Problems
    lock: threading.RLock  # the ECS simulator's: moto's state is read under it
    tick_seconds: float = 0.2
    clock: Callable[[], float] = time.time
    url: str | None = None
    fired: list[dict[str, Any]] = field(default_factory=list)  # what fired, newest last (GET /_sandbox/schedules)
    _scale: float = 1.0
    _base_real: float = 0.0
    _base_virtual: float = 0.0
    _pending: list[tuple[str, str, str]] = field(default_factory=list)  # (region, group, name) to fire now
    _due: dict[str, _Due] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._base_real = self._base_virtual = self.clock()

    # time ------------------------------------------------------------------------------------
    def now(self) -> datetime.datetime:
        """The schedules' clock: real time, running *time_scale* times faster since it was set."""
        virtual = self._base_virtual + (self.clock() - self._base_real) * self._scale
        return datetime.datetime.fromtimestamp(virtual, datetime.UTC)

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, scale: float) -> None:
        self._base_virtual = self.now().timestamp()
        self._base_real = self.clock()
        self._scale = max(1.0, float(scale))
        self._due.clear()  # due times computed on the old clock

    # lifecycle -------------------------------------------------------------------------------
    def start(self, url: str) -> None:
        self.url = url
        self._thread = threading.Thread(target=self._run, name="hako-sandbox-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            self.problems.guarded("schedule simulator", self.tick)

    def fire_now(self, region: str, group: str, name: str) -> bool:
        """Queue a run of the schedule (called under the lock); False when moto has no such schedule."""
        for (_, scope_region), schedule in glue.all_schedules():
            if scope_region == region and schedule.get("GroupName") == group and schedule.get("Name") == name:
                self._pending.append((region, group, name))
                return True
        return False

    # firing ----------------------------------------------------------------------------------
    def _next(self, schedule: dict[str, Any], after: datetime.datetime) -> datetime.datetime | None:
        start = schedule.get("StartDate") if isinstance(schedule.get("StartDate"), datetime.datetime) \
            else schedule.get("CreationDate")
        end = schedule.get("EndDate") if isinstance(schedule.get("EndDate"), datetime.datetime) else None
        # An expression AWS would have refused (moto stores anything) raises: reported once, never fires.
        found = next_runs(str(schedule.get("ScheduleExpression")), str(schedule.get(
            "ScheduleExpressionTimezone") or "UTC"), after, 1, start=start, end=end)
        return found[0] if found else None

    def tick(self) -> None:
        now = self.now()
        due: list[tuple[str, dict[str, Any]]] = []
        with self.lock:
            schedules = glue.all_schedules()
            pending, self._pending = self._pending, []
        seen = set()
        for (_, region), schedule in schedules:
            arn = str(schedule.get("Arn"))
            seen.add(arn)
            for wanted in pending:
                if wanted == (region, schedule.get("GroupName"), schedule.get("Name")):
                    due.append((region, schedule))
            if schedule.get("State") != "ENABLED":
                continue
            if not self.problems.guarded(f"schedule {arn}", functools.partial(self._come_due, schedule, now, due,
                                                                               region)):
                self._due[arn] = _Due(schedule.get("LastModificationDate"), None)  # until it is updated
        for arn in set(self._due) - seen:
            del self._due[arn]
        for region, schedule in due:
            self.problems.guarded(f"schedule {schedule.get('Arn')}", functools.partial(self._fire, region, schedule))

    def _come_due(self, schedule: dict[str, Any], now: datetime.datetime,
                  due: list[tuple[str, dict[str, Any]]], region: str) -> None:
        """Add *schedule* to *due* when its time has come. Run per schedule, guarded: one whose
        times cannot be computed (moto stores anything) is reported once and never fires, and
        the others still do."""
        arn = str(schedule.get("Arn"))
        state = self._due.get(arn)
        if state is None or state.modified != schedule.get("LastModificationDate"):
            created = schedule.get("LastModificationDate") or now
            state = _Due(schedule.get("LastModificationDate"), self._next(schedule, max(now, created)))
            self._due[arn] = state
        if state.at is not None and now >= state.at:
            due.append((region, schedule))
            state.at = self._next(schedule, now)

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            key, secret = SANDBOX_CREDENTIALS
            client = new_session(region=region, aws_access_key_id=key, aws_secret_access_key=secret).client(
                "ecs", endpoint_url=self.url)

            def mark(request: Any, **_: Any) -> None:
                request.headers[INTERNAL_HEADER] = "1"
            client.meta.events.register("before-sign.ecs.RunTask", mark)
            self._clients[region] = client
        return self._clients[region]

    def _fire(self, region: str, schedule: dict[str, Any]) -> None:
        """RunTask as Scheduler would (outside the lock: the request goes through the sandbox)."""
        request = run_task_of(schedule)
        record: dict[str, Any] = {"schedule": schedule.get("Arn"), "at": self.now().isoformat(), "taskArn": None}
        try:
            answer = self._client(region).run_task(**request)
        except Exception as exc:
            record["failure"] = str(exc)
        else:
            tasks = answer.get("tasks") or []
            record["taskArn"] = tasks[0].get("taskArn") if tasks else None
            if not tasks:
                record["failure"] = "; ".join(str(f.get("reason")) for f in answer.get("failures") or [])
        self.fired.append(record)
        del self.fired[:-1000]
