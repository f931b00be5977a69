"""Where commands tell people what they do: one human channel, on stderr.

stdout is for what a command produces (a diff, a status, the JSON document of
``--output json``, a oneshot's logs), so scripts can read it while people watch the
progress. The level decides how much is said: ``QUIET`` keeps only problems, ``VERBOSE``
adds details (every preflight check).
"""

from __future__ import annotations

import sys
from typing import TextIO

QUIET, NORMAL, VERBOSE = -1, 0, 1


def level_of(quiet: bool, verbose: bool) -> int:
    """The level for ``-q`` / ``-v`` (``-q`` wins: a script asked for silence)."""
    return QUIET if quiet else VERBOSE if verbose else NORMAL


class Reporter:
    """Tests pass a StringIO; the CLI passes stderr."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None, level: int = NORMAL) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.level = level
        self._status_shown = False

    @property
    def quiet(self) -> bool:
        return self.level <= QUIET

    @property
    def verbose(self) -> bool:
        return self.level >= VERBOSE

    def _clear_status(self) -> None:
        if self._status_shown:
            self.stream.write("\r\033[K")
            self._status_shown = False

    def _write(self, message: str) -> None:
        self._clear_status()
        self.stream.write(message + "\n")
        self.stream.flush()

    def line(self, message: str = "") -> None:
        """Progress: said unless quiet."""
        if not self.quiet:
            self._write(message)

    def problem(self, message: str) -> None:
        """Something went wrong or needs attention: always said."""
        self._write(message)

    def detail(self, message: str) -> None:
        """Said only when verbose."""
        if self.verbose:
            self._write(message)

    def status(self, message: str) -> None:
        """A transient status: rewritten in place on a terminal, a plain line otherwise."""
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\033[K" + message)
            self.stream.flush()
            self._status_shown = True
        else:
            self.line(message)

    def done(self) -> None:
        self._clear_status()
