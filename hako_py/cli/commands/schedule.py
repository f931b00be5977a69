"""``hako schedule run|list|history``: an app's scheduled jobs (EventBridge Scheduler)."""

from __future__ import annotations

import datetime
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import (
    FiniteFloat,
    aws_options,
    build_load_options,
    loader_options,
    split_aws,
    verbosity_options,
)
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.output import say, show
from hako_py.cli.prepare import clients_for
from hako_py.errors import HakoError, UsageError
from hako_py.formatting import iso, shown, to_json
from hako_py.oneshot.runner import OneshotOptions, OneshotRunner
from hako_py.paths import expand_paths
from hako_py.schedule_targets import MANUAL_STARTED_BY, run_task_of
from hako_py.schedules.history import runs, upcoming
from hako_py.specs.schedules import schedule_specs


@click.group()
def schedule() -> None:
    """Run, list and look back at the scheduled jobs definitions declare (schedules).

    \b
    hako schedule run apps/batch.jsonnet nightly     start one run now, as the schedule would
    hako schedule list [PATH...]                     every schedule with its next run times
    hako schedule history apps/batch.jsonnet [NAME]  past runs with their exit codes
    """


@schedule.command("run")
@click.argument("file", type=click.Path())
@click.argument("name")
@click.option("--no-wait", is_flag=True, help="Print the task and return once it is started.")
@click.option("--poll-interval", type=FiniteFloat(min=0.01), default=1.0, show_default=True,
              help="Seconds between polls of the task.")
@verbosity_options
@aws_options
@loader_options
def run(file: str, name: str, no_wait: bool, poll_interval: float, quiet: bool, verbose: bool, **kwargs: Any) -> None:
    """Start one run of schedule NAME now, exactly as EventBridge Scheduler would (the deployed
    schedule's task definition, overrides, network and task group), then behave like hako
    oneshot: the app's logs on stdout, its exit code as hako's."""
    reporter = make_reporter(quiet, verbose)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter)
    app = checked.app
    specs = {spec.key: spec for spec in schedule_specs(app)}
    if name not in specs:
        raise UsageError(f"{checked.loaded.file}: no schedule named {name!r} "
                         f"(schedules: {', '.join(sorted(specs)) or 'none'})")
    spec = specs[name]
    clients = clients_for(checked, aws)
    live = clients.scheduler().schedule(spec.group, spec.name)
    if live is None:
        raise HakoError(f"schedule {spec.group}/{spec.name} does not exist "
                        f"(deploy it with: hako deploy {shlex.quote(file)})")
    request = run_task_of(live, started_by=MANUAL_STARTED_BY)
    described = clients.ecs().describe_task_definition(str(request["taskDefinition"]))
    if described is None:
        raise HakoError(f"schedule {spec.name} runs {request['taskDefinition']}, which does not exist")
    options = OneshotOptions(wait=not no_wait, interval=poll_interval, command="hako schedule run")
    runner = OneshotRunner(clients, clients.logs, sys.stdout, sys.stderr, options, quiet=reporter.quiet)
    reporter.line(f"Running schedule {spec.name} now (as EventBridge Scheduler would)")
    sys.exit(runner.run_request(app, request, described[0]))


def _definitions(paths: tuple[str, ...], loader: dict[str, Any]) -> list[str]:
    if paths:
        return expand_paths(list(paths))
    from hako_py.loading.repo import find_root, load_config

    root = find_root(Path.cwd())
    return expand_paths([os.path.relpath(root / load_config(root).apps)])


@schedule.command("list")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-n", "--count", type=click.IntRange(min=1, max=100), default=3, show_default=True,
              help="Next run times to show per schedule.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@loader_options
def list_schedules(paths: tuple[str, ...], count: int, output: str, **loader: Any) -> None:
    """List every schedule the definitions under PATHS declare (default: the apps folder of
    hako.toml) with its next run times, computed locally in its time zone (no AWS call).
    A definition that does not check is reported (on stderr; "broken" in JSON) and the others
    are still listed: one broken file must not hide every schedule. Exit 1 when any is broken."""
    from hako_py.pipeline import check_file

    now = datetime.datetime.now(datetime.UTC)
    found: list[dict[str, Any]] = []
    broken: list[dict[str, str]] = []
    options = build_load_options(**loader)
    for file in _definitions(paths, loader):
        try:
            app = check_file(file, options).app
        except HakoError as exc:
            broken.append({"file": file, "error": str(exc)})
            continue
        for spec in schedule_specs(app):
            found.append({"file": file, "app": app.app_id, "name": spec.key, "schedule": f"{spec.group}/{spec.name}",
                          "expression": spec.expression, "timezone": spec.timezone, "enabled": spec.enabled,
                          "nextRuns": upcoming(spec, now, count)})
    if output == "json":
        show(to_json({"schedules": found, "broken": broken}))
    elif not found:
        show("no schedules")
    for item in found if output == "text" else ():
        state = "" if item["enabled"] else " (disabled)"
        show(f"{item['file']}: {item['name']}{state}: {item['expression']} {item['timezone']}; next: "
             f"{', '.join(iso(t, precision='seconds') for t in item['nextRuns']) or 'none'}")
    if broken:
        for item in broken:
            say(item["error"])
        raise HakoError(f"{len(broken)} definition(s) broken, their schedules not listed: "
                        f"{', '.join(item['file'] for item in broken)}")


@schedule.command("history")
@click.argument("file", type=click.Path())
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
@loader_options
def history(file: str, name: str | None, output: str, **kwargs: Any) -> None:
    """Show the runs of the app's schedules (or of schedule NAME) that ECS still lists (stopped
    tasks for about an hour): trigger, start and stop times, exit code and stop reason."""
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, make_reporter())
    if name is not None and name not in checked.app.schedules:
        raise UsageError(f"{checked.loaded.file}: no schedule named {name!r}")
    found = runs(clients_for(checked, aws).ecs(), checked.app, name)
    if output == "json":
        show(to_json({"app": checked.app.app_id, "runs": found}))
        return
    if not found:
        show(f"no runs of {checked.app.app_id}'s schedules listed by ECS (it lists stopped tasks for about an hour)")
        return
    for run_ in found:
        show(f"{run_['schedule']} [{shown(run_['lastStatus'], '-')}] {run_['trigger']} "
             f"task {str(run_['taskArn']).rsplit('/', 1)[-1]} started {_time(run_['startedAt'])} stopped "
             f"{_time(run_['stoppedAt'])} exit code {shown(run_['exitCode'], 'none')}"
             f"{': ' + run_['stoppedReason'] if run_['stoppedReason'] else ''}")


def _time(value: Any) -> str:
    return iso(value, precision="seconds") if isinstance(value, datetime.datetime) else shown(value, "-")
