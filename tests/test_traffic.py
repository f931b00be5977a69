"""Load balancers, Cloud Map and autoscaling: deploy/status/diff/verify/remove against the
sandbox over HTTP (moto's ELBv2, Cloud Map and Application Auto Scaling), and validation."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any, cast

import boto3
import pytest

from hako_py.compare.service import compare_services
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Deployable, Hako, Repo, SandboxControl, service_app, unique

REGION = "us-east-1"


def client(service: str) -> Any:
    return cast(Any, boto3).client(service, region_name=REGION, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def vpc_id() -> str:
    vpcs = client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def default_subnets() -> list[str]:
    found = client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id()]}])["Subnets"]
    return [str(s["SubnetId"]) for s in found[:2]]


def elb_block(vpc: str, subnets: list[str], group: str, *, health: str = "/health", ttl: int = 60, maximum: int = 4,
              minimum: int = 1, listeners: str = "[{ port: 80, protocol: 'HTTP' }]", namespace: str = "") -> str:
    return f"""
        elb_v2: {{
          vpc_id: '{vpc}',
          subnets: {subnets!r},
          security_groups: ['{group}'],
          listeners: {listeners},
          health_check_path: '{health}',
          container_name: 'app',
          container_port: 8080,
          target_group_attributes: {{ 'deregistration_delay.timeout_seconds': '20' }},
        }},
        service_discovery: [{{
          container_name: 'app', container_port: 8080,
          service: {{ name: 'svc', namespace: '{namespace}',
                      dns_config: {{ dns_records: [{{ type: 'SRV', ttl: {ttl} }}] }},
                      health_check_custom_config: {{ failure_threshold: 1 }} }},
        }}],
        autoscaling: {{
          min_capacity: {minimum}, max_capacity: {maximum},
          policies: [
            {{ policy_type: 'target_tracking', predefined_metric_type: 'ECSServiceAverageCPUUtilization',
               target_value: 50 }},
            {{ policy_type: 'target_tracking', predefined_metric_type: 'ALBRequestCountPerTarget',
               target_value: 500 }},
          ],
        }},
    """


@pytest.fixture
def traffic_app(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Callable[..., tuple[str, str]]:
    """Write an app with elb_v2, service discovery and autoscaling; returns (path, app id)."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    app_id = "w" + uuid.uuid4().hex[:10]
    namespace = f"{app_id}.local"
    state: dict[str, Any] = {}

    def write(**options: Any) -> tuple[str, str]:
        path = f"apps/{app_id}.jsonnet"
        if "vpc" not in state:
            repo.write(path, service_app(cluster, subnet, group))
            wanted = Wanted()
            wanted.add_app(check_file(path).app)
            wanted.roles.clear()
            seed(sandbox.url, wanted)
            state["vpc"], state["subnets"] = vpc_id(), default_subnets()
            # moto allows one private namespace per VPC
            own_vpc = client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            client("servicediscovery").create_private_dns_namespace(Name=namespace, Vpc=own_vpc)
        extra = elb_block(state["vpc"], state["subnets"], group, namespace=namespace, **options)
        repo.write(path, service_app(cluster, subnet, group, extra=extra))
        return path, app_id

    return write


