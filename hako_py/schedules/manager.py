"""An app's schedules over one command's AWS clients: read, plan, apply, remove.

Built per command (deploy, diff, remove) from the app, its rendered schedule requests and the
oneshot task definition they run (the caller renders it as ``hako oneshot`` does, so both
share the ``<appId>-oneshot`` revisions). The plans run through the one plan executor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hako_py.aws import AwsClients
from hako_py.definition import AppDefinition
from hako_py.plan.executor import Executor
from hako_py.schedules.failed_runs import (
    FailedRunsLive,
    FailedRunsPlan,
    plan_failed_runs,
    plan_failed_runs_removal,
    read_failed_runs,
)
from hako_py.schedules.planner import SchedulesPlan, plan_removal, plan_schedules
from hako_py.schedules.reader import SchedulesLive, read_schedules
from hako_py.specs.failed_runs import FailedRunsSpec, notifier_name
from hako_py.specs.schedules import schedule_specs


class Schedules:
    """*notifier*: the failed-run notifier the app asks for (``notify_webhook`` with
    ``failed_runs``), or None: then hako's notifier of this app, if any, is removed."""

    def __init__(self, clients: AwsClients, app: AppDefinition, requests: dict[str, dict[str, Any]] | None,
                 task_definition: dict[str, Any], *, sleep: Callable[[float], None] = time.sleep,
                 notifier: FailedRunsSpec | None = None) -> None:
        self.clients = clients
        self.app = app
        self.requests = requests or {}
        self.task_definition = task_definition
        self.sleep = sleep
        self.notifier = notifier

    def read_notifier(self) -> FailedRunsLive:
        return read_failed_runs(self.clients.events(), self.app.app_id,
                                notifier_name(self.app.app_id, self.app.cluster), optional=self.notifier is None)

    def read(self) -> SchedulesLive:
        groups = [spec.group for spec in schedule_specs(self.app)]
        return read_schedules(self.clients.scheduler(), self.app.app_id, groups, self.clients.ecs(),
                              self.app.oneshot_family)

    def plan(self, *, force: bool = False) -> SchedulesPlan:
        """Read the live state and decide the writes (none happens here)."""
        plan = plan_schedules(self.app.app_id, self.app.file, self.app.oneshot_family, self.app.cluster,
                              self.task_definition, self.requests, self.read(), force=force)
        return with_notifier(plan, plan_failed_runs(self.notifier, self.read_notifier(), self.app.file))

    def run(self, plan: SchedulesPlan, say: Callable[[str], None], sent: Callable[[str], None] | None = None) -> None:
        """Execute *plan* (*say*: a sentence per finished write; *sent*: each write's text)."""
        Executor(self.clients, say, sent=sent, sleep=self.sleep).run(plan.instructions)

    def removal(self) -> SchedulesPlan:
        groups = [spec.group for spec in schedule_specs(self.app)]
        plan = plan_removal(read_schedules(self.clients.scheduler(), self.app.app_id, groups))
        return with_notifier(plan, plan_failed_runs_removal(self.read_notifier(), self.app.file))


def with_notifier(plan: SchedulesPlan, notifier: FailedRunsPlan) -> SchedulesPlan:
    """The schedules' plan followed by the notifier's (after the schedules: the notifier serves them)."""
    if not notifier.plan and not notifier.notes:
        return plan
    return SchedulesPlan(plan.instructions + notifier.plan, plan.diff + notifier.diff,
                         plan.changes + notifier.changes, notifier.notes)
