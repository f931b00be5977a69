"""The one worker that single-file commands (render, show-definition, deploy, ...) share.

Evaluating a definition always happens in a budgeted worker: in this process when it is
one already (a pool worker of ``validate`` or ``diff --base``), else in this process's
shared worker, started once and reused, so that loading many files one after another
(the serial ``validate`` of fewer than 64 files, the test suite) pays one round trip per
file, not one interpreter start. :func:`prestart` lets the CLI start it while the command
is still importing its own modules.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from hako_py.errors import UsageError
from hako_py.workers.budget import Budget, budget_from_environment
from hako_py.workers.failure import Failure
from hako_py.workers.launch import interpreter_worker
from hako_py.workers.pool import BudgetPool
from hako_py.workers.worker import inside_worker

T = TypeVar("T")
R = TypeVar("R")
_lock = threading.RLock()
_pool: BudgetPool | None = None
_streaming = False


def run_budgeted(function: Callable[[T], R], argument: T) -> R | Failure:
    """``function(argument)`` within the budget the environment sets (see budget.py)."""
    if inside_worker():
        return function(argument)
    budget = budget_from_environment()
    with _lock:
        _not_streaming()
        return _shared(budget).map(function, [argument])[0]


def imap_budgeted(function: Callable[[T], R], items: Sequence[T]) -> Iterator[R | Failure]:
    """``function(item)`` for each item within the budget, yielded in order as they are done,
    so the caller works on one while the shared worker evaluates the next. The caller must
    not evaluate anything else before it has read them all."""
    if inside_worker():
        yield from (function(item) for item in items)
        return
    global _streaming
    budget = budget_from_environment()
    with _lock:
        _not_streaming()
        _streaming = True
        try:
            yield from _shared(budget).imap(function, items)
        finally:
            _streaming = False


def _not_streaming() -> None:
    if _streaming:  # same thread (the lock is reentrant): it would tangle the worker's answers
        raise RuntimeError("an evaluation was asked for while a stream of evaluations is being read")


def prestart() -> None:
    """Start the shared worker now; its start-up then overlaps the caller's own work."""
    try:
        budget = budget_from_environment()
    except UsageError:
        return  # reported by the first evaluation
    with _lock:
        _shared(budget).start()


def _shared(budget: Budget) -> BudgetPool:
    global _pool
    if _pool is not None and _pool.budget != budget:
        _pool.close()  # the memory limit is set when a worker starts
        _pool = None
    if _pool is None:
        _pool = BudgetPool(1, interpreter_worker, budget)
    return _pool


@atexit.register
def _close() -> None:
    if _pool is not None:
        _pool.close()
