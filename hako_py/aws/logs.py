"""CloudWatch Logs reads for following a task's awslogs stream."""

from __future__ import annotations

from typing import Any

from hako_py.aws.errors import AwsError, aws_errors


class LogsApi:
    def __init__(self, client: Any) -> None:
        self.client = client

    def get_log_events(self, group: str, stream: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """(events, next forward token); ([], token) while the stream does not exist yet."""
        kwargs: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            kwargs["nextToken"] = token
        try:
            with aws_errors(f"GetLogEvents {group}/{stream}"):
                response = self.client.get_log_events(**kwargs)
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return [], token
            raise
        return list(response.get("events", [])), response.get("nextForwardToken")
