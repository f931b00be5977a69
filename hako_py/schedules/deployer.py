"""``hako deploy`` of a batch-only app with schedules: the oneshot task definition and the
schedules, no service. (An app with a service deploys its schedules inside the service deploy,
after the service: :class:`hako_py.deploy.deployer.Deployer`.)"""

from __future__ import annotations

from collections.abc import Callable

from hako_py.compare.diff import colorize
from hako_py.definition import AppDefinition
from hako_py.plan import display
from hako_py.printable import printable
from hako_py.record import Record
from hako_py.reporter import Reporter
from hako_py.schedules.manager import Schedules


def deploy_schedules(app: AppDefinition, schedules: Schedules, reporter: Reporter, record: Record, *,
                     dry_run: bool = False, force: bool = False, preflight: Callable[[], bool] | None = None,
                     color: bool = False) -> int:
    reporter.line(f"Deploying the schedules of {app.app_id} (cluster {app.cluster}; no service)")
    plan = schedules.plan(force=force)
    record.fields.update(dryRun=dry_run, schedules={"changes": list(plan.changes)})
    if plan.diff:
        diff = printable(plan.diff)
        reporter.line((colorize(diff) if color else diff).rstrip("\n"))
    for note in plan.notes:
        reporter.problem(f"warning: {note}")
    if not plan.steps:
        return record.end(reporter, "unchanged", f"no changes: the schedules of {app.app_id} are as defined", 0)
    if dry_run:
        count = len(display.show(plan.instructions, reporter.line, header="dry run: would send", sent=record.wrote))
        return record.end(reporter, "dry-run", f"dry run: {count} write{'s' if count != 1 else ''} not sent", 0)
    if preflight is not None and not preflight():
        return record.end(reporter, "verification-failed", "verification failed: nothing was changed (fix the [NG] "
                          "items, or --no-verify)", 1, problem=True)
    for step in plan.steps:
        record.wrote(step)
    schedules.run(plan, reporter.line)
    count = len(plan.steps)
    return record.end(reporter, "deployed", f"schedules of {app.app_id} deployed ({count} "
                      f"write{'s' if count != 1 else ''}: {'; '.join(plan.changes) or 'task definition'})", 0)
