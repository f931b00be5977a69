"""Classic load balancers (``scheduler.elb``) as hako 2.18 has them: validated, rendered as
hako sends them, created when missing, used as they are when they exist, and removed only
when they are the app's. Expected requests come from hako's code, v2.18.0
(``lib/hako/schedulers/ecs_elb.rb``, ``lib/hako/schedulers/ecs.rb``), cited per test.
"""

from __future__ import annotations

import json
import os
from typing import Any, cast

import boto3
import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import Hako, Repo, SandboxControl, unique

POLL = ("--poll-interval", "0.05")
REGION = "us-east-1"
# hako's hello-lb example (examples/hello-lb.jsonnet) without its nginx_front script, whose
# work is the front's: the front container maps the fixed host port nginx_front would give it
HELLO_LB = """{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: '%(cluster)s',
    desired_count: 1,
    role: 'ecsServiceRole',
    elb: %(elb)s,
  },
  app: {
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-sinatra',
    tag: 'v1',
    memory: 128,
    cpu: 256,
    env: { PORT: '3000' },
  },
  sidecars: {
    front: {
      image_tag: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hako-nginx:v1',
      memory: 32,
      cpu: 32,
      links: ['app:backend'],
      port_mappings: [{ container_port: 80, host_port: %(host_port)s }],
    },
  },
}
"""
HAKO_ELB = """{
      listeners: [{ load_balancer_port: 80, protocol: 'HTTP' }],
      subnets: ['%(subnet)s'],
      security_groups: ['%(group)s'],
    }"""


def client(service: str) -> Any:
    return cast(Any, boto3).client(service, region_name=REGION, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def write(repo: Repo, app_id: str, *, cluster: str = "c", elb: str = HAKO_ELB, host_port: int = 10000,
          **names: str) -> str:
    values = {"subnet": "subnet-1", "group": "sg-1", **names}
    path = f"apps/{app_id}.jsonnet"
    repo.write(path, HELLO_LB % {"cluster": cluster, "elb": elb % values, "host_port": host_port})
    return path


def rendered(hako: Hako, path: str) -> Any:
    result = hako("render", path)
    assert result.code == 0, result.out + result.err
    return json.loads(result.out)


def test_the_service_names_the_load_balancer_as_hako_does(repo: Repo, hako: Hako) -> None:
    # ecs_elb.rb:101-112: the name is elb.load_balancer_name or hako-APP_ID; the container
    # front (hako's default; hako-py's when there is a front) and port 80 unless given
    path = write(repo, "hello-lb")
    assert rendered(hako, path)["service"]["loadBalancers"] == [
        {"loadBalancerName": "hako-hello-lb", "containerName": "front", "containerPort": 80}]
    named = write(repo, "named", elb="{ load_balancer_name: 'legacy-clb', container_name: 'app', "
                                     "container_port: 3000 }")
    repo.write(named, (repo.root / named).read_text().replace(
        "env: { PORT: '3000' },", "env: { PORT: '3000' }, port_mappings: [{ container_port: 3000, host_port: 3000 }],"))
    assert rendered(hako, named)["service"]["loadBalancers"] == [
        {"loadBalancerName": "legacy-clb", "containerName": "app", "containerPort": 3000}]


@pytest.mark.parametrize(("change", "problem"), [
    # ecs.rb:41-43
    (("elb: {", "elb_v2: { vpc_id: 'vpc-1', subnets: ['s'], security_groups: ['g'], "
                "listeners: [{ port: 80, protocol: 'HTTP' }] }, elb: {"),
     "scheduler.elb: set elb (a classic load balancer) or elb_v2, not both (as in hako)"),
    # ECS: classic load balancers do not support awsvpc tasks
    (("role: 'ecsServiceRole',", "network_mode: 'awsvpc',"),
     "scheduler.elb: ECS puts no classic load balancer in front of awsvpc tasks (Fargate): use elb_v2"),
    # examples/hello-lb.jsonnet: "dynamic_port_mapping cannot be enabled with elb"
    (("role: 'ecsServiceRole',", "dynamic_port_mapping: true,"),
     "scheduler.dynamic_port_mapping: a classic load balancer forwards to a fixed host port: dynamic_port_mapping "
     "cannot be true with elb (hako's hello-lb example says so)"),
    # ecs_elb.rb:54-55 fetch('subnets'): hako raised KeyError when it created one without
    (("subnets: ['subnet-1'],", ""),
     "scheduler.elb.subnets: is required when hako creates the load balancer (hako-APP_ID; or name an existing "
     "one with load_balancer_name)"),
    (("host_port: 10000", "host_port: 0"),
     "scheduler.elb.container_port: container 'front' maps port 80 to no fixed host_port: a classic load "
     "balancer forwards to a fixed instance port (set host_port)"),
])
def test_what_a_classic_load_balancer_cannot_do_is_refused(repo: Repo, hako: Hako, change: tuple[str, str],
                                                           problem: str) -> None:
    path = write(repo, "web")
    repo.write(path, (repo.root / path).read_text().replace(*change))
    result = hako("validate", path)
    assert result.code == 1
    assert f"{path}: {problem}" in result.out.splitlines(), result.out


def seeded(repo: Repo, sandbox_url: str, app_id: str, **kwargs: Any) -> str:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    path = write(repo, app_id, **kwargs)
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    seed(sandbox_url, wanted)
    return path


def hako_made(name: str, subnet: str | None = None, group: str | None = None,
              tags: list[dict[str, str]] | None = None) -> None:
    """A classic load balancer as hako 2.18 created it (ecs_elb.rb:44-63): no tags. By default
    in the sandbox's first subnet."""
    subnets = [subnet] if subnet else [client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]]
    client("elb").create_load_balancer(LoadBalancerName=name, Subnets=subnets, SecurityGroups=[group] if group else [],
                                       Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 10000}],
                                       **({"Tags": tags} if tags else {}))


