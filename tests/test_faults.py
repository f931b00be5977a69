"""Reliability under injected faults: a proxy between hako and the sandbox throttles, fails
(500/503), resets connections before and after the sandbox handled a request (lost
responses), slows and truncates responses, from a seeded RNG. Every run must keep the
promises: deploy completes on the new revision or fails on a working one, with one new
revision at most; oneshot returns the true exit code with every log line once; diff,
status and verify answer correctly or fail with one clean line."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, cast

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from hako_py.sandbox.client import control
from hako_py.sandbox.faults import KINDS, FaultProxy, FaultRates
from hako_py.sandbox.server import Sandbox
from tests.conftest import Deployable, Hako, Job, Repo, SandboxControl, family

DEPLOY_SEEDS = range(8)
ONESHOT_SEEDS = range(6)
RATE = 0.02  # per kind and request: ~12% of the requests to the faulty services fail one way or another


def direct(sandbox: Sandbox, service: str) -> Any:
    """A client straight to the sandbox, past the proxy: the test's view of the truth."""
    return cast(Any, boto3).client(service, region_name="us-east-1", endpoint_url=sandbox.url, aws_access_key_id="t",
                        aws_secret_access_key="t")


@pytest.fixture
def faulty(sandbox: Sandbox, aws: SandboxControl, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FaultProxy]]:
    proxies: list[FaultProxy] = []

    def start(seed: int, rates: FaultRates) -> FaultProxy:
        for old in proxies:
            old.stop()
        proxy = FaultProxy(sandbox.url, rates, seed=seed)
        proxy.start()
        proxies.append(proxy)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


def assert_clean_failure(result: Any) -> None:
    assert "Traceback" not in result.out + result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines, "a failure says why"


@pytest.mark.slow
def test_deploy_under_faults_completes_or_stays_on_a_working_revision(
        hako: Hako, deployable: Deployable, faulty: Callable[..., FaultProxy], sandbox: Sandbox,
        repo: Repo) -> None:
    path = deployable(name="faulty")
    assert hako("deploy", path, "--poll-interval", "0.02").code == 0
    cluster = (repo.root / path).read_text().split("cluster: '")[1].split("'")[0]
    ecs = direct(sandbox, "ecs")
    outcomes: Counter[str] = Counter()
    for seed in DEPLOY_SEEDS:
        before = ecs.list_task_definitions(familyPrefix="faulty")["taskDefinitionArns"]
        deployable(name="faulty", env=f"{{ MODE: 'run{seed}' }}")
        proxy = faulty(seed, FaultRates.uniform(RATE, services=("ecs",)))
        result = hako("deploy", path, "--poll-interval", "0.02", "--timeout", "60")
        proxy.stop()
        after = ecs.list_task_definitions(familyPrefix="faulty")["taskDefinitionArns"]
        new = sorted(set(after) - set(before))
        assert len(new) <= 1, f"seed {seed}: duplicate revisions {new}\n{result.out}{result.err}"
        service = ecs.describe_services(cluster=cluster, services=["faulty"])["services"][0]
        described = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert described["status"] == "ACTIVE", f"seed {seed}: the service runs a deregistered revision"
        if result.code == 0:
            outcomes["completed"] += 1
            assert new and service["taskDefinition"] == new[0], f"seed {seed}: {result.err}"
            primary = next(d for d in service["deployments"] if d["status"] == "PRIMARY")
            assert primary["rolloutState"] == "COMPLETED"
            assert "deployment completed" in result.err
        else:
            outcomes["failed cleanly"] += 1
            assert "deployment completed" not in result.err
            assert_clean_failure(result)
    assert sum(outcomes.values()) == len(DEPLOY_SEEDS)


