"""Run tasks on budgeted workers: every task gets its result or a :class:`Failure`.

``concurrent.futures.ProcessPoolExecutor`` cannot do this: when one worker dies, every
pending future fails with ``BrokenProcessPool`` and no one knows which task killed it,
and it has no per-task timeout. Here each worker runs one task at a time, so a worker
that dies or overruns its deadline is charged to exactly one task; it is replaced and the
remaining tasks go on.

A task's deadline starts once its worker has said it is ready: a worker's start-up
(importing Python modules, ~0.15 s, more on a busy machine) is not the definition's
fault. Start-up itself gets :data:`STARTUP_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any, TypeVar

from hako_py.workers import failure
from hako_py.workers.budget import Budget
from hako_py.workers.failure import Failure
from hako_py.workers.launch import Launch, WorkerProcess

T = TypeVar("T")
R = TypeVar("R")
STARTUP_SECONDS = 60.0
_STDERR_PART = 8192
_SEND_ATTEMPTS = 3


class WorkerError(RuntimeError):
    """A task raised an exception (a bug in hako-py, not a bad definition); carries its traceback."""


@dataclass
class _Worker:
    process: WorkerProcess
    stderr_path: str
    ready: bool = False
    context: tuple[str, dict[str, str]] | None = None


@dataclass
class _Running:
    worker: _Worker
    index: int
    deadline: float


class BudgetPool:
    """Up to *size* workers started by *launch*, each task within *budget*."""

    def __init__(self, size: int, launch: Launch, budget: Budget) -> None:
        self.size = max(1, size)
        self.launch = launch
        self.budget = budget
        self._idle: list[_Worker] = []
        self._live = 0
        self._launched = 0
        self._folder = tempfile.mkdtemp(prefix="hako-workers-")

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers now rather than when the first task needs them."""
        while self._live < self.size:
            self._idle.append(self._new_worker())

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R | Failure]:
        """``function(item)`` for every item, in order; a task that overran the budget or whose
        worker died is a :class:`Failure` instead. Runs where and as this process does."""
        context = (os.getcwd(), dict(os.environ))
        results: list[Any] = [None] * len(items)
        queue = deque(range(len(items)))
        running: dict[Connection, _Running] = {}
        refused = 0
        try:
            while queue or running:
                while queue and (self._idle or self._live < self.size):
                    worker = self._idle.pop() if self._idle else self._new_worker()
                    index = queue.popleft()
                    if self._send(worker, context, ("run", function, items[index])):
                        running[worker.process.conn] = _Running(worker, index, self._deadline(worker))
                        refused = 0
                    elif (refused := refused + 1) > _SEND_ATTEMPTS:
                        results[index] = Failure("crash", "evaluation crashed (no worker process would start)")
                    else:
                        queue.appendleft(index)  # it died while idle: nobody's fault, try another
                if not running:
                    continue
                nearest = min(task.deadline for task in running.values())
                for conn in wait(list(running), timeout=max(0.0, nearest - time.monotonic())):
                    assert isinstance(conn, Connection)
                    self._receive(running, conn, results)
                now = time.monotonic()
                for conn, task in list(running.items()):
                    if now >= task.deadline:
                        del running[conn]
                        task.worker.process.kill()
                        self._discard(task.worker)
                        results[task.index] = (failure.timed_out(self.budget) if task.worker.ready else
                                               Failure("crash", "evaluation crashed (the worker did not start)"))
        finally:
            for task in running.values():
                task.worker.process.kill()
                self._discard(task.worker)
        return results

    def close(self) -> None:
        """Stop every worker (they hold no state worth a graceful exit) and remove their files."""
        for worker in self._idle:
            worker.process.kill()
            worker.process.wait()
            worker.process.conn.close()
        self._idle.clear()
        self._live = 0
        shutil.rmtree(self._folder, ignore_errors=True)

    def _new_worker(self) -> _Worker:
        self._launched += 1
        self._live += 1
        stderr_path = os.path.join(self._folder, f"worker-{self._launched}.stderr")
        return _Worker(self.launch(self.budget, stderr_path), stderr_path)

    def _deadline(self, worker: _Worker) -> float:
        return time.monotonic() + self.budget.seconds + (0.0 if worker.ready else STARTUP_SECONDS)

    def _send(self, worker: _Worker, context: tuple[str, dict[str, str]], message: tuple[Any, ...]) -> bool:
        try:
            if worker.context != context:
                worker.process.conn.send(("context", *context))
                worker.context = context
            worker.process.conn.send(message)
        except OSError:
            worker.process.kill()
            self._discard(worker)
            return False
        return True

    def _receive(self, running: dict[Connection, _Running], conn: Connection, results: list[Any]) -> None:
        task = running[conn]
        try:
            message = conn.recv()
        except (EOFError, OSError):
            del running[conn]
            results[task.index] = self._died(task.worker)
            return
        if message[0] == "ready":
            task.worker.ready = True
            task.deadline = self._deadline(task.worker)
            return
        del running[conn]
        self._idle.append(task.worker)
        status, value = message
        if status == "error":
            raise WorkerError(f"a worker process failed:\n{value}")
        results[task.index] = value

    def _died(self, worker: _Worker) -> Failure:
        returncode = worker.process.wait()
        try:
            with open(worker.stderr_path, "rb") as stderr:
                # Go says why at the top of its trace, Python at the bottom of its traceback.
                head = stderr.read(_STDERR_PART)
                stderr.seek(max(len(head), os.fstat(stderr.fileno()).st_size - _STDERR_PART))
                said = (head + b"\n" + stderr.read()).decode("utf-8", "replace")
        except OSError:
            said = ""
        self._discard(worker)
        return failure.died(returncode, said, self.budget)

    def _discard(self, worker: _Worker) -> None:
        """Forget a dead or killed worker; a new one starts when a task needs it."""
        worker.process.wait()
        worker.process.conn.close()
        self._live -= 1
        with contextlib.suppress(OSError):
            os.unlink(worker.stderr_path)
