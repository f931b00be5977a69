"""awsvpc tasks in any subnet, with or without security groups, and tasks that cannot be made.

Every test talks to the sandbox over HTTP with boto3. Those that break an object on purpose run
their own in-process sandbox, so a regression cannot break the session's sandbox for others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hako_py.sandbox.server import Sandbox
from tests.conftest import aws_client, unique


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    box = Sandbox("127.0.0.1", 0, rollout_seconds=0.2, task_seconds=0.2, tick=0.02)
    box.start()
    yield box
    box.stop()


def _fargate_family(ecs: Any) -> str:
    family = unique("net-")
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "busybox"}])
    return family


def _eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def _service(ecs: Any, cluster: str, name: str = "web") -> dict[str, Any]:
    service: dict[str, Any] = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return service


def _completed(ecs: Any, cluster: str, name: str = "web") -> dict[str, Any]:
    """The service once its only deployment COMPLETED (or as it is after 10 s)."""
    def done() -> dict[str, Any] | None:
        service = _service(ecs, cluster, name)
        return service if [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"] else None

    return dict(_eventually(done) or _service(ecs, cluster, name))


def _details(task: dict[str, Any]) -> dict[str, str]:
    return {d["name"]: d.get("value") for a in task.get("attachments") or [] for d in a.get("details") or []}


def _interface_groups(ec2: Any, task: dict[str, Any]) -> list[str]:
    interface = ec2.describe_network_interfaces(NetworkInterfaceIds=[_details(task)["networkInterfaceId"]])
    return sorted(g["GroupId"] for g in interface["NetworkInterfaces"][0]["Groups"])


def _default_vpc(ec2: Any) -> tuple[str, str, str]:
    """(VPC, first subnet, default security group) of moto's default VPC."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    return vpc, subnet, group["GroupId"]


def _own_vpc(ec2: Any, *, dns_hostnames: bool = False) -> tuple[str, str, str]:
    """(VPC, subnet, default security group) of a new VPC (moto makes its default group)."""
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    if dns_hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    return vpc, subnet, group["GroupId"]


def test_no_security_groups_means_the_vpcs_default_one(sandbox: Sandbox, ecs: Any) -> None:
    """API AwsVpcConfiguration.securityGroups: "If you don't specify a security group, the default security
    group for the VPC is used" (the sandbox answered CreateService and RunTask with HTTP 500, moto's KeyError
    'securityGroups'). The service keeps the configuration as sent (aws/containers-roadmap issue #1765: ECS
    creates such a service "without any security group" and resolves the group for the tasks); each task's
    network interface is in the default group of its subnet's VPC."""
    ec2 = aws_client(sandbox.url, "ec2")
    for _, subnet, default_group in (_default_vpc(ec2), _own_vpc(ec2)):
        cluster, family = unique("c-"), _fargate_family(ecs)
        ecs.create_cluster(clusterName=cluster)
        network = {"awsvpcConfiguration": {"subnets": [subnet]}}
        created = ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=1,
                                     launchType="FARGATE", networkConfiguration=network)["service"]
        shown = {"awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "DISABLED"}}
        assert created["networkConfiguration"] == created["deployments"][0]["networkConfiguration"] == shown
        service = _completed(ecs, cluster)
        assert service["deployments"][0]["rolloutState"] == "COMPLETED"
        assert service["networkConfiguration"] == shown
        arns = ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"]
        assert [_interface_groups(ec2, t) for t in ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]] == [
            [default_group]]
        ran = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE", networkConfiguration=network)
        assert ran["failures"] == []
        assert _interface_groups(ec2, ran["tasks"][0]) == [default_group]