def cluster_of(repo: Repo, path: str) -> str:
    return (repo.root / path).read_text().split("cluster: '")[1].split("'")[0]


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_deploy_creates_everything_then_noop_sends_no_write(hako: Hako, traffic_app: Callable[..., tuple[str, str]], aws: SandboxControl,
                                                            repo: Repo) -> None:
    path, app_id = traffic_app()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    for line in (f"CreateLoadBalancer hako-{app_id} (application, internet-facing)",
                 f"CreateTargetGroup hako-{app_id} (HTTP:80, ip)", "CreateListener HTTP:80",
                 "CreateService (Cloud Map) svc", "RegisterScalableTarget", "PutScalingPolicy ALBRequestCountPerTarget",
                 "deployment completed"):
        assert line in result.err, result.err
    elb = client("elbv2")
    lb = elb.describe_load_balancers(Names=[f"hako-{app_id}"])["LoadBalancers"][0]
    tg = elb.describe_target_groups(Names=[f"hako-{app_id}"])["TargetGroups"][0]
    tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"], tg["TargetGroupArn"]])["TagDescriptions"]
    assert all({"Key": "hako:app", "Value": app_id} in t["Tags"] for t in tags)
    assert tg["HealthCheckPath"] == "/health"
    listener = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    assert listener["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    service = client("ecs").describe_services(cluster=cluster_of(repo, path), services=[app_id])["services"][0]
    assert service["loadBalancers"] == [{"targetGroupArn": tg["TargetGroupArn"], "containerName": "app",
                                         "containerPort": 8080}]
    registry = service["serviceRegistries"][0]
    assert registry["registryArn"].startswith("arn:aws:servicediscovery:") and registry["containerPort"] == 8080
    # the sandbox registers the running tasks' IPs, as ECS does
    health = wait_for(lambda: elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])[
        "TargetHealthDescriptions"])
    assert len(health) == 2 and {h["Target"]["Port"] for h in health} == {8080}
    scaling = client("application-autoscaling")
    policies = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    mine = {p["PolicyName"]: p for p in policies if p["ResourceId"].endswith(f"/{cluster_of(repo, path)}/{app_id}")}
    label = mine["ALBRequestCountPerTarget"]["TargetTrackingScalingPolicyConfiguration"][
        "PredefinedMetricSpecification"]["ResourceLabel"]
    assert label == (lb["LoadBalancerArn"].split(":loadbalancer/")[1] + "/" + tg["TargetGroupArn"].rsplit(":", 1)[1])

    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0, again.err
    assert "no changes" in again.err
    counts = aws.requests()
    assert counts["writes"] == 0, counts["byOperation"]

    status = hako("status", path)
    assert status.code == 0, status.err
    assert f"Load balancer: {lb['DNSName']} (HTTP:80) -> target group hako-{app_id} -> app:8080" in status.out
    assert "targets: 2 healthy" in status.out
    assert f"Service discovery: svc.{app_id}.local (2 instances)" in status.out
    assert "Autoscaling: min 1 max 4 (ALBRequestCountPerTarget, ECSServiceAverageCPUUtilization)" in status.out


def test_changes_apply_only_what_differs_and_autoscaling_keeps_the_count(
        hako: Hako, traffic_app: Callable[..., tuple[str, str]], aws: SandboxControl, repo: Repo) -> None:
    path, app_id = traffic_app()
    assert hako("deploy", path, *POLL).code == 0
    cluster = cluster_of(repo, path)
    traffic_app(health="/ready", ttl=30, minimum=3, maximum=6,
                listeners="[{ port: 80, protocol: 'HTTP' }, { port: 8080, protocol: 'HTTP' }]")
    diff = hako("diff", path, "--exit-code")
    assert diff.code == 2
    assert '-      "HealthCheckPath": "/health"' in diff.out and '+      "HealthCheckPath": "/ready"' in diff.out
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    writes = {k for k, v in aws.requests()["byOperation"].items() if not k.split(".")[1].startswith(
        ("Describe", "List", "Get"))}
    assert writes == {"elasticloadbalancing.ModifyTargetGroup", "elasticloadbalancing.CreateListener",
                      "servicediscovery.UpdateService", "application-autoscaling.RegisterScalableTarget"}, writes
    assert "only its traffic settings changed" in result.err
    # min_capacity 3 moved the desired count (a scaling activity); a redeploy keeps it at 3
    service = client("ecs").describe_services(cluster=cluster, services=[app_id])["services"][0]
    assert service["desiredCount"] == 3
    traffic_app(health="/ready", ttl=30, minimum=3, maximum=6,
                listeners="[{ port: 80, protocol: 'HTTP' }, { port: 8080, protocol: 'HTTP' }]")
    repo.write(path, (repo.root / path).read_text().replace("MODE: 'one'", "MODE: 'two'"))
    changed = hako("deploy", path, *POLL)
    assert changed.code == 0, changed.err
    service = client("ecs").describe_services(cluster=cluster, services=[app_id])["services"][0]
    assert service["desiredCount"] == 3
    status = hako("status", path)
    assert "Setting desired count to 3." in status.out


