"""``hako rollback FILE``: back to the previous ACTIVE revision (or ``--to REVISION``)."""

from __future__ import annotations

from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import POLL_HELP, FiniteFloat, aws_options, loader_options, output_option, split_aws
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.prepare import clients_for, configured_scripts
from hako_py.deploy.follow import FollowSettings
from hako_py.deploy.service_ops import rollback as do_rollback


@click.command()
@click.argument("file", type=click.Path())
@click.option("--to", "to", type=int, metavar="REVISION", help="Roll back to this revision of the family.")
@click.option("-n", "--dry-run", is_flag=True, help="Say what would happen; send no write.")
@click.option("--timeout", type=FiniteFloat(min=0), default=1200, show_default=True)
@click.option("--poll-interval", type=FiniteFloat(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress.")
@click.option("-v", "--verbose", is_flag=True, help="Also print details (accepted as hako's -v).")
@aws_options
@loader_options
def rollback(file: str, to: int | None, dry_run: bool, timeout: float, poll_interval: float, output: str,
             quiet: bool, verbose: bool, **kwargs: Any) -> None:
    """Put the service back on the previous ACTIVE revision (or --to REVISION).

    The revision rolled back from is deregistered, as the original hako does, so
    repeated rollbacks walk back through history.
    """
    outcome = Outcome("rollback", output, file)
    reporter = make_reporter(quiet, verbose)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter, outcome)
    settings = FollowSettings(interval=poll_interval, timeout=timeout)
    clients = clients_for(checked, aws)
    scripts = configured_scripts(checked, clients, dry_run, reporter.quiet)
    outcome.finish(do_rollback(clients, checked.app, reporter, settings, to=to, dry_run=dry_run,
                               scripts=scripts, record=outcome.record))
