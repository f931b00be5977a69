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

from hako_py.printable import printable
from hako_py.review.markdown_safe import MAX_MARKDOWN_CHARS, fenced, inline, shorten, size

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
#: (region, cluster, names) -> those of *names* that are ACTIVE services
ActiveServices = Callable[[str | None, str, list[str]], list[str]]


def find_drift(apps: Sequence[str], compare_one: Callable[[str], AppDrift],
               list_services: Callable[[str | None, str], list[str]], *, jobs: int = 8,
               list_schedules: ListSchedules | None = None, active: ActiveServices | None = None) -> DriftReport:
    """Every app compared by *compare_one* (injected: the CLI reads ECS), then the services of
    their clusters that none of them defines (*list_services(region, cluster)*) and the
    schedules of the hako-owned groups they use that none of them defines (*list_schedules(region,
    group)*: the schedule names of a group hako owns, none for any other).

    A service being deleted is nobody's to define: ListServices leaves out DRAINING and
    INACTIVE services (botocore's ECS model, operation DeleteService: the service "is no
    longer visible in the console or in the ListServices API operation"), and *active* keeps
    only the ACTIVE ones among those listed, for one deleted between the two requests."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="hako-drift") as pool:
        results = list(pool.map(compare_one, apps))
    defined: dict[tuple[str | None, str], set[str]] = {}
    groups: set[tuple[str | None, str]] = set()
    for result in results:
        if result.cluster is not None:
            defined.setdefault((result.region, result.cluster), set()).add(result.app)
            groups.update((result.region, group) for group in result.groups)
    unmanaged = []
    for (region, cluster), names in sorted(defined.items(), key=str):
        others = [name for name in list_services(region, cluster) if name not in names]
        if others and active is not None:
            alive = set(active(region, cluster, others))
            others = [name for name in others if name in alive]
        unmanaged += [(region, cluster, name) for name in others]
    apps_by_region: dict[str | None, set[str]] = {}
    for result in results:  # a broken definition still names its app: its schedules are not reported
        apps_by_region.setdefault(result.region, set()).add(result.app)
    known = {app for names in apps_by_region.values() for app in names}
    schedules = [(region, group, name) for region, group in sorted(groups, key=str)
                 for name in (list_schedules(region, group) if list_schedules is not None else [])
                 if name.split(".", 1)[0] not in known]
    return DriftReport(tuple(results), tuple(unmanaged), tuple(schedules))


def render(report: DriftReport, fmt: str, *, full: bool = False) -> str:
    """The report in *fmt* (text, markdown or json); ``full`` never shortens the Markdown (for
    ``--output-file``). Text from definitions is made printable in every format (JSON escapes
    control characters itself, Markdown writes them as character references or ``\\x1b``)."""
    if fmt == "json":
        import json

        return json.dumps(data(report), indent=2)
    if fmt == "markdown":
        return _markdown(report, None if full else MAX_MARKDOWN_CHARS)
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
    return printable("\n".join(lines)) + "\n"  # names, messages and diffs quote definitions


#: where the rest of a shortened drift issue body is
DRIFT_FULL_REPORT = ("This report is shortened to fit GitHub's size limit: the full report is attached to the "
                     "workflow run (written by <code>hako drift --output-file</code>), or run <code>hako drift</code> "
                     "(or <code>hako diff FILE</code> for one app).")
MAX_DIFF_LINES = 200
MAX_DIFF_CHARS = 20_000
#: the order apps are listed and kept in when the issue body must be shortened: what matters first
LISTED_FIRST = (DRIFTED, MISSING, BROKEN, ERROR)


def _markdown(report: DriftReport, limit: int | None) -> str:
    """The issue body: bounded as ``hako diff --format markdown`` bounds a PR comment (each app's
    diff cut, the whole under GitHub's 65,536 characters, what was left out said), but kept in
    the order that matters when it must be shortened: the drifted apps with their diffs, then
    the missing, broken and unreadable apps, then the services and schedules without a
    definition (a long list of those is collapsed to a count: ``--output-file`` has them all)."""
    top = "\n".join(["## hako drift", "", inline(_counts(report), 1000), ""]) + "\n"
    changed = sorted((a for a in report.apps if a.status != IN_SYNC), key=lambda a: LISTED_FIRST.index(a.status))
    if not (changed or report.unmanaged or report.unmanaged_schedules):
        return top
    layout = _Layout(None if limit is None else limit - size(top) - size(DRIFT_FULL_REPORT) - 600)  # room for notes
    listed: list[AppDrift] = []
    for status in LISTED_FIRST:
        apps = [a for a in changed if a.status == status]
        kept = layout.rows(status, [f"| {inline(a.app, 300)} | {a.status} | {inline(a.cluster or '-', 300)} |\n"
                                    for a in apps])
        listed += [a for a, shown in zip(apps, kept, strict=True) if shown]
        if status in (DRIFTED, ERROR):  # the drifted apps' diffs first; the broken and error apps' messages later
            layout.blocks([_block(a) for a in listed if (a.status == DRIFTED) == (status == DRIFTED)
                           and (a.diff or a.message)])
    layout.rows("services", [f"| {inline(s, 300)} | no definition | {inline(c, 300)} |\n"
                             for _, c, s in report.unmanaged])
    layout.rows("schedules", [f"| {inline(s, 300)} | schedule with no definition | {inline(g, 300)} (schedule "
                              "group) |\n" for _, g, s in report.unmanaged_schedules])
    result = top + layout.notes(DRIFT_FULL_REPORT) + "\n" + layout.table() + "\n" + "\n".join(layout.kept_blocks)
    if limit is not None and size(result) > limit:  # never an oversize issue body
        return top + "\n" + DRIFT_FULL_REPORT + "\n"
    return result


def _block(a: AppDrift) -> tuple[str, bool]:
    """An app's diff (or message) as a collapsible block, and whether it was cut."""
    body, cut = shorten(printable(a.diff or a.message), MAX_DIFF_LINES, MAX_DIFF_CHARS,
                        f"run hako diff {shlex.quote(a.file)}")
    return (f"<details><summary>{inline(a.app, 300)}: {a.status}</summary>\n\n"
            f"{fenced(body.rstrip(chr(10)), 'diff' if a.diff else '')}\n\n</details>\n"), cut


class _Layout:
    """The parts of a drift issue body taken in order of importance while they fit *budget*:
    a part that does not fit is left out and counted, later (smaller) ones may still fit
    (*budget* None: everything is kept)."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.used = 0
        self.kept_rows: list[str] = []
        self.kept_blocks: list[str] = []
        self.left_out: dict[str, int] = {}
        self.blocks_left_out = 0
        self.cut = False

    def _fits(self, part: str) -> bool:
        if self.budget is not None and self.used + size(part) > self.budget:
            return False
        self.used += size(part)
        return True

    def rows(self, kind: str, rows: list[str]) -> list[bool]:
        """Which of *rows* are kept."""
        kept = []
        for row in rows:
            kept.append(self._fits(row))
            if kept[-1]:
                self.kept_rows.append(row)
            else:
                self.left_out[kind] = self.left_out.get(kind, 0) + 1
        return kept

    def blocks(self, blocks: list[tuple[str, bool]]) -> None:
        for block, cut in blocks:
            if self._fits(block + "\n"):
                self.kept_blocks.append(block)
                self.cut = self.cut or cut
            else:
                self.blocks_left_out += 1

    def table(self) -> str:
        return "| app | status | cluster |\n| --- | --- | --- |\n" + "".join(self.kept_rows)

    def notes(self, full_note: str) -> str:
        """What was left out, said (with where the rest is), or nothing."""
        apps = sum(count for kind, count in self.left_out.items() if kind in LISTED_FIRST)
        notes = [f"{apps} more apps ({', '.join(f'{n} {k}' for k, n in self.left_out.items() if k in LISTED_FIRST)})"
                 " are not listed here."] if apps else []
        if self.blocks_left_out:
            notes.append(f"The details of {self.blocks_left_out} listed apps are left out.")
        for kind in ("services", "schedules"):
            if self.left_out.get(kind):
                notes.append(f"{self.left_out[kind]} more {kind} without a definition are not listed here.")
        if notes or self.cut:
            notes.append(full_note)
        return ("\n" + " ".join(notes) + "\n") if notes else ""
