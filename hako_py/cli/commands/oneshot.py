"""``hako oneshot FILE [options] [--] COMMAND [ARG...]``."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

import click

from hako_py.aws import ecr_auth, secret_values
from hako_py.cli.checked import check_definition
from hako_py.cli.options import FiniteFloat, aws_options, loader_options, split_aws, tag_option, verbosity_options
from hako_py.cli.output import reporter as make_reporter
from hako_py.cli.prepare import Prepared, preflight, prepare
from hako_py.errors import HakoError, UsageError
from hako_py.loading.providers import parse_env_file
from hako_py.local.engine import connect
from hako_py.oneshot.local_runner import LocalOptions, LocalRunner
from hako_py.oneshot.request import Overrides, oneshot_task_definition
from hako_py.oneshot.runner import EXIT_NOT_STARTED, OneshotOptions, OneshotRunner
from hako_py.redaction import remember


class OneshotCommand(click.Command):
    """Options may come before FILE or right after it; from the first word after FILE that is
    not one of our options (or after ``--``), everything goes to the container untouched."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.params:
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        help_names = ctx.help_option_names
        ours: list[str] = []
        file: str | None = None
        index = 0
        while index < len(args):
            token = args[index]
            if token == "--":
                index += 1
                if file is None and index < len(args):
                    file = args[index]
                    index += 1
                break
            name = token.split("=", 1)[0]
            if token.startswith("-") and token != "-" and (name in takes_value or token in help_names):
                ours.append(token)
                if takes_value.get(name) and "=" not in token and index + 1 < len(args):
                    ours.append(args[index + 1])
                    index += 1
                index += 1
                continue
            if file is None and not token.startswith("-"):
                file = token
                index += 1
                continue
            break
        command = args[index:]
        rebuilt = [*ours, *([file] if file is not None else []), "--", *command]
        return super().parse_args(ctx, rebuilt)


class _Runner(Protocol):
    started: bool


def _not_started_exits_125(command: Callable[..., None]) -> Callable[..., None]:
    """A failure of hako itself before the task started (a definition that does not load,
    no AWS or Docker reachable, a rejected key, a script that fails) exits 125, as when ECS
    cannot start it: a scheduler must tell "the job failed" (its own exit code, often 1)
    from "it could not be run". Usage errors keep 2; a failure after the start is the
    job's outcome as reported. Internal errors carry the code for ``cli.main``."""

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        runners: list[_Runner] = []
        try:
            command(runners=runners, **kwargs)
        except HakoError as exc:
            if exc.exit_code != UsageError.exit_code and not any(r.started for r in runners):
                exc.exit_code = EXIT_NOT_STARTED
            raise
        except Exception as exc:
            if not any(r.started for r in runners):
                exc.hako_exit_code = EXIT_NOT_STARTED  # type: ignore[attr-defined]
            raise

    return wrapper


@click.command(cls=OneshotCommand, context_settings={"ignore_unknown_options": True})
@click.argument("file", type=click.Path())
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@tag_option("Image tag for the app container.")
@click.option("-e", "--env", "env", multiple=True, metavar="NAME=VALUE",
              help="Extra environment variable (repeatable).")
@click.option("--cpu", "--app-cpu", "cpu", type=click.IntRange(min=0), help="CPU units for the app container.")
@click.option("--memory", "--app-memory", "memory", type=click.IntRange(min=6),
              help="Memory (MiB) for the app container: its hard limit.")
@click.option("--memory-reservation", "--app-memory-reservation", "memory_reservation", type=click.IntRange(min=6),
              help="Memory (MiB) reserved for the app container: its soft limit.")
@click.option("-c", "--container", "containers", multiple=True, metavar="NAME",
              help="Also start this sidecar (and the containers it depends on). Repeatable.")
@click.option("--timeout", type=FiniteFloat(min=0), help="Stop the task and exit 124 after SECONDS.")
@click.option("--no-wait", is_flag=True,
              help='Print one line {"cluster", "task_arn" (as hako), "taskArn", "taskDefinitionArn"} once started; '
                   'exit 0.')
@click.option("--attach-key", metavar="KEY",
              help="If a task started with the same KEY is still running, follow it instead of starting another.")
@click.option("--result-file", type=click.Path(dir_okay=False), help="Write a JSON summary of the run here.")
@click.option("-n", "--dry-run", is_flag=True,
              help="Print the RunTask request, without any AWS request (no preflight either).")
@click.option("--poll-interval", type=FiniteFloat(min=0.01), default=1.0, show_default=True,
              help="Seconds between task status and log polls.")
@click.option("--log-grace", type=FiniteFloat(0, 600), default=10.0, show_default=True, metavar="SECONDS",
              envvar="HAKO_LOG_GRACE",
              help="After the task stopped, read its log stream until it has been quiet this long "
                   "(CloudWatch Logs delivers the last lines late); also $HAKO_LOG_GRACE.")
@click.option("--no-verify", is_flag=True, help="Skip the preflight checks of hako verify.")
@click.option("--local", is_flag=True, help="Run the task on the local Docker engine instead of ECS.")
@click.option("--pull", type=click.Choice(["always", "missing", "never"]), default="missing", show_default=True,
              help="With --local: when to pull images.")
@click.option("--secrets-file", type=click.Path(exists=True, dir_okay=False),
              help="With --local: KEY=VALUE lines giving secret values (instead of reading SSM/Secrets Manager).")
