"""The worker's side: limit this process, then run the tasks the parent sends.

The memory limit is ``RLIMIT_DATA``, not ``RLIMIT_AS``: the Go runtime reserves far more
address space than it uses (1.5 GB for a trivial evaluation), so under an address-space
limit of 1 GiB go-jsonnet ran out of memory with 66 MB in use, while ``RLIMIT_DATA``
counts only memory a process can write to, close to what it really uses. ``GOMEMLIMIT``
makes Go's garbage collector work harder near the limit instead of growing into it.

Messages from the parent (over one connection):
``("context", cwd, environ)`` makes the worker run where and as the parent does (the env
provider reads the environment, error messages name files relative to the working
folder); ``("run", function, argument)`` runs one task and answers ``("ok", result)`` or
``("error", traceback)``. The worker says ``("ready",)`` once it has started, so that its
start-up does not count against the first task's time. End of input ends the worker.
"""

from __future__ import annotations

import math
import os
import resource
import signal
import traceback
from collections.abc import Iterable
from typing import Any

from hako_py.workers.budget import Budget
from hako_py.workers.channel import Link
from hako_py.workers.failure import MEMORY_EXIT

_inside = False


def inside_worker() -> bool:
    """Whether this process is a budgeted worker, so evaluating here is within budget."""
    return _inside


def serve(conn: Link, budget: Budget, stderr_path: str, preload: Iterable[str] = ()) -> None:
    """Apply *budget* to this process and answer tasks until the parent closes *conn*."""
    global _inside
    _inside = True
    # Ctrl-C reaches the whole process group: the parent handles it (and kills us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stderr_to(stderr_path)
    _limit_memory(budget)
    import _gojsonnet  # noqa: F401 - the Go runtime starts now: after fork() and with the limits set

    for module in preload:
        __import__(module)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "context":
            _, cwd, environ = message
            os.chdir(cwd)
            if environ != os.environ:
                os.environ.clear()
                os.environ.update(environ)
            continue
        _, function, argument = message
        _limit_cpu(budget)
        try:
            answer: tuple[str, Any] = ("ok", function(argument))
        except MemoryError:
            os._exit(MEMORY_EXIT)
        except BaseException:  # a bug in hako-py: report it, keep serving
            answer = ("error", traceback.format_exc())
        try:
            conn.send(answer)
        except MemoryError:
            os._exit(MEMORY_EXIT)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception:  # an answer that cannot be pickled
            conn.send(("error", traceback.format_exc()))


def _stderr_to(path: str) -> None:
    """Send this process's stderr (a Go crash prints its trace there) to *path*, which the
    parent reads to say why the worker died; users never see the trace."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)


def _limit_memory(budget: Budget) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = budget.memory_bytes if hard == resource.RLIM_INFINITY else min(hard, budget.memory_bytes)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    os.environ.setdefault("GOMEMLIMIT", str(limit * 3 // 4))
    os.environ.setdefault("GOMAXPROCS", "1")


def _limit_cpu(budget: Budget) -> None:
    """A CPU-time backstop for this task: the parent's wall-clock deadline normally ends it
    first, but an orphaned worker (its parent was killed) must stop too."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + budget.seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main(argv: list[str]) -> None:
    """Entry point of a worker started as ``python -P -m hako_py.workers FD SECONDS MIB STDERR``."""
    import socket

    from hako_py.workers.channel import Channel

    fd, seconds, memory_mib, stderr_path = argv
    serve(Channel(socket.socket(fileno=int(fd))), Budget(float(seconds), int(memory_mib)), stderr_path,
          preload=("hako_py.loading.evaluation",))
