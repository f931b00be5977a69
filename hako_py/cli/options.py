"""Options shared by the commands: loading a definition, reaching AWS, output and verbosity."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hako_py.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

class FiniteFloat(click.FloatRange):
    """click.FloatRange that also refuses ``inf`` and ``nan`` (float() accepts both, and NaN passes
    every bound check): a usage error, never an internal error later (every float option uses it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        if not math.isfinite(converted):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return converted


POLL_HELP = "Seconds between status polls while following (adaptive; default 1)."
AWS_KEYS = ("region", "profile", "endpoint_url")


def _pairs(values: tuple[str, ...], option: str, *, from_env: bool) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not key:
            raise UsageError(f"{option}: expected KEY=VALUE, got '=' followed by a value")
        if not sep:
            if not from_env or key not in os.environ:
                raise UsageError(f"{option} {key!r}: expected KEY=VALUE (or KEY naming a set environment variable)")
            rest = os.environ[key]
        pairs.append((key, rest))
    return tuple(pairs)


def loader_options(func: F) -> F:
    """Add --ext-str, --ext-code, --jpath and --root."""
    decorators = [
        click.option("--ext-str", "ext_str", multiple=True, metavar="KEY=VALUE",
                     help="Jsonnet external string variable (std.extVar). KEY alone takes $KEY."),
        click.option("--ext-code", "ext_code", multiple=True, metavar="KEY=EXPR",
                     help="Jsonnet external code variable, e.g. --ext-code replicas=3."),
        click.option("-J", "--jpath", "jpath", multiple=True, metavar="DIR",
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Extra Jsonnet import folder, searched after the definition's own folder."),
        click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                     help="Repository root imports are confined to (default: inside git, the folder of the "
                          "outermost hako.toml under the git top level, else the top level; outside git, the "
                          "nearest folder with hako.toml, else the definition's own folder)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def build_load_options(
    ext_str: tuple[str, ...], ext_code: tuple[str, ...], jpath: tuple[Path, ...], root: Path | None,
    expand: bool = False,
) -> Any:
    # Not at the top: `hako validate` imports this module before it decides whether to start the
    # shared evaluation worker, and the loader's import should overlap that worker's start-up.
    from hako_py.loading import LoadOptions

    return LoadOptions(
        ext_str=_pairs(ext_str, "--ext-str", from_env=True),
        ext_code=_pairs(ext_code, "--ext-code", from_env=False),
        jpath=tuple(p.absolute() for p in jpath),
        root=root.absolute() if root else None,
        expand=expand,
    )


def aws_options(func: F) -> F:
    """Add --region, --profile and --endpoint-url (the standard boto3 chain does the rest)."""
    decorators = [
        click.option("--region", help="AWS region (default: scheduler.region, then AWS_REGION / config)."),
        click.option("--profile", help="AWS profile from ~/.aws/config."),
        click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL",
                     help="AWS endpoint (e.g. the sandbox's http://127.0.0.1:4566); also AWS_ENDPOINT_URL."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def split_aws(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of :func:`aws_options` taken out of a command's *kwargs*, and what is left
    (the values of :func:`loader_options`)."""
    aws = {key: kwargs.pop(key) for key in AWS_KEYS}
    return aws, kwargs


def _checked_tag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A tag Docker can pull (``--tag 'a b'`` used to reach ECS, which registers it, and the
    task then fails to start); checked before anything else runs."""
    from hako_py.image_references import tag_problem

    problem = tag_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


def tag_option(help: str) -> Callable[[F], F]:
    """``-t/--tag TAG`` for the app container, checked against Docker's tag grammar."""
    return click.option("-t", "--tag", help=help, callback=_checked_tag)


def output_option(func: F) -> F:
    """``-o/--output text|json``, as ``hako status`` has had it."""
    return click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
                        help="json: one JSON document on stdout describing the outcome (see README, "
                             "\"Output for scripts\"); progress stays on stderr.")(func)


def verbosity_options(func: F) -> F:
    """``-q/--quiet`` (problems only) and ``-v/--verbose`` (every preflight check)."""
    func = click.option("-v", "--verbose", is_flag=True, help="Also print every preflight check.")(func)
    return click.option("-q", "--quiet", is_flag=True,
                        help="Print problems only (failures, [NG] checks), no progress.")(func)
