"""The sandbox running tasks as real Docker containers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from hako_py.sandbox.server import Sandbox
from tests.busybox_image import IMAGE
from tests.conftest import POLL, Hako, Repo, SandboxControl, unique

ECR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/hako-test/busybox"


@pytest.fixture(scope="module")
def docker_sandbox(docker_client: Any) -> Iterator[Sandbox]:
    box = Sandbox("127.0.0.1", 0, rollout_seconds=1.0, tick=0.05, docker=True)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def on_docker(docker_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> SandboxControl:
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", docker_sandbox.url)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/hako-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/hako-test-credentials")
    return SandboxControl(docker_sandbox.url)


def definition(cluster: str, subnet: str, group: str, command: str, desired: int | None = None) -> str:
    count = f"desired_count: {desired}," if desired is not None else ""
    return f"""
    {{
      scheduler: {{ type: 'ecs', region: 'us-east-1', cluster: '{cluster}', {count} launch_type: 'FARGATE',
                   requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
                   network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'],
                                                                    security_groups: ['{group}'] }} }},
                   deployment_configuration: {{ deployment_circuit_breaker: {{ enable: true, rollback: false }} }} }},
      app: {{ image: '{ECR_IMAGE}', tag: '1', memory: 128, stop_timeout: 2, command: {command},
              log_configuration: {{ log_driver: 'awslogs', options: {{ 'awslogs-group': '/ecs/docker-sandbox',
                                    'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' }} }} }},
    }}
    """


def write(repo: Repo, sandbox: Sandbox, name: str, text: str) -> str:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    path = f"apps/{name}.jsonnet"
    repo.write(path, text)
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    seed(sandbox.url, wanted)
    return path


def running_tasks_of(client: Any, sandbox: Sandbox, cluster: str) -> set[str]:
    """The ids of the running containers of this sandbox's tasks in *cluster*: only what the
    test made, whatever other sandboxes (other tests, other users) run on the same engine."""
    assert sandbox.simulator.docker is not None
    found = client.containers.list(filters={"label": f"hako.sandbox.id={sandbox.simulator.docker.owner.id}"}, ignore_removed=True)
    return {c.id for c in found if f":task/{cluster}/" in str(c.labels.get("hako.sandbox.task"))}


def test_sandbox_oneshot_output_and_exit_code_come_from_a_real_container(
        hako: Hako, repo: Repo, docker_sandbox: Sandbox, on_docker: SandboxControl, docker_client: Any) -> None:
    name = unique("dj-")
    path = write(repo, docker_sandbox, name, definition(unique("c-"), unique("subnet-"), unique("sg-"), "['true']"))
    result = hako("oneshot", path, *POLL, "sh", "-c", "echo real output from $HOSTNAME; seq 1 3; exit 5")
    assert result.code == 5, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("real output from ") and len(lines[0]) > len("real output from ")  # a container id
    assert lines[1:] == ["1", "2", "3"]
    assert "container app: exit code 5" in result.err
    assert IMAGE in [t for i in docker_client.images.list() for t in i.tags]


def test_sandbox_stop_task_stops_the_container(hako: Hako, repo: Repo, docker_sandbox: Sandbox,
                                               on_docker: SandboxControl) -> None:
    path = write(repo, docker_sandbox, unique("dj-"), definition(unique("c-"), unique("subnet-"), unique("sg-"),
                                                                   "['true']"))
    result = hako("oneshot", path, *POLL, "--timeout", "1", "sh", "-c",
                  'trap "echo stopping; exit 3" TERM; echo up; while true; do sleep 0.1; done')
    assert result.code == 124
    assert result.out == "up\nstopping\n"
    assert "container app: exit code 3" in result.err


def test_sandbox_missing_local_image_fails_to_start(hako: Hako, repo: Repo, docker_sandbox: Sandbox,
                                                    on_docker: SandboxControl) -> None:
    text = definition(unique("c-"), unique("subnet-"), unique("sg-"), "['true']").replace("tag: '1'", "tag: 'none'")
    path = write(repo, docker_sandbox, unique("dj-"), text)
    result = hako("oneshot", path, *POLL, "true")
    assert result.code == 125
    assert "CannotPullContainerError: image hako-test/busybox:none not found in the local Docker engine" in result.err


@pytest.mark.parametrize(("image", "runs"), [
    ("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/hako-test/busybox", True),  # FIPS: still ECR
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/hako-test/busybox", False),  # only looks like it
])
def test_sandbox_maps_ecr_names_like_oneshot_local(hako: Hako, repo: Repo, docker_sandbox: Sandbox,
                                                   on_docker: SandboxControl, image: str, runs: bool) -> None:
    """The sandbox and ``oneshot --local`` share the mapping (tests/test_local_ecr.py runs the same names)."""
    text = definition(unique("c-"), unique("subnet-"), unique("sg-"), "['true']").replace(ECR_IMAGE, image)
    path = write(repo, docker_sandbox, unique("dj-"), text)
    result = hako("oneshot", path, *POLL, "sh", "-c", "echo ran")
    if runs:
        assert result.code == 0, result.err
        assert result.out == "ran\n"
    else:
        assert result.code == 125
        assert f"CannotPullContainerError: image {image}:1 not found in the local Docker engine" in result.err


def test_service_rollout_runs_containers_new_before_old(hako: Hako, repo: Repo, docker_sandbox: Sandbox,
                                                        on_docker: SandboxControl, docker_client: Any) -> None:
    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    name = unique("ds-")
    loop = "['sh', '-c', 'trap \"exit 0\" TERM; while true; do sleep 0.2; done']"
    path = write(repo, docker_sandbox, name, definition(cluster, subnet, group, loop, desired=2))
    assert hako("deploy", path, *POLL).code == 0

    first = running_tasks_of(docker_client, docker_sandbox, cluster)
    assert len(first) == 2
    write(repo, docker_sandbox, name, definition(cluster, subnet, group, loop.replace("0.2", "0.3"), desired=2))
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    started = result.err.index("has started 2 tasks")
    stopped = result.err.index("has stopped 2 running tasks")
    assert started < stopped  # the new tasks start before the old ones stop
    now = running_tasks_of(docker_client, docker_sandbox, cluster)
    assert len(now) == 2 and not (now & first)


def test_service_whose_container_crashes_fails_the_rollout(hako: Hako, repo: Repo, docker_sandbox: Sandbox,
                                                          on_docker: SandboxControl) -> None:
    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    name = unique("ds-")
    loop = "['sh', '-c', 'trap \"exit 0\" TERM; while true; do sleep 0.2; done']"
    path = write(repo, docker_sandbox, name, definition(cluster, subnet, group, loop, desired=1))
    assert hako("deploy", path, *POLL).code == 0
    write(repo, docker_sandbox, name, definition(cluster, subnet, group, "['sh', '-c', 'exit 1']", desired=1))
    # the sandbox sees a crash in the first half of a rollout: 2 s for the containers to start
    # and exit, on a loaded machine too
    on_docker.call("POST", "settings", {"rolloutSeconds": 4})
    try:
        result = hako("deploy", path, *POLL)
    finally:
        on_docker.call("POST", "settings", {"rolloutSeconds": 1})
    assert result.code == 1
    assert "failed (FAILED)" in result.err
    assert "container app: exit code 1" in result.err
    assert "rolled back: service" in result.err


def test_service_task_whose_image_is_missing_fails_to_start_like_ecs(
        hako: Hako, repo: Repo, docker_sandbox: Sandbox, on_docker: SandboxControl) -> None:
    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    name = unique("ds-")
    text = definition(cluster, subnet, group, "['true']", desired=1).replace("tag: '1'", "tag: 'none'")
    path = write(repo, docker_sandbox, name, text)
    result = hako("deploy", path, *POLL)
    assert result.code == 1
    assert "failed (FAILED)" in result.err
    assert "stopped: CannotPullContainerError: image hako-test/busybox:none not found in the local Docker engine" \
        in result.err
    assert "exit code 1" not in result.err
    ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=docker_sandbox.url, aws_access_key_id="t",
                       aws_secret_access_key="t")
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    assert len(tasks) == 1
    assert tasks[0]["stopCode"] == "TaskFailedToStart"
    assert tasks[0]["stoppedReason"].startswith("CannotPullContainerError: ")
    assert tasks[0]["containers"][0]["reason"].startswith("CannotPullContainerError: ")
    assert "exitCode" not in tasks[0]["containers"][0]


def test_engine_env_is_local_to_the_test() -> None:
    assert os.environ.get("DOCKER_HOST") in (None, "")
