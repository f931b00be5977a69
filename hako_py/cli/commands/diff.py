"""``hako diff``: live ECS vs a definition, or (``--base REF``) a git revision vs the working tree."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from hako_py.cli.options import aws_options, build_load_options, loader_options, split_aws, tag_option
from hako_py.cli.output import reporter, say, show, stdout_reporter, write_output_file
from hako_py.errors import UsageError


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
@tag_option("Image tag for the app container (live diff).")
@click.option("--exit-code", is_flag=True, help="Exit 2 when there are differences (with --base: also when a "
                                              "hako.toml setting changed), 0 when none (1 on errors).")
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
    aws, loader = split_aws(kwargs)
    if base is not None:
        _review(list(paths), base, fmt, output_file, exit_code, jobs, loader)
    if len(paths) != 1:
        raise UsageError("hako diff FILE compares one definition with AWS; use --base REF to review many")
    _live(paths[0], tag, exit_code, aws, loader)


def _review(paths: list[str], base: str, fmt: str, output_file: str | None, exit_code: bool, jobs: int | None,
            loader: dict[str, Any]) -> NoReturn:
    """``--base REF``; its modules only, not the live diff's (the deploy machinery): a review
    of many apps waits for this process to start before its workers can."""
    from hako_py.review import report
    from hako_py.review.reviewer import review

    result = review(paths, base, build_load_options(**loader), jobs=jobs)
    if result.revision is not None and result.revision.warnings:
        say(report.warnings(result), nl=False)
    if output_file is not None:
        write_output_file(output_file, report.render(result, fmt, full=True))
    show(report.render(result, fmt, color=sys.stdout.isatty()), nl=False)
    if result.broken:
        sys.exit(1)
    sys.exit(2 if exit_code and (result.changes or result.settings) else 0)


def _live(path: str, tag: str | None, exit_code: bool, aws: dict[str, Any], loader: dict[str, Any]) -> NoReturn:
    """A definition against its live service and task definition."""
    from hako_py.cli.checked import check_definition
    from hako_py.cli.prepare import as_deployed, clients_for, schedules_for, traffic_for
    from hako_py.deploy.service_ops import show_diff

    checked = check_definition(path, loader, reporter(), tag=tag)
    clients = clients_for(checked, aws)
    prepared, script_diff = as_deployed(checked, aws, tag=tag, clients=clients)  # e.g. nginx_front's front and conf
    app, rendered = prepared.app, prepared.rendered
    changed = show_diff(clients.ecs(), app, rendered, stdout_reporter(), color=sys.stdout.isatty(),
                        traffic=traffic_for(app, rendered, clients),
                        schedules=schedules_for(app, clients, rendered, tag,
                                                settings=checked.loaded.config.scripts))
    if script_diff:
        from hako_py.compare.diff import colorize

        stdout_reporter().line((colorize(script_diff) if sys.stdout.isatty() else script_diff).rstrip("\n"))
        changed = True
    if not changed:
        say(f"no differences: {checked.app.app_id} is as defined")
    sys.exit(2 if exit_code and changed else 0)