@pytest.mark.slow
def test_oneshot_under_faults_returns_the_true_exit_code_and_every_line(
        hako: Hako, job: Job, faulty: Callable[..., FaultProxy], aws: SandboxControl) -> None:
    path = job()
    lines = [f"line {i:03d}" for i in range(40)]
    for seed in ONESHOT_SEEDS:
        code = 3 + seed
        aws.call("POST", "next-task", {"family": family(path), "exitCode": code, "logLines": lines,
                                        "runSeconds": 0.6})
        faulty(seed, FaultRates.uniform(RATE, services=("ecs", "logs")))
        result = hako("oneshot", path, "--poll-interval", "0.05", "--", "work")
        if result.code in (code,):
            assert [line for line in result.out.splitlines() if line.startswith("line ")] == lines, (
                f"seed {seed}: lost or repeated lines")
        else:
            # only a failure to start or follow is allowed, and it must say so (125/127), never a wrong code
            assert result.code in (125, 127, 1), f"seed {seed}: exit {result.code}\n{result.err}"
            assert_clean_failure(result)


@pytest.mark.slow
def test_read_commands_under_faults_answer_or_fail_cleanly(
        hako: Hako, deployable: Deployable, faulty: Callable[..., FaultProxy]) -> None:
    path = deployable(name="readers")
    assert hako("deploy", path, "--poll-interval", "0.02").code == 0
    for seed in range(6):
        faulty(100 + seed, FaultRates.uniform(RATE * 2))
        diff = hako("diff", path, "--exit-code")
        assert diff.code in (0, 1), diff.out
        if diff.code == 0:
            assert diff.out == ""
        else:
            assert_clean_failure(diff)
        status = hako("status", path)
        assert status.code in (0, 1)
        if status.code == 0:
            assert "Service readers in cluster" in status.out
        else:
            assert_clean_failure(status)
        verify = hako("verify", path)
        assert verify.code in (0, 1)
        assert "Traceback" not in verify.out + verify.err
        if verify.code == 1:
            assert "[NG]" in verify.out and "cannot check" in verify.out


@pytest.mark.parametrize("kind", ["lost", "truncate"])
def test_a_lost_register_response_does_not_duplicate_the_revision(
        hako: Hako, deployable: Deployable, faulty: Callable[..., FaultProxy], sandbox: Sandbox, kind: str) -> None:
    path = deployable(name=f"once{kind}")
    ecs = direct(sandbox, "ecs")
    only = ("RegisterTaskDefinition",)
    rates = {"lost": FaultRates(lost=1.0, operations=only, limit=1),
             "truncate": FaultRates(truncate=1.0, operations=only, limit=1)}[kind]
    proxy = faulty(0, rates)
    result = hako("deploy", path, "--poll-interval", "0.02")
    assert result.code == 0, result.out + result.err
    assert proxy.injected[kind] == 1
    assert len(ecs.list_task_definitions(familyPrefix=f"once{kind}")["taskDefinitionArns"]) == 1
    assert "is already registered (never deployed); using it" in result.err


def test_a_lost_run_task_response_starts_one_task(
        hako: Hako, job: Job, faulty: Callable[..., FaultProxy], aws: SandboxControl, sandbox: Sandbox) -> None:
    path = job()
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": ["only once"]})
    proxy = faulty(0, FaultRates(lost=1.0, operations=("RunTask",), limit=1))
    result = hako("oneshot", path, "--poll-interval", "0.05", "--", "work")
    assert result.code == 0, result.err
    assert proxy.injected["lost"] == 1
    assert result.out.count("only once") == 1
    cluster = [c for c in direct(sandbox, "ecs").list_clusters()["clusterArns"]]
    started = sum(len(direct(sandbox, "ecs").list_tasks(cluster=c, family=family(path), desiredStatus="STOPPED")[
        "taskArns"]) for c in cluster)
    assert started == 1, "RunTask's clientToken makes the retry return the first task"


@pytest.mark.slow
def test_sandbox_command_with_faults_serves_through_the_proxy() -> None:
    import signal
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT

    process = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", "--port", "0", "--no-docker",
                                "--faults", "0.03", "--faults-seed", "3"], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    try:
        url = line.split("=", 1)[1]
        from botocore.config import Config

        ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=url, aws_access_key_id="t",
                           aws_secret_access_key="t",
                           config=Config(retries={"mode": "standard", "total_max_attempts": 10}))
        for _ in range(30):  # botocore's retries get through ~18% of faulty requests
            ecs.list_clusters()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "faults injected at 0.03 per kind and request (seed 3)" in err
    injected = err.rsplit("faults injected: ", 1)[1]
    assert "requests" in injected and injected.split(" in ")[0] != "{}", err


