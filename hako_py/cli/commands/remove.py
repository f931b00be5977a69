"""``hako remove FILE``: delete the service and what hako created for it."""

from __future__ import annotations

import sys
from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import aws_options, loader_options, output_option, split_aws
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import confirm
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.prepare import clients_for, configured_scripts, schedules_for, traffic_for
from hako_py.deploy.service_ops import remove as do_remove
from hako_py.errors import HakoError


@click.command()
@click.argument("file", type=click.Path())
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation (required when not on a terminal).")
@click.option("--dry-run", is_flag=True, help="Say what would happen; send no write.")
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress.")
@aws_options
@loader_options
def remove(file: str, yes: bool, dry_run: bool, output: str, quiet: bool, **kwargs: Any) -> None:
    """Scale the service to 0 and delete it, then delete what hako created for it: the load
    balancer, target group and listener rule (elb_v2), Cloud Map services and the scalable
    target, and the app's schedules (<appId>.<name> in hako's schedule groups). Resources hako did
    not create (no hako:app tag for this app) are kept.
    Asks for confirmation on a terminal."""
    outcome = Outcome("remove", output, file)
    reporter = make_reporter(quiet)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter, outcome)
    if not yes and not dry_run:
        if not sys.stdin.isatty():
            raise HakoError(f"refusing to remove {checked.app.app_id} without confirmation: pass --yes")
        confirm(f"Remove service {checked.app.app_id} from cluster {checked.app.cluster}?")
    clients = clients_for(checked, aws)
    scripts = configured_scripts(checked, clients, dry_run)
    scripts.fire("remove_starting")
    code = do_remove(clients, checked.app, reporter, dry_run=dry_run,
                     traffic=traffic_for(checked.app, checked.rendered, clients),
                     record=outcome.record, schedules=schedules_for(checked.app, clients, checked.rendered))
    scripts.fire("remove_finished")
    outcome.finish(code)