def exists(name: str) -> bool:
    found = client("elb").describe_load_balancers()["LoadBalancerDescriptions"]
    return name in {d["LoadBalancerName"] for d in found}


@pytest.fixture
def names(aws: SandboxControl) -> dict[str, str]:
    """Fresh cluster and network ids, in the sandbox *aws* points hako at."""
    return {"cluster": unique("c-"), "subnet": unique("subnet-"), "group": unique("sg-")}


def test_deploy_creates_the_load_balancer_hako_would_and_then_changes_nothing(
        repo: Repo, hako: Hako, aws: SandboxControl, sandbox: Sandbox, names: dict[str, str]) -> None:
    app_id = unique("lb-")
    path = seeded(repo, sandbox.url, app_id, **names)
    repo.write(path, (repo.root / path).read_text().replace("security_groups:", "cross_zone_load_balancing: true, "
                                                                                "security_groups:"))
    name = f"hako-{app_id}"
    aws.reset()
    dry = hako("deploy", "-n", path)
    assert dry.code == 0, dry.err
    assert f"CreateLoadBalancer {name} (classic: HTTP:80 -> instance port 10000)" in dry.err
    assert aws.requests()["writes"] == 0 and not exists(name)
    first = hako("deploy", path, *POLL)
    assert first.code == 0, first.err
    # ecs_elb.rb:44-63: listeners with instance_port = the front's host port, subnets, groups
    lb = client("elb").describe_load_balancers(LoadBalancerNames=[name])["LoadBalancerDescriptions"][0]
    assert [d["Listener"] for d in lb["ListenerDescriptions"]] == [
        {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 10000}]
    assert lb["Subnets"] == [names["subnet"]] and lb["SecurityGroups"] == [names["group"]]
    tags = client("elb").describe_tags(LoadBalancerNames=[name])["TagDescriptions"][0]["Tags"]
    assert tags == [{"Key": "hako:app", "Value": app_id}]  # hako-py's mark: remove knows it made it
    attributes = client("elb").describe_load_balancer_attributes(LoadBalancerName=name)["LoadBalancerAttributes"]
    assert attributes["CrossZoneLoadBalancing"] == {"Enabled": True}  # ecs_elb.rb:68-79
    service = client("ecs").describe_services(cluster=names["cluster"], services=[app_id])["services"][0]
    assert service["loadBalancers"] == [{"loadBalancerName": name, "containerName": "front", "containerPort": 80}]
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0
    status = hako("status", path)  # ecs_elb.rb:21-28: hako shows its DNS name and listeners
    assert f"Load balancer: {name}.us-east-1.elb.amazonaws.com (HTTP:80) -> classic {name} -> front:80" in \
        status.out, status.out


