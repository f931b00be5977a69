"""``hako validate``: check many files, in parallel when there are many.

Every file is evaluated within the budget of :mod:`hako_py.workers`: in parallel, each
file is one task of a budget pool (a worker that overran or died is that file's error,
and the pool goes on with the others); one by one, the shared worker evaluates it.

Unlike the other commands, this one decides whether to start the shared evaluation worker
only once it knows how many files there are (a pool does not use it); the pipeline and the
git review are imported after that decision, so that their import overlaps the
worker's start-up. They are the only imports below that are not at the top.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hako_py.cli.options import build_load_options, loader_options, output_option
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import say, show
from hako_py.errors import UsageError
from hako_py.paths import display_path, expand_paths
from hako_py.printable import printable
from hako_py.record import Record
from hako_py.review.git import toplevel
from hako_py.workers.budget import budget_from_environment
from hako_py.workers.failure import Failure
from hako_py.workers.launch import forkserver_worker
from hako_py.workers.pool import BudgetPool
from hako_py.workers.shared import prestart

if TYPE_CHECKING:
    from hako_py.loading import LoadOptions
    from hako_py.pipeline import FileReport

PARALLEL_THRESHOLD = 64


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--changed-since", metavar="REF",
              help="Validate only definitions whose rendered output can have changed since git revision REF "
                   "(through imports too); PATHS default to the apps folder of hako.toml.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for many files (default: one per core when there are 64+ files).")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
@output_option
@loader_options
def validate(paths: tuple[str, ...], changed_since: str | None, strict: bool, jobs: int | None, quiet: bool,
             output: str, **loader: Any) -> None:
    """Validate definition files (or every definition directly inside a folder).

    Prints each problem as FILE: PATH: MESSAGE, all at once (-o json: each file's errors
    and warnings as JSON). Exit status: 0 when every file is valid, 1 when any is invalid
    (or has warnings under --strict).

    \b
    Examples:
      hako validate apps/web.jsonnet
      hako validate --strict apps/
      hako validate --changed-since origin/main
    """
    outcome = Outcome("validate", output)
    files = list(paths)
    if changed_since is None and parallel_workers(len(expand_paths(files)), jobs) == 1:
        prestart()  # it evaluates them (a pool would: then it is not started)
    load_options = build_load_options(**loader)
    if changed_since is not None:
        from hako_py.review.report import SETTINGS_NOTE, against, warnings
        from hako_py.review.reviewer import review  # after the worker started (see the module's docstring)

        result = review(files, changed_since, load_options, head_only=True)
        if result.revision is not None and result.revision.warnings:
            say(warnings(result), nl=False)
        if result.settings:  # the apps folders of both revisions are validated; say why there may be more

            outcome.record.fields["settings"] = result.settings
            say(printable("\n".join([SETTINGS_NOTE, *(f"  {line}" for line in result.settings)])))
        files = [str(Path(result_root()) / c.file) for c in result.changes]
        if not files:
            outcome.record.fields.update(files=[], summary={"files": 0, "invalid": 0, "warnings": 0})
            outcome.record.result, outcome.record.message = "valid", (
                f"no definition can have changed since {against(result)}")
            if not quiet:
                say(outcome.record.message)
            outcome.finish(0)
        if parallel_workers(len(files), jobs) == 1:
            prestart()
    elif not files:
        raise UsageError("hako validate needs FILE or folder arguments (or --changed-since REF)")
    outcome.finish(run_validate(files, load_options, strict=strict, jobs=jobs, quiet=quiet, record=outcome.record,
                                as_json=outcome.json))


def result_root() -> str:
    """The git top level, where --changed-since results are relative to."""
    return os.path.relpath(toplevel(Path.cwd()))


def parallel_workers(count: int, jobs: int | None) -> int:
    """Worker processes for validating *count* files; 1 means one by one, in the shared worker.

    Cheap to ask before the pipeline is imported, so that the CLI starts the shared worker
    only when it will be used.
    """
    if count < 2 or (jobs is None and count < PARALLEL_THRESHOLD):
        return 1
    return jobs or (os.cpu_count() or 1)


def validate_files(files: list[str], options: LoadOptions, jobs: int | None = None) -> list[FileReport]:
    from hako_py.pipeline import report_file, report_files  # after the worker started (see the module's docstring)

    workers = parallel_workers(len(files), jobs)
    if workers <= 1:
        return report_files(files, options)
    with BudgetPool(workers, forkserver_worker, budget_from_environment()) as pool:
        outcomes = pool.map(partial(report_file, options=options), files)
    return [_report(file, outcome) for file, outcome in zip(files, outcomes, strict=True)]


def _report(file: str, outcome: FileReport | Failure) -> FileReport:
    from hako_py.pipeline import FileReport, error_finding  # imported by validate_files already

    if isinstance(outcome, Failure):
        shown = display_path(file)
        return FileReport(file=shown, findings=(error_finding(shown, outcome.located(shown)),))
    return outcome


def run_validate(paths: list[str], options: LoadOptions, *, strict: bool, jobs: int | None, quiet: bool,
                 record: Record | None = None, as_json: bool = False) -> int:
    """Print every problem on stdout (as JSON into *record* instead when *as_json*) and a summary on stderr."""
    record = record if record is not None else Record()
    files = expand_paths(paths)
    if not files:
        record.result, record.message = "error", f"hako: no definition files in {', '.join(paths)}"
        say(record.message)
        return 1
    reports = validate_files(files, options, jobs)
    lines: list[str] = []
    for report in reports:
        lines.extend(report.errors)
        lines.extend(report.warnings)
    if lines and not as_json:
        show(printable("\n".join(lines)))
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
        say(record.message)
    if invalid or (strict and warnings):
        return 1
    return 0
