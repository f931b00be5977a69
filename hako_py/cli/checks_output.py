"""Preflight checks for people (one summary line when all is well) and for scripts (JSON).

Seven ``[OK]`` lines before every oneshot bury the job's own output, so when nothing is
NG the checks become one line (``verified: cluster, 2 images, 3 secrets, ... (12 checks
OK)``); the full list is printed when a check is NG, or with ``-v``. ``-q`` prints only NG.
"""

from __future__ import annotations

from typing import Any

from hako_py.reporter import Reporter
from hako_py.verify.check import NG, OK, SKIP, Check

# (subject prefix, what the summary calls it, its plural or None when it is not counted)
_KINDS = (
    ("cluster ", "cluster", None),
    ("image ", "image", "images"),
    ("secret ", "secret", "secrets"),
    ("task role ", "role", "roles"),
    ("execution role ", "role", "roles"),
    ("log group ", "log group", "log groups"),
    ("subnet ", "network", None),
    ("security group ", "network", None),
    ("capacity provider ", "capacity provider", "capacity providers"),
    ("load balancer ", "load balancing", None),
    ("target group ", "load balancing", None),
    ("listener ", "load balancing", None),
    ("traffic container ", "load balancing", None),
    ("Cloud Map namespace ", "service discovery", None),
    ("CloudWatch alarms ", "alarms", None),
)


def _kind(check: Check) -> tuple[str, str | None]:
    for prefix, name, plural in _KINDS:
        if check.subject.startswith(prefix):
            # a secret's JSON key is the same secret, checked a second way
            return (name, plural) if " JSON key " not in check.subject else ("", None)
    return check.subject.split(" ", 1)[0], None


def summary_line(checks: list[Check]) -> str:
    """``verified: cluster, 2 images, 3 secrets, roles, log group, network (7 checks OK)``."""
    counts: dict[str, int] = {}
    plurals: dict[str, str | None] = {}
    for check in checks:
        name, plural = _kind(check)
        if name:
            counts[name] = counts.get(name, 0) + 1
            plurals[name] = plural
    parts = [f"{n} {plurals[name]}" if n > 1 and plurals[name] else name for name, n in counts.items()]
    ok = sum(1 for c in checks if c.status == OK)
    skipped = sum(1 for c in checks if c.status == SKIP)
    tally = f"{ok} checks OK" + (f", {skipped} skipped; -v lists them" if skipped else "")
    return f"verified: {', '.join(parts) or 'nothing to check'} ({tally})"


def show_checks(checks: list[Check], reporter: Reporter, *, full: bool = False) -> None:
    """Every check when *full*, something is NG or verbose; else the summary line. Quiet: NG only."""
    failed = any(c.status == NG for c in checks)
    if reporter.quiet:
        for check in checks:
            if check.status == NG:
                reporter.problem(check.line())
    elif full or failed or reporter.verbose:
        for check in checks:
            (reporter.problem if check.status == NG else reporter.line)(check.line())
    else:
        reporter.line(summary_line(checks))


def checks_data(checks: list[Check]) -> list[dict[str, Any]]:
    """``[{"status": "OK", "label": "cluster production", "detail": null}, ...]``."""
    return [{"status": c.status, "label": c.subject, "detail": c.detail or None} for c in checks]


def tally(checks: list[Check]) -> dict[str, int]:
    return {status: sum(1 for c in checks if c.status == status) for status in (OK, NG, SKIP)}
