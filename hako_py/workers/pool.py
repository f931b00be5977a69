"""Run tasks on budgeted workers: every task gets its result or a :class:`Failure`.

``concurrent.futures.ProcessPoolExecutor`` cannot do this: when one worker dies, every
pending future fails with ``BrokenProcessPool`` and no one knows which task killed it,
and it has no per-task timeout. Here a worker runs its tasks one after another, so a
worker that dies or overruns its deadline is charged to exactly the task it was running;
it is replaced, the tasks queued behind it go to other workers, and the rest go on.

Each worker has up to :data:`QUEUED` tasks sent to it, so that it starts the next one as
soon as it answers instead of waiting a round trip for the parent (which cost a tenth of
``validate``'s time on 1,000 small files); only the first is running and has a deadline.
A task's deadline starts once its worker has said it is ready: a worker's start-up
(importing modules, ~0.1 s, more on a busy machine) is not the definition's fault.
Start-up itself gets :data:`STARTUP_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from hako_py.workers import failure
from hako_py.workers.budget import Budget
from hako_py.workers.channel import Link
from hako_py.workers.failure import Failure
from hako_py.workers.launch import Launch, WorkerProcess

T = TypeVar("T")
R = TypeVar("R")
QUEUED = 2
STARTUP_SECONDS = 60.0
_STDERR_PART = 8192
_SEND_ATTEMPTS = 3
_PENDING: Any = object()
# poll(), not epoll: a selector lives for one wait on a few workers, and poll needs no fd of its own
_Selector = getattr(selectors, "PollSelector", selectors.SelectSelector)


class WorkerError(RuntimeError):
    """A task raised an exception (a bug in hako-py, not a bad definition). ``str()`` is its
    last line (``ValueError: ...``), as for any internal error; ``worker_traceback`` is the
    whole worker-side traceback, printed only under HAKO_DEBUG."""

    def __init__(self, worker_traceback: str) -> None:
        lines = [line for line in worker_traceback.strip().splitlines() if line.strip()]
        super().__init__(f"in an evaluation worker: {lines[-1] if lines else 'unknown error'}")
        self.worker_traceback = worker_traceback


@dataclass
class _Worker:
    process: WorkerProcess
    stderr_path: str
    ready: bool = False
    context: tuple[str, dict[str, str]] | None = None
    tasks: deque[int] = field(default_factory=deque)  # sent, not answered; the first is running
    deadline: float = 0.0  # of the first task

    @property
    def conn(self) -> Link:
        return self.process.conn


@dataclass
class _Run:
    """One call of :meth:`BudgetPool.map`."""

    function: Callable[[Any], Any]
    items: Sequence[Any]
    context: tuple[str, dict[str, str]]
    results: list[Any]
    queue: deque[int]
    busy: dict[Link, _Worker] = field(default_factory=dict)


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
        return list(self.imap(function, items))

    def imap(self, function: Callable[[T], R], items: Sequence[T]) -> Iterator[R | Failure]:
        """:meth:`map`, yielding each result as soon as it and those before it are in: while the
        caller works on one, the workers go on with the tasks already sent to them."""
        run = _Run(function, items, (os.getcwd(), dict(os.environ)), [_PENDING] * len(items),
                   deque(range(len(items))))
        given = 0
        try:
            while run.queue or run.busy:
                self._dispatch(run)
                if run.busy:
                    self._wait(run)
                while given < len(items) and run.results[given] is not _PENDING:
                    yield run.results[given]
                    given += 1
        finally:
            for worker in run.busy.values():
                worker.process.kill()
                self._discard(worker)

    def _wait(self, run: _Run) -> None:
        """Until a worker answers or the nearest deadline; kill the workers past theirs."""
        nearest = min(worker.deadline for worker in run.busy.values())
        with _Selector() as selector:
            for conn, worker in run.busy.items():
                selector.register(conn, selectors.EVENT_READ, worker)
            answered: list[_Worker] = [key.data for key, _ in selector.select(max(0.0, nearest - time.monotonic()))]
        for worker in answered:
            self._receive(run, worker)
        now = time.monotonic()
        for worker in [w for w in run.busy.values() if now >= w.deadline]:
            worker.process.kill()
            self._end(run, worker, failure.timed_out(self.budget) if worker.ready else
                      Failure("crash", "evaluation crashed (the worker did not start)"))

    def close(self) -> None:
        """Stop every worker (they hold no state worth a graceful exit) and remove their files."""
        for worker in self._idle:
            worker.process.kill()
            worker.process.wait()
            worker.conn.close()
        self._idle.clear()
        self._live = 0
        shutil.rmtree(self._folder, ignore_errors=True)

    def _dispatch(self, run: _Run) -> None:
        """Send queued tasks: first one to every worker there is or may be, then more to busy ones."""
        refused = 0
        while run.queue:
            worker = self._free_worker(run)
            if worker is None:
                return
            index = run.queue.popleft()
            if self._send(worker, run.context, ("run", run.function, run.items[index])):
                if not worker.tasks:
                    worker.deadline = time.monotonic() + self.budget.seconds + (0 if worker.ready else STARTUP_SECONDS)
                worker.tasks.append(index)
                run.busy[worker.conn] = worker
                refused = 0
                continue
            run.queue.appendleft(index)
            if worker.tasks:
                return  # it died while busy: its answer (EOF) says so
            worker.process.kill()
            self._discard(worker)
            refused += 1
            if refused >= _SEND_ATTEMPTS:  # no worker would start
                run.results[run.queue.popleft()] = Failure("crash", "evaluation crashed (no worker process started)")

    def _free_worker(self, run: _Run) -> _Worker | None:
        if self._idle:
            return self._idle.pop()
        if self._live < self.size:
            return self._new_worker()
        queued = [w for w in run.busy.values() if len(w.tasks) < QUEUED]
        return min(queued, key=lambda w: len(w.tasks)) if queued else None

    def _receive(self, run: _Run, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._end(run, worker, self._died(worker))
            return
        if message[0] == "ready":
            worker.ready = True
            worker.deadline = time.monotonic() + self.budget.seconds
            return
        index = worker.tasks.popleft()
        if worker.tasks:
            worker.deadline = time.monotonic() + self.budget.seconds  # it has started the next one
        else:
            del run.busy[worker.conn]
            self._idle.append(worker)
        status, value = message
        if status == "error":
            raise WorkerError(str(value))
        run.results[index] = value

    def _end(self, run: _Run, worker: _Worker, outcome: Failure) -> None:
        """A worker is gone: its running task failed, the tasks queued behind it go back."""
        del run.busy[worker.conn]
        run.results[worker.tasks.popleft()] = outcome
        run.queue.extendleft(reversed(worker.tasks))
        self._discard(worker)

    def _new_worker(self) -> _Worker:
        self._launched += 1
        self._live += 1
        stderr_path = os.path.join(self._folder, f"worker-{self._launched}.stderr")
        return _Worker(self.launch(self.budget, stderr_path), stderr_path)

    def _send(self, worker: _Worker, context: tuple[str, dict[str, str]], message: tuple[Any, ...]) -> bool:
        try:
            if worker.context != context:
                worker.conn.send(("context", *context))
                worker.context = context
            worker.conn.send(message)
        except OSError:
            return False
        return True

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
        return failure.died(returncode, said, self.budget)

    def _discard(self, worker: _Worker) -> None:
        """Forget a dead or killed worker; a new one starts when a task needs it."""
        worker.process.wait()
        worker.conn.close()
        self._live -= 1
        with contextlib.suppress(OSError):
            os.unlink(worker.stderr_path)
