"""One bad request, object or log destination never breaks the sandbox for everyone else.

Each test runs its own in-process sandbox (so a regression cannot break the session's
sandbox for other tests) and talks to it over HTTP like any client.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import aws_client, unique


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    box = Sandbox("127.0.0.1", 0, rollout_seconds=0.2, task_seconds=0.2, tick=0.02)
    box.start()
    yield box
    box.stop()


def _signed_for(url: str, region: str) -> int:
    """An ECS ListClusters whose SigV4 credential scope names *region* (botocore refuses to sign
    for a malformed region, so the header is written by hand; the sandbox does not verify it)."""
    request = urllib.request.Request(f"{url}/", data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{region}/ecs/aws4_request, "
                         "SignedHeaders=host, Signature=00"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _fargate(ecs: Any, sandbox: Sandbox, family: str, log_region: str | None = None) -> dict[str, Any]:
    """Register a Fargate family (optionally logging to *log_region*); returns a network configuration."""
    container: dict[str, Any] = {"name": "app", "image": "busybox", "memory": 64}
    if log_region is not None:
        container["logConfiguration"] = {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/resilience", "awslogs-region": log_region, "awslogs-stream-prefix": "app"}}
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[container])
    ec2 = aws_client(sandbox.url, "ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}


def _wait_stopped(ecs: Any, cluster: str, arn: str, seconds: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        task: dict[str, Any] = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
        if task["lastStatus"] == "STOPPED" or time.monotonic() > deadline:
            return task
        time.sleep(0.02)


def test_a_request_signed_for_a_bogus_region_breaks_nothing(own_sandbox: Sandbox,
                                                           capfd: pytest.CaptureFixture[str]) -> None:
    """Used to make the simulator print `simulator error: KeyError` on stdout every tick and
    answer every later CreateService/UpdateService/RunTask with HTTP 500."""
    for region in ("zz evil 1", "us-east-7", "../../etc", ""):  # "": answered moto's HTML 500 with a traceback
        assert _signed_for(own_sandbox.url, region) < 500
    time.sleep(0.1)  # several simulator ticks
    ecs = aws_client(own_sandbox.url, "ecs")
    cluster, family = unique("c-"), unique("f-")
    ecs.create_cluster(clusterName=cluster)
    network = _fargate(ecs, own_sandbox, family)
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=1,
                       launchType="FARGATE", networkConfiguration=network)
    ecs.update_service(cluster=cluster, service="web", desiredCount=2)
    arn = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                       networkConfiguration=network)["tasks"][0]["taskArn"]
    assert _wait_stopped(ecs, cluster, arn)["lastStatus"] == "STOPPED"
    captured = capfd.readouterr()
    assert captured.out == ""  # stdout is what users `export $(cat sandbox.env)` from
    assert "simulator error" not in captured.err and "Traceback" not in captured.err


def test_a_task_logging_to_a_bogus_region_stops_normally_and_is_reported_once(
        own_sandbox: Sandbox, capfd: pytest.CaptureFixture[str]) -> None:
    """Its output cannot be delivered (no such CloudWatch Logs region): that is said once, on
    stderr, and neither the task nor any other task stalls."""
    ecs = aws_client(own_sandbox.url, "ecs")
    cluster = unique("c-")
    ecs.create_cluster(clusterName=cluster)
    bad, good = unique("bad-"), unique("good-")
    network = _fargate(ecs, own_sandbox, bad, log_region="zz-evil-1")
    _fargate(ecs, own_sandbox, good, log_region="us-east-1")
    from hako_py.sandbox.client import control

    for name in (bad, good):
        control(own_sandbox.url, "next-task", {"family": name, "logLines": ["one", "two"], "exitCode": 4})
    arns = [ecs.run_task(cluster=cluster, taskDefinition=name, launchType="FARGATE",
                         networkConfiguration=network)["tasks"][0]["taskArn"] for name in (bad, good)]
    for arn in arns:
        task = _wait_stopped(ecs, cluster, arn)
        assert task["lastStatus"] == "STOPPED"
        assert task["containers"][0]["exitCode"] == 4
    logs = aws_client(own_sandbox.url, "logs")
    stream = f"app/app/{arns[1].rsplit('/', 1)[-1]}"
    events = logs.get_log_events(logGroupName="/ecs/resilience", logStreamName=stream, startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["one", "two"]
    time.sleep(0.1)
    captured = capfd.readouterr()
    assert captured.out == ""
    problems = [line for line in captured.err.splitlines() if "zz-evil-1" in line]
    assert len(problems) == 1, captured.err
    assert problems[0].startswith("hako sandbox: ")


def test_tasks_of_another_account_are_simulated_too(own_sandbox: Sandbox) -> None:
    """Credentials of a role assumed in another account (STS) reach that account's state in
    moto; the simulator advances what lives there as it does in the default account."""
    import boto3

    sts = aws_client(own_sandbox.url, "sts")
    credentials = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/deployer",
                                  RoleSessionName="hako")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"], region_name="eu-west-1")
    ecs = session.client("ecs", endpoint_url=own_sandbox.url)
    ec2 = session.client("ec2", endpoint_url=own_sandbox.url)
    cluster, family = unique("c-"), unique("f-")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}])
    network: Any = {"awsvpcConfiguration": {"subnets": [ec2.describe_subnets()["Subnets"][0]["SubnetId"]],
                                       "securityGroups": [ec2.describe_security_groups()["SecurityGroups"][0][
                                           "GroupId"]]}}
    task = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                        networkConfiguration=network)["tasks"][0]
    assert ":111122223333:" in task["taskArn"]
    assert _wait_stopped(ecs, cluster, task["taskArn"])["lastStatus"] == "STOPPED"
    service = ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=1,
                                 launchType="FARGATE", networkConfiguration=network)["service"]
    deadline = time.monotonic() + 5
    while service["deployments"][0]["rolloutState"] != "COMPLETED" and time.monotonic() < deadline:
        time.sleep(0.05)
        service = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["runningCount"] == 1


def test_a_client_token_is_one_region_and_accounts_own(own_sandbox: Sandbox) -> None:
    """ECS's idempotency tokens are scoped to the account and region: the same RunTask token in
    another region starts another task there (it used to answer the first region's task)."""
    token = unique("token-")
    arns = []
    for region in ("us-east-1", "us-west-2"):
        ecs = aws_client(own_sandbox.url, "ecs", region)
        ec2 = aws_client(own_sandbox.url, "ec2", region)
        cluster, family = unique("c-"), unique("f-")
        ecs.create_cluster(clusterName=cluster)
        ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512",
                                     containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}])
        network: Any = {"awsvpcConfiguration": {"subnets": [ec2.describe_subnets()["Subnets"][0]["SubnetId"]],
                                           "securityGroups": [ec2.describe_security_groups()["SecurityGroups"][0][
                                               "GroupId"]]}}
        for _ in range(2):  # the same token twice in one region: one task
            arns.append(ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                                     networkConfiguration=network, clientToken=token)["tasks"][0]["taskArn"])
    assert arns[0] == arns[1] and arns[2] == arns[3]
    assert ":us-west-2:" in arns[2] and arns[2] != arns[0]
