"""A container's output as CloudWatch Logs takes it: events of at most 256 KB, batches of at most
10,000 events and 1 MiB, timestamps that never go back.

The limits are PutLogEvents' (API reference, PutLogEvents: "The maximum batch size is 1,048,576
bytes. This size is calculated as the sum of all event messages in UTF-8, plus 26 bytes for
each log event"; "The maximum number of log events in a batch is 10,000"; an event is at most
256 KB, and the Docker awslogs driver splits longer lines, moby
daemon/logger/awslogs/cloudwatchlogs.go ``maximumBytesPerEvent``). The sandbox keeps to them so
that what a follower reads looks like what AWS would hold.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

EVENT_OVERHEAD = 26
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
MAX_EVENT_BYTES = 262_144 - EVENT_OVERHEAD

Events = list[tuple[int, str]]


def split_event(line: str) -> list[str]:
    """*line* in pieces of at most MAX_EVENT_BYTES in UTF-8, never inside a character."""
    data = line.encode("utf-8", "replace")
    if len(data) <= MAX_EVENT_BYTES:
        return [line]
    pieces = []
    while data:
        cut = min(len(data), MAX_EVENT_BYTES)
        while cut < len(data) and data[cut] & 0xC0 == 0x80:  # a continuation byte: back to the character's start
            cut -= 1
        pieces.append(data[:cut].decode("utf-8", "replace"))
        data = data[cut:]
    return pieces


class Batcher:
    """Collects one stream's lines and hands them to *send* in PutLogEvents-sized batches: when a
    batch is full, and on :meth:`flush` (the simulator's tick, and the stream's end)."""

    def __init__(self, send: Callable[[Events], None], clock: Callable[[], float] = time.time) -> None:
        self._send = send
        self._clock = clock
        self._events: Events = []
        self._bytes = 0
        self._last_ms = 0
        self._lock = threading.Lock()

    def add(self, lines: list[str]) -> None:
        with self._lock:  # batches leave in order: a flush from another thread never overtakes one
            now = max(int(self._clock() * 1000), self._last_ms)  # events of a batch must be in time order
            self._last_ms = now
            for line in lines:
                for piece in split_event(line):
                    size = len(piece.encode("utf-8", "replace")) + EVENT_OVERHEAD
                    if self._events and (len(self._events) >= MAX_BATCH_EVENTS
                                         or self._bytes + size > MAX_BATCH_BYTES):
                        self._send_pending()
                    self._events.append((now, piece))
                    self._bytes += size

    def flush(self) -> None:
        with self._lock:
            self._send_pending()

    def _send_pending(self) -> None:
        batch, self._events, self._bytes = self._events, [], 0
        if batch:
            self._send(batch)
