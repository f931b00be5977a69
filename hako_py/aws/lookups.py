"""Read-only existence checks (for ``hako verify``) and the few writes scripts make.

Each thing is read once per command: a role named twice (task and execution role, a
schedule's role), a log group verify checks and the log-group script then looks at, the
subnets of one network configuration (one DescribeSubnets for all of them) are answered
from what was read first. One :class:`Lookups` serves a command (``ScriptContext.lookups()``,
which verify uses too); what a write changes (a log group created) is updated in it.

None of these reads a secret's value: SSM parameters are looked up with
DescribeParameters and Secrets Manager secrets with DescribeSecret. Every call goes to a
client typed by the types-boto3 stubs (``AwsClients.client`` is overloaded per service).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import unquote

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from types_boto3_ecr.type_defs import ImageIdentifierTypeDef

    from hako_py.aws.clients import AwsClients

NOT_FOUND = ("NotFound", "NoSuch", "ResourceNotFound", "DoesNotExist")
T = TypeVar("T")


def _missing(exc: AwsError) -> bool:
    return any(marker in exc.code for marker in NOT_FOUND)


def _absent(exc: AwsError) -> bool:
    """An EC2 id that does not exist, or is not even well-formed (then it cannot exist either)."""
    return _missing(exc) or "Malformed" in exc.code


class Lookups:
    """Existence checks over the clients of one command run."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients
        self._read: dict[tuple[str, ...], Any] = {}  # what was read, by (kind, region, name)

    def _once(self, key: tuple[str, ...], read: Callable[[], T]) -> T:
        """*read*'s answer, read the first time only (a failure is not kept: a later check may retry)."""
        if key not in self._read:
            self._read[key] = read()
        found: T = self._read[key]
        return found

    def cluster_status(self, cluster: str) -> str | None:
        with aws_errors(f"DescribeClusters {cluster}"):
            response = self.clients.client("ecs").describe_clusters(clusters=[cluster])
        clusters = response.get("clusters") or []
        return str(clusters[0].get("status")) if clusters else None

    def ecr_image(self, region: str | None, repository: str, tag: str | None, digest: str | None) -> bool:
        image_id: ImageIdentifierTypeDef = {"imageDigest": digest} if digest else {"imageTag": tag or "latest"}
        try:
            with aws_errors(f"DescribeImages {repository}"):
                self.clients.for_region(region).client("ecr").describe_images(repositoryName=repository,
                                                                              imageIds=[image_id])
        except AwsError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def ecr_tags(self, region: str | None, repository: str) -> list[tuple[str, Any]]:
        """(tag, pushed at) of every tagged image in *repository*."""
        tags: list[tuple[str, Any]] = []
        with aws_errors(f"DescribeImages {repository}"):
            paginator = self.clients.for_region(region).client("ecr").get_paginator("describe_images")
            for page in paginator.paginate(repositoryName=repository, filter={"tagStatus": "TAGGED"}):
                for detail in page.get("imageDetails", []):
                    for tag in detail.get("imageTags") or []:
                        tags.append((tag, detail.get("imagePushedAt")))
        return tags

    def ssm_parameter(self, region: str | None, name: str) -> bool:
        with aws_errors(f"DescribeParameters {name}"):
            response = self.clients.for_region(region).client("ssm").describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
        return bool(response.get("Parameters"))

    def secret(self, region: str | None, secret_id: str) -> bool:
        try:
            with aws_errors(f"DescribeSecret {secret_id}"):
                self.clients.for_region(region).client("secretsmanager").describe_secret(SecretId=secret_id)
        except AwsError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def role_trusts_ecs_tasks(self, role_name: str) -> bool | None:
        """None when the role does not exist, else whether ecs-tasks.amazonaws.com may assume it."""
        return self.role_trusts(role_name, "ecs-tasks.amazonaws.com")

    def role_trusts(self, role_name: str, service: str) -> bool | None:
        """None when the role does not exist, else whether its trust policy names *service*."""
        document = self.trust_policy(role_name)
        return None if document is None else service in json.dumps(document)

    def trust_policy(self, role_name: str) -> Any:
        """The role's trust policy document (a dict), None when the role does not exist (read
        once per command: the task, execution and schedule roles are often one)."""
        return self._once(("role", role_name), lambda: self._trust_policy(role_name))

    def _trust_policy(self, role_name: str) -> Any:
        """GetRole's AssumeRolePolicyDocument, None when there is no such role."""
        try:
            with aws_errors(f"GetRole {role_name}"):
                role = self.clients.client("iam").get_role(RoleName=role_name)["Role"]
        except AwsError as exc:
            if _missing(exc):
                return None
            raise
        document: Any = role.get("AssumeRolePolicyDocument") or {}
        if isinstance(document, str):
            document = json.loads(unquote(document))
        return document

    def role_policies(self, role_name: str) -> list[Any]:
        """The role's identity policy documents: inline ones and the default version of each
        attached managed policy (GetRolePolicy, GetPolicy, GetPolicyVersion)."""
        iam = self.clients.client("iam")
        documents: list[Any] = []
        with aws_errors(f"ListRolePolicies {role_name}"):
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
                for name in page.get("PolicyNames", []):
                    documents.append(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
        with aws_errors(f"ListAttachedRolePolicies {role_name}"):
            for attached_page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
                for attached in attached_page.get("AttachedPolicies", []):
                    arn = attached["PolicyArn"]
                    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                    documents.append(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
                                     ["Document"])
        return [json.loads(unquote(d)) if isinstance(d, str) else d for d in documents]

    def log_group(self, region: str | None, group: str) -> bool:
        return self._once(("log-group", str(region), group), lambda: self._log_group(region, group))

    def _log_group(self, region: str | None, group: str) -> bool:
        with aws_errors(f"DescribeLogGroups {group}"):
            response = self.clients.for_region(region).client("logs").describe_log_groups(logGroupNamePrefix=group)
        return any(g.get("logGroupName") == group for g in response.get("logGroups", []))

    def create_log_group(self, region: str | None, group: str) -> None:
        try:
            with aws_errors(f"CreateLogGroup {group}"):
                self.clients.for_region(region).client("logs").create_log_group(logGroupName=group)
        except AwsError as exc:
            if "AlreadyExists" not in exc.code:
                raise
        self._read[("log-group", str(region), group)] = True

    def s3_bucket(self, region: str, bucket: str) -> bool:
        return self._once(("s3-bucket", region, bucket), lambda: self.clients.s3(region).bucket_exists(bucket))

    def missing_subnets(self, region: str | None, subnet_ids: list[str]) -> list[str]:
        """The ones of *subnet_ids* that do not exist: one DescribeSubnets for all those not read
        yet (one per subnet only when that one call says some do not exist)."""
        return self._missing_ids("subnet", region, subnet_ids, partial(self._ec2_ids_exist, "DescribeSubnets"))

    def missing_security_groups(self, region: str | None, group_ids: list[str]) -> list[str]:
        """As :meth:`missing_subnets`, for security groups (DescribeSecurityGroups)."""
        return self._missing_ids("security-group", region, group_ids,
                                 partial(self._ec2_ids_exist, "DescribeSecurityGroups"))

    def _missing_ids(self, kind: str, region: str | None, ids: list[str],
                     exist: Callable[[str | None, list[str]], bool]) -> list[str]:
        unread = [i for i in dict.fromkeys(ids) if (kind, str(region), i) not in self._read]
        if unread:
            if len(unread) > 1 and exist(region, unread):  # all of them at once
                self._read.update({(kind, str(region), i): True for i in unread})
            else:
                for item in unread:
                    self._once((kind, str(region), item), partial(exist, region, [item]))
        return [i for i in ids if not self._read[(kind, str(region), i)]]

    def _ec2_ids_exist(self, operation: Literal["DescribeSubnets", "DescribeSecurityGroups"],
                       region: str | None, ids: list[str]) -> bool:
        """Whether every one of *ids* exists (one request; an id that is malformed cannot exist)."""
        ec2 = self.clients.for_region(region).client("ec2")
        try:
            with aws_errors(f"{operation} {' '.join(ids)}"):
                if operation == "DescribeSubnets":
                    ec2.describe_subnets(SubnetIds=ids)
                else:
                    ec2.describe_security_groups(GroupIds=ids)
        except AwsError as exc:
            if _absent(exc):
                return False
            raise
        return True

    def missing_capacity_providers(self, names: list[str]) -> list[str]:
        with aws_errors("DescribeCapacityProviders"):
            response = self.clients.client("ecs").describe_capacity_providers(capacityProviders=names)
        found = {p.get("name") for p in response.get("capacityProviders", [])}
        return [n for n in names if n not in found]
