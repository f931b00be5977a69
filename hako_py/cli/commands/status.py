"""``hako status FILE``: the service's deployments, tasks, events and traffic resources."""

from __future__ import annotations

from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import aws_options, loader_options, split_aws
from hako_py.cli.output import reporter, show
from hako_py.cli.prepare import clients_for, traffic_for
from hako_py.deploy.service_ops import format_status, service_status


@click.command()
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
@loader_options
def status(file: str, output: str, **kwargs: Any) -> None:
    """Show the service's deployments, running tasks and last 10 events; with load balancers,
    their DNS names, listeners and target health; with Cloud Map, the registered instances;
    with autoscaling, its bounds, policies and recent scaling activities."""
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter())
    clients = clients_for(checked, aws)
    show(format_status(service_status(clients.ecs(), checked.app, traffic_for(checked.app, clients)), output))
