"""Amazon EventBridge Scheduler calls hako-py makes (botocore service ``scheduler``): one method
per operation, typed by the types-boto3 stubs; reads return plain dicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors
from hako_py.aws.responses import plain

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_scheduler.client import EventBridgeSchedulerClient
    from types_boto3_scheduler.type_defs import (
        CreateScheduleGroupInputTypeDef,
        CreateScheduleInputTypeDef,
        DeleteScheduleInputTypeDef,
        UpdateScheduleInputTypeDef,
    )

NOT_FOUND = "ResourceNotFoundException"


class SchedulerApi:
    """Schedules and schedule groups of one region."""

    def __init__(self, client: EventBridgeSchedulerClient) -> None:
        self.client = client

    # reads ---------------------------------------------------------------------------------
    def group(self, name: str) -> dict[str, Any] | None:
        """GetScheduleGroup, or None when there is no such group."""
        try:
            with aws_errors(f"GetScheduleGroup {name}"):
                return plain(self.client.get_schedule_group(Name=name))
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    def tags(self, arn: str) -> dict[str, str]:
        """A schedule group's tags (API TagResource: only schedule groups have tags)."""
        with aws_errors("ListTagsForResource"):
            found = self.client.list_tags_for_resource(ResourceArn=arn)
        return {str(t["Key"]): str(t.get("Value", "")) for t in found.get("Tags") or []}

    def schedules(self, name_prefix: str, group: str | None = None) -> list[dict[str, Any]]:
        """ListSchedules' summaries (Name, GroupName, State, Arn, ...) of every group, or of *group*."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListSchedules {name_prefix}*"):
            paginator = self.client.get_paginator("list_schedules")
            pages = (paginator.paginate(NamePrefix=name_prefix, GroupName=group) if group is not None
                     else paginator.paginate(NamePrefix=name_prefix))
            for page in pages:
                found.extend(dict(s) for s in page.get("Schedules") or [])
        return found

    def schedules_in(self, group: str) -> list[dict[str, Any]]:
        """ListSchedules' summaries of every schedule of *group* (NamePrefix has a minimum length of 1,
        so it is left out rather than empty)."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListSchedules {group}"):
            for page in self.client.get_paginator("list_schedules").paginate(GroupName=group):
                found.extend(dict(s) for s in page.get("Schedules") or [])
        return found

    def schedule(self, group: str, name: str) -> dict[str, Any] | None:
        """GetSchedule, or None when it does not exist."""
        try:
            with aws_errors(f"GetSchedule {group}/{name}"):
                return plain(self.client.get_schedule(GroupName=group, Name=name))
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    # writes --------------------------------------------------------------------------------
    def create_schedule_group(self, **request: Unpack[CreateScheduleGroupInputTypeDef]) -> None:
        with aws_errors("CreateScheduleGroup"):
            self.client.create_schedule_group(**request)

    def create_schedule(self, **request: Unpack[CreateScheduleInputTypeDef]) -> None:
        with aws_errors("CreateSchedule"):
            self.client.create_schedule(**request)

    def update_schedule(self, **request: Unpack[UpdateScheduleInputTypeDef]) -> None:
        with aws_errors("UpdateSchedule"):
            self.client.update_schedule(**request)

    def delete_schedule(self, **request: Unpack[DeleteScheduleInputTypeDef]) -> None:
        with aws_errors("DeleteSchedule"):
            self.client.delete_schedule(**request)

