"""What a fleet deploy tells people: one prefixed line per event (``[web] registered web:42``),
a live view of every app's phase on a terminal, and a summary table at the end.

Lines of several apps interleave, so each carries its app; they are written whole under one
lock. On a terminal a rich live view (one line per app with its phase) stays below them;
elsewhere (CI logs) the prefixed lines are all there is.

Everything written here can quote a definition (an error message, a file name, a task's log
line), so every line, table cell and phase goes through :func:`~hako_py.printable.printable`
as single commands' output does: an ``ESC[2K`` then ``\r`` could otherwise erase the
``[app]`` prefix and forge another app's line on a terminal. Only hako's own line breaks
stay. (A single ``hako oneshot`` writes its task's logs as they are: there they are the
program's own output, as when running it locally.)
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TextIO

from hako_py.fleet.plan import Step
from hako_py.fleet.runner import AppResult
from hako_py.printable import printable
from hako_py.reporter import NORMAL, Reporter

#: a oneshot's results that come with its exit code
RAN = ("succeeded", "failed")


def short_revision(arn: str | None) -> str:
    return (arn or "-").rsplit("/", 1)[-1]


class FleetOutput:
    """The one channel of a fleet deploy (stderr), shared by every worker thread."""

    def __init__(self, stream: TextIO, *, live: bool = False, level: int = NORMAL) -> None:
        self.stream = stream
        self.level = level
        self.lock = threading.Lock()
        self.phases: dict[str, str] = {}
        self.live_view = live
        self._live: Any = None

    def __enter__(self) -> FleetOutput:
        if self.live_view:
            from rich.console import Console  # only on a terminal: rich costs ~0.1 s to import
            from rich.live import Live

            self._live = Live(self._table(), console=Console(file=self.stream), refresh_per_second=4,
                              transient=True)
            self._live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, box=None, pad_edge=False)
        for app, phase in self.phases.items():  # Text: rich would read "[bold]" in a cell as markup
            table.add_row(Text(app), Text(phase))
        return table

    def emit(self, app: str, message: str) -> None:
        """One line of *app*, written whole (each of its lines prefixed, made printable)."""
        self._write("\n".join(f"[{printable(app)}] {printable(line)}" for line in message.split("\n")))

    def phase(self, step: Step, text: str) -> None:
        with self.lock:
            self.phases[printable(step.app)] = printable(text)
            if self._live is not None:
                self._live.update(self._table())

    def reporter(self, step: Step) -> Reporter:
        """The single deploy's Reporter for one app: its lines prefixed, its last line its phase."""
        return _Prefixed(self, step, self.level)

    def lines(self, step: Step) -> Lines:
        """A text stream for one app's oneshot (its output and hako's messages about it)."""
        return Lines(self, step)

    def say(self, message: str) -> None:
        """A line of the fleet's own (announcements, the summary), made printable."""
        self._write(printable(message))

    def _write(self, text: str) -> None:
        with self.lock:
            if self._live is not None:
                self._live.console.print(text, markup=False, highlight=False, soft_wrap=True)
            else:
                self.stream.write(text + "\n")
                self.stream.flush()


class Lines(io.StringIO):
    """A text stream whose whole lines go to the fleet's channel prefixed with the app, like
    every other line of it; :meth:`finish` writes a last line that has no newline. (A
    StringIO only to be a ``TextIO``: nothing is kept in it.)"""

    def __init__(self, output: FleetOutput, step: Step) -> None:
        super().__init__()
        self.output = output
        self.step = step
        self.partial = ""

    def write(self, text: str) -> int:
        *whole, self.partial = (self.partial + text).split("\n")
        if whole:
            self.output.emit(self.step.app, "\n".join(whole))
        return len(text)

    def finish(self) -> None:
        if self.partial:
            self.output.emit(self.step.app, self.partial)
            self.partial = ""


class _Prefixed(Reporter):
    def __init__(self, output: FleetOutput, step: Step, level: int) -> None:
        super().__init__(output.stream, tty=False, level=level)
        self.output = output
        self.step = step

    def _write(self, message: str) -> None:
        self.output.emit(self.step.app, message)
        last = message.strip().split("\n")[-1]
        if last:
            self.output.phase(self.step, last[:100])


def summary_table(results: Sequence[AppResult]) -> str:
    """app, result, revision before → after, duration: one row per app (a oneshot's result
    with its exit code: ``failed (exit 3)``); cells made printable before they are measured,
    so the columns line up."""
    rows = [("APP", "RESULT", "REVISION", "SECONDS")]
    for r in results:
        revision = (short_revision(r.before) if r.before == r.after
                    else f"{short_revision(r.before)} → {short_revision(r.after)}")
        result = f"{r.result} (exit {r.code})" if r.operation == "oneshot" and r.result in RAN else r.result
        rows.append((printable(r.app), printable(result), printable(revision), f"{r.seconds:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def result_data(result: AppResult) -> dict[str, Any]:
    """One app's outcome in the fleet's --output json document."""
    return {"file": result.file, "app": result.app, "wave": result.wave, "operation": result.operation,
            "result": result.result,
            "exitCode": result.code, "message": result.message or None,
            "taskDefinition": {"before": result.before, "after": result.after},
            "durationSeconds": result.seconds, "writes": result.document.get("writes", []),
            **({"plan": result.document["plan"]} if "plan" in result.document else {})}
