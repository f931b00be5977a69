"""Shared fixtures: throwaway definition repositories and an in-process CLI runner."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hako_py.cli.main import main

PROJECT_ROOT = Path(__file__).resolve().parent.parent

HAKO_TOML = """\
region = "ap-northeast-1"
account_id = "123456789012"
"""

FARGATE_APP = """\
{
  scheduler: {
    type: 'ecs',
    region: 'ap-northeast-1',
    cluster: 'test',
    desired_count: 1,
    launch_type: 'FARGATE',
    requires_compatibilities: ['FARGATE'],
    network_mode: 'awsvpc',
    cpu: '256',
    memory: '512',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'], security_groups: ['sg-1'] } },
  },
  app: {
    image: 'example/app',
    tag: 'v1',
    memory: 256,
  },
}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


class Repo:
    """A temporary definition repository (with hako.toml) to write files into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "hako.toml").write_text(HAKO_TOML)
        (root / "apps").mkdir()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first (in their files' order): run in parallel (make test), they then
    overlap the many short ones instead of ending the run alone on one worker."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    yield Repo(root)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Share one model cache per test session, away from the user's home."""
    cache = tmp_path_factory.getbasetemp() / "hako-cache"
    monkeypatch.setenv("HAKO_CACHE_DIR", str(cache))
    # The sandbox delivers logs at once (unless a test delays them): a short log grace keeps
    # every oneshot test from waiting 3 s for lines that cannot come (tests/test_oneshot.py
    # tests the grace itself against delayed delivery).
    monkeypatch.setenv("HAKO_LOG_GRACE", "0.1")


class Hako:
    """The real CLI run in-process: ``hako("deploy", path)`` returns its exit code, stdout and
    stderr. A class rather than a closure so tests can annotate the fixture (``hako: Hako``) and
    mypy checks every call; *env* adds variables for this one run."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        saved = dict(os.environ)
        if env:
            os.environ.update(env)
        try:
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def hako(capsys: pytest.CaptureFixture[str]) -> Hako:
    """Run the real CLI in-process; returns exit code, stdout and stderr."""
    return Hako(capsys)


def run_script(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a script that starts processes of its own (a sandbox, hako commands) to its end; one
    that outlives *timeout* is killed with everything it started, never left behind (the demo's
    sandbox kept serving for an hour after a timed-out run)."""
    process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"{' '.join(argv)} did not end in {timeout:g} s:\n{out[-2000:]}{err[-2000:]}")
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


HAKO_BIN = Path(sys.executable).parent / "hako"
PROCESS_MEMORY_CAP = 3 * 2**30


def _cap_memory() -> None:
    """A subprocess under test may not take more than 3 GiB, so a regression that loses a
    budget fails its test instead of exhausting the shared machine."""
    resource.setrlimit(resource.RLIMIT_DATA, (PROCESS_MEMORY_CAP, PROCESS_MEMORY_CAP))


class HakoProcess:
    """The real CLI run as a subprocess (for input that must not be able to kill the test
    process); *timeout* ends a run that hangs, reported as code -1."""

    def __call__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        try:
            done = subprocess.run([str(HAKO_BIN), *args], capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, **(env or {})}, preexec_fn=_cap_memory)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            return Result(-1, out, f"timed out after {timeout} s")
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def hako_process() -> HakoProcess:
    """Run the real CLI as a subprocess (see HakoProcess)."""
    return HakoProcess()


# --- the sandbox ----------------------------------------------------------------------------

import uuid  # noqa: E402
from typing import Any, Protocol, cast  # noqa: E402

from hako_py.sandbox.client import control  # noqa: E402
from hako_py.sandbox.server import Sandbox  # noqa: E402

