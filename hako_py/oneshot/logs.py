"""Follow one CloudWatch Logs stream with forward tokens: every line once, in order."""

from __future__ import annotations

from typing import TextIO

from hako_py.aws.logs import LogsApi

MAX_PAGES_PER_POLL = 100


class LogFollower:
    """Writes a stream's messages to *out* as they arrive."""

    def __init__(self, logs: LogsApi, group: str, stream: str, out: TextIO) -> None:
        self.logs = logs
        self.group = group
        self.stream = stream
        self.out = out
        self.token: str | None = None
        self.lines = 0

    def poll(self) -> int:
        """Fetch what is new; returns how many events were written."""
        written = 0
        for _ in range(MAX_PAGES_PER_POLL):
            events, token = self.logs.get_log_events(self.group, self.stream, self.token)
            for event in events:
                message = str(event.get("message", ""))
                self.out.write(message if message.endswith("\n") else message + "\n")
            if events:
                self.out.flush()
            written += len(events)
            if token is not None:
                self.token = token
            if not events:
                break
        self.lines += written
        return written

    def drain(self, quiet_polls: int = 2) -> None:
        """After the task stopped: read until *quiet_polls* polls in a row bring nothing."""
        quiet = 0
        while quiet < quiet_polls:
            quiet = quiet + 1 if self.poll() == 0 else 0
