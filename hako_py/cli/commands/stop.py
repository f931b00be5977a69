"""``hako stop FILE``: desired count 0, then follow the tasks until none runs."""

from __future__ import annotations

from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import POLL_HELP, FiniteFloat, aws_options, loader_options, output_option, split_aws
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.prepare import clients_for
from hako_py.deploy.follow import FollowSettings
from hako_py.deploy.service_ops import stop as do_stop


@click.command()
@click.argument("file", type=click.Path())
@click.option("-n", "--dry-run", is_flag=True, help="Say what would happen; send no write.")
@click.option("--no-wait", is_flag=True, help="Return once the desired count is 0, without following the tasks.")
@click.option("--timeout", type=FiniteFloat(min=0), default=1200, show_default=True,
              help="Seconds to wait for the tasks to stop before giving up (exit 1; they go on stopping).")
@click.option("--poll-interval", type=FiniteFloat(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress.")
@aws_options
@loader_options
def stop(file: str, dry_run: bool, no_wait: bool, timeout: float, poll_interval: float, output: str, quiet: bool,
         **kwargs: Any) -> None:
    """Scale the service to 0 tasks (it stays defined; deploy brings it back), then follow
    the tasks until none runs, printing the service's events as deploy does."""
    outcome = Outcome("stop", output, file)
    reporter = make_reporter(quiet)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter, outcome)
    outcome.finish(do_stop(clients_for(checked, aws).ecs(), checked.app, reporter, dry_run=dry_run,
                           wait=not no_wait, settings=FollowSettings(interval=poll_interval, timeout=timeout),
                           record=outcome.record))
