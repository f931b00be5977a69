"""``hako verify FILE``: the read-only preflight, one line per check."""

from __future__ import annotations

import sys
from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.checks_output import checks_data, show_checks, tally
from hako_py.cli.options import aws_options, loader_options, output_option, split_aws, tag_option
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.output import stdout_reporter
from hako_py.cli.prepare import prepare, run_checks
from hako_py.verify.check import failed


@click.command()
@click.argument("file", type=click.Path())
@tag_option("Image tag for the app container.")
@click.option("--oneshot", "for_oneshot", is_flag=True, help="Check what a oneshot needs (runs oneshot_starting).")
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print only the [NG] checks.")
@aws_options
@loader_options
def verify(file: str, tag: str | None, for_oneshot: bool, output: str, quiet: bool, **kwargs: Any) -> None:
    """Check, without side effects and without reading any secret's value, that what the app
    needs exists: cluster, images (ECR), secrets (SSM / Secrets Manager), task and
    execution roles trusting ecs-tasks.amazonaws.com, log groups, subnets, security groups
    and capacity providers. One line per check on stdout; exit 1 if any is [NG]. With
    -o json, the checks as JSON on stdout and a summary line on stderr.
    """
    outcome = Outcome("verify", output, file)
    reporter = make_reporter(quiet)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter, outcome, tag=tag)
    hook = "oneshot_starting" if for_oneshot else "deploy_starting"
    prepared = prepare(checked, aws, hook=hook, tag=tag, dry_run=True, stderr=sys.stderr,
                       quiet=quiet)
    checks = run_checks(prepared, prepared.rendered.task_definition)
    if outcome.json:
        show_checks(checks, reporter)
    else:  # the list is what this command produces: on stdout, in full
        show_checks(checks, stdout_reporter(quiet), full=True)
    code = 1 if failed(checks) else 0
    outcome.record.fields.update(checks=checks_data(checks), summary=tally(checks))
    outcome.record.result = "failed" if code else "passed"
    outcome.record.message = ("verification failed: " if code else "verified: ") + ", ".join(
        f"{n} {status}" for status, n in tally(checks).items())
    outcome.finish(code)
