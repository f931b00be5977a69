"""Follow one CloudWatch Logs stream with forward tokens: every line once, in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from hako_py.aws.logs import LogsApi

MAX_PAGES_PER_POLL = 100
DRAIN_POLL_SECONDS = 0.5
# How long the stream must stay quiet after the task stopped before hako stops reading it.
# The awslogs driver sends a batch every 5 s and GetLogEvents is eventually consistent
# (docs/ecs-defaults.md, "CloudWatch Logs delivery delay"): two batch periods of quiet.
DEFAULT_LOG_GRACE_SECONDS = 10.0


class LogFollower:
    """Writes a stream's messages to *out* as they arrive."""

    def __init__(self, logs: LogsApi, group: str, stream: str, out: TextIO) -> None:
        self.logs = logs
        self.group = group
        self.stream = stream
        self.out = out
        self.token: str | None = None
        self.lines = 0
        self.at_end = False  # whether the last poll reached the end of what the stream holds

    def poll(self) -> int:
        """Fetch every page that is there now; returns how many events were written.

        GetLogEvents pages hold at most 10,000 events or 1 MB, and a page "might only be partially
        full, or even empty" before the end (botocore logs model, GetLogEvents): the end is the
        answer that hands back the token it was given, not an empty page."""
        written = 0
        self.at_end = False
        for _ in range(MAX_PAGES_PER_POLL):
            sent = self.token
            events, token = self.logs.get_log_events(self.group, self.stream, sent)
            for event in events:
                message = str(event.get("message", ""))
                self.out.write(message if message.endswith("\n") else message + "\n")
            if events:
                self.out.flush()
            written += len(events)
            if token is not None:
                self.token = token
            if not events and token in (None, sent):
                self.at_end = True
                break
        self.lines += written
        return written

    def drain(self, grace: float, wait: Callable[[float], None], clock: Callable[[], float]) -> None:
        """After the task stopped: keep reading until the stream has been quiet for *grace*
        seconds. CloudWatch Logs delivers events late (the awslogs driver sends batches every
        few seconds; GetLogEvents is eventually consistent), so the last lines of a job can
        arrive after ECS reports the task STOPPED; two polls in a row were not enough."""
        quiet_since = clock()
        while True:
            if self.poll() or not self.at_end:  # events, or pages (maybe empty) still ahead: not quiet
                quiet_since = clock()
            elif clock() - quiet_since >= grace:
                return
            wait(min(DRAIN_POLL_SECONDS, max(grace, 0.01)))