POLL = ("--poll-interval", "0.02")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One in-process sandbox for the whole session (fast rollouts)."""
    box = Sandbox("127.0.0.1", 0, rollout_seconds=0.3, task_seconds=0.3, tick=0.02, docker=False)
    box.start()
    yield box
    box.stop()


class SandboxControl:
    """The sandbox's control API and request counters, over HTTP like any client."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        return control(self.url, path, payload, method=method)

    def requests(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", "requests")
        return result

    def reset(self) -> None:
        self.call("POST", "requests/reset", {})


@pytest.fixture
def aws(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> SandboxControl:
    """Point hako at the sandbox with clean AWS settings."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                 "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.url)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/hako-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/hako-test-credentials")
    return SandboxControl(sandbox.url)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def service_app(cluster: str, subnet: str, group: str, *, extra: str = "", env: str = "{ MODE: 'one' }",
                breaker_rollback: bool = False, desired: int = 2, breaker: bool = True) -> str:
    """A Fargate service definition in us-east-1 using seeded network IDs (*breaker*: the deployment
    circuit breaker is turned on)."""
    return f"""
    {{
      scheduler: {{
        type: 'ecs',
        region: 'us-east-1',
        cluster: '{cluster}',
        desired_count: {desired},
        launch_type: 'FARGATE',
        requires_compatibilities: ['FARGATE'],
        network_mode: 'awsvpc',
        cpu: '256',
        memory: '512',
        network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'], security_groups: ['{group}'] }} }},
        deployment_configuration: {{
          deployment_circuit_breaker: {{ enable: {str(breaker).lower()}, rollback: {str(breaker_rollback).lower()} }},
        }},
        {extra}
      }},
      app: {{
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/svc',
        tag: 'v1',
        memory: 256,
        env: {env},
        port_mappings: [{{ container_port: 8080 }}],
        log_configuration: {{ log_driver: 'awslogs', options: {{ 'awslogs-group': '/ecs/svc',
                              'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'svc' }} }},
      }},
    }}
    """


class Deployable(Protocol):
    """The ``deployable`` fixture: writes apps/*name*.jsonnet (service_app's options) and
    returns its path. Spelled out so mypy checks the options tests pass."""

    def __call__(self, name: str = ..., *, extra: str = ..., env: str = ..., breaker_rollback: bool = ...,
                 desired: int = ..., breaker: bool = ...) -> str: ...


@pytest.fixture
def deployable(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Deployable:
    """Write a service definition with fresh cluster/network IDs and seed them in the sandbox."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    seeded = False

    def write(name: str = "svc", **kwargs: Any) -> str:
        nonlocal seeded
        path = f"apps/{name}.jsonnet"
        repo.write(path, service_app(cluster, subnet, group, **kwargs))
        wanted = Wanted()
        wanted.add_app(check_file(path).app)
        wanted.roles.clear()
        if not seeded:
            seed(sandbox.url, wanted)
            seeded = True
        return path

    return write


# --- batch jobs for oneshot -----------------------------------------------------------------

def batch_app(cluster: str, subnet: str, group: str, *, awslogs: bool = True, sidecars: str = "{}") -> str:
    logs = ("log_configuration: { log_driver: 'awslogs', options: { 'awslogs-group': '/ecs/batch', "
            "'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'batch' } },") if awslogs else ""
    return f"""
    {{
      scheduler: {{
        type: 'ecs', region: 'us-east-1', cluster: '{cluster}', launch_type: 'FARGATE',
        requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '512', memory: '1024',
        network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'], security_groups: ['{group}'] }} }},
      }},
      app: {{
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/batch', tag: 'v1', memory: 256,
        command: ['default'], env: {{ MODE: 'batch' }},
        {logs}
      }},
      sidecars: {sidecars},
    }}
    """


class Job(Protocol):
    """The ``job`` fixture: writes the batch definition (batch_app's options) and returns its path."""

    def __call__(self, *, awslogs: bool = ..., sidecars: str = ...) -> str: ...


@pytest.fixture
def job(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Job:
    """Write a batch definition with a unique app id (so sandbox outcomes target only it)."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    name = unique("job-")

    def write(**kwargs: Any) -> str:
        path = f"apps/{name}.jsonnet"
        repo.write(path, batch_app(cluster, subnet, group, **kwargs))
        wanted = Wanted()
        wanted.add_app(check_file(path).app)
        seed(sandbox.url, wanted)
        return path

    return write


def family(path: str) -> str:
    return Path(path).stem + "-oneshot"



# --- Docker ----------------------------------------------------------------------------------

from tests.busybox_image import ensure_busybox_image  # noqa: E402


@pytest.fixture(scope="session")
def docker_client() -> Any:
    """The local engine, with the tiny busybox test image imported."""
    from hako_py.local.engine import connect

    client = connect()
    ensure_busybox_image(client)
    return client




# --- AWS clients on the sandbox -------------------------------------------------------------

def aws_client(url: str, service: str, region: str = "us-east-1") -> Any:
    """A boto3 client of the sandbox that does not retry: an HTTP 500 shows at once."""
    from botocore.config import Config

    from hako_py.aws.clients import new_session

    session = new_session(region=region, aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    return cast(Any, session).client(service, endpoint_url=url, config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def ecs(sandbox: Sandbox) -> Any:
    return aws_client(sandbox.url, "ecs")


@pytest.fixture
def default_network(sandbox: Sandbox) -> dict[str, Any]:
    """An awsvpcConfiguration in moto's default VPC (first subnet, default security group)."""
    ec2 = aws_client(sandbox.url, "ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group["GroupId"]]}}


@pytest.fixture
def hako_startup(hako_process: HakoProcess, tmp_path: Path) -> Callable[[], float]:
    """The wall time of one trivial ``hako validate`` measured now, in the same test: a bound
    on a subprocess's wall time is *allowance + k × startup*, so a loaded machine (which slows
    every process alike) stretches it, while a missing budget (minutes) still fails it."""
    folder = tmp_path / "startup"
    folder.mkdir()
    (folder / "ok.jsonnet").write_text(FARGATE_APP)

    def measure() -> float:
        started = time.monotonic()
        result = hako_process("validate", str(folder / "ok.jsonnet"))
        assert result.code == 0, result
        return time.monotonic() - started

    return measure
