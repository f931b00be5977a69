"""``hako``: the command-line entry point.

Heavy libraries (boto3, jsonschema, rich, moto, docker) are imported inside commands,
so ``hako --help`` and ``hako --version`` start fast.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import click

from hako_py import __version__
from hako_py.cli.options import aws_options, build_load_options, loader_options, output_option
from hako_py.cli.outcome import forget, report_error
from hako_py.errors import HakoError
from hako_py.printable import printable
from hako_py.redaction import forget_all, redact

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="hako")
def cli() -> None:
    """Deploy and run hako app definitions (Jsonnet/YAML) on Amazon ECS.

    \b
    An app definition has `scheduler` (where it runs), `app` (the main container),
    `sidecars`, `volumes` and `scripts`; see the README for every field.

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
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--changed-since", metavar="REF",
              help="Validate only definitions whose rendered output can have changed since git revision REF "
                   "(through imports too); PATHS default to the apps folder of hako.toml.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for many files (default: one per core when there are 64+ files).")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
@output_option
@loader_options
def validate(paths: tuple[str, ...], changed_since: str | None, strict: bool, jobs: int | None, quiet: bool,
             output: str, **loader: Any) -> None:
    """Validate definition files (or every definition directly inside a folder).

    Prints each problem as FILE: PATH: MESSAGE, all at once (-o json: each file's errors
    and warnings as JSON). Exit status: 0 when every file is valid, 1 when any is invalid
    (or has warnings under --strict).

    \b
    Examples:
      hako validate apps/web.jsonnet
      hako validate --strict apps/
      hako validate --changed-since origin/main
    """
    from hako_py.cli.outcome import Outcome
    from hako_py.cli.validate_command import parallel_workers, run_validate
    from hako_py.errors import UsageError
    from hako_py.paths import expand_paths
    from hako_py.workers.shared import prestart

    outcome = Outcome("validate", output)
    files = list(paths)
    if changed_since is None and parallel_workers(len(expand_paths(files)), jobs) == 1:
        prestart()  # it evaluates them (a pool would: then it is not started)
    load_options = build_load_options(**loader)
    if changed_since is not None:
        from hako_py.review.run import review

        result = review(files, changed_since, load_options, head_only=True)
        files = [str(Path(result_root()) / c.file) for c in result.changes]
        if not files:
            outcome.record.fields.update(files=[], summary={"files": 0, "invalid": 0, "warnings": 0})
            outcome.record.result, outcome.record.message = "valid", (
                f"no definition can have changed since {changed_since}")
            if not quiet:
                click.echo(outcome.record.message, err=True)
            outcome.finish(0)
        if parallel_workers(len(files), jobs) == 1:
            prestart()
    elif not files:
        raise UsageError("hako validate needs FILE or folder arguments (or --changed-since REF)")
    outcome.finish(run_validate(files, load_options, strict=strict, jobs=jobs, quiet=quiet, record=outcome.record,
                                as_json=outcome.json))


def result_root() -> str:
    """The git top level, where --changed-since results are relative to."""
    import os

    from hako_py.review.git import toplevel

    return os.path.relpath(toplevel(Path.cwd()))


@cli.command()
@click.argument("file", type=click.Path())
@click.option("--only", type=click.Choice(["task-definition", "service", "run-task"]),
              help="Print only this request (usable as --cli-input-json for the AWS CLI).")
@click.option("-t", "--tag", help="Override the app container's image tag.")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--expand", is_flag=True,
              help="Show values from std.native('provide.*') instead of ${key} placeholders.")
@click.option("--with-scripts", is_flag=True,
              help="Apply what the definition's scripts change in containers (e.g. the image tag jenkins_tag or "
                   "ecr_tag resolves); scripts run as under --dry-run and may call Jenkins/AWS read APIs.")
@click.option("--reveal-secrets", is_flag=True,
              help="Print the values of env entries whose names look secret (hidden as <masked> otherwise).")
