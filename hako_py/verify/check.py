"""What one ``hako verify`` check found: [OK], [NG] or [SKIP] with the reason.

Shared by the checks of what a task definition names (:mod:`~hako_py.verify.prerequisites`),
of the traffic resources (:mod:`~hako_py.verify.traffic`) and by the CLI that prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hako_py.aws.errors import AwsError, credentials_problem

OK, NG, SKIP = "OK", "NG", "SKIP"


@dataclass(frozen=True)
class Check:
    status: str
    subject: str
    detail: str = ""

    def line(self) -> str:
        return f"[{self.status}] {self.subject}{': ' + self.detail if self.detail else ''}"


class CredentialsFailed(Exception):
    """The credentials themselves failed: no further check can say anything else."""

    def __init__(self, error: AwsError) -> None:
        super().__init__(str(error))
        self.error = error


def guarded(subject: str, check: Callable[[], Check]) -> Check:
    """Run one check; an AWS failure makes it NG with the reason instead of ending verify,
    except a credentials failure, which ends verify with one line (see
    :func:`hako_py.verify.prerequisites.verify`)."""
    try:
        return check()
    except AwsError as exc:
        if credentials_problem(exc):
            raise CredentialsFailed(exc) from None
        return Check(NG, subject, f"cannot check: {exc}")


def failed(checks: list[Check]) -> bool:
    return any(c.status == NG for c in checks)