# --- the proxy's own promises: replayable draws, honest counts ------------------------------

WORKLOAD = [*[("ecs", "ListClusters")] * 24, *[("ec2", "DescribeVpcs")] * 12, *[("logs", "DescribeLogGroups")] * 4]
CLIENT_VIEW = {None: "answered", "slow": "answered", "throttle": "throttled", "error": "server error",
               "reset": "no answer", "lost": "no answer", "truncate": "no answer"}


def expected_draws(seed: int, rates: FaultRates, workload: list[tuple[str, str]]) -> list[str | None]:
    """The fault (or None) a proxy seeded with *seed* injects into each request of *workload*
    sent one at a time, worked out here from the documented rule rather than by the proxy:
    one draw from random.Random(seed) per request to a faulty service, the kinds taking
    consecutive slices of [0, 1) in KINDS order, and an error drawing once more for 500 or 503."""
    rng = random.Random(seed)
    draws: list[str | None] = []
    for service, _ in workload:
        fault = None
        if not rates.services or service in rates.services:
            roll = rng.random()
            for kind in KINDS:
                rate = float(getattr(rates, kind))
                if roll < rate:
                    fault = kind
                    break
                roll -= rate
            if fault == "error":
                rng.random()
        draws.append(fault)
    return draws


def client_view(call: Callable[[], Any]) -> str:
    """What one call without retries tells its caller."""
    try:
        call()
    except ClientError as exc:
        answer = (exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"])
        if answer in ((400, "ThrottlingException"), (400, "Throttling")):
            return "throttled"
        if answer in ((500, "InternalFailure"), (503, "ServiceUnavailable")):
            return "server error"
        return f"HTTP {answer}"
    except BotoCoreError:
        return "no answer"
    return "answered"


def test_a_fixed_workload_meets_exactly_the_faults_its_seed_draws(sandbox: Sandbox) -> None:
    """40 requests, one at a time, through a proxy faulting ECS and EC2 but not Logs: each
    request meets the fault its seed draws (so a run replays), the client sees that fault,
    the proxy counts every request and fault, and the sandbox handles exactly the requests a
    fault did not stop before it (a lost or cut response was handled: the write happened)."""
    rates = FaultRates.uniform(0.08, services=("ecs", "ec2"), slow_seconds=0.01)
    seed = 2
    expected = expected_draws(seed, rates, WORKLOAD)
    assert set(expected) == {None, *KINDS}, "the seed exercises every kind of fault"
    assert {"throttle", "error"} <= set(expected[:24]) & set(expected[24:36]), "in both protocols (JSON, query)"
    with FaultProxy(sandbox.url, rates, seed=seed) as proxy:
        before = control(proxy.url, "requests")["byOperation"]  # control calls pass untouched and uncounted
        config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10)
        clients = {service: cast(Any, boto3).client(service, region_name="us-east-1", endpoint_url=proxy.url,
                                         aws_access_key_id="t", aws_secret_access_key="t", config=config)
                   for service in ("ecs", "ec2", "logs")}
        methods = {"ListClusters": "list_clusters", "DescribeVpcs": "describe_vpcs",
                   "DescribeLogGroups": "describe_log_groups"}
        seen = [client_view(getattr(clients[service], methods[operation])) for service, operation in WORKLOAD]
        after = control(proxy.url, "requests")["byOperation"]
    assert seen == [CLIENT_VIEW[fault] for fault in expected]
    assert proxy.injected == Counter(fault for fault in expected if fault is not None)
    assert proxy.requests == len(WORKLOAD)
    assert proxy.by_operation == Counter(f"{service}.{operation}" for service, operation in WORKLOAD)
    stopped_at_the_proxy = ("throttle", "error", "reset")
    handled = Counter(f"{service}.{operation}" for (service, operation), fault in zip(WORKLOAD, expected, strict=True)
                      if fault not in stopped_at_the_proxy)
    assert {name: after.get(name, 0) - before.get(name, 0) for name in handled} == dict(handled)
