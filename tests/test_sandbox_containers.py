"""The sandbox's Docker mode: every line of output, in order; and what a killed sandbox leaves.

Kept apart from test_sandbox_docker.py (the basics) so each file counts only what it created.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hako_py.local import ownership
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, PROJECT_ROOT, Hako, Repo, aws_client, unique
from tests.test_local import ORDERED, ordered_lines
from tests.test_sandbox_docker import definition, write


@pytest.fixture(scope="module")
def containers_sandbox(docker_client: Any) -> Iterator[Sandbox]:
    box = Sandbox("127.0.0.1", 0, rollout_seconds=1.0, tick=0.05, docker=True)
    box.start()
    yield box
    box.stop()


def test_oneshot_gets_every_line_in_the_order_written(hako: Hako, repo: Repo, containers_sandbox: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`seq 1 80000` used to arrive as 32,724 lines, exit 0: the task was STOPPED before its
    output was delivered, and the container was removed 5 s after, its output still unread;
    and `echo 1; echo 2 >&2; echo 3` arrived as 1 3 2 about half the time."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", containers_sandbox.url)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/hako-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/hako-test-credentials")
    path = write(repo, containers_sandbox, unique("dj-"),
                 definition(unique("c-"), unique("subnet-"), unique("sg-"), "['true']"))
    result = hako("oneshot", path, *POLL, "sh", "-c", ORDERED)
    assert result.code == 0, result.err
    assert result.out.splitlines() == ordered_lines()


def _sandbox_process() -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", "--docker", "--port", "0"],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("AWS_ENDPOINT_URL="), process.communicate(timeout=30)
    return process, line.split("=", 1)[1]


def _run_sleeper(url: str) -> None:
    ecs, ec2 = aws_client(url, "ecs"), aws_client(url, "ec2")
    cluster = unique("c-")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family="sleeper", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{
                                     "name": "app", "image": "hako-test/busybox:1", "command": ["sleep", "60"]}])
    network = {"awsvpcConfiguration": {"subnets": [ec2.describe_subnets()["Subnets"][0]["SubnetId"]],
                                       "securityGroups": [ec2.describe_security_groups()["SecurityGroups"][0][
                                           "GroupId"]]}}
    ecs.run_task(cluster=cluster, taskDefinition="sleeper", launchType="FARGATE", networkConfiguration=network)


def _labelled(client: Any, key: str, value: str) -> list[Any]:
    return list(client.containers.list(all=True, filters={"label": f"{key}={value}"}, ignore_removed=True))


def test_a_new_sandbox_removes_what_a_killed_one_left_and_nothing_else(docker_client: Any) -> None:
    """After `kill -KILL` of a sandbox its containers kept running, and a new sandbox did not
    remove them. Now it does, and leaves alone another live sandbox's, another user's and
    those whose owner it cannot judge."""
    process, url = _sandbox_process()
    try:
        _run_sleeper(url)
        deadline = time.monotonic() + 10
        while not (left := _labelled(docker_client, ownership.PID, str(process.pid))) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left and left[0].status == "running"
        assert left[0].labels[ownership.UID] == str(os.getuid())
        assert left[0].labels[ownership.ID]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    dead_pid = str(process.pid)
    me = ownership.Owner.this_process()
    live = {**me.labels(), ownership.ID: unique("live-")}  # another sandbox of this process: alive
    strangers = [live,
                 {**me.labels(), ownership.ID: unique("other-user-"), ownership.PID: dead_pid,
                  ownership.UID: str(os.getuid() + 1)},
                 {**me.labels(), ownership.ID: unique("elsewhere-"), ownership.PID: dead_pid,
                  ownership.HOST: "another-boot/pid:[1]"}]
    kept = [docker_client.api.create_container("hako-test/busybox:1", command=["true"], labels=labels)["Id"]
            for labels in strangers]
    reused = {**me.labels(), ownership.ID: unique("reused-"), ownership.STARTED: "1"}  # its PID is another process now
    kept.append(docker_client.api.create_container("hako-test/busybox:1", command=["true"], labels=reused)["Id"])
    try:
        with Sandbox("127.0.0.1", 0, docker=True):
            pass  # (another sandbox starting on this machine meanwhile may remove it first: same rule)
        assert not _labelled(docker_client, ownership.ID, left[0].labels[ownership.ID])
        assert not _labelled(docker_client, ownership.ID, reused[ownership.ID])
        assert {c.id for c in docker_client.containers.list(all=True, ignore_removed=True)} >= set(kept[:-1])
    finally:
        for container_id in kept:
            with contextlib.suppress(Exception):  # the reused one is gone already
                docker_client.api.remove_container(container_id, force=True)
