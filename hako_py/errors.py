"""Errors that reach the user as located one-line messages instead of tracebacks.

Every failure the user can cause (a bad definition, a bad option, a refused import)
is raised as a subclass of :class:`HakoError`; the CLI prints ``str(error)`` and exits
non-zero. Anything else escaping is a bug in hako-py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hako_py.redaction import redact

_LOCATED = re.compile(r"^[^\s:]+:\d+:\d+: ")


class HakoError(Exception):
    """A failure the user can act on; its message is complete and printable.

    ``str()`` hides remembered secret values and credential-shaped text (see
    :mod:`hako_py.redaction`): error texts are printed in CI logs and PR comments.
    """

    exit_code = 1

    def __str__(self) -> str:
        return redact(super().__str__())


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about a definition, located by a path such as ``app.port_mappings[0]``."""

    path: str
    message: str

    def format(self, file: str, *, severity: str = "") -> str:
        prefix = f"{severity}: " if severity else ""
        location = f"{file}: {self.path}: " if self.path else f"{file}: "
        return redact(f"{location}{prefix}{self.message}")


class DefinitionError(HakoError):
    """A definition failed to load, validate or render; carries all problems found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format(file) for p in self.problems))


class LoadError(HakoError):
    """A definition could not be evaluated (syntax/runtime error, refused import, bad file)."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.detail = message
        located = message.startswith(file) or _LOCATED.match(message) is not None
        super().__init__(message if located else f"{file}: {message}")


class UsageError(HakoError):
    """A command-line option is malformed (e.g. ``--ext-str`` without ``=``)."""

    exit_code = 2
