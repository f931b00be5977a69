"""Progress output: plain lines, plus a live status line when writing to a terminal."""

from __future__ import annotations

import sys
from typing import TextIO


class Reporter:
    """Where commands say what they do. Tests pass a StringIO; the CLI passes stdout/stderr."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self._status_shown = False

    def _clear_status(self) -> None:
        if self._status_shown:
            self.stream.write("\r\033[K")
            self._status_shown = False

    def line(self, message: str = "") -> None:
        self._clear_status()
        self.stream.write(message + "\n")
        self.stream.flush()

    def status(self, message: str) -> None:
        """A transient status: rewritten in place on a terminal, a plain line otherwise."""
        if self.tty:
            self.stream.write("\r\033[K" + message)
            self.stream.flush()
            self._status_shown = True
        else:
            self.line(message)

    def done(self) -> None:
        self._clear_status()
