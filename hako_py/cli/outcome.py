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
from typing import TYPE_CHECKING, Any, NoReturn

from hako_py.cli.output import show

if TYPE_CHECKING:
    from hako_py.record import Record

# The CLI imports this module at start-up (its error handler calls report_error): it imports
# json and the rest only when a command builds a document, so ``hako --help`` stays fast.
_current: Outcome | None = None
# Where a command's own keys go in its document, so documents read the same way each time.
ORDER = ("taskDefinition", "desiredCount", "dryRun", "writes", "plan", "kept", "rollout", "verification", "checks",
         "files", "summary", "timings")


class Outcome:
    """The document of one command; :meth:`finish` prints it (with ``--output json``) and exits."""

    def __init__(self, command: str, output: str, file: str | None = None) -> None:
        global _current
        self.command = command
        from hako_py.record import Record

        self.json = output == "json"
        self.record: Record = Record()
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
        from hako_py.formatting import iso

        finished = time.time()
        fields = dict(self.record.fields)
        if self.record.writes or "dryRun" in fields:
            fields["writes"] = self.record.writes
        ordered = sorted(fields, key=lambda key: ORDER.index(key) if key in ORDER else len(ORDER))
        return {
            "command": self.command, **self.about,
            "result": self.record.result or ("ok" if code == 0 else "failed"),
            "message": self.record.message or None,
            "exitCode": code,
            **{key: fields[key] for key in ordered},
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
            from hako_py.formatting import to_json

            show(to_json(self.document(code)))

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
