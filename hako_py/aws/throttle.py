"""One AWS request budget per process, shared by every client and every thread.

Deploying a hundred apps at once with each client retrying on its own turns one
throttling error into a storm: every worker backs off, then all come back together.
A token bucket in front of the facade spaces the requests of all workers out
(*rate* per second, bursts of *burst*), and botocore's adaptive retry mode (the
clients' setting) still slows each client down when AWS throttles anyway. Every
attempt takes a token, retries included: the budget is what AWS sees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class TokenBucket:
    """*rate* tokens a second, at most *burst* saved up; :meth:`take` waits for one."""

    def __init__(self, rate: float, burst: int | None = None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate)))
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.burst
        self.updated = clock()
        self.lock = threading.Lock()
        self.taken = 0
        self.waited = 0.0

    def take(self) -> None:
        """Wait until a token is there, then take it (first come, first served under the lock)."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            self.taken += 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
            self.waited += wait
        if wait > 0:
            self.sleep(wait)  # the debt is already booked: the next caller waits behind this one

    def attach(self, client: Any) -> None:
        """Make every HTTP attempt of a boto3 *client* take a token first."""
        client.meta.events.register("before-send", self._before_send)

    def _before_send(self, **_: Any) -> None:
        self.take()
        return None  # None: botocore sends the request itself