@aws_options
@loader_options
def render(file: str, only: str | None, tag: str | None, fmt: str, expand: bool, with_scripts: bool,
           reveal_secrets: bool, **loader: Any) -> None:
    """Print the ECS requests a definition becomes, without calling AWS.

    Output is {"taskDefinition": ..., "service": ... | null, "runTask": ...}: the
    RegisterTaskDefinition request, the CreateService request (null for a batch-only
    app, i.e. one without scheduler.desired_count) and the RunTask request a oneshot
    sends (before per-run overrides). Values of env entries whose names look secret
    (PASSWORD, TOKEN, API_KEY, ...) print as <masked> unless --reveal-secrets.

    \b
    Example:
      aws ecs register-task-definition \\
        --cli-input-json "$(hako render --expand --reveal-secrets --only task-definition apps/web.jsonnet)"
    """
    from hako_py.cli.hints import warnings_hint
    from hako_py.cli.output import dump
    from hako_py.pipeline import check_file
    from hako_py.render import RenderOptions
    from hako_py.reporter import Reporter

    aws = {k: loader.pop(k) for k in ("region", "profile", "endpoint_url")}
    checked = check_file(file, build_load_options(**loader, expand=expand), RenderOptions(tag=tag))
    warnings_hint(checked, Reporter(sys.stderr))
    rendered = checked.rendered
    if with_scripts:
        from hako_py.cli.prepare import prepare

        rendered = prepare(checked, aws, hook="deploy_starting", tag=tag, dry_run=True, stderr=sys.stderr).rendered
    data: Any = rendered.as_dict()
    if not reveal_secrets:
        from hako_py.masking import mask_requests

        data = mask_requests(data)
    if only:
        key = {"task-definition": "taskDefinition", "service": "service", "run-task": "runTask"}[only]
        data = data[key]
        if data is None:
            raise HakoError(f"{checked.loaded.file}: defines no service (set scheduler.desired_count)")
    click.echo(dump(data, fmt))


@cli.command("show-definition")
@click.argument("file", type=click.Path())
@click.option("--expand", is_flag=True,
              help="Show values from std.native('provide.*') instead of ${key} placeholders.")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--reveal-secrets", is_flag=True,
              help="Print the values of env entries whose names look secret (hidden as <masked> otherwise).")
@loader_options
def show_definition(file: str, expand: bool, fmt: str, reveal_secrets: bool, **loader: Any) -> None:
    """Print the evaluated definition (as the original hako's show-definition does); values
    of env entries whose names look secret print as <masked> unless --reveal-secrets."""
    from hako_py.cli.output import dump
    from hako_py.loading import load_definition
    from hako_py.masking import mask_definition

    loaded = load_definition(file, build_load_options(**loader, expand=expand))
    click.echo(dump(loaded.as_written if reveal_secrets else mask_definition(loaded.as_written), fmt))


@cli.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of app definitions, for editors and CI."""
    import json

    from hako_py.schema.build import build_schema

    click.echo(json.dumps(build_schema(), indent=2, ensure_ascii=False))


def _register_commands() -> None:
    from hako_py.cli.oneshot_command import oneshot
    from hako_py.cli.sandbox_command import sandbox
    from hako_py.cli.service_commands import COMMANDS

    for command in (*COMMANDS, oneshot, sandbox):
        cli.add_command(command)


_register_commands()


# Commands that evaluate definitions (in a budgeted worker process, see hako_py/workers).
# (validate starts it itself, only when it evaluates files one by one)
EVALUATING_COMMANDS = frozenset({"render", "show-definition", "deploy", "diff", "rollback", "status", "stop", "remove",
                                 "verify", "oneshot", "sandbox"})


def _prestart_worker(args: list[str]) -> None:
    """Start the evaluation worker before the command imports its modules: its own start-up
    (~0.15 s) then overlaps theirs instead of following it."""
    if args and args[0] in EVALUATING_COMMANDS and not {"-h", "--help"} & set(args):
        from hako_py.workers.shared import prestart

        prestart()


def main(argv: list[str] | None = None) -> None:
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
        sys.stderr.write(printable(redact(shown.getvalue())))
        report_error(redact(exc.format_message()), exc.exit_code)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        report_error("aborted", 130)
        sys.exit(130)
    except HakoError as exc:
        click.echo(printable(str(exc)), err=True)
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
        if os.environ.get("HAKO_DEBUG"):
            worker_traceback = getattr(exc, "worker_traceback", None)
            if worker_traceback:
                sys.stderr.write(worker_traceback)
            raise
        message = (f"hako: internal error: {type(exc).__name__}: {printable(redact(str(exc)))} (set HAKO_DEBUG=1 "
                   "for a traceback; please report it)")
        click.echo(message, err=True)
        report_error(message, 70)
        sys.exit(70)
    sys.exit(0)


