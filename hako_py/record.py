"""What a command did, kept as it goes, so ``--output json`` can tell scripts the outcome.

Commands fill a :class:`Record` whatever the output format (it costs nothing); the CLI
turns it into the JSON document (:mod:`hako_py.cli.outcome`). Its last sentence is the
one people read on stderr, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.reporter import Reporter


@dataclass
class Record:
    result: str = ""
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    writes: list[dict[str, str]] = field(default_factory=list)

    def wrote(self, text: str) -> None:
        """A write request sent (or, in a dry run, that would be sent), as the plan words it:
        the operation first (``UpdateService web: taskDefinition``)."""
        self.writes.append({"operation": text.split(" ", 1)[0], "text": text})

    def end(self, reporter: Reporter, result: str, message: str, code: int, *, problem: bool = False) -> int:
        """Say the outcome's sentence (a problem is said even under ``-q``), keep it, return *code*."""
        self.result, self.message = result, message
        (reporter.problem if problem else reporter.line)(message)
        return code
