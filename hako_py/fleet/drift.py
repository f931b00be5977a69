"""``hako drift``: which live services no longer match the repository.

Each app is compared exactly as ``hako diff FILE`` compares it (the normalized task
definition, service, traffic settings and schedules, live → local; a batch-only app its
schedules); the apps run on a bounded pool of threads (clients are thread-safe, and each app
has its own). The clusters the definitions name are listed too, so a service nobody defines
any more shows up as well, and so are the hako-owned schedule groups they use, so the
schedules of a removed app (which keep firing) show up too.
"""

from __future__ import annotations

import shlex
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
    #: the schedule groups the app's schedules live in or would (its cluster's default group too)
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriftReport:
    apps: tuple[AppDrift, ...]
    #: (region, cluster, service) of services in those clusters that no definition describes
    unmanaged: tuple[tuple[str | None, str, str], ...] = field(default=())
    #: (region, group, schedule) of schedules in hako-owned groups those apps use that no definition describes
    unmanaged_schedules: tuple[tuple[str | None, str, str], ...] = field(default=())

    @property
    def drifted(self) -> bool:
        return bool(self.unmanaged or self.unmanaged_schedules) or any(a.status in (DRIFTED, MISSING)
                                                                        for a in self.apps)

    @property
    def failed(self) -> bool:
        return any(a.status in (BROKEN, ERROR) for a in self.apps)


ListSchedules = Callable[[str | None, str], list[str]]


def find_drift(apps: Sequence[str], compare_one: Callable[[str], AppDrift],
               list_services: Callable[[str | None, str], list[str]], *, jobs: int = 8,
               list_schedules: ListSchedules | None = None) -> DriftReport:
    """Every app compared by *compare_one* (injected: the CLI reads ECS), then the services of
    their clusters that none of them defines (*list_services(region, cluster)*) and the
    schedules of the hako-owned groups they use that none of them defines (*list_schedules(region,
    group)*: the schedule names of a group hako owns, none for any other)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="hako-drift") as pool:
        results = list(pool.map(compare_one, apps))
    defined: dict[tuple[str | None, str], set[str]] = {}
    groups: set[tuple[str | None, str]] = set()
    for result in results:
        if result.cluster is not None:
            defined.setdefault((result.region, result.cluster), set()).add(result.app)
            groups.update((result.region, group) for group in result.groups)
    unmanaged = [(region, cluster, name) for (region, cluster), names in sorted(defined.items(), key=str)
                 for name in list_services(region, cluster) if name not in names]
    apps_by_region: dict[str | None, set[str]] = {}
    for result in results:  # a broken definition still names its app: its schedules are not reported
        apps_by_region.setdefault(result.region, set()).add(result.app)
    known = {app for names in apps_by_region.values() for app in names}
    schedules = [(region, group, name) for region, group in sorted(groups, key=str)
                 for name in (list_schedules(region, group) if list_schedules is not None else [])
                 if name.split(".", 1)[0] not in known]
    return DriftReport(tuple(results), tuple(unmanaged), tuple(schedules))


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
            "unmanagedSchedules": [{"region": r, "group": g, "schedule": s} for r, g, s in report.unmanaged_schedules],
            "summary": {status: sum(a.status == status for a in report.apps)
                        for status in (IN_SYNC, DRIFTED, MISSING, BROKEN, ERROR)}}


def _counts(report: DriftReport) -> str:
    summary = data(report)["summary"]
    parts = [f"{count} {status}" for status, count in summary.items() if count]
    if report.unmanaged:
        parts.append(f"{len(report.unmanaged)} without a definition")
    if report.unmanaged_schedules:
        parts.append(f"{len(report.unmanaged_schedules)} schedule{'s' if len(report.unmanaged_schedules) != 1 else ''}"
                     " without a definition")
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
    for region, group, schedule in report.unmanaged_schedules:
        lines.append(f"no definition: schedule {schedule} in group {group}" + (f" ({region})" if region else ""))
    lines.append(_counts(report))
    return "\n".join(lines) + "\n"


#: where the rest of a shortened drift issue body is
DRIFT_FULL_REPORT = ("This report is shortened to fit GitHub's size limit: run <code>hako drift</code> (or "
                     "<code>hako drift --format json</code>) for all of it, or <code>hako diff FILE</code> for "
                     "one app.")
MAX_DIFF_LINES = 200
MAX_DIFF_CHARS = 20_000


def _markdown(report: DriftReport, limit: int | None = None) -> str:
    """The issue body: bounded as ``hako diff --format markdown`` bounds a PR comment (each app's
    diff cut, the whole under GitHub's 65,536 characters, what was left out said)."""
    from hako_py.review.markdown_safe import MAX_MARKDOWN_CHARS, fenced, fit, inline, shorten

    top = "\n".join(["## hako drift", "", inline(_counts(report), 1000), ""]) + "\n"
    changed = [a for a in report.apps if a.status != IN_SYNC]
    if not (changed or report.unmanaged or report.unmanaged_schedules):
        return top
    rows = [f"| {inline(a.app, 300)} | {a.status} | {inline(a.cluster or '-', 300)} |\n" for a in changed]
    rows += [f"| {inline(s, 300)} | no definition | {inline(c, 300)} |\n" for _, c, s in report.unmanaged]
    rows += [f"| {inline(s, 300)} | schedule with no definition | {inline(g, 300)} (schedule group) |\n"
             for _, g, s in report.unmanaged_schedules]

    def block_of(index: int) -> tuple[str, bool] | None:
        if index >= len(changed) or not (changed[index].diff or changed[index].message):
            return None
        a = changed[index]
        body, cut = shorten(a.diff or a.message, MAX_DIFF_LINES, MAX_DIFF_CHARS, f"run hako diff {shlex.quote(a.file)}")
        return (f"<details><summary>{inline(a.app, 300)}: {a.status}</summary>\n\n"
                f"{fenced(body.rstrip(chr(10)), 'diff' if a.diff else '')}\n\n</details>\n"), cut

    return fit(top, "| app | status | cluster |\n| --- | --- | --- |\n", rows, block_of,
               limit=MAX_MARKDOWN_CHARS if limit is None else limit, full_note=DRIFT_FULL_REPORT)
