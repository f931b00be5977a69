"""Amazon EventBridge calls hako-py makes (botocore service ``events``): the rule, target, API
destination and connection that report failed scheduled runs. One method per operation, typed
by the types-boto3 stubs; reads return plain dicts (None when the resource does not exist)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors
from hako_py.aws.responses import plain

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_events.client import EventBridgeClient
    from types_boto3_events.type_defs import (
        CreateApiDestinationRequestTypeDef,
        CreateConnectionRequestTypeDef,
        DeleteApiDestinationRequestTypeDef,
        DeleteConnectionRequestTypeDef,
        DeleteRuleRequestTypeDef,
        PutRuleRequestTypeDef,
        PutTargetsRequestTypeDef,
        RemoveTargetsRequestTypeDef,
        UpdateApiDestinationRequestTypeDef,
        UpdateConnectionRequestTypeDef,
    )

NOT_FOUND = "ResourceNotFoundException"


class EventsApi:
    """Rules of the default event bus, API destinations and connections of one region."""

    def __init__(self, client: EventBridgeClient) -> None:
        self.client = client

    # reads ---------------------------------------------------------------------------------
    @staticmethod
    def _found(action: str, read: Callable[[], Any]) -> dict[str, Any] | None:
        try:
            with aws_errors(action):
                return plain(read())
        except AwsError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    def rule(self, name: str) -> dict[str, Any] | None:
        """DescribeRule (default bus), or None."""
        return self._found(f"DescribeRule {name}", lambda: self.client.describe_rule(Name=name))

    def rule_tags(self, arn: str) -> dict[str, str]:
        with aws_errors("ListTagsForResource"):
            found = self.client.list_tags_for_resource(ResourceARN=arn)
        return {str(t["Key"]): str(t.get("Value", "")) for t in found.get("Tags") or []}

    def targets(self, rule: str) -> list[dict[str, Any]]:
        """ListTargetsByRule, every page (a rule has at most 5 targets)."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListTargetsByRule {rule}"):
            for page in self.client.get_paginator("list_targets_by_rule").paginate(Rule=rule):
                found.extend(plain(t) for t in page.get("Targets") or [])
        return found

    def connection(self, name: str) -> dict[str, Any] | None:
        """DescribeConnection (without its secrets: AWS never returns them), or None."""
        return self._found(f"DescribeConnection {name}", lambda: self.client.describe_connection(Name=name))

    def api_destination(self, name: str) -> dict[str, Any] | None:
        """DescribeApiDestination, or None."""
        return self._found(f"DescribeApiDestination {name}",
                           lambda: self.client.describe_api_destination(Name=name))

    # writes --------------------------------------------------------------------------------
    def put_rule(self, **request: Unpack[PutRuleRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("PutRule"):
            return plain(self.client.put_rule(**request))

    def put_targets(self, **request: Unpack[PutTargetsRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("PutTargets"):
            answer = plain(self.client.put_targets(**request))
        if answer.get("FailedEntryCount"):  # PutTargets answers 200 with the entries it refused
            raise AwsError(f"PutTargets: {answer.get('FailedEntries')}", "FailedEntries")
        return answer

    def remove_targets(self, **request: Unpack[RemoveTargetsRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("RemoveTargets"):
            return plain(self.client.remove_targets(**request))

    def delete_rule(self, **request: Unpack[DeleteRuleRequestTypeDef]) -> None:
        with aws_errors("DeleteRule"):
            self.client.delete_rule(**request)

    def create_connection(self, **request: Unpack[CreateConnectionRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("CreateConnection"):
            return plain(self.client.create_connection(**request))

    def update_connection(self, **request: Unpack[UpdateConnectionRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("UpdateConnection"):
            return plain(self.client.update_connection(**request))

    def delete_connection(self, **request: Unpack[DeleteConnectionRequestTypeDef]) -> None:
        with aws_errors("DeleteConnection"):
            self.client.delete_connection(**request)

    def create_api_destination(self, **request: Unpack[CreateApiDestinationRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("CreateApiDestination"):
            return plain(self.client.create_api_destination(**request))

    def update_api_destination(self, **request: Unpack[UpdateApiDestinationRequestTypeDef]) -> dict[str, Any]:
        with aws_errors("UpdateApiDestination"):
            return plain(self.client.update_api_destination(**request))

    def delete_api_destination(self, **request: Unpack[DeleteApiDestinationRequestTypeDef]) -> None:
        with aws_errors("DeleteApiDestination"):
            self.client.delete_api_destination(**request)
