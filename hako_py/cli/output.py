"""The CLI's one way to the terminal: a command's product on stdout, hako's words on stderr.

stdout carries what a command produces (validate's problems, render's requests, a diff, a
status, verify's checks, the document of ``--output json``), so a script can read it
while people watch stderr: progress, hints, confirmations and errors. Commands under
``hako_py.cli`` write only through this module (``tests/test_cli.py`` holds them to it),
so that split cannot drift one ``print`` at a time. The deploy, rollback, ... code outside
the CLI talks to people through the :class:`~hako_py.reporter.Reporter` made here.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from hako_py.reporter import Reporter, level_of


def reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    """People's channel, on stderr, at the level ``-q`` / ``-v`` ask for."""
    return Reporter(sys.stderr, level=level_of(quiet, verbose))


def stdout_reporter(quiet: bool = False) -> Reporter:
    """A command's product written line by line through the Reporter API (verify's checks, a
    live diff): on stdout, where the command's output goes."""
    return Reporter(sys.stdout, level=level_of(quiet, False))


def say(message: str, *, nl: bool = True) -> None:
    """Tell people something no ``-q`` silences: an error, ``no differences``, the sandbox's notes."""
    click.echo(message, err=True, nl=nl)


def show(text: str, *, nl: bool = True) -> None:
    """Write what the command produces, on stdout."""
    click.echo(text, nl=nl)


def write_output_file(path: str, text: str) -> None:
    """``--output-file PATH``: the full report beside the shortened one on stdout (a path that
    cannot be written is a usage error naming it)."""
    from hako_py.errors import UsageError

    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"--output-file {path}: {exc.strerror}") from None


def confirm(question: str) -> None:
    """Ask on the terminal (on stderr, like every prompt of hako's); "no" aborts (exit 130)."""
    click.confirm(question, abort=True, err=True)


def dump(data: Any, fmt: str) -> str:
    """*data* as JSON (``--format json``, the default) or YAML."""
    # Not at the top: the CLI imports this module at start-up (its error handler says errors
    # here), and ``hako --help`` imports neither; only --format yaml pays for PyYAML.
    if fmt == "yaml":
        import yaml

        text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
        return text.rstrip("\n")
    import json

    from hako_py.printable import json_text

    return json_text(json.dumps(data, indent=2, ensure_ascii=False))
