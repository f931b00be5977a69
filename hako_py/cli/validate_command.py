"""``hako validate``: check many files, in parallel when there are many.

Every file is evaluated within the budget of :mod:`hako_py.workers`: in parallel, each
file is one task of a budget pool (a worker that overran or died is that file's error,
and the pool goes on with the others); one by one, the shared worker evaluates it.
"""

from __future__ import annotations

import os
import sys
from functools import partial
from typing import TYPE_CHECKING

from hako_py.paths import display_path, expand_paths
from hako_py.printable import printable
from hako_py.workers.failure import Failure

if TYPE_CHECKING:
    from hako_py.loading import LoadOptions
    from hako_py.pipeline import FileReport
    from hako_py.record import Record

PARALLEL_THRESHOLD = 64


def parallel_workers(count: int, jobs: int | None) -> int:
    """Worker processes for validating *count* files; 1 means one by one, in the shared worker.

    Cheap to ask before the pipeline is imported, so that the CLI starts the shared worker
    only when it will be used.
    """
    if count < 2 or (jobs is None and count < PARALLEL_THRESHOLD):
        return 1
    return jobs or (os.cpu_count() or 1)


def validate_files(files: list[str], options: LoadOptions, jobs: int | None = None) -> list[FileReport]:
    from hako_py.pipeline import report_file, report_files
    from hako_py.workers.budget import budget_from_environment
    from hako_py.workers.launch import forkserver_worker
    from hako_py.workers.pool import BudgetPool

    workers = parallel_workers(len(files), jobs)
    if workers <= 1:
        return report_files(files, options)
    with BudgetPool(workers, forkserver_worker, budget_from_environment()) as pool:
        outcomes = pool.map(partial(report_file, options=options), files)
    return [_report(file, outcome) for file, outcome in zip(files, outcomes, strict=True)]


def _report(file: str, outcome: FileReport | Failure) -> FileReport:
    from hako_py.pipeline import FileReport, error_finding

    if isinstance(outcome, Failure):
        shown = display_path(file)
        return FileReport(file=shown, findings=(error_finding(shown, outcome.located(shown)),))
    return outcome


def run_validate(paths: list[str], options: LoadOptions, *, strict: bool, jobs: int | None, quiet: bool,
                 record: Record | None = None, as_json: bool = False) -> int:
    """Print every problem on stdout (as JSON into *record* instead when *as_json*) and a summary on stderr."""
    from hako_py.record import Record

    record = record if record is not None else Record()
    files = expand_paths(paths)
    if not files:
        record.result, record.message = "error", f"hako: no definition files in {', '.join(paths)}"
        print(record.message, file=sys.stderr)
        return 1
    reports = validate_files(files, options, jobs)
    lines: list[str] = []
    for report in reports:
        lines.extend(report.errors)
        lines.extend(report.warnings)
    if lines and not as_json:
        sys.stdout.write(printable("\n".join(lines)) + "\n")
    invalid = sum(1 for r in reports if not r.ok)
    warnings = sum(len(r.warnings) for r in reports)
    noun = "definition" if len(reports) == 1 else "definitions"
    status = "all valid" if not invalid else f"{invalid} invalid"
    extra = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    record.result = "invalid" if invalid else "warnings" if strict and warnings else "valid"
    record.message = f"{len(reports)} {noun} checked: {status}{extra}"
    record.fields.update(files=[r.as_dict() for r in reports],
                         summary={"files": len(reports), "invalid": invalid, "warnings": warnings})
    if not quiet:
        print(record.message, file=sys.stderr)
    if invalid or (strict and warnings):
        return 1
    return 0
