"""What went wrong inside the sandbox, said once, on stderr.

The simulator works on objects anyone can create (a service in any region or account, a task
definition logging anywhere); a bad one must not stop it from simulating everything else, and
it must not flood the terminal. stdout is reserved for the one ``AWS_ENDPOINT_URL=...`` line
users export (and ``hako sandbox --background`` reads), so diagnostics never go there.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TextIO

MAX_REMEMBERED = 1000  # distinct problems; past that, one last line says further ones are not shown


class Problems:
    """Reports each distinct (where, error) once on *stream* (stderr by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def report(self, where: str, exc: BaseException) -> None:
        key = (where, f"{type(exc).__name__}: {exc}")
        with self._lock:
            if key in self._seen or len(self._seen) > MAX_REMEMBERED:
                return
            self._seen.add(key)
            if len(self._seen) > MAX_REMEMBERED:
                line = "hako sandbox: too many distinct problems; further ones are not shown"
            else:
                line = f"hako sandbox: {where}: {key[1]}"
            stream = self._stream or sys.stderr
            stream.write(line + "\n")
            stream.flush()

    def guarded(self, where: str, action: Callable[[], object]) -> bool:
        """Run *action*; a failure is reported and contained. Returns whether it succeeded."""
        try:
            action()
        except Exception as exc:  # one bad object must not stop the others
            self.report(where, exc)
            return False
        return True
