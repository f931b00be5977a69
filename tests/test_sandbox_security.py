"""The sandbox serves only its own local user: safe defaults, and what it refuses from anyone else.

Every test talks to a real sandbox over real HTTP (urllib, http.client, boto3, the CLI).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
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

@pytest.mark.slow
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
    assert "has reached a steady state" in deploy.stderr
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
            sorted(sim.fail_next_rollout), sim.log_delay_seconds, sim.log_empty_pages)


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
    ("settings", b'{"logEmptyPages": true}', "logEmptyPages"),
    ("settings", b'{"logEmptyPages": 51}', "logEmptyPages"),
    ("settings", b'{"logEmptyPages": -1}', "logEmptyPages"),
    ("rename", b'{"kind": "subnet", "region": "us-east-1", "id": "subnet-a", "to": "subnet-b", "x": 1}', "x"),
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
        answer = send(box.url, "POST", path, headers={"Content-Type": "application/json", "Content-Length": "x1",
                                                      "Authorization": FAKE_SIGV4})
        assert answer.status == 400, answer.body
        assert b"Content-Length" in answer.body and b"Traceback" not in answer.body


# --- web pages ------------------------------------------------------------------------------

ECS_TARGET = "AmazonEC2ContainerServiceV20141113"
FAKE_SIGV4 = ("AWS4-HMAC-SHA256 Credential=t/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, "
              "Signature=00")


def ecs_request(url: str, operation: str, payload: dict[str, Any], **headers: str) -> Answer:
    """An ECS call as an SDK sends it (moto does not check signatures), plus *headers*."""
    return send(url, "POST", "/", body=json.dumps(payload).encode(), headers={
        "X-Amz-Target": f"{ECS_TARGET}.{operation}", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": FAKE_SIGV4, **{k.replace("_", "-"): v for k, v in headers.items()}})


def clusters(url: str) -> list[str]:
    answer = ecs_request(url, "ListClusters", {})
    assert answer.status == 200, answer.body
    return [arn.rsplit("/", 1)[-1] for arn in answer.json()["clusterArns"]]


def has_cors(answer: Answer) -> bool:
    return any(name.startswith("access-control-") for name in answer.headers)


def test_no_cors_headers_and_no_preflight(box: Sandbox) -> None:
    """moto's flask app answers preflights and adds Access-Control-Allow-Origin: *; the sandbox does neither."""
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-amz-target"}
    for path in ("/", "/_sandbox/settings", "/moto-api/reset"):
        answer = send(box.url, "OPTIONS", path, headers=preflight)
        assert answer.status == 403 and not has_cors(answer), (path, answer.headers)
        assert b"answers no CORS preflight" in answer.body
    assert send(box.url, "OPTIONS", "/").status == 403  # with or without Origin
    served = ecs_request(box.url, "ListClusters", {})
    assert served.status == 200 and not has_cors(served)


