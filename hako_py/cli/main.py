"""``hako``: the command-line entry point.

Each command is a module of :mod:`hako_py.cli.commands`, imported only when it runs (the
table below gives ``hako --help`` their short help), so ``hako --help`` and ``hako --version``
import none of them, nor the heavy libraries they use (boto3, jsonschema, rich, moto, docker).
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import click

from hako_py import __version__
from hako_py.cli.lazy_group import LazyCommand, LazyGroup
from hako_py.cli.outcome import forget, report_error
from hako_py.cli.output import say, show
from hako_py.errors import HakoError
from hako_py.printable import InertStream, printable
from hako_py.redaction import forget_all, redact

CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _command(name: str, short_help: str) -> LazyCommand:
    return LazyCommand(f"hako_py.cli.commands.{name.replace('-', '_')}", short_help)


# name → (module, short help); tests/test_cli.py checks each help against its command's docstring.
COMMANDS = {
    "deploy": _command("deploy", "Deploy an app: register its task definition if it changed, create or update the "
                                 "service, follow the rollout, and roll back if it fails."),
    "diff": _command("diff", "Show what would change: live ECS vs a definition, or (with --base REF) a git revision "
                             "vs the working tree for every app, without touching AWS."),
    "drift": _command("drift", "Compare every app's live service and task definition with the repository, as hako "
                               "diff FILE does, and list the services in their clusters that no definition "
                               "describes."),
    "oneshot": _command("oneshot", "Run the app once as an ECS task, like a local program: the app container's "
                                   "output (CloudWatch Logs, awslogs driver) on stdout, hako's own messages on "
                                   "stderr, and the app container's exit code as hako's."),
    "remove": _command("remove", "Scale the service to 0 and delete it, then delete what hako created for it: the "
                                 "load balancer, target group and listener rule (elb_v2), Cloud Map services and "
                                 "the scalable target, and the app's schedules (<appId>.<name> in hako's schedule "
                                 "groups)."),
    "render": _command("render", "Print the ECS requests a definition becomes, without calling AWS."),
    "rollback": _command("rollback", "Put the service back on the previous ACTIVE revision (or --to REVISION)."),
    "sandbox": _command("sandbox", "Run an embedded AWS endpoint (moto) with a simulated ECS scheduler."),
    "schedule": _command("schedule", "Run, list and look back at the scheduled jobs definitions declare "
                                     "(schedules)."),
    "schema": _command("schema", "Print the JSON Schema (draft 2020-12) of app definitions, for editors and CI."),
    "show-definition": _command("show-definition", "Print the evaluated definition (as the original hako's "
                                                   "show-definition does); values of env entries whose names "
                                                   "look secret print as <masked> unless --reveal-secrets."),
    "status": _command("status", "Show the service's deployments, running tasks and last 10 events; with load "
                                 "balancers, their DNS names, listeners and target health; with Cloud Map, the "
                                 "registered instances; with autoscaling, its bounds, policies and recent scaling "
                                 "activities; with schedules, their next run times and last runs."),
    "stop": _command("stop", "Scale the service to 0 tasks (it stays defined; deploy brings it back), then follow "
                             "the tasks until none runs, printing the service's events as deploy does."),
    "validate": _command("validate", "Validate definition files (or every definition directly inside a folder)."),
    "verify": _command("verify", "Check, without side effects and without reading any secret's value, that what "
                                 "the app needs exists: cluster, images (ECR), secrets (SSM / Secrets Manager), "
                                 "task and execution roles trusting ecs-tasks.amazonaws.com, log groups, subnets, "
                                 "security groups and capacity providers."),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "-V", "-v", "--version", prog_name="hako")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Deploy and run hako app definitions (Jsonnet/YAML) on Amazon ECS.

    \b
    An app definition has `scheduler` (where it runs), `app` (the main container),
    `sidecars`, `volumes`, `scripts` and `schedules` (jobs EventBridge Scheduler
    runs: cron/rate/at expressions, time zone, command, env, role_arn); see the
    README for every field.

    \b
    Offline commands (no AWS needed):
      hako validate apps/                  check every definition in apps/
      hako render apps/web.jsonnet         print the ECS requests it becomes
      hako show-definition apps/web.jsonnet
      hako schema > definition.schema.json JSON Schema for editors
      hako diff --base origin/main         PR review: what a change does to every app

    \b
    Against ECS (or the embedded sandbox: hako sandbox --seed apps/ &, then
    export AWS_ENDPOINT_URL=http://127.0.0.1:4566):
      hako deploy apps/web.jsonnet         register, update, follow, roll back on failure
      hako diff apps/web.jsonnet           live vs local
      hako status / rollback / stop / remove / verify apps/web.jsonnet
      hako oneshot apps/batch.jsonnet -- bundle exec rake -T
      hako oneshot --local apps/batch.jsonnet -- bin/job   (on the local Docker engine)

    \b
    Many apps (fleet):
      hako deploy apps/ -j 4               every definition, waves from hako.toml, a summary
      hako deploy --changed-since origin/main   what a merge changed
      hako drift --format markdown         live vs repository for every app (nightly)

    \b
    Scheduled jobs (schedules in the definition; hako deploy creates them):
      hako schedule list                   every schedule with its next run times (offline)
      hako schedule run apps/batch.jsonnet nightly   one run now, as the schedule would
      hako schedule history apps/batch.jsonnet       past runs with their exit codes
    """
    if ctx.invoked_subcommand is None:
        # Bare ``hako`` is a request for help, as in the original hako (lib/hako/cli.rb:30-35,
        # stdout, exit 0), not click's usage error (stderr, exit 2).
        show(ctx.get_help())


