"""Signals that stop a command on purpose: SIGINT (Ctrl-C, ``kill -INT``) and SIGTERM.

Python turns SIGINT into KeyboardInterrupt only when the process did not inherit it as
ignored; a job a shell started in the background (``hako deploy ... &`` in a script, CI
steps) inherits SIGINT ignored, and would then not stop on ``kill -INT``. :func:`raising_on`
installs the handler explicitly, whatever was inherited, and gives SIGTERM the same path,
so a command can say what it leaves behind before it exits 128 + the signal's number.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by a signal that :func:`raising_on` installed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 128 + N for a signal N that :func:`raising_on` turned into Interrupted."""
    return interrupt.exit_code if isinstance(interrupt, Interrupted) else 128 + signal.SIGINT


def _raise(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextmanager
def raising_on(*signums: signal.Signals) -> Iterator[None]:
    """Within the block, each of *signums* raises :class:`Interrupted` in the main thread,
    even when the process inherited it as ignored; the handlers before are put back after.
    Outside the main thread (where Python cannot install handlers) it changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class InterruptFlag:
    """Signals as a flag that threads poll: Python runs signal handlers in the main thread only,
    so the deploys a fleet runs in worker threads learn of SIGINT/SIGTERM by sleeping through
    :meth:`sleep`, which raises :class:`Interrupted` in *their* thread once a signal came
    (they then stop following and say the deployment continues, as a single deploy does)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum = 0
        self._listeners: list[Callable[[int], None]] = []

    @property
    def set(self) -> bool:
        return self.event.is_set()

    def sleep(self, seconds: float) -> None:
        if self.event.wait(max(0.0, seconds)):
            raise Interrupted(self.signum)

    @contextmanager
    def forwarding(self, listener: Callable[[int], None]) -> Iterator[None]:
        """Within the block, every signal is also passed to *listener* (at once if one came
        already): a worker thread's own signal handling (a oneshot stops its task, as ``hako
        oneshot`` does) learns of it, since only the main thread's handlers run."""
        self._listeners.append(listener)
        try:
            if self.set:
                listener(self.signum)
            yield
        finally:
            self._listeners.remove(listener)

    def _handle(self, signum: int, frame: Any) -> None:
        self.signum = self.signum or signum
        self.event.set()
        for listener in list(self._listeners):
            listener(signum)


@contextmanager
def flagging_on(flag: InterruptFlag, *signums: signal.Signals) -> Iterator[None]:
    """Within the block, each of *signums* sets *flag* (whatever the process inherited) instead of
    raising; the handlers before are put back after. Main thread only, as :func:`raising_on`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, flag._handle) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