def test_remove_deletes_what_hako_created_and_keeps_the_rest(hako: Hako, traffic_app: Callable[..., tuple[str, str]], aws: SandboxControl,
                                                            repo: Repo) -> None:
    path, app_id = traffic_app()
    assert hako("deploy", path, *POLL).code == 0
    dry = hako("remove", path, "--dry-run")
    assert dry.code == 0
    assert f"dry run: would send DeleteLoadBalancer hako-{app_id}" in dry.err
    result = hako("remove", path, "--yes")
    assert result.code == 0, result.out + result.err
    elb = client("elbv2")
    assert not [b for b in elb.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"] == f"hako-{app_id}"]
    assert not [g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == f"hako-{app_id}"]
    names = [s["Name"] for s in client("servicediscovery").list_services()["Services"]]
    namespace_ids = {n["Id"] for n in client("servicediscovery").list_namespaces()["Namespaces"]
                     if n["Name"] == f"{app_id}.local"}
    assert namespace_ids, "the namespace is not hako's and stays"
    mine = [s for s in client("servicediscovery").list_services()["Services"]
            if s.get("NamespaceId") in namespace_ids]
    assert not mine, names
    targets = client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert not [t for t in targets if t["ResourceId"] == f"service/{cluster_of(repo, path)}/{app_id}"]


def test_remove_keeps_a_load_balancer_hako_did_not_create(hako: Hako, traffic_app: Callable[..., tuple[str, str]], aws: SandboxControl,
                                                         repo: Repo) -> None:
    path, app_id = traffic_app()
    elb = client("elbv2")
    # someone else's load balancer already carries the name hako would use
    lb = elb.create_load_balancer(Name=f"hako-{app_id}", Subnets=default_subnets(), Type="application")
    assert hako("deploy", path, *POLL).code == 0
    result = hako("remove", path, "--yes")
    assert result.code == 0, result.err
    assert f"kept load balancer hako-{app_id} (not created by hako for this app)" in result.err
    arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    assert elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]


def shared_app(cluster: str, subnet: str, group: str, vpc: str, lb: str, priority: int, extra: str = "") -> str:
    return service_app(cluster, subnet, group, extra=f"""
        elb_v2: {{
          load_balancer_name: '{lb}', vpc_id: '{vpc}', container_name: 'app', container_port: 8080,
          listener_rule: {{ port: 443, priority: {priority}, host_header: ['api.example.com'] }},
        }},
        load_balancers: [{{ target_group_name: '{lb}-extra', container_name: 'app', container_port: 8080 }}],
        {extra}
    """)


