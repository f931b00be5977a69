"""Commands that act on an app's ECS service: deploy, diff, rollback, status, stop, remove."""

from __future__ import annotations

import sys
from typing import Any

import click

from hako_py.cli.options import aws_options, build_load_options, loader_options, output_option, verbosity_options
from hako_py.cli.outcome import Outcome

POLL_HELP = "Seconds between status polls while following (adaptive; default 1)."


def _prepare(file: str, loader: dict[str, Any], reporter: Any, outcome: Outcome | None = None, *,
             tag: str | None = None, expand: bool = True, need_service: bool = False) -> Any:
    """Load, validate and render the definition; its warnings become a one-line hint (see hints.py)."""
    from hako_py.cli.hints import warnings_hint
    from hako_py.errors import HakoError
    from hako_py.pipeline import check_file
    from hako_py.render import RenderOptions

    checked = check_file(file, build_load_options(**loader, expand=expand), RenderOptions(tag=tag))
    if outcome is not None:
        outcome.describe(checked)
    warnings_hint(checked, reporter)
    if need_service and not checked.app.has_service:
        raise HakoError(f"{checked.loaded.file}: defines no service (no scheduler.desired_count); "
                        f"run it with: hako oneshot {checked.loaded.file} -- COMMAND")
    return checked


def _ecs(checked: Any, aws: dict[str, Any]) -> Any:
    from hako_py.cli.prepare import clients_for

    return clients_for(checked, aws).ecs()


def _traffic(app: Any, clients: Any) -> Any:
    """The app's load balancer / Cloud Map / autoscaling manager, or None when it declares none."""
    from hako_py.traffic.manager import Traffic, declares_traffic

    return Traffic(clients, app) if declares_traffic(app) else None


def _configured_scripts(checked: Any, clients: Any, dry_run: bool) -> Any:
    """The definition's scripts for commands without a *_starting hook (rollback, remove)."""
    from hako_py.scripts.base import ScriptContext
    from hako_py.scripts.runner import ScriptSet

    scripts = ScriptSet(checked.app, ScriptContext(checked.app, dry_run=dry_run, aws=clients, stderr=sys.stderr,
                                                       settings=checked.loaded.config.scripts))
    scripts.fire("configure")
    return scripts


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    aws = {k: kwargs.pop(k) for k in ("region", "profile", "endpoint_url")}
    return aws, kwargs


def _reporter(quiet: bool = False, verbose: bool = False) -> Any:
    """People's channel: stderr (stdout is for what the command produces)."""
    from hako_py.reporter import Reporter, level_of

    return Reporter(sys.stderr, level=level_of(quiet, verbose))


@click.command()
@click.argument("file", type=click.Path())
@click.option("-t", "--tag", help="Image tag for the app container (default: the definition's, else latest).")
@click.option("--force", is_flag=True, help="Register a new revision and force a new deployment even if unchanged.")
@click.option("--dry-run", is_flag=True, help="Show the diff and the requests that would be sent; send no write.")
@click.option("--timeout", type=click.FloatRange(min=0), default=1200, show_default=True,
              help="Seconds to wait for the rollout before treating it as failed.")
@click.option("--no-wait", is_flag=True, help="Return once the service is updated, without following the rollout.")
@click.option("--no-rollback", is_flag=True, help="On failure, leave the service as it is.")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@click.option("--no-verify", is_flag=True, help="Skip the preflight checks of hako verify.")
@output_option
@verbosity_options
@aws_options
@loader_options
def deploy(file: str, tag: str | None, force: bool, dry_run: bool, timeout: float, no_wait: bool,
           no_rollback: bool, poll_interval: float, no_verify: bool, output: str, quiet: bool, verbose: bool,
           **kwargs: Any) -> None:
    """Deploy an app: register its task definition if it changed, create or update the
    service, follow the rollout, and roll back if it fails.

    \b
    Exit status: 0 deployed (or nothing to do), 1 failed (the service is rolled back to
    the revision it ran before, unless --no-rollback), 130 interrupted (SIGINT, also when
    started in the background) or 143 terminated (SIGTERM) while following: the deployment
    continues in ECS. Progress is on stderr; -o json prints the outcome on stdout.
    """
    import signal

    from hako_py.interrupts import raising_on

    with raising_on(signal.SIGINT):  # a job started in the background inherits SIGINT ignored
        _deploy(file, tag, force, dry_run, timeout, no_wait, no_rollback, poll_interval, no_verify, output, quiet,
                verbose, **kwargs)


