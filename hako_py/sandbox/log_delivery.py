"""CloudWatch Logs delivering late, as it may: what a task writes becomes readable later.

Real CloudWatch Logs documents no delivery time. On EC2 the Docker awslogs driver publishes a
batch every 5 s (moby daemon/logger/awslogs/cloudwatchlogs.go ``batchPublishFrequency``); Fargate's
agent documents nothing; GetLogEvents pages "might only be partially full, or even empty" before
the end (botocore logs model, operation GetLogEvents). With ``delay`` above 0 (control API
``logDelaySeconds``), events written by simulated or Docker tasks keep their timestamps but reach
the sandbox's CloudWatch Logs, and so GetLogEvents, that many seconds later: a test can show that
a follower loses no trailing lines.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from hako_py.sandbox.problems import Problems


@dataclass(frozen=True)
class Destination:
    """A CloudWatch Logs stream of one account and region (an awslogs container's output)."""

    account: str
    region: str
    group: str
    stream: str

    def __str__(self) -> str:
        return f"log stream {self.group}/{self.stream} ({self.region}, account {self.account})"


Put = Callable[[Destination, list[tuple[int, str]]], None]  # (where, [(ms, line)])


@dataclass(frozen=True)
class _Batch:
    due: float
    destination: Destination
    events: list[tuple[int, str]]


class LogDelivery:
    """Hands events to *put* now (delay 0) or, in the order written, once due (:meth:`flush`).
    A batch that cannot be delivered (say, to a region CloudWatch Logs does not have) is
    reported once through *problems* and dropped: it must not hold back the batches behind it."""

    def __init__(self, put: Put, clock: Callable[[], float] = time.monotonic,
                 problems: Problems | None = None) -> None:
        self._put = put
        self.clock = clock
        self.problems = problems or Problems()
        self.delay = 0.0
        self._pending: deque[_Batch] = deque()
        self._lock = threading.Lock()  # Docker mode writes from one thread per container

    def put(self, destination: Destination, events: list[tuple[int, str]]) -> None:
        with self._lock:
            if self.delay <= 0 and not self._pending:
                self._deliver(destination, events)
                return
            self._pending.append(_Batch(self.clock() + self.delay, destination, list(events)))

    def flush(self) -> None:
        """Deliver every batch that is due; a later batch never overtakes an earlier one."""
        with self._lock:
            now = self.clock()
            while self._pending and (self._pending[0].due <= now or self.delay <= 0):
                batch = self._pending.popleft()
                self._deliver(batch.destination, batch.events)

    def _deliver(self, destination: Destination, events: list[tuple[int, str]]) -> None:
        self.problems.guarded(f"cannot deliver task output to {destination}", lambda: self._put(destination, events))
