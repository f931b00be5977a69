"""``hako show-definition FILE``: the evaluated definition, as the original hako prints it."""

from __future__ import annotations

from typing import Any

import click

from hako_py.cli.options import build_load_options, loader_options
from hako_py.cli.output import dump, show
from hako_py.compare.masking import mask_definition
from hako_py.loading import load_definition


@click.command("show-definition")
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
    loaded = load_definition(file, build_load_options(**loader, expand=expand))
    show(dump(loaded.as_written if reveal_secrets else mask_definition(loaded.as_written), fmt))