def _deploy(file: str, tag: str | None, force: bool, dry_run: bool, timeout: float, no_wait: bool,
            no_rollback: bool, poll_interval: float, no_verify: bool, output: str, quiet: bool, verbose: bool,
            **kwargs: Any) -> None:
    from hako_py.cli.prepare import preflight
    from hako_py.cli.prepare import prepare as prepare_scripts
    from hako_py.deploy.deployer import Deployer, DeployOptions
    from hako_py.deploy.follow import FollowSettings

    outcome = Outcome("deploy", output, file)
    reporter = _reporter(quiet, verbose)
    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, reporter, outcome, tag=tag, need_service=True)
    prepared = prepare_scripts(checked, aws, hook="deploy_starting", tag=tag, dry_run=dry_run, stderr=sys.stderr)
    outcome.record.fields.update(verification=None, timings={"verifySeconds": None, "rolloutSeconds": None})

    def verified() -> bool:
        reporter.detail(f"Verifying {prepared.app.app_id} before changing anything")
        return preflight(prepared, prepared.rendered.task_definition, reporter, outcome.record)

    options = DeployOptions(force=force, dry_run=dry_run, wait=not no_wait, rollback=not no_rollback,
                            follow=FollowSettings(interval=poll_interval, timeout=timeout),
                            color=sys.stderr.isatty())
    deployer = Deployer(prepared.clients.ecs(), reporter, options, scripts=prepared.scripts,
                        preflight=None if no_verify else verified, traffic=_traffic(prepared.app, prepared.clients),
                        record=outcome.record)
    outcome.finish(deployer.deploy(prepared.app, prepared.rendered))


@click.command()
@click.argument("file", type=click.Path())
@click.option("-t", "--tag", help="Image tag for the app container.")
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
    from hako_py.cli.checks_output import checks_data, show_checks, tally
    from hako_py.cli.prepare import prepare, run_checks
    from hako_py.reporter import Reporter, level_of
    from hako_py.verify.check import failed

    outcome = Outcome("verify", output, file)
    reporter = _reporter(quiet)
    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, reporter, outcome, tag=tag)
    hook = "oneshot_starting" if for_oneshot else "deploy_starting"
    prepared = prepare(checked, aws, hook=hook, tag=tag, dry_run=True, stderr=sys.stderr)
    checks = run_checks(prepared, prepared.rendered.task_definition)
    if outcome.json:
        show_checks(checks, reporter)
    else:  # the list is what this command produces: on stdout, in full
        show_checks(checks, Reporter(sys.stdout, level=level_of(quiet, False)), full=True)
    code = 1 if failed(checks) else 0
    outcome.record.fields.update(checks=checks_data(checks), summary=tally(checks))
    outcome.record.result = "failed" if code else "passed"
    outcome.record.message = ("verification failed: " if code else "verified: ") + ", ".join(
        f"{n} {status}" for status, n in tally(checks).items())
    outcome.finish(code)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", metavar="REF",
              help="Compare with git revision REF instead of AWS: every definition under PATHS (default: the "
                   "apps folder of hako.toml), rendered at REF and in the working tree.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="Output format with --base (markdown is made for PR comments).")
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), metavar="PATH",
              help="With --base: also write the full report (never shortened) in the chosen format to PATH, "
                   "e.g. for a workflow artifact beside a shortened PR comment.")
@click.option("-t", "--tag", help="Image tag for the app container (live diff).")
@click.option("--exit-code", is_flag=True, help="Exit 2 when there are differences, 0 when none (1 on errors).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for --base (default: one per core).")
@aws_options
@loader_options
def diff(paths: tuple[str, ...], base: str | None, fmt: str, output_file: str | None, tag: str | None,
         exit_code: bool, jobs: int | None, **kwargs: Any) -> None:
    """Show what would change: live ECS vs a definition, or (with --base REF) a git revision
    vs the working tree for every app, without touching AWS.

    \b
    Live:   hako diff apps/web.jsonnet
    Review: hako diff --base origin/main --format markdown
    \b
    Both sides are normalized the same way (API defaults filled, read-only fields
    dropped, unordered lists sorted), so only real changes show. Values of env entries
    whose names look secret are masked. With --base, an app counts as changed only when
    its rendered requests change, including through a shared library it imports.
    """
    from hako_py.errors import UsageError

    aws, loader = _split(kwargs)
    if base is not None:
        from hako_py.review import report
        from hako_py.review.reviewer import review

        result = review(list(paths), base, build_load_options(**loader), jobs=jobs)
        if output_file is not None:
            try:
                with open(output_file, "w", encoding="utf-8") as handle:
                    handle.write(report.render(result, fmt, full=True))
            except OSError as exc:
                raise UsageError(f"--output-file {output_file}: {exc.strerror}") from None
        click.echo(report.render(result, fmt, color=sys.stdout.isatty()), nl=False)
        if result.broken:
            sys.exit(1)
        sys.exit(2 if exit_code and result.changes else 0)
    if len(paths) != 1:
        raise UsageError("hako diff FILE compares one definition with AWS; use --base REF to review many")
    from hako_py.cli.prepare import clients_for
    from hako_py.deploy.service_ops import show_diff
    from hako_py.reporter import Reporter

    checked = _prepare(paths[0], loader, _reporter(), tag=tag)
    clients = clients_for(checked, aws)
    changed = show_diff(clients.ecs(), checked.app, checked.rendered, Reporter(sys.stdout), color=sys.stdout.isatty(),
                        traffic=_traffic(checked.app, clients))
    if not changed:
        click.echo(f"no differences: {checked.app.app_id} is as defined", err=True)
    sys.exit(2 if exit_code and changed else 0)


