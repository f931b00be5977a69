"""The sandbox serves only its own local user: safe defaults, and what it refuses from anyone else.

Every test talks to a real sandbox over real HTTP (urllib, http.client, boto3, the CLI).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import PROJECT_ROOT


@dataclass
class Command:
    """A running ``hako sandbox``: its URL, and its stderr once stopped."""

    url: str
    err: str = ""
    code: int | None = None


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE="/nonexistent/hako-test-config", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/hako-test-c")
    env.update(extra)
    return env


@contextmanager
def sandbox_command(*args: str) -> Iterator[Command]:
    """``hako sandbox --port 0 ARGS`` as a subprocess, stopped with SIGTERM on exit."""
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", "--port", "0", *args], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    command = Command(url=line.split("=", 1)[1] if line.startswith("AWS_ENDPOINT_URL=") else "")
    try:
        yield command
    finally:
        process.send_signal(signal.SIGTERM)
        _, command.err = process.communicate(timeout=30)
        command.code = process.returncode


# --- safe defaults ----------------------------------------------------------------------------

def test_quick_start_simulates_tasks_even_when_docker_answers(docker_client: Any) -> None:
    """The README's quick start, on a machine whose Docker engine answers: the example images
    exist nowhere locally, so real containers would fail every deploy."""
    with sandbox_command("--seed", "apps", "--rollout-seconds", "0.3") as box:
        assert box.url, "the sandbox did not start"
        deploy = subprocess.run([sys.executable, "-m", "hako_py", "deploy", "apps/web.jsonnet", "--poll-interval",
                                 "0.05"], cwd=PROJECT_ROOT, env=clean_env(AWS_ENDPOINT_URL=box.url),
                                capture_output=True, text=True, timeout=120)
    assert deploy.returncode == 0, deploy.stdout[-2000:] + deploy.stderr[-2000:]
    assert "sandbox: tasks run simulated" in box.err
    assert "has reached a steady state" in deploy.stdout
    assert box.code == 0


# --- the control API ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    """A sandbox of these tests' own (they change and read its settings)."""
    with Sandbox("127.0.0.1", 0, rollout_seconds=0.3, task_seconds=0.3, tick=0.02) as sandbox:
        yield sandbox


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(url: str, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b"") -> Answer:
    """One raw HTTP request: the headers are sent as given (a "Host" among them replaces the real one)."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def post_json(url: str, path: str, body: bytes) -> Answer:
    return send(url, "POST", f"/_sandbox/{path}", headers={"Content-Type": "application/json"}, body=body)


def steering(sandbox: Sandbox) -> tuple[Any, ...]:
    """Everything a control request can change in the simulator."""
    sim = sandbox.simulator
    return (sim.rollout_seconds, sim.task_seconds, len(sim.next_outcomes), len(sim.start_failures),
            sorted(sim.fail_next_rollout))


@pytest.mark.parametrize("content_type", [None, "text/plain", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/jsonp"])
def test_control_api_takes_only_json_bodies(box: Sandbox, content_type: str | None) -> None:
    """What a web page can POST to another site without a preflight (text/plain, forms) is no command."""
    before = steering(box)
    headers = {"Content-Type": content_type} if content_type else {}
    answer = send(box.url, "POST", "/_sandbox/settings", headers=headers, body=b'{"rolloutSeconds": 1e308}')
    assert answer.status == 415, answer.body
    assert answer.json()["field"] == "Content-Type"
    assert "accepts only application/json" in answer.json()["error"]
    assert steering(box) == before


BAD_VALUES = [
    ("settings", b'{"rolloutSeconds": 1e308}', "rolloutSeconds"),
    ("settings", b'{"rolloutSeconds": 1e999}', "rolloutSeconds"),  # parsed as infinity
    ("settings", b'{"rolloutSeconds": -1}', "rolloutSeconds"),
    ("settings", b'{"taskSeconds": 3600.5}', "taskSeconds"),
    ("settings", b'{"rolloutSeconds": "3"}', "rolloutSeconds"),
    ("settings", b'{"taskSeconds": true}', "taskSeconds"),
    ("settings", b'{"rolloutSeconds": NaN}', "body"),
    ("settings", b'{"taskSeconds": -Infinity}', "body"),
    ("settings", b'{"rolloutseconds": 1}', "rolloutseconds"),  # unknown (misspelt) field
    ("settings", b"[1]", "body"),
    ("settings", b"{not json", "body"),
    ("settings", b"\xff\xfe{}", "body"),
    ("settings", b"[" * 100_000, "body"),
    ("next-task", b'{"exitCode": "3"}', "exitCode"),
    ("next-task", b'{"exitCode": 1.5}', "exitCode"),
    ("next-task", b'{"exitCode": false}', "exitCode"),
    ("next-task", b'{"exitCode": 4294967296}', "exitCode"),
    ("next-task", b'{"runSeconds": 1e308}', "runSeconds"),
    ("next-task", b'{"logLines": "one line"}', "logLines"),
    ("next-task", b'{"logLines": ["ok", 2]}', "logLines[1]"),
    ("next-task", json.dumps({"logLines": ["x"] * 10_001}).encode(), "logLines"),
    ("next-task", b'{"containerExitCodes": [0]}', "containerExitCodes"),
    ("next-task", b'{"containerExitCodes": {"side": "0"}}', "containerExitCodes.side"),
    ("next-task", json.dumps({"containerExitCodes": {f"c{i}": 0 for i in range(11)}}).encode(),
     "containerExitCodes"),
    ("next-task", b'{"family": 3}', "family"),
    ("next-task", json.dumps({"stopReason": "x" * 1025}).encode(), "stopReason"),
    ("fail-next-start", b'{"mode": "explode"}', "mode"),
    ("fail-next-start", b'{"reason": {"a": 1}}', "reason"),
    ("fail-next-rollout", b"{}", "service"),
    ("fail-next-rollout", b'{"service": ["web"]}', "service"),
    ("fail-next-rollout", b'{"service": ""}', "service"),
    ("requests/reset", b'{"everything": true}', "everything"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD_VALUES, ids=[f"{p}-{f}-{i}" for i, (p, _, f) in
                                                                   enumerate(BAD_VALUES)])
def test_control_api_refuses_bad_values_naming_the_field(box: Sandbox, path: str, body: bytes, field: str) -> None:
    before = steering(box)
    answer = post_json(box.url, path, body)
    assert answer.status == 400, answer.body[:300]
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()
    assert error["field"] == field and error["error"].startswith(f"{field}: ")
    assert steering(box) == before


def test_control_api_takes_values_at_their_bounds(box: Sandbox) -> None:
    before = steering(box)
    try:
        assert post_json(box.url, "settings", b'{"rolloutSeconds": 0, "taskSeconds": 3600}').status == 200
        assert (box.simulator.rollout_seconds, box.simulator.task_seconds) == (0.0, 3600.0)
        outcome = {"exitCode": None, "stopReason": "r", "logLines": ["x" * 1024], "runSeconds": 3600,
                   "containerExitCodes": {"side": -1, "other": None}, "family": "f"}
        assert post_json(box.url, "next-task", json.dumps(outcome).encode()).status == 200
        assert box.simulator.next_outcomes[-1].container_exit_codes == {"side": -1, "other": None}
        assert post_json(box.url, "requests/reset", b"").status == 200
    finally:
        box.simulator.next_outcomes.clear()
        post_json(box.url, "settings", json.dumps({"rolloutSeconds": before[0], "taskSeconds": before[1]}).encode())


def test_a_broken_content_length_is_a_clear_error(box: Sandbox) -> None:
    for path in ("/_sandbox/settings", "/"):
        answer = send(box.url, "POST", path, headers={"Content-Type": "application/json", "Content-Length": "x1"})
        assert answer.status == 400, answer.body
        assert b"Content-Length" in answer.body and b"Traceback" not in answer.body
