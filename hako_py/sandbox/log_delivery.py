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

Put = Callable[[str, str, str, list[tuple[int, str]]], None]  # (region, group, stream, [(ms, line)])


@dataclass(frozen=True)
class _Batch:
    due: float
    region: str
    group: str
    stream: str
    events: list[tuple[int, str]]


class LogDelivery:
    """Hands events to *put* now (delay 0) or, in the order written, once due (:meth:`flush`)."""

    def __init__(self, put: Put, clock: Callable[[], float] = time.monotonic) -> None:
        self._put = put
        self.clock = clock
        self.delay = 0.0
        self._pending: deque[_Batch] = deque()
        self._lock = threading.Lock()  # Docker mode writes from one thread per container

    def put(self, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        with self._lock:
            if self.delay <= 0 and not self._pending:
                self._put(region, group, stream, events)
                return
            self._pending.append(_Batch(self.clock() + self.delay, region, group, stream, list(events)))

    def flush(self) -> None:
        """Deliver every batch that is due; a later batch never overtakes an earlier one."""
        with self._lock:
            now = self.clock()
            while self._pending and (self._pending[0].due <= now or self.delay <= 0):
                batch = self._pending.popleft()
                self._put(batch.region, batch.group, batch.stream, batch.events)
