"""Amazon EventBridge calls hako-py makes (botocore service ``events``), as plain dicts: the rule,
target, API destination and connection that report failed scheduled runs.

Reads are methods (None when the resource does not exist); writes go through
``write(operation, **request)`` (boto3 method names: put_rule, put_targets, remove_targets,
delete_rule, create_connection, update_connection, delete_connection, create_api_destination,
update_api_destination, delete_api_destination), so a plan's instructions are data one
executor runs.
"""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call
from hako_py.aws.errors import AwsError

NOT_FOUND = "ResourceNotFoundException"


class EventsApi(Writes):
    """Rules of the default event bus, API destinations and connections of one region."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def _found(self, operation: str, action: str, **request: Any) -> dict[str, Any] | None:
        try:
            return call(self.client, operation, action, **request)
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    def rule(self, name: str) -> dict[str, Any] | None:
        """DescribeRule (default bus), or None."""
        return self._found("describe_rule", f"DescribeRule {name}", Name=name)

    def rule_tags(self, arn: str) -> dict[str, str]:
        found = call(self.client, "list_tags_for_resource", "ListTagsForResource", ResourceARN=arn)
        return {str(t["Key"]): str(t.get("Value", "")) for t in found.get("Tags") or []}

    def targets(self, rule: str) -> list[dict[str, Any]]:
        """ListTargetsByRule (paginated: a rule has at most 5 targets, one page)."""
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {"Rule": rule}
        while True:
            page = call(self.client, "list_targets_by_rule", f"ListTargetsByRule {rule}", **request)
            found.extend(dict(t) for t in page.get("Targets") or [])
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    def connection(self, name: str) -> dict[str, Any] | None:
        """DescribeConnection (without its secrets: AWS never returns them), or None."""
        return self._found("describe_connection", f"DescribeConnection {name}", Name=name)

    def api_destination(self, name: str) -> dict[str, Any] | None:
        """DescribeApiDestination, or None."""
        return self._found("describe_api_destination", f"DescribeApiDestination {name}", Name=name)
