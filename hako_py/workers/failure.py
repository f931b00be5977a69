"""What it means for a task when its worker was killed or died.

A worker dies from the memory limit in one of two ways: Python raises ``MemoryError``
(the worker then exits with :data:`MEMORY_EXIT`), or the Go runtime cannot map memory and
aborts with "fatal error: runtime: out of memory" on stderr, which the worker writes to a
file for this. The limit is RLIMIT_DATA, which since Linux 4.7 counts every private writable
mapping, thread stacks included: when the Go runtime then starts a thread, pthread_create
fails with EAGAIN and cgo aborts with "runtime/cgo: pthread_create failed: Resource
temporarily unavailable" (seen 2 times in 45 evaluations of a memory bomb on a loaded machine).
SIGXCPU is the worker's own CPU-time backstop, which only fires when the
parent did not enforce the deadline (it was killed itself, say).
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from hako_py.workers.budget import Budget

MEMORY_EXIT = 3
_OUT_OF_MEMORY = re.compile(r"out of memory|cannot allocate memory|MemoryError|"
                            r"pthread_create failed: Resource temporarily unavailable", re.IGNORECASE)
_FATAL = re.compile(r"^(fatal error: .*|runtime: goroutine stack exceeds .*|runtime/cgo: .*)$", re.MULTILINE)
# The last line of a Python traceback (a worker that could not start, say).
_PYTHON_ERROR = re.compile(r"^(\w+(?:Error|Exception)\b.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Failure:
    """A task that did not finish: ``kind`` is ``time``, ``memory`` or ``crash``."""

    kind: str
    message: str

    def located(self, file: str) -> str:
        return f"{file}: {self.message}"


def timed_out(budget: Budget) -> Failure:
    return Failure("time", f"evaluation exceeded {budget.time_limit()}")


def died(returncode: int | None, stderr: str, budget: Budget) -> Failure:
    """The failure a worker's exit status and (the start and end of) its stderr describe."""
    if returncode == MEMORY_EXIT or _OUT_OF_MEMORY.search(stderr):
        return Failure("memory", f"evaluation exceeded {budget.memory_limit()}")
    if returncode == -signal.SIGXCPU:
        return timed_out(budget)
    how = _how(returncode)
    # One line says why, never the trace: the user did nothing wrong but write a definition.
    fatal = _FATAL.findall(stderr) or _PYTHON_ERROR.findall(stderr)[-1:]
    if fatal:
        how += f": {fatal[0][:200]}"
    elif returncode == -signal.SIGKILL:
        how += ", perhaps by the system's out-of-memory killer"
    return Failure("crash", f"evaluation crashed ({how})")


def _how(returncode: int | None) -> str:
    if returncode is None:
        return "the worker vanished"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"
