"""Switching from the original hako (Ruby, 2.18) restarts nothing (issue 17): what hako
leaves in what it registers, that a definition does not say, is not a change."""

from __future__ import annotations

import os
from typing import Any

import boto3

from hako_py.sandbox.server import Sandbox
from tests.conftest import SandboxControl


def stamped(labels: dict[str, str]) -> dict[str, Any]:
    """A task definition as DescribeTaskDefinition returns what hako registered: every
    container carries hako's version label (lib/hako/container.rb:18)."""
    return {"family": "web", "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:1:task-definition/web:1",
            "revision": 1, "status": "ACTIVE", "containerDefinitions": [
                {"name": "app", "image": "repo:1", "cpu": 0, "essential": True, "privileged": False,
                 "dockerLabels": {**labels, "cc.wanko.hako.version": "2.18.0"}},
                {"name": "front", "image": "nginx:1", "cpu": 0, "essential": True, "privileged": False,
                 "dockerLabels": {"cc.wanko.hako.version": "2.18.0"}}]}


def wanted(labels: dict[str, str]) -> dict[str, Any]:
    return {"family": "web", "containerDefinitions": [{"name": "app", "image": "repo:1", "dockerLabels": labels},
                                                      {"name": "front", "image": "nginx:1"}]}


def test_hakos_version_label_is_not_a_change() -> None:
    from hako_py.compare.task_definition import compare_task_definitions

    comparison = compare_task_definitions(wanted({"team": "web"}), stamped({"team": "web"}), [])
    assert comparison.same
    assert "cc.wanko.hako.version" not in repr(comparison.live)


def test_the_version_label_hides_no_other_label() -> None:
    from hako_py.compare.task_definition import compare_task_definitions

    comparison = compare_task_definitions(wanted({"team": "web"}), stamped({"team": "ops"}), [])
    assert not comparison.same
    assert comparison.live["containerDefinitions"][0]["dockerLabels"] == {"team": "ops"}


def test_a_definition_that_sets_the_version_label_has_it_compared() -> None:
    from hako_py.compare.task_definition import same_task_definition

    assert same_task_definition(wanted({"cc.wanko.hako.version": "2.18.0"}), stamped({}), [])
    assert not same_task_definition(wanted({"cc.wanko.hako.version": "2.19.0"}), stamped({}), [])


def client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def test_a_load_balancer_created_without_a_scheme_is_internet_facing(aws: SandboxControl, sandbox: Sandbox) -> None:
    """hako sends CreateLoadBalancer with ``scheme: nil`` unless the definition sets one
    (golden/hello-nofront); ELBv2 then makes it internet-facing (API CreateLoadBalancer.Scheme:
    "The default is an Internet-facing load balancer"), and the sandbox must say so."""
    from hako_py.sandbox.seed import Wanted, seed

    network = Wanted()
    network.subnets["ap-northeast-1"].update({"subnet-XXXXXXXX", "subnet-YYYYYYYY"})
    seed(sandbox.url, network)
    elb = client("elbv2", "ap-northeast-1")
    made = elb.create_load_balancer(Name="hako-migrate-scheme", Subnets=["subnet-XXXXXXXX", "subnet-YYYYYYYY"])
    assert made["LoadBalancers"][0]["Scheme"] == "internet-facing"
    described = elb.describe_load_balancers(Names=["hako-migrate-scheme"])["LoadBalancers"][0]
    assert described["Scheme"] == "internet-facing"
    internal = elb.create_load_balancer(Name="hako-migrate-internal", Scheme="internal",
                                        Subnets=["subnet-XXXXXXXX", "subnet-YYYYYYYY"])
    assert internal["LoadBalancers"][0]["Scheme"] == "internal"