def test_deploy_uses_an_existing_load_balancer_as_it_is(repo: Repo, hako: Hako, aws: SandboxControl, sandbox: Sandbox,
                                                        names: dict[str, str]) -> None:
    # ecs_elb.rb:39-41: an existing load balancer is not touched (listeners, subnets)
    app_id, existing = unique("lb-"), unique("legacy-")
    path = seeded(repo, sandbox.url, app_id, elb=f"{{ load_balancer_name: '{existing}' }}", **names)
    assert exists(existing)  # hako sandbox seed makes what a definition names (as an operator would)
    assert f"[OK] classic load balancer {existing}: {existing}." in hako("verify", path).out
    client("elb").delete_load_balancer(LoadBalancerName=existing)
    missing = hako("verify", path)
    assert missing.code == 1, missing.out
    assert (f"[NG] classic load balancer {existing}: does not exist (give listeners, subnets and security_groups "
            "for hako to create it)") in missing.out
    hako_made(existing)
    aws.reset()
    deployed = hako("deploy", path, *POLL)
    assert deployed.code == 0, deployed.err
    operations = aws.requests()["byOperation"]
    assert not [op for op in operations if op.startswith("elb.") and not op.startswith("elb.Describe")], operations
    service = client("ecs").describe_services(cluster=names["cluster"], services=[app_id])["services"][0]
    assert service["loadBalancers"] == [{"loadBalancerName": existing, "containerName": "front", "containerPort": 80}]


def test_remove_deletes_the_load_balancer_hako_made_for_the_app(repo: Repo, hako: Hako, sandbox: Sandbox,
                                                                names: dict[str, str]) -> None:
    # ecs_elb.rb:82-93: hako deletes hako-APP_ID on remove; it never tagged it
    app_id = unique("lb-")
    path = seeded(repo, sandbox.url, app_id, **names)
    hako_made(f"hako-{app_id}", names["subnet"], names["group"])
    assert hako("deploy", path, *POLL).code == 0
    result = hako("remove", "--yes", path)
    assert result.code == 0, result.err
    assert f"DeleteLoadBalancer hako-{app_id} (classic)" in result.err
    assert not exists(f"hako-{app_id}")


def test_remove_keeps_a_load_balancer_another_service_uses(repo: Repo, hako: Hako, sandbox: Sandbox,
                                                           names: dict[str, str]) -> None:
    # hako deleted it by name; a second service behind it would lose its traffic
    app_id = unique("lb-")
    path = seeded(repo, sandbox.url, app_id, **names)
    name = f"hako-{app_id}"
    hako_made(name, names["subnet"], names["group"])
    assert hako("deploy", path, *POLL).code == 0
    ecs = client("ecs")
    family = ecs.describe_services(cluster=names["cluster"], services=[app_id])["services"][0]["taskDefinition"]
    ecs.create_service(cluster=names["cluster"], serviceName="other", taskDefinition=family, desiredCount=0,
                       loadBalancers=[{"loadBalancerName": name, "containerName": "front", "containerPort": 80}])
    result = hako("remove", "--yes", path)
    assert result.code == 0, result.err
    assert f"kept classic load balancer {name} (services other use it too)" in result.err
    assert exists(name)


@pytest.mark.parametrize("case", ["named", "another-app"])
def test_remove_keeps_a_load_balancer_that_is_not_the_apps(repo: Repo, hako: Hako, sandbox: Sandbox,
                                                           names: dict[str, str], case: str) -> None:
    app_id = unique("lb-")
    if case == "named":  # the definition names it: hako-py did not make it for this app
        name = unique("legacy-")
        path = seeded(repo, sandbox.url, app_id, elb=f"{{ load_balancer_name: '{name}' }}", **names)  # makes it
        reason = "not created by hako for this app"
    else:  # hako's name, but hako-py made it for another app of that id's prefix
        path = seeded(repo, sandbox.url, app_id, **names)
        name = f"hako-{app_id}"
        hako_made(name, names["subnet"], names["group"], tags=[{"Key": "hako:app", "Value": "someone-else"}])
        reason = "tagged hako:app=someone-else: another app's"
    assert hako("deploy", path, *POLL).code == 0
    result = hako("remove", "--yes", path)
    assert result.code == 0, result.err
    assert f"kept classic load balancer {name} ({reason})" in result.err
    assert exists(name)
