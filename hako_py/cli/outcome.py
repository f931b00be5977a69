"""``--output json``: one JSON document on stdout describing what a command did.

Every such document starts with the same keys (the shapes are in the README, "Output for
scripts"): ``command``, ``file``, ``app``, ``cluster``, ``result``, ``message``, ``exitCode``,
then the command's own keys, then ``warnings``, ``startedAt``, ``finishedAt`` and
``durationSeconds``. People's progress stays on stderr, so ``hako deploy -o json > out.json``
shows the deploy and leaves a document to read.

A command that fails with an error still writes its document (``result: "error"``): the CLI's
error handler calls :func:`report_error` for the command under way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from hako_py.formatting import iso, to_json
from hako_py.record import Record

F = TypeVar("F", bound=Callable[..., Any])

_current: Outcome | None = None


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


class Outcome:
    """The document of one command; :meth:`finish` prints it (with ``--output json``) and exits."""

    def __init__(self, command: str, output: str, file: str | None = None) -> None:
        global _current
        self.command = command
        self.json = output == "json"
        self.record = Record()
        self.about: dict[str, Any] = {"file": file, "app": None, "cluster": None}
        self.warnings: list[dict[str, Any]] = []
        self.started_at = time.time()
        self.started = time.monotonic()
        _current = self

    def describe(self, checked: Any) -> None:
        """What the definition says: the file as given, the app, its cluster, its warnings."""
        self.about.update(file=checked.loaded.file, app=checked.app.app_id, cluster=checked.app.cluster)
        self.warnings = [{"path": w.path or None, "message": w.message} for w in checked.warnings]

    def document(self, code: int) -> dict[str, Any]:
        finished = time.time()
        return {
            "command": self.command, **self.about,
            "result": self.record.result or ("ok" if code == 0 else "failed"),
            "message": self.record.message or None,
            "exitCode": code,
            **self.record.fields,
            **({"writes": self.record.writes} if self.record.writes or "dryRun" in self.record.fields else {}),
            "warnings": self.warnings,
            "startedAt": iso(_utc(self.started_at)),
            "finishedAt": iso(_utc(finished)),
            "durationSeconds": round(time.monotonic() - self.started, 3),
        }

    def emit(self, code: int) -> None:
        global _current
        if _current is self:
            _current = None
        if self.json:
            sys.stdout.write(to_json(self.document(code)) + "\n")
            sys.stdout.flush()

    def finish(self, code: int) -> NoReturn:
        self.emit(code)
        sys.exit(code)


def _utc(seconds: float) -> Any:
    import datetime

    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def report_error(message: str, code: int) -> None:
    """The command under way ended in an error: with ``--output json``, still one document."""
    outcome = _current
    if outcome is None:
        return
    outcome.record.result, outcome.record.message = "error", message
    outcome.emit(code)


def forget() -> None:
    """A new command starts (the tests run many in one process)."""
    global _current
    _current = None
