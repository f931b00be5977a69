"""``hako deploy FILE``: register, create or update the service, follow, roll back on failure.

The module defines the command and its options only: what a deploy runs (the pipeline, the
AWS facade, the planners and the executor, about 150 modules) is imported when it runs, so
``hako deploy --help`` costs what ``hako --help`` costs plus click's option parsing.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import click

from hako_py.cli.options import (
    POLL_HELP,
    FiniteFloat,
    aws_options,
    loader_options,
    output_option,
    split_aws,
    tag_option,
    verbosity_options,
)
from hako_py.errors import UsageError
from hako_py.interrupts import raising_on


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(), metavar="FILE|FOLDER...")
@click.option("--changed-since", metavar="REF",
              help="Deploy the apps whose rendered requests differ between git revision REF and the working tree "
                   "(as hako diff --base decides, through imports), plus added apps; PATHS default to the apps "
                   "folder of hako.toml.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=4, show_default=True,
              help="Many apps: how many deploy at the same time.")
@click.option("--fail-fast", is_flag=True, help="Many apps: start no new deploy after one failed.")
@click.option("--wave", metavar="K",
              help="Many apps: deploy only the selected apps of wave K of hako.toml's [deploy] waves (the apps in "
                   "no wave: one more than its last), e.g. one CI job per wave, each needing the previous.")
@click.option("--shard", metavar="K/N",
              help="Many apps: deploy only the K-th of N stable shards (a hash of the app id: a CI matrix). Refused "
                   "when the selected apps span several waves (shards run at the same time): add --wave.")
@click.option("--rate", type=FiniteFloat(min=0.1), default=10.0, show_default=True,
              help="Many apps: AWS requests per second shared by every app (a token bucket; bursts of as many).")
@tag_option("Image tag for the app container (default: the definition's, else latest); refused when more than one "
            "app is selected.")
@click.option("-f", "--force", is_flag=True,
              help="Register a new revision and force a new deployment even if unchanged.")
@click.option("-n", "--dry-run", is_flag=True, help="Show the diff and the requests that would be sent; send no write.")
@click.option("--timeout", type=FiniteFloat(min=0), default=1200, show_default=True,
              help="Seconds to wait for the rollout before treating it as failed.")
@click.option("--no-wait", is_flag=True, help="Return once the service is updated, without following the rollout.")
@click.option("--no-rollback", is_flag=True, help="On failure, leave the service as it is.")
@click.option("--poll-interval", type=FiniteFloat(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@click.option("--no-verify", is_flag=True, help="Skip the preflight checks of hako verify.")
@output_option
@verbosity_options
@aws_options
@loader_options
def deploy(paths: tuple[str, ...], changed_since: str | None, jobs: int, fail_fast: bool, wave: str | None,
           shard: str | None, rate: float, tag: str | None, force: bool, dry_run: bool, timeout: float, no_wait: bool,
           no_rollback: bool, poll_interval: float, no_verify: bool, output: str, quiet: bool, verbose: bool,
           **kwargs: Any) -> None:
    """Deploy an app: register its task definition if it changed, create or update the
    service, follow the rollout, and roll back if it fails.

    \b
    Many apps: hako deploy apps/ (a folder or several files), or hako deploy
    --changed-since origin/main (what a merge changed): -j at a time, waves from
    hako.toml (--wave K: one of them), --shard K/N for a CI matrix within one wave,
    a summary table at the end. Exit 0 only if every app ended deployed, updated,
    unchanged, started (--no-wait), dry-run, skipped as a batch app without
    schedules, or (a oneshot of a wave) succeeded; else 1. -t/--tag is refused for
    more than one app.

    \b
    Exit status: 0 deployed (or nothing to do), 1 failed (the service is rolled back to
    the revision it ran before, unless --no-rollback), 130 interrupted (SIGINT, also when
    started in the background) or 143 terminated (SIGTERM) while following: the deployment
    continues in ECS (many apps: a wave's running oneshot task is stopped, as hako oneshot
    stops it, and later waves are not started); 2 refused options (e.g. --shard over apps of
    several waves), before any request. Progress is on stderr; -o json prints the outcome
    on stdout.
    """
    many = (changed_since is not None or len(paths) != 1 or os.path.isdir(paths[0]) or shard is not None
            or wave is not None)
    if not many:
        with raising_on(signal.SIGINT):  # a job started in the background inherits SIGINT ignored
            _deploy(paths[0], tag, force, dry_run, timeout, no_wait, no_rollback, poll_interval, no_verify, output,
                    quiet, verbose, **kwargs)
    if not paths and changed_since is None:
        raise UsageError("hako deploy needs FILE (or folders, several files, or --changed-since REF)")
    from hako_py.cli.fleet_deploy import FleetSettings, deploy_fleet  # only for many apps
    from hako_py.deploy.deployer import DeployOptions
    from hako_py.deploy.follow import FollowSettings

    options = DeployOptions(force=force, dry_run=dry_run, wait=not no_wait, rollback=not no_rollback,
                            follow=FollowSettings(interval=poll_interval, timeout=timeout))
    settings = FleetSettings(jobs=jobs, fail_fast=fail_fast, shard=shard, wave=wave, changed_since=changed_since,
                             rate=rate, tag=tag, verify=not no_verify)
    aws, loader = split_aws(kwargs)
    with raising_on(signal.SIGINT):
        deploy_fleet(list(paths), settings, options, output, quiet, verbose, aws, loader)


def _deploy(file: str, tag: str | None, force: bool, dry_run: bool, timeout: float, no_wait: bool,
            no_rollback: bool, poll_interval: float, no_verify: bool, output: str, quiet: bool, verbose: bool,
            **kwargs: Any) -> None:
    from hako_py.cli.checked import check_definition
    from hako_py.cli.deploy_app import deploy_prepared
    from hako_py.cli.outcome import Outcome
    from hako_py.cli.output import reporter as make_reporter
    from hako_py.cli.prepare import prepare
    from hako_py.deploy.deployer import DeployOptions
    from hako_py.deploy.follow import FollowSettings

    outcome = Outcome("deploy", output, file)
    reporter = make_reporter(quiet, verbose)
    aws, loader = split_aws(kwargs)
    checked = check_definition(file, loader, reporter, outcome, tag=tag, need_service=True)
    prepared = prepare(checked, aws, hook="deploy_starting", tag=tag, dry_run=dry_run, stderr=sys.stderr,
                       quiet=reporter.quiet)
    outcome.record.fields.update(verification=None, timings={"verifySeconds": None, "rolloutSeconds": None})
    options = DeployOptions(force=force, dry_run=dry_run, wait=not no_wait, rollback=not no_rollback,
                            follow=FollowSettings(interval=poll_interval, timeout=timeout),
                            color=sys.stderr.isatty())
    outcome.finish(deploy_prepared(prepared, reporter, outcome.record, options, tag=tag, verify=not no_verify))
