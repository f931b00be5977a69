"""``create_aws_cloud_watch_logs_log_group``: create each missing awslogs group (original hako's name)."""

from __future__ import annotations

from typing import Any, ClassVar

from hako_py.references import awslogs_groups
from hako_py.scripts.base import Script


class CreateLogGroup(Script):
    type_name = "create_aws_cloud_watch_logs_log_group"
    options_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False, "properties": {}}
    creates_log_groups = True

    def before_writes(self, task_definition: dict[str, Any]) -> None:
        lookups = self.context.lookups()  # what verify read is not read again
        for group, region in awslogs_groups(task_definition, self.context.app.region):
            region = region or self.context.aws.region
            if lookups.log_group(region, group):
                continue
            if self.context.dry_run:
                self.context.say(f"dry run: would create log group {group} ({region})")
                continue
            lookups.create_log_group(region, group)
            self.context.say(f"created log group {group} ({region})")