@click.command()
@click.argument("file", type=click.Path())
@click.option("--to", "to", type=int, metavar="REVISION", help="Roll back to this revision of the family.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; send no write.")
@click.option("--timeout", type=click.FloatRange(min=0), default=1200, show_default=True)
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress.")
@aws_options
@loader_options
def rollback(file: str, to: int | None, dry_run: bool, timeout: float, poll_interval: float, output: str,
             quiet: bool, **kwargs: Any) -> None:
    """Put the service back on the previous ACTIVE revision (or --to REVISION).

    The revision rolled back from is deregistered, as the original hako does, so
    repeated rollbacks walk back through history.
    """
    from hako_py.cli.prepare import clients_for
    from hako_py.deploy.follow import FollowSettings
    from hako_py.deploy.service_ops import rollback as do_rollback
    from hako_py.scripts.base import ScriptContext
    from hako_py.scripts.runner import ScriptSet

    outcome = Outcome("rollback", output, file)
    reporter = _reporter(quiet)
    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, reporter, outcome)
    settings = FollowSettings(interval=poll_interval, timeout=timeout)
    clients = clients_for(checked, aws)
    scripts = ScriptSet(checked.app, ScriptContext(checked.app, dry_run=dry_run, aws=clients, stderr=sys.stderr,
                                                       settings=checked.loaded.config.scripts))
    scripts.fire("configure")
    outcome.finish(do_rollback(clients.ecs(), checked.app, reporter, settings, to=to, dry_run=dry_run,
                               scripts=scripts, record=outcome.record))


@click.command()
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
@loader_options
def status(file: str, output: str, **kwargs: Any) -> None:
    """Show the service's deployments, running tasks and last 10 events; with load balancers,
    their DNS names, listeners and target health; with Cloud Map, the registered instances;
    with autoscaling, its bounds, policies and recent scaling activities."""
    from hako_py.cli.prepare import clients_for
    from hako_py.deploy.service_ops import format_status, service_status

    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, _reporter())
    clients = clients_for(checked, aws)
    click.echo(format_status(service_status(clients.ecs(), checked.app, _traffic(checked.app, clients)), output))


@click.command()
@click.argument("file", type=click.Path())
@click.option("--dry-run", is_flag=True, help="Say what would happen; send no write.")
@click.option("--no-wait", is_flag=True, help="Return once the desired count is 0, without following the tasks.")
@click.option("--timeout", type=click.FloatRange(min=0), default=1200, show_default=True,
              help="Seconds to wait for the tasks to stop before giving up (exit 1; they go on stopping).")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=1.0, show_default=True, help=POLL_HELP)
@output_option
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress.")
@aws_options
@loader_options
def stop(file: str, dry_run: bool, no_wait: bool, timeout: float, poll_interval: float, output: str, quiet: bool,
         **kwargs: Any) -> None:
    """Scale the service to 0 tasks (it stays defined; deploy brings it back), then follow
    the tasks until none runs, printing the service's events as deploy does."""
    from hako_py.deploy.follow import FollowSettings
    from hako_py.deploy.service_ops import stop as do_stop

    outcome = Outcome("stop", output, file)
    reporter = _reporter(quiet)
    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, reporter, outcome)
    outcome.finish(do_stop(_ecs(checked, aws), checked.app, reporter, dry_run=dry_run, wait=not no_wait,
                           settings=FollowSettings(interval=poll_interval, timeout=timeout), record=outcome.record))


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
    target. Resources hako did not create (no hako:app tag for this app) are kept.
    Asks for confirmation on a terminal."""
    from hako_py.deploy.service_ops import remove as do_remove
    from hako_py.errors import HakoError

    outcome = Outcome("remove", output, file)
    reporter = _reporter(quiet)
    aws, loader = _split(kwargs)
    checked = _prepare(file, loader, reporter, outcome)
    if not yes and not dry_run:
        if not sys.stdin.isatty():
            raise HakoError(f"refusing to remove {checked.app.app_id} without confirmation: pass --yes")
        click.confirm(f"Remove service {checked.app.app_id} from cluster {checked.app.cluster}?", abort=True,
                      err=True)
    from hako_py.cli.prepare import clients_for

    clients = clients_for(checked, aws)
    scripts = _configured_scripts(checked, clients, dry_run)
    scripts.fire("remove_starting")
    code = do_remove(clients.ecs(), checked.app, reporter, dry_run=dry_run, traffic=_traffic(checked.app, clients),
                     record=outcome.record)
    scripts.fire("remove_finished")
    outcome.finish(code)


COMMANDS = (deploy, diff, rollback, status, stop, remove, verify)
