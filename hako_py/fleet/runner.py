"""Execute a :class:`~hako_py.fleet.plan.FleetPlan`: each wave's apps on a bounded pool of
threads, a wave only after the previous one succeeded, no new start after a failure with
``fail_fast``.

Each app is deployed by *deploy_one* (injected: the CLI passes the single deploy's path —
check, verify, register, update, follow, roll back — and tests pass their own), which
never raises for an app's failure: it returns the app's :class:`AppResult`. One app's
failure (rolled back as a single deploy is) leaves the others alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from hako_py.fleet.plan import FleetPlan, Step

#: results of an app that ended as it should (exit 0 for the fleet when every app has one);
#: a oneshot's are ``succeeded`` (exit code 0) and ``failed`` (its exit code as the result's code)
SUCCEEDED = frozenset({"deployed", "unchanged", "updated", "started", "dry-run", "succeeded"})
SKIPPED = "skipped"


@dataclass
class AppResult:
    """How one app's deploy ended (``result`` as the single deploy's ``--output json`` says it)."""

    file: str
    app: str
    result: str
    code: int
    message: str = ""
    before: str | None = None
    after: str | None = None
    seconds: float = 0.0
    wave: int = 0
    document: dict[str, Any] = field(default_factory=dict)  # the single deploy's --output json document
    operation: str = "deploy"  # or "oneshot" (the step's)

    @property
    def ok(self) -> bool:
        """Ended as it should; a skip with code 0 (a batch app, nothing to deploy) is one too."""
        return self.code == 0 and (self.result in SUCCEEDED or self.result == SKIPPED)


DeployOne = Callable[[Step], AppResult]
OnPhase = Callable[[Step, str], None]


def _skipped(step: Step, wave: int, why: str) -> AppResult:
    return AppResult(step.file, step.app, SKIPPED, 1, why, wave=wave)


def _guarded(deploy_one: DeployOne, step: Step, wave: int) -> AppResult:
    """*deploy_one*, with an unexpected exception as this app's failure, never the fleet's."""
    started = time.monotonic()
    try:
        result = deploy_one(step)
    except Exception as exc:
        result = AppResult(step.file, step.app, "error", 1, f"{type(exc).__name__}: {exc}")
    result.wave = wave
    result.operation = step.operation
    result.seconds = result.seconds or round(time.monotonic() - started, 3)
    return result


def _not_interrupted() -> int:
    return 0


def run_plan(plan: FleetPlan, deploy_one: DeployOne, *, jobs: int = 4, fail_fast: bool = False,
             on_phase: OnPhase | None = None, interrupted: Callable[[], int] = _not_interrupted) -> list[AppResult]:
    """Every step's result, in the plan's order. *interrupted*: the exit code of the signal that
    came (128 + its number), else 0; the later waves' apps are then not started because of it,
    not because of a failure."""
    phase = on_phase or (lambda step, text: None)
    results: dict[Step, AppResult] = {}
    stop = threading.Event()
    for index, wave in enumerate(plan.waves):
        number = plan.number(index)
        if stop.is_set():
            code = interrupted()
            why = ("not started: interrupted" if code else "not started: an earlier wave failed" if not fail_fast
                   else "not started (--fail-fast)")
            for step in wave:
                results[step] = replace(_skipped(step, number, why), code=code or 1)
                phase(step, SKIPPED)
            continue
        pending = list(wave)
        running: dict[Future[AppResult], Step] = {}
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="hako-deploy") as pool:
            while pending or running:
                while pending and len(running) < jobs and not (fail_fast and stop.is_set()):
                    step = pending.pop(0)
                    phase(step, "starting")
                    running[pool.submit(_guarded, deploy_one, step, number)] = step
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    results[step] = future.result()
                    phase(step, results[step].result)
                    if not results[step].ok:
                        stop.set()
        for step in pending:  # --fail-fast stopped starting them
            results[step] = _skipped(step, number, "not started (--fail-fast)")
            phase(step, SKIPPED)
    return [results[step] for step in plan.steps]