def test_tasks_run_in_a_subnet_of_any_vpc(sandbox: Sandbox, ecs: Any) -> None:
    """Service and RunTask tasks in a VPC of one's own (moto's network interface there has no private DNS
    name unless the VPC has DNS hostnames: API ModifyVpcAttribute EnableDnsHostnames "If enabled, instances
    in the VPC get DNS hostnames; otherwise, they do not"). The sandbox's tasks there failed with
    AttributeError: RunTask answered HTTP 500 and a service's rollout never started a task."""
    ec2 = aws_client(sandbox.url, "ec2")
    for dns_hostnames in (False, True):
        _, subnet, group = _own_vpc(ec2, dns_hostnames=dns_hostnames)
        cluster, family = unique("c-"), _fargate_family(ecs)
        ecs.create_cluster(clusterName=cluster)
        network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
        ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=2,
                           launchType="FARGATE", networkConfiguration=network)
        service = _completed(ecs, cluster)
        assert (service["deployments"][0]["rolloutState"], service["runningCount"]) == ("COMPLETED", 2)
        ran = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE", networkConfiguration=network)
        details = _details(ran["tasks"][0])
        assert details["subnetId"] == subnet and details["privateIPv4Address"]
        assert ("privateDnsName" in details) is dns_hostnames
        if dns_hostnames:
            assert details["privateDnsName"].startswith("ip-")


def test_a_task_that_cannot_be_made_breaks_nothing(own_sandbox: Sandbox, capfd: pytest.CaptureFixture[str]) -> None:
    """A service whose subnet was deleted cannot get a network interface for its next tasks. ECS reports
    that as a service event "(service NAME) failed to launch a task with (error ...)." (wording: many
    published service events, e.g. "failed to launch a task with (error ECS was unable to assume the role
    ...)") and counts the task as failed (API Deployment.failedTasks: "A task is considered a failure if the
    service scheduler can't launch the task"); the circuit breaker then fails the rollout. The sandbox says
    what went wrong once on stderr; everything else keeps working."""
    ecs, ec2 = aws_client(own_sandbox.url, "ecs"), aws_client(own_sandbox.url, "ec2")
    _, subnet, group = _own_vpc(ec2)
    cluster, family = unique("c-"), _fargate_family(ecs)
    ecs.create_cluster(clusterName=cluster)
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=1,
                       launchType="FARGATE", networkConfiguration=network, deploymentConfiguration=breaker)
    _completed(ecs, cluster)
    ecs.update_service(cluster=cluster, service="web", desiredCount=0)
    _eventually(lambda: _service(ecs, cluster)["runningCount"] == 0)
    ec2.delete_subnet(SubnetId=subnet)
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "busybox:2"}])
    ecs.update_service(cluster=cluster, service="web", desiredCount=1, taskDefinition=family)

    def failed() -> dict[str, Any] | None:
        primary = _service(ecs, cluster)["deployments"][0]
        return primary if primary["rolloutState"] == "FAILED" else None

    primary = _eventually(failed)
    assert primary and primary["failedTasks"] >= 1
    messages = [e["message"] for e in _service(ecs, cluster)["events"]]
    assert any(m.startswith("(service web) failed to launch a task with (error ") for m in messages), messages
    # everything else still answers and still runs
    other = unique("c-")
    ecs.create_cluster(clusterName=other)
    _, good_subnet, good_group = _default_vpc(ec2)
    good = {"awsvpcConfiguration": {"subnets": [good_subnet], "securityGroups": [good_group]}}
    ecs.create_service(cluster=other, serviceName="web", taskDefinition=family, desiredCount=1, launchType="FARGATE",
                       networkConfiguration=good)
    assert _completed(ecs, other)["runningCount"] == 1
    assert ecs.list_tasks(cluster=cluster)["taskArns"] is not None
    with pytest.raises(ClientError) as refused:  # REAL (research code-index 69703269087, 25854792116)
        ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE", networkConfiguration=network)
    assert refused.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": f"Error retrieving subnet information for [{subnet}]: The subnet ID '{subnet}' does not exist "
                   "(ErrorCode: InvalidSubnetID.NotFound)"}
    err = capfd.readouterr().err
    assert err.count("hako sandbox: service ") == 1, err
