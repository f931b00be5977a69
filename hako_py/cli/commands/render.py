"""``hako render FILE``: the ECS requests a definition becomes, without calling AWS."""

from __future__ import annotations

import sys
from typing import Any

import click

from hako_py.cli.checked import check_definition
from hako_py.cli.options import aws_options, loader_options, split_aws, tag_option
from hako_py.cli.output import dump, reporter, show
from hako_py.compare.masking import mask_requests
from hako_py.errors import HakoError


@click.command()
@click.argument("file", type=click.Path())
@click.option("--only", type=click.Choice(["task-definition", "service", "run-task"]),
              help="Print only this request (usable as --cli-input-json for the AWS CLI).")
@tag_option("Override the app container's image tag.")
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
    aws, loader = split_aws(loader)
    checked = check_definition(file, loader, reporter(), tag=tag, expand=expand)
    rendered = checked.rendered
    if with_scripts:
        # Only --with-scripts runs scripts: render alone imports neither boto3 nor the script plugins.
        from hako_py.cli.prepare import prepare

        rendered = prepare(checked, aws, hook="deploy_starting", tag=tag, dry_run=True, stderr=sys.stderr).rendered
    data: Any = rendered.as_dict()
    if not reveal_secrets:
        data = mask_requests(data)
    if only:
        key = {"task-definition": "taskDefinition", "service": "service", "run-task": "runTask"}[only]
        data = data[key]
        if data is None:
            raise HakoError(f"{checked.loaded.file}: defines no service (set scheduler.desired_count)")
    show(dump(data, fmt))
