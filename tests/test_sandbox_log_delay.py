"""CloudWatch Logs delivering task output late (control API ``logDelaySeconds``), as it may.

CloudWatch Logs documents no delivery time: the Docker awslogs driver publishes every 5 s (moby
daemon/logger/awslogs/cloudwatchlogs.go), and GetLogEvents pages "might only be partially full, or
even empty" before the end (botocore logs model, operation GetLogEvents). With a delay set, an event
keeps the time it was written (``timestamp``) and becomes readable, and is ingested
(``ingestionTime``), that many seconds later.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Iterator
from typing import Any

import pytest

from hako_py.sandbox.client import control
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Hako, Job, SandboxControl, aws_client, family, unique

DELAY = 1.0


@pytest.fixture
def late_logs(sandbox: Sandbox) -> Iterator[float]:
    """The session sandbox delivering logs DELAY seconds late, for this test only."""
    control(sandbox.url, "settings", {"logDelaySeconds": DELAY})
    try:
        yield DELAY
    finally:
        control(sandbox.url, "settings", {"logDelaySeconds": 0})


def _events(logs: Any, group: str, stream: str) -> list[dict[str, Any]]:
    try:
        found: list[dict[str, Any]] = logs.get_log_events(logGroupName=group, logStreamName=stream,
                                                          startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:  # no event delivered yet: no stream either
        return []
    return found


def _stopped(ecs: Any, cluster: str, arn: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        task: dict[str, Any] = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
        if task["lastStatus"] == "STOPPED" or time.monotonic() > deadline:
            return task
        time.sleep(0.02)


def _awslogs_task(ecs: Any, name: str, group: str, network: dict[str, Any], image: str = "busybox",
                  command: list[str] | None = None) -> dict[str, Any]:
    """Register a Fargate awslogs task definition of family *name* and run it once."""
    cluster = unique("c-")
    ecs.create_cluster(clusterName=cluster)
    container: dict[str, Any] = {"name": "app", "image": image, "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": group, "awslogs-region": "us-east-1",
                                            "awslogs-stream-prefix": "late"}}}
    if command:
        container["command"] = command
    ecs.register_task_definition(family=name, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                                 memory="512", containerDefinitions=[container])
    task: dict[str, Any] = ecs.run_task(cluster=cluster, taskDefinition=name, launchType="FARGATE",
                                        networkConfiguration=network)["tasks"][0]
    return {"cluster": cluster, **task}


def test_settings_take_a_checked_log_delay(sandbox: Sandbox) -> None:
    """The control API's input rules: a number of seconds in [0, 3600], else a 400 naming the field."""
    try:
        assert control(sandbox.url, "settings", {"logDelaySeconds": 2.5}) == {"ok": True}
        assert control(sandbox.url, "")["settings"]["logDelaySeconds"] == 2.5
        for bad in (-1, "2", 1e9, True):
            with pytest.raises(urllib.error.HTTPError) as refused:
                control(sandbox.url, "settings", {"logDelaySeconds": bad})
            assert refused.value.code == 400
            assert json.loads(refused.value.read())["field"] == "logDelaySeconds"
        assert control(sandbox.url, "")["settings"]["logDelaySeconds"] == 2.5  # a refused request changes nothing
    finally:
        control(sandbox.url, "settings", {"logDelaySeconds": 0})


def test_simulated_task_output_arrives_late(sandbox: Sandbox, late_logs: float, default_network: dict[str, Any]) -> None:
    """Lines a simulated task wrote are not readable when it stops; they arrive DELAY seconds after they
    were written, with their own timestamps, in order."""
    ecs, logs = aws_client(sandbox.url, "ecs"), aws_client(sandbox.url, "logs")
    name, group = unique("late-"), unique("/ecs/late-")
    lines = ["one", "two", "three"]
    control(sandbox.url, "next-task", {"family": name, "logLines": lines, "runSeconds": 0.2})
    task = _awslogs_task(ecs, name, group, default_network)
    stream = f"late/app/{task['taskArn'].rsplit('/', 1)[-1]}"
    stopped = _stopped(ecs, task["cluster"], task["taskArn"])
    assert stopped["lastStatus"] == "STOPPED"
    seen_at_stop = [e["message"] for e in _events(logs, group, stream)]
    assert "three" not in seen_at_stop  # written as the task stopped: not delivered yet
    deadline = time.monotonic() + 10 * late_logs
    while len(_events(logs, group, stream)) < len(lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    events = _events(logs, group, stream)
    assert [e["message"] for e in events] == lines
    assert all(e["ingestionTime"] - e["timestamp"] >= late_logs * 1000 - 50 for e in events)


def test_hako_oneshot_prints_every_line_when_delivery_is_late(
        hako: Hako, job: Job, aws: SandboxControl, late_logs: float) -> None:
    """`hako oneshot` must not lose the lines a task wrote last when CloudWatch delivers them
    after the task stopped: it reads until the stream has been quiet for --log-grace. With a
    grace shorter than the delay the same run loses them, which shows the grace is what keeps
    them (two immediate polls, the old drain, lost all 5)."""
    path = job()
    lines = [f"line {n}" for n in range(5)]
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": lines, "runSeconds": 0.3})
    result = hako("oneshot", path, *POLL, "--log-grace", str(late_logs + 1.5), "true")
    assert result.code == 0, result.err
    assert result.out.splitlines() == lines
    # a delay no loaded machine outlasts between the task's stop and hako's exit, so the lines are
    # lost to the zero grace and not merely to timing (at DELAY, a slow run saw them all)
    aws.call("POST", "settings", {"logDelaySeconds": 60})
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": lines, "runSeconds": 0.3})
    hurried = hako("oneshot", path, *POLL, "--log-grace", "0", "true")
    aws.call("POST", "settings", {"logDelaySeconds": late_logs})
    assert hurried.code == 0
    assert len(hurried.out.splitlines()) < len(lines)


@pytest.fixture(scope="module")
def late_docker_sandbox(docker_client: Any) -> Iterator[Sandbox]:
    box = Sandbox("127.0.0.1", 0, rollout_seconds=1.0, tick=0.05, docker=True)
    box.start()
    control(box.url, "settings", {"logDelaySeconds": DELAY})
    yield box
    box.stop()


def test_docker_task_output_arrives_late(late_docker_sandbox: Sandbox) -> None:
    """Docker mode: a container's output reaches CloudWatch Logs DELAY seconds after it was written."""
    url = late_docker_sandbox.url
    ecs, logs, ec2 = aws_client(url, "ecs"), aws_client(url, "logs"), aws_client(url, "ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group_id = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group_id]}}
    name, group = unique("late-docker-"), unique("/ecs/late-docker-")
    task = _awslogs_task(ecs, name, group, network, image="123456789012.dkr.ecr.us-east-1.amazonaws.com/"
                         "hako-test/busybox:1", command=["sh", "-c", "echo first; echo second"])
    stream = f"late/app/{task['taskArn'].rsplit('/', 1)[-1]}"
    assert _stopped(ecs, task["cluster"], task["taskArn"])["lastStatus"] == "STOPPED"
    deadline = time.monotonic() + 10 * DELAY
    while len(_events(logs, group, stream)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    events = _events(logs, group, stream)
    assert [e["message"] for e in events] == ["first", "second"]
    assert all(e["ingestionTime"] - e["timestamp"] >= DELAY * 1000 - 50 for e in events)
