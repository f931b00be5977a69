"""CloudWatch Logs reads for following a task's awslogs stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from types_boto3_logs.client import CloudWatchLogsClient
    from types_boto3_logs.type_defs import GetLogEventsRequestTypeDef


class LogsApi:
    def __init__(self, client: CloudWatchLogsClient) -> None:
        self.client = client

    def get_log_events(self, group: str, stream: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """(events, next forward token); ([], token) while the stream does not exist yet."""
        request: GetLogEventsRequestTypeDef = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            request["nextToken"] = token
        try:
            with aws_errors(f"GetLogEvents {group}/{stream}"):
                response = self.client.get_log_events(**request)
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return [], token
            raise
        return [dict(event) for event in response.get("events", [])], response.get("nextForwardToken")
