"""SIGKILL of hako at every step of a deploy, then a fresh deploy converges; and deploys
running at the same time. hako runs as a real subprocess through a proxy that holds the
request of the chosen step until the process is dead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from hako_py.sandbox.faults import FaultProxy, FaultRates
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Deployable, Hako, Repo, SandboxControl


def direct(sandbox: Sandbox) -> Any:
    return boto3.client("ecs", region_name="us-east-1", endpoint_url=sandbox.url, aws_access_key_id="t",
                        aws_secret_access_key="t")


@pytest.fixture
def proxy(sandbox: Sandbox, aws: SandboxControl) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.url, FaultRates()) as front:
        yield front


def spawn(repo: Repo, url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": url}
    return subprocess.Popen([sys.executable, "-m", "hako_py", *args], cwd=repo.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def cluster_of(repo: Repo, path: str) -> str:
    return (repo.root / path).read_text().split("cluster: '")[1].split("'")[0]


# (step, operation held, how many of it pass first, whether the held request is lost with the process)
KILL_POINTS = [
    ("after register", "UpdateService", 0, True),
    ("after update", "DescribeServices", 1, False),
    ("while following", "DescribeServices", 3, False),
]


@pytest.mark.parametrize(("step", "operation", "after", "drop"), KILL_POINTS, ids=[p[0] for p in KILL_POINTS])
def test_sigkill_at_every_step_then_a_fresh_deploy_converges(
        hako: Hako, deployable: Deployable, proxy: FaultProxy, sandbox: Sandbox, repo: Repo,
        aws: SandboxControl, step: str, operation: str, after: int, drop: bool) -> None:
    name = "kill" + step.split()[-1]
    path = deployable(name=name)
    assert hako("deploy", path, *POLL).code == 0
    ecs = direct(sandbox)
    before = set(ecs.list_task_definitions(familyPrefix=name)["taskDefinitionArns"])
    deployable(name=name, env="{ MODE: 'killed' }")
    aws.call("POST", "settings", {"rolloutSeconds": 2})
    try:
        stall = proxy.stall(operation, after, drop=drop)
        process = spawn(repo, proxy.url, "deploy", path, *POLL, "--no-verify")
        assert stall.reached.wait(30), f"hako never reached {step}"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        stall.release.set()
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert process.returncode == -signal.SIGKILL
    fresh = hako("deploy", path, *POLL)
    assert fresh.code == 0, fresh.out + fresh.err
    if step == "after register":
        assert ("is already registered (never deployed: ECS reports no deployment of it and no stopped task "
                "from it); using it") in fresh.err
    else:
        assert "registered task definition" not in fresh.err
    service = ecs.describe_services(cluster=cluster_of(repo, path), services=[name])["services"][0]
    new = set(ecs.list_task_definitions(familyPrefix=name)["taskDefinitionArns"]) - before
    assert len(new) == 1, f"{step}: one revision for one change, got {sorted(new)}"
    assert service["taskDefinition"] == new.pop()
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]
    assert hako("diff", path, "--exit-code").code == 0


def test_two_deploys_of_one_app_at_once(hako: Hako, deployable: Deployable, sandbox: Sandbox,
                                        repo: Repo, aws: SandboxControl) -> None:
    path = deployable(name="twice")
    assert hako("deploy", path, *POLL).code == 0
    ecs = direct(sandbox)
    aws.call("POST", "settings", {"rolloutSeconds": 1})
    # two files of the one app (the app id is the file's name), both written before either deploy
    # starts: rewriting one file between the spawns raced with the first deploy reading it
    changed = [deployable(name=f"{mode}/twice", env=f"{{ MODE: '{mode}' }}") for mode in ("a", "b")]
    try:
        processes = [spawn(repo, sandbox.url, "deploy", one, *POLL, "--no-verify") for one in changed]
        results = [(p.wait(60), *p.communicate()) for p in processes]
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    for code, out, err in results:
        assert code in (0, 1), out + err
        assert "Traceback" not in out + err
        if code == 0:
            completed = [line for line in err.splitlines() if line.startswith("deployment completed")]
            assert len(completed) == 1
        else:
            assert "deployment completed" not in err
            assert ("deployment in progress" in err or "another deployment replaced this one" in err
                    or "rolling back" in err), err
    assert any(code == 0 for code, _, _ in results), "one of two deploys gets through"
    service = ecs.describe_services(cluster=cluster_of(repo, path), services=["twice"])["services"][0]
    described = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert described["status"] == "ACTIVE"
    # whichever won, a fresh deploy of either converges to it
    for one in changed:
        final = hako("deploy", one, *POLL)
        assert final.code == 0, final.out + final.err
        assert hako("diff", one, "--exit-code").code == 0


def test_two_apps_deploy_at_once(hako: Hako, deployable: Deployable, sandbox: Sandbox,
                                 repo: Repo) -> None:
    paths = [deployable(name="left"), deployable(name="right")]
    processes = [spawn(repo, sandbox.url, "deploy", path, *POLL, "--no-verify") for path in paths]
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, out + err
        assert "deployment completed" in err
    for path in paths:
        assert hako("diff", path, "--exit-code").code == 0


def test_a_deploy_after_an_unfinished_one_follows_its_rollout(
        hako: Hako, deployable: Deployable, aws: SandboxControl) -> None:
    path = deployable(name="resume")
    assert hako("deploy", path, *POLL).code == 0
    deployable(name="resume", env="{ MODE: 'next' }")
    # long enough for the second deploy to start while the first rollout runs, on a loaded machine too
    aws.call("POST", "settings", {"rolloutSeconds": 6})
    try:
        assert hako("deploy", path, *POLL, "--no-wait").code == 0
        again = hako("deploy", path, *POLL)
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert again.code == 0, again.err
    assert "started earlier is still in progress: following it" in again.err
    assert "deployment completed: service resume runs resume:2" in again.err
