"""The sandbox's HTTP front: request counting, the ``/_sandbox/`` control API, and fix-ups.

Every AWS request passes through :class:`SandboxApp` on its way to moto, so tests can
count requests by operation (``GET /_sandbox/requests``) and steer the simulator.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.ecs_sim import EcsSimulator, TaskOutcome
from hako_py.sandbox.scaling_sim import ScalingSimulator

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/")
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
# Requests signed with an access key starting with this are refused, to test bad credentials.
INVALID_KEY_PREFIX = "INVALID"
_READ_PREFIXES = ("Describe", "List", "Get", "Filter")

HELP = {
    "GET /_sandbox/": "this description",
    "GET /_sandbox/requests": "AWS requests served, by service.Operation, and how many were writes",
    "POST /_sandbox/requests/reset": "zero the request counters",
    "POST /_sandbox/fail-next-rollout": '{"service": "web", "cluster": "production"?} - the next rollout fails '
                                        "like a circuit-breaker failure (and ECS rolls back if the breaker's "
                                        "rollback is enabled)",
    "POST /_sandbox/next-task": '{"exitCode": 3, "stopReason": "...", "logLines": ["..."], "runSeconds": 2, '
                                '"containerExitCodes": {"side": 0}, "family": "app-oneshot"?} - outcome of the next '
                                "RunTask task (of that family)",
    "POST /_sandbox/fail-next-start": '{"reason": "RESOURCE:MEMORY", "mode": "failure" | "pull-error"} - the next '
                                      "RunTask returns a failure (or its task stops before starting)",
    "POST /_sandbox/settings": '{"rolloutSeconds": 3, "taskSeconds": 1}',
}


def _json_response(start_response: Any, status: str, data: Any) -> list[bytes]:
    body = json.dumps(data, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


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


class SandboxApp:
    """WSGI app in front of moto's dispatcher."""

    def __init__(self, moto_app: Any, simulator: EcsSimulator) -> None:
        self.moto_app = moto_app
        self.sim = simulator
        self.counts: Counter[str] = Counter()
        self.writes = 0
        self.scaling = ScalingSimulator()
        self.idempotent: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sandbox"):
            return self.control(environ, start_response, path)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation, region = operation_of(environ, body)
        key = _ACCESS_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
        if key and key.group(1).startswith(INVALID_KEY_PREFIX):
            error = json.dumps({"__type": "UnrecognizedClientException",
                                "message": "The security token included in the request is invalid."}).encode()
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                               ("x-amzn-ErrorType", "UnrecognizedClientException"),
                                               ("Content-Length", str(len(error)))])
            return [error]
        with self.sim.lock:
            self.sim.regions.add(region)
            self.counts[f"{service}.{operation}"] += 1
            if not operation.startswith(_READ_PREFIXES):
                self.writes += 1
            if service == "ecs" and operation == "RunTask" and self.sim.start_failures:
                failure = self.sim.start_failures[0]
                if failure.get("mode", "failure") == "failure":
                    self.sim.start_failures.pop(0)
                    request = json.loads(body or b"{}")
                    return _json_response(start_response, "200 OK", {"tasks": [], "failures": [
                        {"arn": request.get("taskDefinition", ""), "reason": failure.get("reason", "RESOURCE:MEMORY")}
                    ]})
                self.sim.start_failures.pop(0)
                self.sim.next_outcomes.insert(0, TaskOutcome(
                    exit_code=None, pull_error=failure.get("reason", "CannotPullContainerError: pull access denied")))
            if service == "application-autoscaling" and operation == "DescribeScalingActivities":
                activities = self.scaling.describe(region, json.loads(body or b"{}"))
                return _json_response(start_response, "200 OK", activities)
            token = self._client_token(service, operation, body)
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
                self.scaling.registered(region, json.loads(body or b"{}"))
            if service == "ecs" and operation in ("CreateService", "RunTask"):
                self._own(operation, json.loads(body or b"{}"), b"".join(chunks))
            if service == "ecs" and operation == "CreateService":
                glue.apply_create_service_request(region, json.loads(body or b"{}"))
            if service == "ecs" and operation in ("CreateService", "UpdateService", "RunTask", "StopTask"):
                self.sim.tick()  # ECS starts the deployment / task before it answers
        return chunks

    @staticmethod
    def _client_token(service: str, operation: str, body: bytes) -> str | None:
        """ECS's clientToken: a repeated RunTask/CreateService answers as the first one did
        (moto ignores the token; ECS does not)."""
        if service != "ecs" or operation not in ("RunTask", "CreateService"):
            return None
        try:
            token = json.loads(body or b"{}").get("clientToken")
        except ValueError:
            return None
        return f"{operation}:{token}" if token else None

    def _own(self, operation: str, request: dict[str, Any], response: bytes) -> None:
        """Remember what this sandbox created: moto's state is per process, and another sandbox
        in the same process (tests) must not simulate it too."""
        if operation == "CreateService":
            cluster = str(request.get("cluster", "default")).rsplit("/", 1)[-1]
            self.sim.owned_services.add(f"{cluster}:{request.get('serviceName')}")
            return
        try:
            tasks = json.loads(response).get("tasks") or []
        except ValueError:
            return
        self.sim.owned_tasks.update(str(t.get("taskArn")) for t in tasks)

    def control(self, environ: dict[str, Any], start_response: Any, path: str) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            return _json_response(start_response, "400 Bad Request", {"error": "body must be JSON"})
        route = f"{method} {path.rstrip('/') or '/_sandbox'}"
        with self.sim.lock:
            if route in ("GET /_sandbox", "GET /_sandbox/"):
                return _json_response(start_response, "200 OK", {
                    "api": HELP,
                    "settings": {"rolloutSeconds": self.sim.rollout_seconds, "taskSeconds": self.sim.task_seconds},
                })
            if route == "GET /_sandbox/requests":
                return _json_response(start_response, "200 OK", {
                    "total": sum(self.counts.values()), "writes": self.writes, "byOperation": dict(self.counts)})
            if route == "POST /_sandbox/requests/reset":
                self.counts.clear()
                self.writes = 0
                return _json_response(start_response, "200 OK", {"ok": True})
            if route == "POST /_sandbox/fail-next-rollout":
                name = payload.get("service")
                if not name:
                    return _json_response(start_response, "400 Bad Request", {"error": "service is required"})
                cluster = payload.get("cluster")
                self.sim.fail_next_rollout.add(f"{cluster}:{name}" if cluster else str(name))
                return _json_response(start_response, "200 OK", {"ok": True})
            if route == "POST /_sandbox/next-task":
                self.sim.next_outcomes.append(TaskOutcome(
                    exit_code=payload.get("exitCode", 0),
                    stop_reason=payload.get("stopReason", "Essential container in task exited"),
                    log_lines=[str(line) for line in payload.get("logLines", [])],
                    run_seconds=payload.get("runSeconds"),
                    container_exit_codes=dict(payload.get("containerExitCodes", {})),
                    family=payload.get("family"),
                ))
                return _json_response(start_response, "200 OK", {"ok": True})
            if route == "POST /_sandbox/fail-next-start":
                self.sim.start_failures.append({"reason": str(payload.get("reason", "RESOURCE:MEMORY")),
                                                "mode": str(payload.get("mode", "failure"))})
                return _json_response(start_response, "200 OK", {"ok": True})
            if route == "POST /_sandbox/settings":
                if "rolloutSeconds" in payload:
                    self.sim.rollout_seconds = float(payload["rolloutSeconds"])
                if "taskSeconds" in payload:
                    self.sim.task_seconds = float(payload["taskSeconds"])
                return _json_response(start_response, "200 OK", {"ok": True})
        return _json_response(start_response, "404 Not Found", {"error": f"no such control endpoint: {route}",
                                                                 "api": HELP})
