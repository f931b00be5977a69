"""A loopback AWS endpoint that answers hako's reads with recorded ECS responses.

Why it exists: the sandbox (moto + our simulator) answers with shapes we wrote ourselves,
so a green suite there only proves hako-py agrees with itself. This endpoint serves
responses AWS published (``tests/corpus``) over the real wire protocols, so botocore
parses them exactly as it parses ECS, and it records every request so a test can prove
that no write was attempted.

Reads (``Describe*``, ``List*``, ``Get*``) are answered from the :class:`Recordings` a test
loads. Every other operation is a write: it is recorded and refused with an
``AccessDeniedException`` (HTTP 400), and nothing changes. Other services hako may touch
on the same paths answer with their empty or not-found shapes: Application Auto Scaling
(empty lists), Elastic Load Balancing v2 (``...NotFound``), CloudWatch Logs (only the
recorded streams exist).

Point hako at it with ``AWS_ENDPOINT_URL``; on a loopback endpoint hako signs with dummy
credentials.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from hako_py.hosts import http_url

ACCOUNT_ID = "123456789012"
READ_PREFIXES = ("Describe", "List", "Get")
JSON_TARGETS = {
    "AmazonEC2ContainerServiceV20141113": "ecs",
    "Logs_20140328": "logs",
    "AnyScaleFrontendService": "application-autoscaling",
}
BOTOCORE_NAMES = {"ecs": "ecs", "logs": "logs", "application-autoscaling": "application-autoscaling"}
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")
ELB_NOT_FOUND = {
    "DescribeTargetGroups": "TargetGroupNotFound",
    "DescribeTargetHealth": "TargetGroupNotFound",
    "DescribeTargetGroupAttributes": "TargetGroupNotFound",
    "DescribeLoadBalancers": "LoadBalancerNotFound",
    "DescribeLoadBalancerAttributes": "LoadBalancerNotFound",
    "DescribeListeners": "ListenerNotFound",
    "DescribeRules": "RuleNotFound",
}
SCALING_EMPTY = {
    "DescribeScalableTargets": "ScalableTargets",
    "DescribeScalingPolicies": "ScalingPolicies",
    "DescribeScalingActivities": "ScalingActivities",
}


class AwsFault(Exception):
    """An error answer: ``{"__type": code, "message": message}`` with HTTP 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Call:
    """One request the endpoint received; ``refused`` marks a write."""

    service: str
    operation: str
    params: dict[str, Any]
    refused: bool


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str


