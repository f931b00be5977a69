"""Amazon EventBridge Scheduler calls hako-py makes (botocore service ``scheduler``), as plain dicts.

Reads are methods; writes go through ``write(operation, **request)`` (boto3 method names:
create_schedule, update_schedule, delete_schedule, create_schedule_group), so a plan's
instructions are (operation, parameters) data one executor runs.
"""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call
from hako_py.aws.errors import AwsError, aws_errors

NOT_FOUND = "ResourceNotFoundException"


class SchedulerApi(Writes):
    """Schedules and schedule groups of one region."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def group(self, name: str) -> dict[str, Any] | None:
        """GetScheduleGroup, or None when there is no such group."""
        try:
            return call(self.client, "get_schedule_group", f"GetScheduleGroup {name}", Name=name)
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    def tags(self, arn: str) -> dict[str, str]:
        """A schedule group's tags (API TagResource: only schedule groups have tags)."""
        found = call(self.client, "list_tags_for_resource", "ListTagsForResource", ResourceArn=arn)
        return {str(t["Key"]): str(t.get("Value", "")) for t in found.get("Tags") or []}

    def schedules(self, name_prefix: str, group: str | None = None) -> list[dict[str, Any]]:
        """ListSchedules' summaries (Name, GroupName, State, Arn, ...) of every group, or of *group*."""
        request: dict[str, Any] = {"NamePrefix": name_prefix}
        if group is not None:
            request["GroupName"] = group
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListSchedules {name_prefix}*"):
            for page in self.client.get_paginator("list_schedules").paginate(**request):
                found.extend(dict(s) for s in page.get("Schedules") or [])
        return found

    def schedule(self, group: str, name: str) -> dict[str, Any] | None:
        """GetSchedule, or None when it does not exist."""
        try:
            return call(self.client, "get_schedule", f"GetSchedule {group}/{name}", GroupName=group, Name=name)
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise
