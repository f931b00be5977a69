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


class CannotCheck(Exception):
    """Every further check would fail the same way (the credentials fail, the endpoint cannot
    be reached): verify ends with one line about *subject* instead of one per check."""

    def __init__(self, subject: str, error: AwsError) -> None:
        super().__init__(str(error))
        self.subject = subject
        self.error = error


def _shared_cause(exc: AwsError) -> str | None:
    """What every check shares and *exc* says is broken, or None when it concerns this check only."""
    if credentials_problem(exc):
        return "AWS credentials"
    if exc.code == "EndpointConnectionError":  # botocore retried already: the endpoint is down or wrong
        return "AWS endpoint"
    return None


def guarded(subject: str, check: Callable[[], Check]) -> Check:
    """Run one check; an AWS failure makes it NG with the reason instead of ending verify,
    except one every check shares (credentials, an unreachable endpoint), which ends verify
    with one line (see :func:`hako_py.verify.prerequisites.verify`)."""
    try:
        return check()
    except AwsError as exc:
        shared = _shared_cause(exc)
        if shared is not None:
            raise CannotCheck(shared, exc) from None
        return Check(NG, subject, f"cannot check: {exc}")


def failed(checks: list[Check]) -> bool:
    return any(c.status == NG for c in checks)
