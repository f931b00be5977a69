"""``hako validate``: check many files, in parallel when there are many."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context

from hako_py.loading import LoadOptions
from hako_py.pipeline import FileReport, expand_paths, report_file

PARALLEL_THRESHOLD = 64


def validate_files(files: list[str], options: LoadOptions, jobs: int | None = None) -> list[FileReport]:
    workers = jobs or (os.cpu_count() or 1)
    if jobs is None and len(files) < PARALLEL_THRESHOLD:
        workers = 1
    if workers <= 1 or len(files) < 2:
        return [report_file(f, options) for f in files]
    # forkserver, not fork: see hako_py/preload.py (gojsonnet's Go runtime and fork()).
    context = get_context("forkserver")
    context.set_forkserver_preload(["hako_py.preload"])
    chunk = max(1, len(files) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(partial(report_file, options=options), files, chunksize=chunk))


def run_validate(paths: list[str], options: LoadOptions, *, strict: bool, jobs: int | None, quiet: bool) -> int:
    files = expand_paths(paths)
    if not files:
        print(f"hako: no definition files in {', '.join(paths)}", file=sys.stderr)
        return 1
    reports = validate_files(files, options, jobs)
    lines: list[str] = []
    for report in reports:
        lines.extend(report.errors)
        lines.extend(report.warnings)
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    invalid = sum(1 for r in reports if not r.ok)
    warnings = sum(len(r.warnings) for r in reports)
    if not quiet:
        noun = "definition" if len(reports) == 1 else "definitions"
        status = "all valid" if not invalid else f"{invalid} invalid"
        extra = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        print(f"{len(reports)} {noun} checked: {status}{extra}", file=sys.stderr)
    if invalid or (strict and warnings):
        return 1
    return 0
