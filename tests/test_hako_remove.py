"""``hako remove`` over what hako 2.18 created for an app: it names the load balancer and
target group ``hako-APP_ID`` and tags neither (``lib/hako/schedulers/ecs_elb_v2.rb:48-137``,
v2.18.0), and its remove deletes them by name (``:208-252``). hako-py deletes them too, unless
another app uses them: a load balancer that also forwards to other target groups stays, and
so does the app's target group behind it. (Classic load balancers: tests/test_classic_elb.py.)
"""

from __future__ import annotations

import os
from typing import Any, cast

import boto3

from tests.conftest import POLL, Deployable, Hako, SandboxControl, unique

REGION = "us-east-1"


def client(service: str) -> Any:
    return cast(Any, boto3).client(service, region_name=REGION, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def default_network() -> tuple[str, list[str]]:
    vpc = client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return str(vpc), [str(s["SubnetId"]) for s in subnets[:2]]


def hako_made(app_id: str, vpc: str, subnets: list[str]) -> tuple[str, str]:
    """The load balancer, target group and listener hako 2.18 creates on a first deploy
    (ecs_elb_v2.rb:62-135): named hako-APP_ID, untagged; (load balancer ARN, target group ARN)."""
    elb = client("elbv2")
    lb = elb.create_load_balancer(Name=f"hako-{app_id}", Subnets=subnets, Type="application")["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"hako-{app_id}", Port=80, Protocol="HTTP", ProtocolVersion="HTTP1",
                                 VpcId=vpc, TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    return str(lb["LoadBalancerArn"]), str(tg["TargetGroupArn"])


def names(kind: str) -> set[str]:
    elb = client("elbv2")
    if kind == "lb":
        return {b["LoadBalancerName"] for b in elb.describe_load_balancers()["LoadBalancers"]}
    return {g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]}


def app_with_elb(deployable: Deployable, app_id: str, vpc: str, subnets: list[str]) -> str:
    return deployable(app_id, extra=f"""
        elb_v2: {{ vpc_id: '{vpc}', subnets: {subnets!r}, security_groups: ['sg-x'],
                   listeners: [{{ port: 80, protocol: 'HTTP' }}], container_name: 'app', container_port: 8080 }},""")


def test_remove_deletes_what_hako_named_for_the_app(hako: Hako, deployable: Deployable,
                                                    aws: SandboxControl) -> None:
    app_id = unique("r")
    vpc, subnets = default_network()
    path = app_with_elb(deployable, app_id, vpc, subnets)
    hako_made(app_id, vpc, subnets)
    deployed = hako("deploy", path, *POLL)
    assert deployed.code == 0, deployed.err
    assert "CreateLoadBalancer" not in deployed.err and "CreateTargetGroup" not in deployed.err  # hako's, taken over
    result = hako("remove", "--yes", path)
    assert result.code == 0, result.err
    assert f"DeleteLoadBalancer hako-{app_id}" in result.err and f"DeleteTargetGroup hako-{app_id}" in result.err
    assert f"hako-{app_id}" not in names("lb") | names("tg")


def test_remove_keeps_a_hako_named_load_balancer_other_apps_use(hako: Hako, deployable: Deployable,
                                                                 aws: SandboxControl) -> None:
    app_id = unique("r")
    vpc, subnets = default_network()
    path = app_with_elb(deployable, app_id, vpc, subnets)
    lb_arn, _ = hako_made(app_id, vpc, subnets)
    elb = client("elbv2")  # another app's target group behind the same load balancer
    other = elb.create_target_group(Name=f"other-{app_id}", Port=80, Protocol="HTTP", VpcId=vpc,
                                    TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=8080,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": other["TargetGroupArn"]}])
    assert hako("deploy", path, *POLL).code == 0
    result = hako("remove", "--yes", path)
    assert result.code == 0, result.err
    assert (f"kept load balancer hako-{app_id} (named by hako, but it forwards to other target groups too)"
            in result.err), result.err
    assert (f"kept target group hako-{app_id} (named by hako, but a load balancer that stays forwards to it)"
            in result.err), result.err
    assert f"hako-{app_id}" in names("lb") and {f"hako-{app_id}", f"other-{app_id}"} <= names("tg")
