"""Follow a service rollout to its end, printing new events and deployment counts.

Success means the PRIMARY deployment runs the task definition just deployed and is
COMPLETED (or, where ECS reports no rolloutState, it is the only deployment and all its
tasks run). Anything else that ends the wait is a failure with a precise state.
``hako stop`` follows its tasks down to none the same way (:func:`follow_service` with
:func:`scaled_to_zero`), so people see the same progress.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.formatting import iso, shown
from hako_py.reporter import Reporter

COMPLETED = "COMPLETED"
FAILED = "FAILED"
REPLACED = "REPLACED"
TIMEOUT = "TIMEOUT"
GONE = "GONE"


@dataclass(frozen=True)
class FollowSettings:
    """Polling: start at ``interval / 4`` and back off to ``interval`` while nothing changes."""

    interval: float = 1.0
    timeout: float = 1200.0


@dataclass
class Outcome:
    ok: bool
    state: str
    message: str
    service: dict[str, Any] | None = None
    started_task_ids: list[str] = field(default_factory=list)


def short_td(arn: str | None) -> str:
    return (arn or "?").rsplit("/", 1)[-1]


def primary_deployment(service: dict[str, Any]) -> dict[str, Any] | None:
    return next((d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), None)


def deployment_summary(service: dict[str, Any]) -> str:
    parts = []
    for d in service.get("deployments") or []:
        state = d.get("rolloutState") or "-"
        parts.append(f"{d.get('status') or '?'} {short_td(d.get('taskDefinition'))} {state} "
                     f"running {d.get('runningCount') or 0}/{d.get('desiredCount') or 0}"
                     f"{' pending ' + str(d['pendingCount']) if d.get('pendingCount') else ''}")
    return "; ".join(parts) or "no deployments"


def _event_time(event: dict[str, Any]) -> str:
    """The event's time of day in UTC, ISO 8601 (``08:40:44Z``): the date is today's."""
    created: Any = event.get("createdAt")
    return iso(created, precision="seconds")[11:] if isinstance(created, datetime.datetime) else shown(created, "")


class EventPrinter:
    """Prints service events once each, oldest first (ECS lists them newest first)."""

    def __init__(self, reporter: Reporter, service: dict[str, Any] | None) -> None:
        self.reporter = reporter
        self.seen = {e.get("id") for e in (service or {}).get("events") or []}

    def show_new(self, service: dict[str, Any]) -> list[dict[str, Any]]:
        new = [e for e in service.get("events") or [] if e.get("id") not in self.seen]
        for event in reversed(new):
            self.seen.add(event.get("id"))
            self.reporter.line(f"  {_event_time(event)} {event.get('message', '')}")
        return new


def rollout_state(service: dict[str, Any], expected_td: str) -> tuple[str | None, str]:
    """(final state or None while in progress, explanation)."""
    primary = primary_deployment(service)
    if service.get("taskDefinition") not in (None, expected_td):
        return REPLACED, (f"the service now runs {short_td(service.get('taskDefinition'))}, "
                          f"not {short_td(expected_td)}")
    if primary is None or primary.get("taskDefinition") != expected_td:
        return None, "waiting for ECS to start the deployment"
    state = primary.get("rolloutState")
    if state == FAILED:
        return FAILED, str(primary.get("rolloutStateReason") or "the rollout failed")
    if state == COMPLETED:
        return COMPLETED, str(primary.get("rolloutStateReason") or "rollout completed")
    deployments = service.get("deployments") or []
    if state is None and len(deployments) == 1 and primary.get("runningCount") == primary.get("desiredCount"):
        return COMPLETED, "all tasks running"
    return None, "in progress"


def scaled_to_zero(service: dict[str, Any]) -> tuple[str | None, str]:
    """(final state or None while tasks still run, explanation) for ``hako stop``."""
    if service.get("desiredCount"):
        return REPLACED, f"the desired count is {service['desiredCount']} again (another deploy?)"
    deployments = service.get("deployments") or [service]
    if all(not d.get("runningCount") and not d.get("pendingCount") for d in deployments):
        return COMPLETED, "no task running"
    return None, "tasks are stopping"


def follow_rollout(
    describe: Callable[[], dict[str, Any] | None],
    expected_td: str,
    reporter: Reporter,
    settings: FollowSettings,
    *,
    initial: dict[str, Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Poll until the rollout of *expected_td* ends; never returns ok for anything but success."""
    return follow_service(describe, lambda service: rollout_state(service, expected_td), reporter, settings,
                          initial=initial, clock=clock, sleep=sleep, what="the rollout")


def follow_service(
    describe: Callable[[], dict[str, Any] | None],
    judge: Callable[[dict[str, Any]], tuple[str | None, str]],
    reporter: Reporter,
    settings: FollowSettings,
    *,
    initial: dict[str, Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "the service",
) -> Outcome:
    """Poll the service, printing new events and deployment counts, until *judge* gives a final state."""
    events = EventPrinter(reporter, initial)
    started = clock()
    interval = settings.interval / 4
    last_summary = ""
    started_ids: list[str] = []
    while True:
        service = describe()
        if service is None:
            reporter.done()
            return Outcome(False, GONE, "the service no longer exists")
        for event in events.show_new(service):
            message = str(event.get("message", ""))
            if " has started " in message:
                started_ids.extend(part.rstrip(").") for part in message.split("(task ")[1:])
        summary = deployment_summary(service)
        changed = summary != last_summary
        if changed:
            reporter.status(f"  {summary}")
            last_summary = summary
        state, message = judge(service)
        if state is not None:
            reporter.done()
            return Outcome(state == COMPLETED, state, message, service, started_ids)
        if clock() - started >= settings.timeout:
            reporter.done()
            return Outcome(False, TIMEOUT, f"{what} did not complete within {settings.timeout:g}s", service,
                           started_ids)
        interval = settings.interval / 4 if changed else min(interval * 2, settings.interval)
        sleep(min(interval, max(0.0, settings.timeout - (clock() - started))))
