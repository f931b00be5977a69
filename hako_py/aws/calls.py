"""One AWS call with hako's error translation, shared by the service facades."""

from __future__ import annotations

from typing import Any

from hako_py.aws.errors import aws_errors


def call(client: Any, operation: str, action: str, **request: Any) -> dict[str, Any]:
    """Call *operation* (a boto3 method name); the response without its metadata."""
    with aws_errors(action):
        response: dict[str, Any] = getattr(client, operation)(**request)
    response.pop("ResponseMetadata", None)
    return response


class Writes:
    """``write(operation, **request)`` for facades whose writes need no special handling."""

    client: Any

    def write(self, operation: str, **request: Any) -> dict[str, Any]:
        """Any write, named by its boto3 method (create_*, modify_*, delete_*, ...)."""
        label = "".join(part.capitalize() for part in operation.split("_"))
        return call(self.client, operation, label, **request)