PAGE_HEADERS = [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:4566"},
                {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                {"Sec-Fetch-Site": "same-origin"}]


@pytest.mark.parametrize("headers", PAGE_HEADERS, ids=[next(iter(h.values())) for h in PAGE_HEADERS])
def test_requests_from_web_pages_are_refused(box: Sandbox, headers: dict[str, str]) -> None:
    name = f"from-page-{abs(hash(str(headers))) % 10**8}"
    answer = ecs_request(box.url, "CreateCluster", {"clusterName": name}, **headers)
    assert answer.status == 403 and not has_cors(answer)
    assert answer.json()["__type"] == "AccessDeniedException"
    assert "web page" in answer.json()["message"]
    assert name not in clusters(box.url)
    before = steering(box)
    control = send(box.url, "POST", "/_sandbox/settings", body=b'{"rolloutSeconds": 1e308}',
                   headers={"Content-Type": "application/json", **headers})
    assert control.status == 403 and "web page" in control.json()["error"] and not has_cors(control)
    assert steering(box) == before


def test_a_browser_tab_opened_by_its_user_may_read_the_control_api(box: Sandbox) -> None:
    answer = send(box.url, "GET", "/_sandbox/", headers={"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})
    assert answer.status == 200 and not has_cors(answer)


FOREIGN_HOSTS = ["evil.example:4566", "evil.example", "127.0.0.1.nip.io:4566", "localhost.:4566", "0.0.0.0:4566",
                 "192.168.1.10", "[::ffff:127.0.0.1]:4566", "127.0.0.1:99999", "127.0.0.1:4566,evil.example",
                 "localhost@evil.example", ""]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_foreign_host_header_is_refused(box: Sandbox, host: str) -> None:
    """DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends that name as Host."""
    name = f"rebound-{abs(hash(host)) % 10**8}"
    answer = ecs_request(box.url, "CreateCluster", {"clusterName": name}, Host=host)
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    assert answer.json()["__type"] == "AccessDeniedException"
    assert "is not a loopback name" in answer.json()["message"]
    assert name not in clusters(box.url)
    control = send(box.url, "GET", "/_sandbox/requests", headers={"Host": host})
    assert control.status == 403 and "is not a loopback name" in control.json()["error"]


def test_request_without_host_header_is_refused(box: Sandbox) -> None:
    parsed = urlparse(box.url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    try:
        connection.putrequest("GET", "/_sandbox/requests", skip_host=True)
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 403
        assert "has no Host header" in json.loads(response.read())["error"]
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "localhost:{port}", "LocalHost:1",
                                  "[::1]", "[::1]:{port}", "127.1.2.3:80"])
def test_loopback_host_headers_are_served(box: Sandbox, host: str) -> None:
    answer = send(box.url, "GET", "/_sandbox/requests", headers={"Host": host.format(port=urlparse(box.url).port)})
    assert answer.status == 200, answer.body


def test_sdk_clients_read_the_refusal_as_an_aws_error(box: Sandbox) -> None:
    """boto3 shows the reason, in the JSON protocol (ECS) and the query protocol (ELBv2)."""
    import boto3
    from botocore.exceptions import ClientError

    def rebind(request: Any, **kwargs: Any) -> None:
        request.headers["Host"] = "evil.example:4566"

    for service, call, code in (("ecs", "list_clusters", "AccessDeniedException"),
                                ("elbv2", "describe_load_balancers", "AccessDenied")):
        client = cast(Any, boto3).client(service, region_name="us-east-1", endpoint_url=box.url, aws_access_key_id="t",
                              aws_secret_access_key="t")
        client.meta.events.register("before-send", rebind)
        with pytest.raises(ClientError) as raised:
            getattr(client, call)()
        assert raised.value.response["Error"]["Code"] == code
        assert "'evil.example:4566' is not a loopback name" in raised.value.response["Error"]["Message"]
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_moto_api_is_not_served(box: Sandbox) -> None:
    """moto's reset, data dump (secret values) and recorder act on plain requests, several on GET."""
    name = "survives-moto-reset"
    assert ecs_request(box.url, "CreateCluster", {"clusterName": name}).status == 200
    for method, path in (("POST", "/moto-api/reset"), ("GET", "/moto-api/data.json"), ("GET", "/moto-api/"),
                         ("GET", "/moto-api/seed?a=1"), ("GET", "/moto-api/recorder/replay-recording"),
                         ("POST", "/moto-api/state-manager/set-transition"), ("GET", "/moto%2Dapi/reset")):
        answer = send(box.url, method, path, headers={"Authorization": FAKE_SIGV4})
        assert answer.status == 403, (path, answer.body[:200])
        assert "does not serve moto's own API" in answer.json()["error"]
    assert name in clusters(box.url)


def test_unsigned_aws_requests_are_refused(box: Sandbox) -> None:
    """A page can make a browser without Sec-Fetch-Site send a plain GET, never an Authorization header."""
    answer = send(box.url, "GET", "/")  # S3 ListBuckets, unsigned
    assert answer.status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in answer.body
    answer = send(box.url, "GET", "/iam_us-east-1/?Action=CreateUser&UserName=mallory&Version=2010-05-08")
    assert answer.status == 403
    unsigned = send(box.url, "POST", "/", body=b"{}", headers={
        "X-Amz-Target": f"{ECS_TARGET}.ListClusters", "Content-Type": "application/x-amz-json-1.1"})
    assert unsigned.status == 403
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"
    assert "signed with Signature Version 4" in unsigned.json()["message"]


def test_fault_proxy_refuses_what_the_sandbox_refuses(box: Sandbox) -> None:
    """The proxy puts its own Host on what it forwards, so it checks its clients itself."""
    from hako_py.sandbox.faults import FaultProxy, FaultRates

    with FaultProxy(box.url, FaultRates()) as proxy:
        assert ecs_request(proxy.url, "ListClusters", {}).status == 200
        for headers in ({"Host": "evil.example:4566"}, {"Origin": "https://evil.example"},
                        {"Sec-Fetch-Site": "cross-site"}):
            answer = ecs_request(proxy.url, "CreateCluster", {"clusterName": "via-proxy"}, **headers)
            assert answer.status == 403 and answer.json()["__type"] == "AccessDeniedException", answer.body
        assert send(proxy.url, "OPTIONS", "/", headers={"Origin": "https://evil.example"}).status == 403
        assert send(proxy.url, "GET", "/moto-api/data.json", headers={"Authorization": FAKE_SIGV4}).status == 403
        assert proxy.requests == 1  # refusals reach neither the fault dice nor the sandbox
    assert "via-proxy" not in clusters(box.url)


@pytest.mark.parametrize("operation", ["CreateService", "RunTask"])
def test_an_sdk_request_whose_body_is_not_json_gets_an_aws_error(box: Sandbox, operation: str) -> None:
    """The sandbox reads these bodies before moto does; a broken one is moto's to refuse, not a crash."""
    answer = send(box.url, "POST", "/", body=b"not json", headers={
        "X-Amz-Target": f"{ECS_TARGET}.{operation}", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": FAKE_SIGV4})
    assert answer.status == 400, answer.body[:200]
    assert "__type" in answer.json()


# --- other local users ----------------------------------------------------------------------

def test_socket_table_names_the_owner_of_a_loopback_connection() -> None:
    from hako_py.sandbox.peers import socket_owner, table_owner, tables_name_owners
    from hako_py.sandbox.sock_diag import tcp_socket_uid

    if not sys.platform.startswith("linux"):  # only Linux's /proc/net/tcp names a connection's owner
        assert not tables_name_owners()  # elsewhere the sandbox says it cannot tell users apart
        return
    assert tables_name_owners()
    families = [("127.0.0.1", socket.AF_INET)] + ([("::1", socket.AF_INET6)] if socket.has_ipv6 else [])
    for address, family in families:
        try:
            listener = socket.create_server((address, 0), family=family)
        except OSError:  # no IPv6 loopback here
            continue
        with listener, socket.create_connection(listener.getsockname()[:2], timeout=5) as client:
            accepted, _ = listener.accept()
            with accepted:
                peer, ours = accepted.getpeername()[:2], accepted.getsockname()[:2]
                # the kernel asked for one socket, and its whole table read, agree
                assert socket_owner(peer, ours) == tcp_socket_uid(peer, ours) == table_owner(peer, ours) == os.geteuid()
                for lookup in (socket_owner, tcp_socket_uid, table_owner):
                    assert lookup(client.getsockname()[:2], (address, 1)) is None  # not connected there


def test_a_dual_stack_client_of_an_ipv4_address_is_found_too() -> None:
    """An IPv6 socket connected to an IPv4-mapped address (::ffff:127.0.0.1): its owner is
    found from either spelling of the address."""
    from hako_py.sandbox.peers import table_owner
    from hako_py.sandbox.sock_diag import tcp_socket_uid

    if not sys.platform.startswith("linux") or not socket.has_ipv6:
        return
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        listener.bind(("::ffff:127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as client:
            client.connect(("::ffff:127.0.0.1", port))
            accepted, peer = listener.accept()
            with accepted:
                for host in ("::ffff:127.0.0.1", "127.0.0.1"):
                    ends = ((host, peer[1]), (host, port))
                    assert tcp_socket_uid(*ends) == table_owner(*ends) == os.geteuid(), host


OTHER_USER_CLIENT = """
import sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1], data=b'{"rolloutSeconds": 0.3}', method="POST",
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=10) as answer:
        print(answer.status, answer.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
"""


def run_client_as(uid: int, url: str) -> str:
    """POST a harmless control request from a process of local user *uid*."""
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.fail("no system python3 (in /usr/bin or /bin) that another local user can run: install python3")
    result = subprocess.run([python, "-I", "-c", OTHER_USER_CLIENT, url], user=uid, group=uid, extra_groups=[],
                            cwd="/", env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_another_local_users_connections_are_refused(box: Sandbox) -> None:
    from hako_py.sandbox.faults import FaultProxy, FaultRates

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.fail("this test runs a client as another local user, which needs root: run `make test` as root, "
                    "as CI does (it installs the Docker engine), or deselect it with -k 'not another_local_users'")
    nobody = 65534
    with FaultProxy(box.url, FaultRates()) as proxy:
        for url in (box.url, proxy.url):
            answer = run_client_as(nobody, f"{url}/_sandbox/settings")
            assert answer.startswith("403 "), answer
            assert f"serves only root (uid {os.geteuid()}), who started it" in answer
            assert f"(uid {nobody})" in answer
            assert run_client_as(os.geteuid(), f"{url}/_sandbox/settings").startswith("200 ")
        assert proxy.requests == 0
    assert box.tells_users_apart


# --- where it listens --------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_sandbox_listens_only_on_loopback(host: str) -> None:
    with pytest.raises(ValueError, match="is not a loopback address"):
        Sandbox(host, 0)
    result = subprocess.run([sys.executable, "-m", "hako_py", "sandbox", "--host", host, "--port", "0"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, env=clean_env())
    assert result.returncode == 2 and result.stdout == ""
    assert f"Invalid value for '--host': {host} is not a loopback address" in result.stderr
    assert "Traceback" not in result.stderr


def test_sandbox_on_ipv6_loopback_serves_its_user() -> None:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.fail("no IPv6 loopback (::1) on this machine, which the sandbox's --host ::1 needs: enable IPv6 on "
                    "the loopback interface (sysctl net.ipv6.conf.lo.disable_ipv6=0)")
    with Sandbox("::1", 0) as sandbox:
        assert sandbox.url.startswith("http://[::1]:")
        assert send(sandbox.url, "GET", "/_sandbox/requests").status == 200


def test_sandbox_command_on_ipv6_loopback_prints_a_usable_url() -> None:
    """`hako sandbox --host ::1` prints http://[::1]:PORT (a bare ::1:PORT is no URL)."""
    from tests.conftest import aws_client

    with sandbox_command("--host", "::1") as box:
        assert box.url.startswith("http://[::1]:") and box.url.rsplit(":", 1)[1].isdigit(), box.url
        assert aws_client(box.url, "ecs").list_clusters()["clusterArns"] == []
    assert box.code == 0, box.err


def test_fault_proxy_in_front_of_an_ipv6_sandbox_listens_on_ipv6_too() -> None:
    """`--host ::1 --faults RATE`: the proxy listened on 127.0.0.1 and forwarded with the Host
    header ::1:PORT, which the sandbox refused as no loopback name."""
    from hako_py.sandbox.faults import FaultProxy, FaultRates
    from tests.conftest import aws_client

    with Sandbox("::1", 0) as sandbox:
        proxy = FaultProxy(sandbox.url, FaultRates.uniform(0.0))
        url = proxy.start()
        try:
            assert url.startswith("http://[::1]:"), url
            answer = aws_client(url, "ecs").list_clusters()  # (moto's state is this process's: any clusters)
            assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        finally:
            proxy.stop()
