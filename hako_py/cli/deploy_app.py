"""Deploy one prepared app: the one path ``hako deploy FILE`` and every app of a fleet deploy take.

Fleet deploys once had their own copy of this and forgot the schedules (a fleet deploy of an
app whose schedules changed said "unchanged", its schedules kept running the old oneshot task
definition, and a batch-only app with schedules failed the fleet). One function means a fleet
deploy of an app does exactly what a single deploy of it does: the service (scripts, preflight,
register, update, follow, roll back, traffic), then the schedules and the oneshot task
definition they run; for a batch-only app, the schedules alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hako_py.cli.prepare import Prepared, preflight, schedules_for, traffic_for
from hako_py.deploy.deployer import Deployer, DeployOptions
from hako_py.record import Record
from hako_py.reporter import Reporter


def deploy_prepared(prepared: Prepared, reporter: Reporter, record: Record, options: DeployOptions, *,
                    tag: str | None, verify: bool, sleep: Callable[[float], None] = time.sleep) -> int:
    """The deploy's exit code (its outcome is in *record*); the app has a service or schedules
    (callers refuse or skip one with neither). *sleep*: a fleet's, which raises in a worker
    thread once SIGINT/SIGTERM came (see :class:`hako_py.interrupts.InterruptFlag`)."""

    def verified() -> bool:
        reporter.detail(f"Verifying {prepared.app.app_id} before changing anything")
        return preflight(prepared, prepared.rendered.task_definition, reporter, record)

    schedules = schedules_for(prepared.app, prepared.clients, prepared.rendered, tag, sleep=sleep,
                              settings=prepared.scripts.context.settings)
    if not prepared.app.has_service:  # a batch-only app with schedules
        assert schedules is not None
        from hako_py.schedules.deployer import deploy_schedules

        return deploy_schedules(prepared.app, schedules, reporter, record, dry_run=options.dry_run,
                                force=options.force, preflight=verified if verify else None, color=options.color)
    deployer = Deployer(prepared.clients, reporter, options, scripts=prepared.scripts,
                        preflight=verified if verify else None,
                        traffic=traffic_for(prepared.app, prepared.rendered, prepared.clients),
                        schedules=schedules, record=record, sleep=sleep)
    return deployer.deploy(prepared.app, prepared.rendered)
