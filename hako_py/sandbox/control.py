"""The sandbox's HTTP front: request counting, the ``/_sandbox/`` control API, and fix-ups.

Every AWS request passes through :class:`SandboxApp` on its way to moto, so tests can
count requests by operation (``GET /_sandbox/requests``) and steer the simulator.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from hako_py.sandbox import control_input, log_pages
from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.ecs_sim import EcsSimulator, TaskOutcome
from hako_py.sandbox.guard import CONTROL_PREFIX, Guard, Request, refusal_reply, without_cors
from hako_py.sandbox.replies import Reply, aws_error, closing, json_reply, status_line, uses_json_protocol
from hako_py.sandbox.scaling_sim import ScalingSimulator
from hako_py.sandbox.scheduler_sim import ScheduleSimulator
from hako_py.sandbox.task_events import TaskEvents

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]*)/([^/]+)/")  # an empty region is refused too (moto: 500)
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
SIGV4 = "AWS4-HMAC-SHA256 "
# Requests signed with an access key starting with this are refused, to test bad credentials.
INVALID_KEY_PREFIX = "INVALID"
_READ_PREFIXES = ("Describe", "List", "Get", "Filter")
_REST_READS = ("GET ", "HEAD ")  # REST protocols (S3): the operation is "METHOD /path"
MAX_AWS_BODY_BYTES = 256 * 1024 * 1024  # everything moto holds is in memory

HELP = {
    "GET /_sandbox/": "this description",
    "GET /_sandbox/requests": "AWS requests served, by service.Operation, and how many were writes",
    "POST /_sandbox/requests/reset": "zero the request counters",
    "POST /_sandbox/fail-next-rollout": '{"service": "web", "cluster": "production"?} - the tasks of the next '
                                        "rollout fail: with the circuit breaker on it fails (and ECS rolls back if "
                                        "the breaker's rollback is enabled), without it stays IN_PROGRESS while "
                                        "failedTasks grows",
    "POST /_sandbox/next-task": '{"exitCode": 3, "stopReason": "...", "logLines": ["..."], "runSeconds": 2, '
                                '"containerExitCodes": {"side": 0}, "family": "app-oneshot"?} - outcome of the next '
                                "RunTask task (of that family)",
    "POST /_sandbox/fail-next-start": '{"reason": "RESOURCE:MEMORY", "mode": "failure" | "pull-error"} - the next '
                                      "RunTask returns a failure (or its task stops before starting)",
    "POST /_sandbox/settings": '{"rolloutSeconds": 3, "taskSeconds": 1, "logDelaySeconds": 0, "logEmptyPages": '
                               '0, "scheduleTimeScale": 1} - timings; logDelaySeconds: task output reaches '
                               "CloudWatch Logs that much later; logEmptyPages: GetLogEvents answers that many "
                               "empty pages before each page of events; scheduleTimeScale: EventBridge Scheduler's "
                               "clock runs that many times faster (60: a schedule's minute is a second)",
    "POST /_sandbox/fire-schedule": '{"name": "app.nightly", "group": "hako-production", "region": "us-east-1"} - '
                                    "run the schedule's target now, as EventBridge Scheduler would",
    "GET /_sandbox/schedules": "the runs the sandbox started for schedules (schedule ARN, time, task ARN or failure)",
    "GET /_sandbox/events": "the ECS Task State Change events of stopped tasks as the EventBridge rules took them "
                            "(task ARN, the rules that matched) and what was sent to API destinations",
    "POST /_sandbox/rename": '{"kind": "subnet" | "security-group" | "vpc" | "certificate", "region": "us-east-1", '
                             '"id": "subnet-...", "to": "subnet-0a1b..."} - give an object the ID a definition uses '
                             "(moto cannot choose IDs; hako sandbox seed uses it)",
}
RULES = ("POST bodies: Content-Type application/json, a JSON object with only the fields shown; seconds are "
         "finite numbers in [0, 3600], exit codes integers (or null), names at most 255 characters, at most "
         "10000 log lines. A refused request answers 4xx with {\"error\", \"field\"}.")


def _json_response(start_response: Any, status: str, data: Any) -> list[bytes]:
    return _send(start_response, json_reply(status, data))


def _send(start_response: Any, reply: Reply) -> list[bytes]:
    start_response(reply.status, reply.headers)
    return [reply.body]


def _json_body(body: bytes) -> dict[str, Any]:
    """A JSON-protocol request's parameters; {} for a body that is no JSON object (moto answers it)."""
    try:
        parsed = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def operation_of(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """(service, operation, region) of an AWS request."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    region, service = (match.group(1), match.group(2)) if match else ("us-east-1", "unknown")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return service, target.rsplit(".", 1)[-1], region
    if body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return service, action[0], region
    return service, f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}", region


def credential_refusal(environ: dict[str, Any]) -> Reply | None:
    """What the credential scope of a signed request alone refuses, answered in the caller's
    protocol (an SDK must read it as an AWS error, not fail to parse it): a test key starting
    INVALID (UnrecognizedClientException, or InvalidClientTokenId in XML, as IAM and STS say),
    and a region moto does not serve (moto could only fail on it, and the simulator must never
    meet such a region)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    json_protocol = uses_json_protocol(environ.get("HTTP_X_AMZ_TARGET", ""), environ.get("CONTENT_TYPE", ""))
    key = _ACCESS_KEY.search(authorization)
    if key and key.group(1).startswith(INVALID_KEY_PREFIX):
        return aws_error(403 if not json_protocol else 400,
                         "UnrecognizedClientException" if json_protocol else "InvalidClientTokenId",
                         "The security token included in the request is invalid.", json_protocol=json_protocol)
    scope = _SCOPE.search(authorization) if authorization.startswith(SIGV4) else None  # SigV4a scopes name no region
    if scope and not glue.serves_region(scope.group(1)):
        shown = repr(scope.group(1)[:64])
        message = (f"Credential should be scoped to a valid region, not {shown}: the sandbox serves the AWS "
                   "regions botocore knows (us-east-1, ap-northeast-1, ...).")
        return aws_error(400 if json_protocol else 403,
                         "InvalidSignatureException" if json_protocol else "SignatureDoesNotMatch",
                         message, json_protocol=json_protocol)
    return None


class SandboxApp:
    """WSGI app in front of moto's dispatcher."""

    def __init__(self, moto_app: Any, simulator: EcsSimulator, guard: Guard | None = None,
                 schedules: ScheduleSimulator | None = None, events: TaskEvents | None = None) -> None:
        self.moto_app = moto_app
        self.sim = simulator
        self.schedules = schedules
        self.events = events
        self.guard = guard or Guard()
        self.counts: Counter[str] = Counter()
        self.writes = 0
        self.scaling = ScalingSimulator()
        self.idempotent: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Refuse what is not the local user's (see guard), then serve without CORS headers."""
        request = Request.from_environ(environ)
        refusal = self.guard.refusal(request, environ.get("werkzeug.socket"))
        if refusal is not None:
            return _send(start_response, refusal_reply(refusal, request))
        start_response = without_cors(start_response)
        if request.path.startswith(CONTROL_PREFIX):
            return self.control(environ, start_response, request.path)
        return self.aws(environ, start_response)

    def aws(self, environ: dict[str, Any], start_response: Any) -> Any:
        """An AWS request: counted, steered (failure injection, client tokens), answered by moto."""
        try:
            length = control_input.content_length(environ, limit=MAX_AWS_BODY_BYTES)
        except control_input.BadInput as exc:
            json_protocol = uses_json_protocol(environ.get("HTTP_X_AMZ_TARGET", ""), environ.get("CONTENT_TYPE", ""))
            return _send(start_response, closing(aws_error(exc.status, "InvalidRequest", str(exc),
                                                           json_protocol=json_protocol)))
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation, region = operation_of(environ, body)
        refused = credential_refusal(environ)
        if refused is not None:
            return _send(start_response, refused)
        with self.sim.lock:
            if not environ.get("HTTP_X_HAKO_SANDBOX_SCHEDULER"):  # the schedule simulator's RunTask is not the caller's
                self.counts[f"{service}.{operation}"] += 1
                if not operation.startswith(_READ_PREFIXES) and not operation.startswith(_REST_READS):
                    self.writes += 1
            if service == "ecs" and operation == "RunTask" and self.sim.start_failures:
                failure = self.sim.start_failures[0]
                if failure.get("mode", "failure") == "failure":
                    self.sim.start_failures.pop(0)
                    request = _json_body(body)
                    return _json_response(start_response, "200 OK", {"tasks": [], "failures": [
                        {"arn": request.get("taskDefinition", ""), "reason": failure.get("reason", "RESOURCE:MEMORY")}
                    ]})
                self.sim.start_failures.pop(0)
                self.sim.next_outcomes.insert(0, TaskOutcome(
                    exit_code=None, pull_error=failure.get("reason", "CannotPullContainerError: pull access denied")))
            if service == "application-autoscaling" and operation == "DescribeScalingActivities":
                activities = self.scaling.describe(region, _json_body(body))
                return _json_response(start_response, "200 OK", activities)
            if service == "logs" and operation == "GetLogEvents" and self.sim.log_empty_pages:
                return self._log_page(environ, start_response, body)
            token = self._client_token(service, operation, body, environ.get("HTTP_AUTHORIZATION", ""))
            if token is not None and token in self.idempotent:
                status, headers, cached = self.idempotent[token]
                start_response(status, headers)
                return [cached]
            if token is not None:
                captured: dict[str, Any] = {}

                def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                    captured.update(status=status, headers=headers)
                    return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
                chunks = list(self.moto_app(environ, capture))
                if str(captured.get("status", "")).startswith("200"):
                    self.idempotent[token] = (captured["status"], captured["headers"], b"".join(chunks))
            else:
                chunks = list(self.moto_app(environ, start_response))
            if service == "application-autoscaling" and operation == "RegisterScalableTarget":
                self.scaling.registered(region, _json_body(body))
            if service == "ecs" and operation in ("CreateService", "RunTask"):
                self._own(operation, b"".join(chunks))
            if service == "ecs" and operation in ("CreateService", "UpdateService", "RunTask", "StopTask"):
                self.sim.problems.guarded("simulator", self.sim.tick)  # ECS starts the deployment / task
                # before it answers; whatever goes wrong there is the simulator's, not this request's
        return chunks

    def _log_page(self, environ: dict[str, Any], start_response: Any, body: bytes) -> list[bytes]:
        """GetLogEvents with ``logEmptyPages``: that many empty pages before each page that holds
        events (see log_pages)."""
        body, served = log_pages.unmark(body)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
        answer = b"".join(self.moto_app(environ, capture))
        empty = None if served >= self.sim.log_empty_pages or not str(captured.get("status", "")).startswith(
            "200") else log_pages.empty_page(body, answer, served)
        if empty is not None:
            answer = empty
        headers = [(k, str(len(answer)) if k.lower() == "content-length" else v) for k, v in captured["headers"]]
        start_response(captured["status"], headers)
        return [answer]

    @staticmethod
    def _client_token(service: str, operation: str, body: bytes, authorization: str) -> str | None:
        """ECS's clientToken: a repeated RunTask/CreateService answers as the first one did
        (moto ignores the token; ECS does not). A token is one account's and region's: the key
        holds the credential scope's region and access key (moto's account follows the key)."""
        if service != "ecs" or operation not in ("RunTask", "CreateService"):
            return None
        token = _json_body(body).get("clientToken")
        if not token:
            return None
        scope, key = _SCOPE.search(authorization), _ACCESS_KEY.search(authorization)
        return f"{operation}:{scope.group(1) if scope else ''}:{key.group(1) if key else ''}:{token}"

    def _own(self, operation: str, response: bytes) -> None:
        """Remember what this sandbox created, by ARN (which names account and region): moto's
        state is per process, and another sandbox in the same process (tests) must not simulate
        it too."""
        answer = _json_body(response)
        if operation == "CreateService":
            service = answer.get("service")
            if isinstance(service, dict) and isinstance(service.get("serviceArn"), str):
                self.sim.owned_services[service["serviceArn"]] = None
            return
        tasks = answer.get("tasks") or []
        self.sim.owned_tasks.update(dict.fromkeys(str(t.get("taskArn")) for t in tasks if isinstance(t, dict)))

    def control(self, environ: dict[str, Any], start_response: Any, path: str) -> list[bytes]:
        """``/_sandbox/...``: JSON in (POST bodies checked by control_input), JSON out."""
        route = f"{environ.get('REQUEST_METHOD', 'GET')} {path.rstrip('/') or '/_sandbox'}"
        handler = self._routes().get(route)
        if handler is None:
            return _json_response(start_response, "404 Not Found", {"error": f"no such control endpoint: {route}",
                                                                     "api": HELP})
        try:
            payload = control_input.json_object(environ) if route.startswith("POST ") else {}
            with self.sim.lock:
                answer = handler(payload)
        except control_input.BadInput as exc:
            return _send(start_response, closing(json_reply(status_line(exc.status),
                                                            {"error": str(exc), "field": exc.field})))
        return _json_response(start_response, "200 OK", answer)

    def _routes(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "GET /_sandbox": self._describe,
            "GET /_sandbox/requests": self._requests,
            "POST /_sandbox/requests/reset": self._reset_requests,
            "POST /_sandbox/fail-next-rollout": self._fail_next_rollout,
            "POST /_sandbox/next-task": self._next_task,
            "POST /_sandbox/fail-next-start": self._fail_next_start,
            "POST /_sandbox/settings": self._settings,
            "POST /_sandbox/rename": self._rename,
            "POST /_sandbox/fire-schedule": self._fire_schedule,
            "GET /_sandbox/schedules": self._fired,
            "GET /_sandbox/events": self._events,
        }

    def _describe(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"api": HELP, "rules": RULES, "settings": {"rolloutSeconds": self.sim.rollout_seconds,
                                                          "taskSeconds": self.sim.task_seconds,
                                                          "logDelaySeconds": self.sim.log_delay_seconds,
                                                          "logEmptyPages": self.sim.log_empty_pages}}

    def _requests(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"total": sum(self.counts.values()), "writes": self.writes, "byOperation": dict(self.counts)}

    def _reset_requests(self, payload: dict[str, Any]) -> dict[str, Any]:
        control_input.only(payload, ())
        self.counts.clear()
        self.writes = 0
        return {"ok": True}

    def _fail_next_rollout(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.sim.fail_next_rollout.add(control_input.rollout_failure(payload))
        return {"ok": True}

    def _next_task(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.sim.next_outcomes.append(control_input.task_outcome(payload))
        return {"ok": True}

    def _fail_next_start(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.sim.start_failures.append(control_input.start_failure(payload))
        return {"ok": True}

    def _settings(self, payload: dict[str, Any]) -> dict[str, Any]:
        for name, value in control_input.settings(payload).items():
            if name == "schedule_time_scale":
                if self.schedules is not None:
                    self.schedules.time_scale = value
                continue
            setattr(self.sim, name, value)
        return {"ok": True}

    def _fire_schedule(self, payload: dict[str, Any]) -> dict[str, Any]:
        region, group, name = control_input.schedule_reference(payload)
        if self.schedules is None or not self.schedules.fire_now(region, group, name):
            raise control_input.BadInput("name", f"no schedule {group}/{name} in {region}", 404)
        return {"ok": True}

    def _fired(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"fired": list(self.schedules.fired) if self.schedules is not None else []}

    def _events(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.events is None:
            return {"evaluated": [], "delivered": []}
        return {"evaluated": list(self.events.evaluated), "delivered": list(self.events.delivered)}

    def _rename(self, payload: dict[str, Any]) -> dict[str, Any]:
        wanted = control_input.rename(payload)
        if not glue.serves_region(wanted.region):
            raise control_input.BadInput("region", f"{wanted.region!r} is not a region the sandbox serves")
        try:
            glue.rename(wanted.kind, wanted.region, wanted.id, wanted.to)
        except glue.RenameError as exc:
            raise control_input.BadInput("id" if exc.missing else "to", str(exc), 404 if exc.missing else 409) from None
        return {"ok": True}
