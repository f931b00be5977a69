"""Error answers shaped like AWS's, so an SDK client shows the sandbox's reason as an AWS error.

botocore reads a JSON-protocol error (X-Amz-Target requests: ECS, SSM, Logs, ...) from
``__type``/``message`` and an XML one (query protocol: ELBv2, EC2, IAM, ...) from
``<ErrorResponse><Error><Code>``; an error in the wrong shape surfaces as a bare HTTP status.
"""

from __future__ import annotations

import json
from typing import NamedTuple
from xml.sax.saxutils import escape


class Reply(NamedTuple):
    """A whole HTTP answer: status line ("403 Forbidden"), headers and body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 413: "Content Too Large",
           415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable"}


def status_line(status: int) -> str:
    return f"{status} {REASONS.get(status, 'Error')}"


def aws_error(status: int, code: str, message: str, *, json_protocol: bool) -> Reply:
    """An AWS error in the caller's protocol (*code* spelt as that protocol spells it)."""
    if json_protocol:
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code><Message>{escape(message)}"
                "</Message></Error><RequestId>hako-sandbox</RequestId></ErrorResponse>").encode()
        content_type = "text/xml"
    return Reply(status_line(status),
                 [("Content-Type", content_type), ("x-amzn-ErrorType", code),
                  ("X-Content-Type-Options", "nosniff"), ("Content-Length", str(len(body)))], body)


def json_reply(status: str, data: object) -> Reply:
    """A control API answer."""
    body = json.dumps(data, default=str).encode()
    return Reply(status, [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                          ("Content-Length", str(len(body)))], body)


def uses_json_protocol(target: str, content_type: str) -> bool:
    """JSON-protocol AWS requests name their operation in X-Amz-Target (or declare a JSON body)."""
    return bool(target) or "json" in content_type.lower()


def closing(reply: Reply) -> Reply:
    """*reply* ending the connection: sent before the request's body was read, the rest of that
    body must not be taken for the next request."""
    return reply._replace(headers=[*reply.headers, ("Connection", "close")])
