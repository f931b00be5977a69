"""Create, in the sandbox, everything the definitions under some paths reference.

Clusters, subnets and security groups (under the IDs the definitions use), IAM roles,
ECR repositories and images, SSM parameters, Secrets Manager secrets and log groups,
so those definitions deploy unchanged against the sandbox. Only through the sandbox's
endpoint (AWS calls, and the control API's rename for IDs moto cannot choose), so a
running sandbox can be seeded from another process (``hako sandbox seed``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import AppDefinition
from hako_py.ecr_images import parse_ecr_image
from hako_py.references import parse_secret_source
from hako_py.sandbox.client import control
from hako_py.sandbox.credentials import SANDBOX_CREDENTIALS

DEFAULT_REGION = "us-east-1"


@dataclass
class Wanted:
    """Resources to create, per region."""

    clusters: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    subnets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    security_groups: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    roles: set[str] = field(default_factory=set)
    schedule_roles: set[str] = field(default_factory=set)  # assumed by EventBridge Scheduler
    images: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    parameters: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    secrets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    log_groups: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vpcs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    namespaces: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    target_groups: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    load_balancers: dict[str, set[tuple[str, int]]] = field(default_factory=lambda: defaultdict(set))
    alarms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    certificates: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add_app(self, app: AppDefinition) -> None:
        region = app.region or DEFAULT_REGION
        scheduler = app.scheduler
        self.clusters[region].add(app.cluster)
        awsvpc = (scheduler.get("network_configuration") or {}).get("awsvpc_configuration") or {}
        self.subnets[region].update(awsvpc.get("subnets") or [])
        self.security_groups[region].update(awsvpc.get("security_groups") or [])
        self._add_traffic(region, scheduler)
        for key in ("task_role_arn", "execution_role_arn"):
            if scheduler.get(key):
                self.roles.add(str(scheduler[key]).rsplit("/", 1)[-1])
        for entry in app.schedules.values():
            if entry.get("role_arn"):
                self.schedule_roles.add(str(entry["role_arn"]).rsplit("/", 1)[-1])
        for container in app.containers.values():
            image = str(container.get("image_tag") or container.get("image") or "")
            ecr = parse_ecr_image(image)
            if ecr is not None:
                self.images[ecr.region].add((ecr.repository, str(container.get("tag") or ecr.tag or "latest")))
            for secret in container.get("secrets") or []:
                source = parse_secret_source(str(secret.get("value_from", "")))
                if source is not None:
                    wanted = self.parameters if source.kind == "ssm" else self.secrets
                    wanted[source.region or region].add(source.name)
            log = container.get("log_configuration") or {}
            options = log.get("options") or {}
            if log.get("log_driver") == "awslogs" and options.get("awslogs-group"):
                self.log_groups[str(options.get("awslogs-region") or region)].add(str(options["awslogs-group"]))


    def _add_traffic(self, region: str, scheduler: dict[str, Any]) -> None:
        """What a load-balanced, discoverable, autoscaled app expects to exist already."""
        elb = scheduler.get("elb_v2") or {}
        if elb.get("vpc_id"):
            self.vpcs[region].add(str(elb["vpc_id"]))
        self.subnets[region].update(elb.get("subnets") or [])
        self.security_groups[region].update(elb.get("security_groups") or [])
        if elb.get("load_balancer_name"):
            port = int((elb.get("listener_rule") or {}).get("port") or 80)
            self.load_balancers[region].add((str(elb["load_balancer_name"]), port))
        if elb.get("target_group_name"):
            self.target_groups[region].add(str(elb["target_group_name"]))
        for listener in elb.get("listeners") or []:
            if listener.get("certificate_arn"):
                self.certificates[region].add(str(listener["certificate_arn"]))
        for entry in scheduler.get("load_balancers") or []:
            if entry.get("target_group_name"):
                self.target_groups[region].add(str(entry["target_group_name"]))
        for entry in scheduler.get("service_discovery") or []:
            namespace = (entry.get("service") or {}).get("namespace")
            if namespace:
                self.namespaces[region].add(str(namespace))
        for policy in (scheduler.get("autoscaling") or {}).get("policies") or []:
            self.alarms[region].update(str(a) for a in policy.get("alarms") or [])


def image_manifest(repository: str, tag: str) -> str:
    digest = "sha256:" + hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": digest},
        "layers": [],
    })


def _free_blocks(used: set[str]) -> Any:
    """/28 blocks in the upper half of the default VPC (moto's default subnets use the lower half)."""
    for third in range(128, 256):
        for fourth in range(0, 256, 16):
            block = f"172.31.{third}.{fourth}/28"
            if block not in used:
                yield block


def _create(call: Any, **kwargs: Any) -> bool:
    """Call a create API; False when the resource already exists (seeding is idempotent)."""
    from botocore.exceptions import ClientError

    try:
        call(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "AlreadyExists" in code or "EntityAlreadyExists" in code or code == "ResourceExistsException":
            return False
        raise
    return True


def seed(url: str, wanted: Wanted) -> list[str]:
    """Create what is missing; returns a line per created resource."""
    from hako_py.aws import new_session

    created: list[str] = []
    key, secret = SANDBOX_CREDENTIALS
    session = new_session(aws_access_key_id=key, aws_secret_access_key=secret)

    make: Any = session.client  # any service, by name (the stubs type only literal names)

    def client(service: str, region: str) -> Any:
        return make(service, region_name=region, endpoint_url=url)

    for region, names in wanted.clusters.items():
        for name in sorted(names):
            client("ecs", region).create_cluster(clusterName=name)
            created.append(f"cluster {name} ({region})")
    for region in set(wanted.subnets) | set(wanted.security_groups):
        ec2 = client("ec2", region)
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
        existing = ec2.describe_subnets()["Subnets"]
        have_ids = {s["SubnetId"] for s in existing}
        free = _free_blocks({s["CidrBlock"] for s in existing})
        for subnet_id in sorted(wanted.subnets.get(region, set()) - have_ids):
            made = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=next(free))["Subnet"]
            _rename(url, "subnet", region, made["SubnetId"], subnet_id)
            created.append(f"subnet {subnet_id} ({region})")
        have_groups = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
        for group_id in sorted(wanted.security_groups.get(region, set()) - have_groups):
            made = ec2.create_security_group(GroupName=group_id, Description="hako sandbox", VpcId=vpc["VpcId"])
            _rename(url, "security-group", region, made["GroupId"], group_id)
            created.append(f"security group {group_id} ({region})")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
    iam = client("iam", DEFAULT_REGION)
    for role in sorted(wanted.roles):
        if _create(iam.create_role, RoleName=role, AssumeRolePolicyDocument=trust):
            created.append(f"IAM role {role}")
    scheduler_trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"}}]})
    for role in sorted(wanted.schedule_roles - wanted.roles):
        if _create(iam.create_role, RoleName=role, AssumeRolePolicyDocument=scheduler_trust):
            created.append(f"IAM role {role} (for EventBridge Scheduler)")
    for region, images in wanted.images.items():
        ecr = client("ecr", region)
        repositories: set[str] = set()
        for repository, tag in sorted(images):
            if repository not in repositories:
                _create(ecr.create_repository, repositoryName=repository)
                repositories.add(repository)
            manifest = image_manifest(repository, tag)
            if _create(ecr.put_image, repositoryName=repository, imageManifest=manifest, imageTag=tag):
                created.append(f"ECR image {repository}:{tag} ({region})")
    for region, parameters in wanted.parameters.items():
        for name in sorted(parameters):
            client("ssm", region).put_parameter(Name=name, Value="sandbox-value", Type="SecureString", Overwrite=True)
            created.append(f"SSM parameter {name} ({region})")
    for region, secrets in wanted.secrets.items():
        for name in sorted(secrets):
            if _create(client("secretsmanager", region).create_secret, Name=name,
                       SecretString='{"sandbox": "value"}'):
                created.append(f"secret {name} ({region})")
    for region, groups in wanted.log_groups.items():
        for group in sorted(groups):
            if _create(client("logs", region).create_log_group, logGroupName=group):
                created.append(f"log group {group} ({region})")
    created += _seed_traffic(url, client, wanted)
    return created


def _rename(url: str, kind: str, region: str, made: str, wanted: str) -> None:
    """moto cannot create an object under a chosen ID: the sandbox's control API renames it."""
    control(url, "rename", {"kind": kind, "region": region, "id": made, "to": wanted})


def _seed_traffic(url: str, client: Any, wanted: Wanted) -> list[str]:
    created: list[str] = []
    for region, certificates in wanted.certificates.items():
        acm = client("acm", region)
        have = {c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]}
        for arn in sorted(certificates - have):
            made = acm.request_certificate(DomainName="sandbox.example.com")["CertificateArn"]
            _rename(url, "certificate", region, made, arn)
            created.append(f"ACM certificate {arn}")
    for region in set(wanted.vpcs) | set(wanted.namespaces) | set(wanted.target_groups) | set(
            wanted.load_balancers) | set(wanted.alarms):
        ec2 = client("ec2", region)
        default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        have = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
        for index, vpc_id in enumerate(sorted(wanted.vpcs.get(region, set()) - have)):
            made = ec2.create_vpc(CidrBlock=f"10.{100 + index}.0.0/16")["Vpc"]["VpcId"]
            _rename(url, "vpc", region, made, vpc_id)
            created.append(f"VPC {vpc_id} ({region})")
        vpc = sorted(wanted.vpcs.get(region) or [default_vpc])[0]
        elb = client("elbv2", region)
        for name in sorted(wanted.target_groups.get(region, set())):
            if _create(elb.create_target_group, Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"):
                created.append(f"target group {name} ({region})")
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"]][:2]
        for name, port in sorted(wanted.load_balancers.get(region, set())):
            existing = elb.describe_load_balancers()["LoadBalancers"]
            lb = next((b for b in existing if b["LoadBalancerName"] == name), None)
            if lb is None:
                lb = elb.create_load_balancer(Name=name, Subnets=subnets, Type="application")["LoadBalancers"][0]
                created.append(f"load balancer {name} ({region})")
            ports = {ls["Port"] for ls in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
            if port not in ports:
                elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=port,
                                    DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                                        "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "no route"}}])
                created.append(f"listener {name}:{port} ({region})")
        discovery = client("servicediscovery", region)
        have_namespaces = {n["Name"] for n in discovery.list_namespaces()["Namespaces"]}
        for name in sorted(wanted.namespaces.get(region, set()) - have_namespaces):
            discovery.create_private_dns_namespace(Name=name, Vpc=vpc)
            created.append(f"Cloud Map namespace {name} ({region})")
        cloudwatch = client("cloudwatch", region)
        for name in sorted(wanted.alarms.get(region, set())):
            cloudwatch.put_metric_alarm(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/ECS",
                                        Statistic="Average", Period=60, EvaluationPeriods=3, Threshold=50.0,
                                        ComparisonOperator="GreaterThanThreshold")
            created.append(f"CloudWatch alarm {name} ({region})")
    return created
