"""``hako schema``: the JSON Schema of app definitions, for editors and CI."""

from __future__ import annotations

import json

import click

from hako_py.cli.output import show
from hako_py.schema.build import build_schema


@click.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of app definitions, for editors and CI."""
    show(json.dumps(build_schema(), indent=2, ensure_ascii=False))