@dataclass
class Recordings:
    """What the endpoint knows: recorded (or, where a test says so, synthetic) ECS objects."""

    task_definitions: list[tuple[dict[str, Any], list[dict[str, str]]]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    log_pages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add_task_definition(self, task_definition: dict[str, Any], tags: list[dict[str, str]] | None = None) -> None:
        self.task_definitions.append((task_definition, list(tags or [])))

    def add_service(self, service: dict[str, Any]) -> None:
        self.services.append(service)

    def add_task(self, task: dict[str, Any]) -> None:
        self.tasks.append(task)

    def add_log_page(self, group: str, stream: str, page: dict[str, Any]) -> None:
        self.log_pages[(group, stream)] = page


# --- helpers on recorded objects ----------------------------------------------------------------

def last_segment(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


def cluster_of(item: dict[str, Any]) -> str:
    """The cluster name of a recorded service or task (its ``clusterArn``; ``default`` without one)."""
    return last_segment(str(item.get("clusterArn") or "default"))


def revision_name(arn: str) -> str:
    """``family:revision`` from a task definition ARN (the ARN, not ``revision``: two samples disagree)."""
    return last_segment(arn)


def _revision_number(task_definition: dict[str, Any]) -> int:
    suffix = revision_name(str(task_definition.get("taskDefinitionArn", ""))).rsplit(":", 1)[-1]
    return int(suffix) if suffix.isdigit() else int(task_definition.get("revision") or 0)


# --- the wire form of timestamps -----------------------------------------------------------------

@cache
def _output_shape(service: str, operation: str) -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model(BOTOCORE_NAMES[service])
    return model.operation_model(operation).output_shape


def to_wire(shape: Any, value: Any) -> Any:
    """*value* with timestamps as epoch seconds, as AWS JSON services send them.

    The published samples print timestamps the way their client did (epoch floats, ISO
    strings with an offset, ``...Z``); on the wire all three were epoch seconds.
    Members the model does not know (e.g. ``tags`` inside a console export) pass unchanged.
    """
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: to_wire(shape.members.get(k), v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [to_wire(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: to_wire(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return value
    return value


# --- ECS reads -------------------------------------------------------------------------------------

class EcsReads:
    """The ECS read operations hako makes, answered from the recordings."""

    def __init__(self, recordings: Recordings, region: str) -> None:
        self.recordings = recordings
        self.region = region

    def _arn(self, kind: str, path: str) -> str:
        return f"arn:aws:ecs:{self.region}:{ACCOUNT_ID}:{kind}/{path}"

    def DescribeServices(self, params: dict[str, Any]) -> dict[str, Any]:
        cluster = last_segment(str(params.get("cluster") or "default"))
        with_tags = "TAGS" in (params.get("include") or [])
        found, failures = [], []
        for name in params.get("services") or []:
            service = next((s for s in self.recordings.services if cluster_of(s) == cluster
                            and name in (s.get("serviceName"), s.get("serviceArn"))), None)
            if service is None:
                failures.append({"arn": self._arn("service", f"{cluster}/{last_segment(name)}"), "reason": "MISSING"})
                continue
            # DescribeServices returns tags only when asked (include: ["TAGS"]); docs/ecs-defaults.md §3 "tags"
            found.append({k: v for k, v in service.items() if with_tags or k != "tags"})
        return {"services": found, "failures": failures}

    def _task_definition(self, reference: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """By ARN, by ``family:revision``, or by family: its latest ACTIVE revision (docs/ecs-defaults.md §2)."""
        recorded = self.recordings.task_definitions
        for task_definition, tags in recorded:
            arn = str(task_definition.get("taskDefinitionArn", ""))
            if reference in (arn, revision_name(arn)):
                return task_definition, tags
        family = [(td, tags) for td, tags in recorded if td.get("family") == reference and td.get("status") == "ACTIVE"]
        if family:
            return max(family, key=lambda pair: _revision_number(pair[0]))
        raise AwsFault("ClientException", "Unable to describe task definition.")

    def DescribeTaskDefinition(self, params: dict[str, Any]) -> dict[str, Any]:
        task_definition, tags = self._task_definition(str(params.get("taskDefinition")))
        answer: dict[str, Any] = {"taskDefinition": task_definition}
        if "TAGS" in (params.get("include") or []):
            answer["tags"] = tags
        return answer

    def ListTaskDefinitions(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = str(params.get("familyPrefix") or "")
        status = str(params.get("status") or "ACTIVE")
        chosen = [td for td, _ in self.recordings.task_definitions
                  if str(td.get("family", "")).startswith(prefix) and td.get("status") == status]
        chosen.sort(key=_revision_number, reverse=params.get("sort") == "DESC")
        return {"taskDefinitionArns": [td["taskDefinitionArn"] for td in chosen]}

    def ListServices(self, params: dict[str, Any]) -> dict[str, Any]:
        cluster = last_segment(str(params.get("cluster") or "default"))
        return {"serviceArns": [s["serviceArn"] for s in self.recordings.services if cluster_of(s) == cluster]}

    def ListTasks(self, params: dict[str, Any]) -> dict[str, Any]:
        cluster = last_segment(str(params.get("cluster") or "default"))
        wanted = {
            "group": f"service:{params['serviceName']}" if params.get("serviceName") else None,
            "startedBy": params.get("startedBy"),
            "desiredStatus": params.get("desiredStatus") or "RUNNING",
        }
        arns = [t["taskArn"] for t in self.recordings.tasks if cluster_of(t) == cluster
                and all(value is None or t.get(key) == value for key, value in wanted.items())]
        return {"taskArns": arns}

    def DescribeTasks(self, params: dict[str, Any]) -> dict[str, Any]:
        cluster = last_segment(str(params.get("cluster") or "default"))
        found, failures = [], []
        for reference in params.get("tasks") or []:
            task = next((t for t in self.recordings.tasks if cluster_of(t) == cluster
                         and last_segment(reference) == last_segment(str(t.get("taskArn")))), None)
            if task is None:
                failures.append({"arn": reference, "reason": "MISSING"})
            else:
                found.append(task)
        return {"tasks": found, "failures": failures}

    def DescribeClusters(self, params: dict[str, Any]) -> dict[str, Any]:
        """No cluster was recorded: every cluster is reported MISSING (the real shape for one)."""
        names = params.get("clusters") or ["default"]
        return {"clusters": [], "failures": [{"arn": self._arn("cluster", last_segment(n)), "reason": "MISSING"}
                                             for n in names]}

    def ListTagsForResource(self, params: dict[str, Any]) -> dict[str, Any]:
        arn = str(params.get("resourceArn"))
        for service in self.recordings.services:
            if service.get("serviceArn") == arn:
                return {"tags": list(service.get("tags") or [])}
        for task_definition, tags in self.recordings.task_definitions:
            if task_definition.get("taskDefinitionArn") == arn:
                return {"tags": tags}
        raise AwsFault("InvalidParameterException", f"The specified resource is not recorded: {arn}")


# --- other services --------------------------------------------------------------------------------

class LogsReads:
    """GetLogEvents over the recorded pages; the page after the last is empty with the same token."""

    def __init__(self, recordings: Recordings) -> None:
        self.recordings = recordings

    def GetLogEvents(self, params: dict[str, Any]) -> dict[str, Any]:
        page = self.recordings.log_pages.get((str(params.get("logGroupName")), str(params.get("logStreamName"))))
        if page is None:
            raise AwsFault("ResourceNotFoundException", "The specified log stream does not exist.")
        token = params.get("nextToken")
        if token is None:
            return page
        if token == page.get("nextForwardToken"):
            # Reading forward past the end: no events, and the token sent comes back
            # (botocore logs model, GetLogEventsResponse.nextForwardToken; docs/ecs-defaults.md
            # "CloudWatch Logs delivery delay").
            return {"events": [], "nextForwardToken": token, "nextBackwardToken": page.get("nextBackwardToken")}
        raise AwsFault("InvalidParameterException", "The specified nextToken is not recorded.")

    def DescribeLogGroups(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"logGroups": []}


def scaling_read(operation: str) -> dict[str, Any]:
    """Application Auto Scaling: nothing is registered."""
    if operation not in SCALING_EMPTY:
        raise AwsFault("ValidationException", f"{operation} is not recorded")
    return {SCALING_EMPTY[operation]: []}


# --- requests and replies --------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    service: str
    operation: str
    params: dict[str, Any]
    protocol: str  # "json", "query" or "cbor"
    region: str


def parse_request(path: str, headers: Any, body: bytes) -> Request:
    """Which service and operation a botocore request is for, by protocol."""
    scope = SCOPE.search(str(headers.get("Authorization") or ""))
    region, signing_name = (scope.group(1), scope.group(2)) if scope else ("us-east-1", "unknown")
    target = headers.get("X-Amz-Target")
    if target:
        prefix, _, operation = str(target).partition(".")
        params = json.loads(body or b"{}")
        return Request(JSON_TARGETS.get(prefix, signing_name), operation, params, "json", region)
    if path.startswith("/service/"):
        return Request(signing_name, last_segment(path), {}, "cbor", region)
    params = dict(parse_qsl(body.decode()))
    return Request(signing_name, params.pop("Action", "?"), params, "query", region)


def json_reply(status: int, payload: dict[str, Any]) -> Reply:
    return Reply(status, json.dumps(payload).encode(), "application/x-amz-json-1.1")


def query_error(code: str, message: str) -> Reply:
    body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>'
            '<RequestId>recorded</RequestId></ErrorResponse>')
    return Reply(400, body.encode(), "text/xml")


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


class RecordedAws:
    """The endpoint: ``with RecordedAws(recordings) as aws: ... aws.url ... aws.writes()``."""

    def __init__(self, recordings: Recordings) -> None:
        self.recordings = recordings
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.answer))
        # a short poll interval: shutdown() waits for the serving loop to look at its flag
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="recorded-aws", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return http_url(str(host), port)

    def __enter__(self) -> RecordedAws:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def writes(self) -> list[Call]:
        """The refused (write) requests, in order."""
        with self._lock:
            return [c for c in self.calls if c.refused]

    def operations(self, service: str = "ecs") -> list[str]:
        with self._lock:
            return [c.operation for c in self.calls if c.service == service]

    def answer(self, request: Request) -> Reply:
        refused = not is_read(request.operation)
        with self._lock:
            self.calls.append(Call(request.service, request.operation, request.params, refused))
        if refused:
            return self._refuse(request)
        try:
            return self._read(request)
        except AwsFault as fault:
            if request.protocol == "query":
                return query_error(fault.code, fault.message)
            return json_reply(400, {"__type": fault.code, "message": fault.message})

    def _refuse(self, request: Request) -> Reply:
        message = f"{request.service} {request.operation} is a write; this endpoint serves recordings and changes nothing"
        if request.protocol == "query":
            return query_error("AccessDenied", message)
        return json_reply(400, {"__type": "AccessDeniedException", "message": message})

    def _read(self, request: Request) -> Reply:
        if request.protocol == "query":
            code = ELB_NOT_FOUND.get(request.operation, "NotFound") if request.service == "elasticloadbalancing" \
                else "NotRecorded"
            return query_error(code, f"{request.operation}: nothing is recorded")
        if request.protocol == "cbor":
            return Reply(400, b"", "application/cbor")
        if request.service == "application-autoscaling":
            return json_reply(200, scaling_read(request.operation))
        handlers: Any = EcsReads(self.recordings, request.region) if request.service == "ecs" else \
            LogsReads(self.recordings) if request.service == "logs" else None
        handler = getattr(handlers, request.operation, None)
        if handler is None:
            raise AwsFault("UnknownOperationException", f"{request.service} {request.operation} is not recorded")
        payload = handler(request.params)
        return json_reply(200, to_wire(_output_shape(request.service, request.operation), payload))


def _handler_for(answer: Callable[[Request], Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """HTTP/1.0: one request per connection, so no thread lingers after the test."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            reply = answer(parse_request(self.path, self.headers, body))
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the recorded calls are the log."""

    return Handler
