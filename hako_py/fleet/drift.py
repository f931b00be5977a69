"""``hako drift``: which live services no longer match the repository.

Each app is compared exactly as ``hako diff FILE`` compares it (the normalized task
definition, service and traffic settings, live → local); the apps run on a bounded pool of
threads (clients are thread-safe, and each app has its own). The clusters the definitions
name are listed too, so a service nobody defines any more shows up as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

IN_SYNC, DRIFTED, MISSING, BROKEN, ERROR = "in-sync", "drifted", "missing", "broken", "error"


@dataclass(frozen=True)
class AppDrift:
    file: str
    app: str
    status: str  # in-sync | drifted | missing | broken | error
    cluster: str | None = None
    region: str | None = None
    diff: str = ""
    message: str = ""


@dataclass(frozen=True)
class DriftReport:
    apps: tuple[AppDrift, ...]
    #: (region, cluster, service) of services in those clusters that no definition describes
    unmanaged: tuple[tuple[str | None, str, str], ...] = field(default=())

    @property
    def drifted(self) -> bool:
        return bool(self.unmanaged) or any(a.status in (DRIFTED, MISSING) for a in self.apps)

    @property
    def failed(self) -> bool:
        return any(a.status in (BROKEN, ERROR) for a in self.apps)


def find_drift(apps: Sequence[str], compare_one: Callable[[str], AppDrift],
               list_services: Callable[[str | None, str], list[str]], *, jobs: int = 8) -> DriftReport:
    """Every app compared by *compare_one* (injected: the CLI reads ECS), then the services of
    their clusters that none of them defines (*list_services(region, cluster)*)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="hako-drift") as pool:
        results = list(pool.map(compare_one, apps))
    defined: dict[tuple[str | None, str], set[str]] = {}
    for result in results:
        if result.cluster is not None:
            defined.setdefault((result.region, result.cluster), set()).add(result.app)
    unmanaged = [(region, cluster, name) for (region, cluster), names in sorted(defined.items(), key=str)
                 for name in list_services(region, cluster) if name not in names]
    return DriftReport(tuple(results), tuple(unmanaged))


def render(report: DriftReport, fmt: str) -> str:
    if fmt == "json":
        import json

        return json.dumps(data(report), indent=2)
    if fmt == "markdown":
        return _markdown(report)
    return _text(report)


def data(report: DriftReport) -> dict[str, Any]:
    return {"drifted": report.drifted,
            "apps": [{"file": a.file, "app": a.app, "status": a.status, "cluster": a.cluster, "region": a.region,
                      "diff": a.diff or None, "message": a.message or None} for a in report.apps],
            "unmanaged": [{"region": r, "cluster": c, "service": s} for r, c, s in report.unmanaged],
            "summary": {status: sum(a.status == status for a in report.apps)
                        for status in (IN_SYNC, DRIFTED, MISSING, BROKEN, ERROR)}}


def _counts(report: DriftReport) -> str:
    summary = data(report)["summary"]
    parts = [f"{count} {status}" for status, count in summary.items() if count]
    if report.unmanaged:
        parts.append(f"{len(report.unmanaged)} without a definition")
    return f"{len(report.apps)} apps: " + ", ".join(parts or ["none"])


def _text(report: DriftReport) -> str:
    lines = []
    for a in report.apps:
        if a.status == IN_SYNC:
            continue
        lines.append(f"{a.status}: {a.app} ({a.file})" + (f": {a.message}" if a.message else ""))
        if a.diff:
            lines.append(a.diff.rstrip("\n"))
    for region, cluster, service in report.unmanaged:
        lines.append(f"no definition: service {service} in cluster {cluster}" + (f" ({region})" if region else ""))
    lines.append(_counts(report))
    return "\n".join(lines) + "\n"


def _markdown(report: DriftReport) -> str:
    from hako_py.review.markdown_safe import fenced, inline

    lines = ["## hako drift", "", _counts(report), ""]
    changed = [a for a in report.apps if a.status != IN_SYNC]
    if changed or report.unmanaged:
        lines += ["| app | status | cluster |", "| --- | --- | --- |"]
        lines += [f"| {inline(a.app)} | {a.status} | {inline(a.cluster or '-')} |" for a in changed]
        lines += [f"| {inline(s)} | no definition | {inline(c)} |" for _, c, s in report.unmanaged]
        lines.append("")
    for a in changed:
        if a.diff or a.message:
            lines += [f"<details><summary>{inline(a.app)}: {a.status}</summary>", "",
                      fenced(a.diff or a.message, "diff" if a.diff else ""), "", "</details>", ""]
    return "\n".join(lines) + "\n"