@verbosity_options
@aws_options
@loader_options
@_not_started_exits_125
def oneshot(file: str, command: tuple[str, ...], tag: str | None, env: tuple[str, ...], cpu: int | None,
            memory: int | None, memory_reservation: int | None, containers: tuple[str, ...], timeout: float | None,
            no_wait: bool,
            attach_key: str | None, result_file: str | None, dry_run: bool, poll_interval: float,
            log_grace: float, no_verify: bool, local: bool, pull: str, secrets_file: str | None, quiet: bool,
            verbose: bool, runners: list[_Runner], **kwargs: Any) -> None:
    """Run the app once as an ECS task, like a local program: the app container's output
    (CloudWatch Logs, awslogs driver) on stdout, hako's own messages on stderr, and the
    app container's exit code as hako's.

    \b
    Examples:
      hako oneshot apps/batch.jsonnet -- bundle exec rake db:migrate
      hako oneshot apps/batch.jsonnet bundle exec rake -T
      hako oneshot -e DRY_RUN=1 --timeout 3600 apps/batch.jsonnet bin/nightly > out.txt

    \b
    Exit status: the app's exit code; 127 stopped without one; 125 could not start
    (also any failure of hako itself before the task started; 2 a usage error);
    124 timed out (task stopped); on SIGINT/SIGTERM the task is stopped and the exit
    status is the app's exit code, or 128 + the signal number. A failed preflight
    verification (see hako verify; --no-verify skips it) exits 125 before any write.
    The preflight is one line when every check is OK (-v lists them); -q prints only
    problems, so a successful run prints nothing but the app's output.
    """
    reporter = make_reporter(quiet, verbose)
    aws, kwargs = split_aws(kwargs)
    pairs = []
    for item in env:
        name, sep, value = item.partition("=")
        if not name or not sep:
            raise UsageError(f"--env {item!r}: expected NAME=VALUE")
        pairs.append((name, value))
    if result_file is not None:
        check_result_file(result_file)
    if memory is not None and memory_reservation is not None and memory_reservation > memory:
        raise UsageError(f"--memory-reservation {memory_reservation} is more than --memory {memory}")
    overrides = Overrides(command=command, env=tuple(pairs), cpu=cpu, memory=memory,
                          memory_reservation=memory_reservation)
    checked = check_definition(file, kwargs, reporter, tag=tag)
    prepared = prepare(checked, aws, hook="oneshot_starting", tag=tag, dry_run=dry_run, stderr=sys.stderr,
                       quiet=reporter.quiet)
    task_definition = oneshot_task_definition(prepared.app, containers, tag)  # once, for all that follows
    if local:
        sys.exit(_run_local(prepared, task_definition, overrides, containers, tag, timeout, pull, secrets_file,
                            runners, reporter.quiet))
    # a dry run sends no AWS request (the preflight reads)
    if not no_verify and not dry_run and not preflight(prepared, task_definition, reporter):
        reporter.problem("verification failed: no task was started (fix the [NG] items, or --no-verify)")
        sys.exit(EXIT_NOT_STARTED)
    clients = prepared.clients
    options = OneshotOptions(
        overrides=overrides, containers=containers, tag=tag, timeout=timeout, wait=not no_wait,
        attach_key=attach_key, result_file=result_file, dry_run=dry_run, interval=poll_interval, log_grace=log_grace,
    )
    runner = OneshotRunner(clients, clients.logs, sys.stdout, sys.stderr, options, scripts=prepared.scripts,
                           quiet=reporter.quiet)
    runners.append(runner)
    sys.exit(runner.run(prepared.app, prepared.rendered, task_definition))


def _run_local(prepared: Prepared, task_definition: dict[str, Any], overrides: Overrides,
               containers: tuple[str, ...], tag: str | None, timeout: float | None, pull: str,
               secrets_file: str | None, runners: list[_Runner], quiet: bool) -> int:
    secrets = None
    if secrets_file is not None:
        with open(secrets_file, encoding="utf-8") as handle:
            secrets = parse_env_file(handle.read())
        remember(secrets.values())  # never quoted back in an error message
    docker = connect()
    options = LocalOptions(overrides=overrides, containers=containers, tag=tag, timeout=timeout, pull=pull,
                           secrets_file=secrets)
    lookup = partial(secret_values.resolve, prepared.clients, default_region=prepared.app.region)
    runner = LocalRunner(docker, lambda name, value_from: lookup(name, value_from), sys.stdout, sys.stderr, options,
                         login=partial(ecr_auth.registry_login, prepared.clients), quiet=quiet)
    runners.append(runner)
    return runner.run(prepared.app, task_definition)


def check_result_file(path: str) -> None:
    """Refuse a --result-file that cannot be written before anything starts: a job that ran
    must never end in an error about its summary (and lose its exit code)."""
    real = os.path.realpath(path)  # what is written: a symlink's target, /dev/stdout's file
    if os.path.isdir(real):
        raise UsageError(f"--result-file {path}: is a folder")
    if os.path.exists(real) and not os.path.isfile(real):  # a device or FIFO: written to, not replaced
        if not os.access(real, os.W_OK):
            raise UsageError(f"--result-file {path}: is not writable")
        return
    folder = os.path.dirname(real) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"--result-file {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--result-file {path}: folder {folder} is not writable")
