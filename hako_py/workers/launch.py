"""Starting a worker process, two ways.

Pools (``validate`` of many files, ``diff --base``) fork their workers from a forkserver
that has imported :mod:`hako_py.preload`: a replacement for a worker that died starts in
~15 ms. Never plain ``fork()``: gojsonnet's Go runtime does not survive it, so workers
import gojsonnet only after they are forked, and the forkserver never does.

Single-file commands share one worker started as a fresh interpreter: a forkserver that
preloads the schema validators takes 0.6 s before it forks anything, more than the whole
command, while ``python -m hako_py.workers`` is started without waiting and imports only
the loading code (~0.15 s) while the command imports everything else. ``-P`` keeps the
working folder (a repository under review) out of its import path.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Protocol

from hako_py.workers.budget import Budget
from hako_py.workers.channel import Channel, Link

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

FORKSERVER_PRELOAD = ["hako_py.preload"]


class WorkerProcess(Protocol):
    """A started worker: its connection, and how to kill it and learn how it ended."""

    conn: Link

    def kill(self) -> None: ...

    def wait(self) -> int | None: ...


class Launch(Protocol):
    def __call__(self, budget: Budget, stderr_path: str) -> WorkerProcess: ...


class _Forked:
    def __init__(self, conn: Link, process: BaseProcess) -> None:
        self.conn = conn
        self.process = process

    def kill(self) -> None:
        self.process.kill()

    def wait(self) -> int | None:
        self.process.join()
        return self.process.exitcode


class _Spawned:
    def __init__(self, conn: Link, popen: subprocess.Popen[bytes]) -> None:
        self.conn = conn
        self.popen = popen

    def kill(self) -> None:
        self.popen.kill()

    def wait(self) -> int | None:
        return self.popen.wait()


def start_forkserver() -> None:
    """Start the forkserver now, without waiting for it: its start-up (importing
    :data:`FORKSERVER_PRELOAD`, ~0.5 s) then overlaps what the command does before it forks the
    first worker, instead of delaying that worker."""
    from multiprocessing import forkserver, get_context

    get_context("forkserver").set_forkserver_preload(FORKSERVER_PRELOAD)
    forkserver.ensure_running()


def forkserver_worker(budget: Budget, stderr_path: str) -> WorkerProcess:
    """A worker forked from the (preloaded) forkserver."""
    from multiprocessing import get_context

    from hako_py.workers.worker import serve

    context = get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(child, budget, stderr_path), daemon=True, name="hako-worker")
    process.start()
    child.close()
    return _Forked(parent, process)


def interpreter_worker(budget: Budget, stderr_path: str) -> WorkerProcess:
    """A worker in a fresh interpreter, started without waiting for it to be ready."""
    parent, child = socket.socketpair()
    with child, open(stderr_path, "wb") as stderr:
        popen = subprocess.Popen(
            [sys.executable, "-P", "-m", "hako_py.workers", str(child.fileno()), repr(budget.seconds),
             str(budget.memory_mib), stderr_path],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )
    return _Spawned(Channel(parent), popen)