def test_shared_load_balancer_rule_and_named_target_group(hako: Hako, repo: Repo, aws: SandboxControl,
                                                         sandbox: Sandbox) -> None:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group, lb_name = unique("c-"), unique("subnet-"), unique("sg-"), unique("shared-")
    vpc = vpc_id()
    path = "apps/api.jsonnet"
    repo.write(path, shared_app(cluster, subnet, group, vpc, lb_name, 100))
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    wanted.roles.clear()
    seed(sandbox.url, wanted)  # the shared load balancer with a listener on 443, the named target group
    elb = client("elbv2")
    verify = hako("verify", path)
    assert f"[OK] listener {lb_name}:443" in verify.out, verify.out
    assert f"[OK] target group {lb_name}-extra" in verify.out
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    lb = elb.describe_load_balancers(Names=[lb_name])["LoadBalancers"][0]
    listener = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    rules = [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert len(rules) == 1 and rules[0]["Priority"] == "100"
    tg = elb.describe_target_groups(Names=["hako-api"])["TargetGroups"][0]
    assert rules[0]["Actions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    service = client("ecs").describe_services(cluster=cluster, services=["api"])["services"][0]
    extra = elb.describe_target_groups(Names=[f"{lb_name}-extra"])["TargetGroups"][0]
    assert {b["targetGroupArn"] for b in service["loadBalancers"]} == {tg["TargetGroupArn"], extra["TargetGroupArn"]}

    repo.write(path, shared_app(cluster, subnet, group, vpc, lb_name, 110))
    aws.reset()
    moved = hako("deploy", path, *POLL)
    assert moved.code == 0, moved.err
    assert "SetRulePriorities" in moved.err
    writes = {k for k, v in aws.requests()["byOperation"].items() if "SetRulePriorities" in k or "Create" in k}
    assert writes == {"elasticloadbalancing.SetRulePriorities"}

    removed = hako("remove", path, "--yes")
    assert removed.code == 0, removed.err
    assert f"kept load balancer {lb_name}" in removed.err
    assert elb.describe_load_balancers(Names=[lb_name])["LoadBalancers"]
    assert not [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert not [g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == "hako-api"]
    assert elb.describe_target_groups(Names=[f"{lb_name}-extra"])["TargetGroups"], "not hako's: kept"


def test_verify_reports_missing_traffic_resources(hako: Hako, repo: Repo, aws: SandboxControl,
                                                  deployable: Deployable) -> None:
    deployable()  # seeds the cluster and network only: what follows must stay missing
    path = deployable(extra="""
        elb_v2: { load_balancer_name: 'no-such-lb', target_group_name: 'no-such-tg', container_name: 'app',
                  container_port: 8080 },
        service_discovery: [{ service: { name: 'x', namespace: 'missing.local',
                                         dns_config: { dns_records: [{ type: 'A', ttl: 10 }] } } }],
    """)
    result = hako("verify", path)
    assert result.code == 1
    assert "[NG] load balancer no-such-lb: does not exist" in result.out
    assert "[NG] target group no-such-tg: does not exist" in result.out
    assert "[NG] Cloud Map namespace missing.local: does not exist" in result.out
    assert "[OK] traffic container app:8080: in the task definition" in result.out
    aws.reset()
    deploy = hako("deploy", path, *POLL)
    assert deploy.code == 1
    assert "load balancer no-such-lb does not exist" in deploy.err
    assert aws.requests()["writes"] == 0, "a failed plan changes nothing"


@pytest.mark.parametrize(("extra", "message"), [
    ("elb_v2: { vpc_id: 'vpc-1', subnets: ['s'], listeners: [{ port: 80, protocol: 'HTTP' }], "
     "security_groups: ['sg'], container_name: 'app', container_port: 9999 }",
     "scheduler.elb_v2.container_port: container 'app' does not map port 9999 (its port_mappings: 8080)"),
    ("elb_v2: { vpc_id: 'vpc-1', listeners: [{ port: 80, protocol: 'HTTP' }], security_groups: ['sg'], "
     "container_name: 'app', container_port: 8080 }",
     "scheduler.elb_v2.subnets: is required when hako creates the load balancer"),
    ("elb_v2: { type: 'network', vpc_id: 'v', subnets: ['s'], listeners: [{ port: 80, protocol: 'HTTP' }], "
     "container_name: 'app', container_port: 8080 }",
     "scheduler.elb_v2.listeners[0].protocol: a network load balancer listens with TCP, TCP_UDP, TLS, UDP"),
    ("elb_v2: { vpc_id: 'v', subnets: ['s'], security_groups: ['g'], listeners: [{ port: 443, protocol: 'HTTPS' }], "
     "container_name: 'app', container_port: 8080 }",
     "scheduler.elb_v2.listeners[0].certificate_arn: is required for a HTTPS listener"),
    ("elb_v2: { load_balancer_name: 'shared', vpc_id: 'v', listener_rule: { port: 443, priority: 5 }, "
     "container_name: 'app', container_port: 8080 }",
     "scheduler.elb_v2.listener_rule: set host_header or path_pattern"),
    ("elb_v2: { vpc_id: 'v', subnets: ['s'], security_groups: ['g'], target_type: 'instance', "
     "listeners: [{ port: 80, protocol: 'HTTP' }], container_name: 'app', container_port: 8080 }",
     "scheduler.elb_v2.target_type: tasks with network_mode awsvpc register by IP: use 'ip'"),
    ("load_balancers: [{ target_group_name: 'tg', container_name: 'nope', container_port: 8080 }]",
     "scheduler.load_balancers[0].container_name: no container named 'nope' (containers: app)"),
    ("load_balancers: [{ target_group_arn: 'arn:x', target_group_name: 'tg', container_port: 8080 }]",
     "scheduler.load_balancers[0]: give exactly one of target_group_arn and target_group_name"),
    ("service_discovery: [{ service: { name: 's', namespace: 'n', dns_config: { dns_records: "
     "[{ type: 'SRV', ttl: 5 }] } } }]",
     "scheduler.service_discovery[0]: an SRV record needs container_port"),
    ("autoscaling: { min_capacity: 5, max_capacity: 2 }",
     "scheduler.autoscaling.min_capacity: 5 is above max_capacity 2"),
    ("autoscaling: { min_capacity: 1, max_capacity: 2, policies: [{ policy_type: 'target_tracking', "
     "predefined_metric_type: 'ALBRequestCountPerTarget', target_value: 10 }] }",
     "scheduler.autoscaling.policies[0].predefined_metric_type: ALBRequestCountPerTarget needs exactly one"),
    ("autoscaling: { min_capacity: 1, max_capacity: 2, policies: [{ alarms: ['a'], cooldown: 60 }] }",
     "scheduler.autoscaling.policies[0].adjustment_type: is required"),
    ("elb_v2: { vpc_id: 'v', subnets: ['s'], security_groups: ['g'], listeners: [{ port: 80, protocol: 'HTTP' }], "
     "container_port: '8o' }",
     "scheduler.elb_v2.container_port: must be an integer"),
])
def test_invalid_traffic_settings_are_located(hako: Hako, repo: Repo, extra: str, message: str) -> None:
    repo.write("apps/svc.jsonnet", service_app("c", "subnet-1", "sg-1", extra=extra + ","))
    result = hako("validate", "apps/svc.jsonnet")
    assert result.code == 1, result.out
    assert f"apps/svc.jsonnet: {message}" in result.out + result.err


def test_every_traffic_key_without_a_service_is_an_error(hako: Hako, repo: Repo) -> None:
    text = service_app("c", "subnet-1", "sg-1", extra="autoscaling: { min_capacity: 1, max_capacity: 2 },")
    repo.write("apps/batch.jsonnet", text.replace("desired_count: 2,", ""))
    result = hako("validate", "apps/batch.jsonnet")
    assert result.code == 1
    assert "apps/batch.jsonnet: scheduler.autoscaling: applies to the app's service; set desired_count" in (
        result.out + result.err)


def test_load_balancer_changes_on_a_code_deploy_service_are_reported_not_sent() -> None:
    desired = {"loadBalancers": [{"targetGroupArn": "arn:new", "containerName": "app", "containerPort": 80}],
               "deploymentController": {"type": "CODE_DEPLOY"}}
    live = {"loadBalancers": [{"targetGroupArn": "arn:old", "containerName": "app", "containerPort": 80}],
            "deploymentController": {"type": "CODE_DEPLOY"}}
    comparison = compare_services(desired, live)
    assert "loadBalancers" not in comparison.updates
    assert comparison.immutable and "deployment controller CODE_DEPLOY" in comparison.immutable[0]
    rolling = compare_services({**desired, "deploymentController": {"type": "ECS"}},
                               {**live, "deploymentController": {"type": "ECS"}})
    assert rolling.updates["loadBalancers"] == desired["loadBalancers"] and not rolling.immutable


def test_render_refers_to_target_groups_by_name_until_deploy() -> None:
    import json

    from hako_py.pipeline import check_file
    from tests.conftest import PROJECT_ROOT

    rendered = check_file(str(PROJECT_ROOT / "apps/hello-lb-v2.jsonnet")).rendered
    assert rendered.service is not None
    assert rendered.service["loadBalancers"] == [{"targetGroupArn": "{{target-group:hako-hello-lb-v2}}",
                                                  "containerName": "front", "containerPort": 80}]
    assert rendered.traffic is not None
    assert json.dumps(rendered.traffic["autoscaling"]["Policies"][0]).count("{{resource-label}}") == 1
