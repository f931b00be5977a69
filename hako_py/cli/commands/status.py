"""``hako status FILE``: the service's deployments, tasks, events, traffic resources and schedules."""

from __future__ import annotations

import datetime
from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import aws_options, loader_options, split_aws
from hako_py.cli.output import reporter, show
from hako_py.cli.prepare import clients_for, traffic_for
from hako_py.deploy.service_ops import format_status, service_status
from hako_py.formatting import iso, shown, to_json
from hako_py.schedules.history import schedules_status


@click.command()
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
@loader_options
def status(file: str, output: str, **kwargs: Any) -> None:
    """Show the service's deployments, running tasks and last 10 events; with load balancers,
    their DNS names, listeners and target health; with Cloud Map, the registered instances;
    with autoscaling, its bounds, policies and recent scaling activities; with schedules, their
    next run times and last runs."""
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter())
    clients = clients_for(checked, aws)
    app = checked.app
    data = service_status(clients.ecs(), app, traffic_for(app, checked.rendered, clients)) if app.has_service else None
    if app.schedules:
        found = schedules_status(clients.scheduler(), clients.ecs(), app, datetime.datetime.now(datetime.UTC))
        if output == "json":
            show(to_json({**(data or {"app": app.app_id, "cluster": app.cluster}), "schedules": found}))
            return
        lines = [format_status(data, output)] if data is not None else []
        lines.append("Schedules:")
        lines.extend(_schedule_lines(found))
        show("\n".join(lines))
        return
    assert data is not None
    show(format_status(data, output))


def _time(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return iso(value, precision="seconds")
    if isinstance(value, str):
        return iso(datetime.datetime.fromisoformat(value), precision="seconds")
    return "-"


def _schedule_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in found:
        state = item["state"] if item["deployed"] else "not deployed"
        lines.append(f"  {item['name']} ({item['schedule']}) {state}: {item['expression']} {item['timezone']}; "
                     f"next: {', '.join(_time(t) for t in item['nextRuns']) or 'none'}")
        for run_ in item["lastRuns"]:
            lines.append(f"    [{shown(run_['lastStatus'], '-')}] {run_['trigger']} started {_time(run_['startedAt'])}"
                         f" stopped {_time(run_['stoppedAt'])} exit code {shown(run_['exitCode'], 'none')}"
                         f"{': ' + run_['stoppedReason'] if run_['stoppedReason'] else ''}")
        if not item["lastRuns"]:
            lines.append("    no recent runs")
    return lines
