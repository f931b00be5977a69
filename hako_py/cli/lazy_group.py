"""A click group that imports a command's module only when that command runs.

Each command lives in ``hako_py.cli.commands.<name>`` and imports what it needs at its
top (boto3, the pipeline, the renderer...; ``deploy`` only when it runs). Importing them all to build the group would
make ``hako --help`` and ``hako --version`` pay for every command, so the group keeps a
static table instead: name → (module, short help). ``hako --help`` lists the commands
from the table; ``hako deploy ...`` imports ``hako_py.cli.commands.deploy`` and nothing
of the other commands. This is click's documented lazy-group pattern, plus the short
help, so that listing the commands imports none of them (``tests/test_cli.py`` checks
that each entry's help is its command's own).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command is and what ``hako --help`` says of it before it is imported."""

    module: str
    """The module defining the command, as an attribute named like the command (``-`` → ``_``)."""
    help: str
    """The command's short help: the first sentence of its docstring (click shortens it to fit)."""


class LazyGroup(click.Group):
    """A :class:`click.Group` whose commands (*lazy_commands*) are imported on first use."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy_commands.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # a stand-in carrying the short help: listing imports nothing
            return click.Command(cmd_name, help=entry.help)
        return load_command(cmd_name, entry)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing (same widths and shortening), made from the table."""
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def load_command(name: str, entry: LazyCommand) -> click.Command:
    """Import the module of command *name* and return the command it defines."""
    command = getattr(importlib.import_module(entry.module), name.replace("-", "_"))
    if not isinstance(command, click.Command):
        raise TypeError(f"{entry.module}.{name.replace('-', '_')} is not a click command")
    return command