# Commands that evaluate definitions (in a budgeted worker process, see hako_py/workers).
# (validate starts it itself, only when it evaluates files one by one)
EVALUATING_COMMANDS = frozenset({"render", "show-definition", "deploy", "diff", "drift", "rollback", "status", "stop",
                                 "remove", "verify", "oneshot", "sandbox"})


def _prestart_worker(args: list[str]) -> None:
    """Start the evaluation worker before the command imports its modules: its own start-up
    (~0.15 s) then overlaps theirs instead of following it."""
    if args and args[0] in EVALUATING_COMMANDS and not {"-h", "--help"} & set(args):
        from hako_py.workers.shared import prestart  # not at the top: hako --help does without it

        prestart()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with workflow commands defused in all it writes (see hako_py.printable)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(sys.stdout), InertStream(sys.stderr)
    try:
        _main(argv)
    finally:
        sys.stdout, sys.stderr = saved
        _write_render_cache()


def _write_render_cache() -> None:
    """Write what the command stored in the render cache, one file per kind (see
    loading.render_cache); imported only when the command used the cache."""
    if "hako_py.loading.render_cache" in sys.modules:
        from hako_py.loading.render_cache import flush

        flush()


def _main(argv: list[str] | None) -> None:
    """Run the CLI; user errors become one located message and a non-zero exit."""
    forget_all()
    forget()
    _prestart_worker(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=argv, prog_name="hako", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        shown = io.StringIO()  # click echoes bad option values back; hide remembered secrets
        exc.show(file=shown)
        say(printable(redact(shown.getvalue())), nl=False)
        report_error(redact(exc.format_message()), exc.exit_code)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        say("Aborted.")
        report_error("aborted", 130)
        sys.exit(130)
    except HakoError as exc:
        say(printable(str(exc)))
        report_error(str(exc), exc.exit_code)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as interrupt:
        from hako_py.interrupts import exit_code  # not at the top: hako --help stays fast

        code = exit_code(interrupt)
        report_error("interrupted", code)
        sys.exit(code)
    except BrokenPipeError:
        os._exit(0)
    except Exception as exc:
        from hako_py.aws.errors import escaped_botocore_error  # not at the top: hako --help stays fast

        aws_error = escaped_botocore_error(exc)
        if aws_error is not None:  # the user's AWS setup (credentials, config), not a bug of hako
            code = getattr(exc, "hako_exit_code", aws_error.exit_code)
            say(printable(str(aws_error)))
            report_error(str(aws_error), code)
            sys.exit(code)
        if os.environ.get("HAKO_DEBUG"):
            worker_traceback = getattr(exc, "worker_traceback", None)
            if worker_traceback:
                say(worker_traceback, nl=False)
            raise
        message = (f"hako: internal error: {type(exc).__name__}: {printable(redact(str(exc)))} (set HAKO_DEBUG=1 "
                   "for a traceback; please report it)")
        code = getattr(exc, "hako_exit_code", 70)  # a command's own code for its internal errors
        say(message)
        report_error(message, code)
        sys.exit(code)
    sys.exit(0)


