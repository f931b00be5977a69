"""Read-only existence checks (for ``hako verify``) and the few writes scripts make.

None of these reads a secret's value: SSM parameters are looked up with
DescribeParameters and Secrets Manager secrets with DescribeSecret. Every call goes to a
client typed by the types-boto3 stubs (``AwsClients.client`` is overloaded per service).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from types_boto3_ecr.type_defs import ImageIdentifierTypeDef

    from hako_py.aws.clients import AwsClients

NOT_FOUND = ("NotFound", "NoSuch", "ResourceNotFound", "DoesNotExist")


def _missing(exc: AwsError) -> bool:
    return any(marker in exc.code for marker in NOT_FOUND)


def _absent(exc: AwsError) -> bool:
    """An EC2 id that does not exist, or is not even well-formed (then it cannot exist either)."""
    return _missing(exc) or "Malformed" in exc.code


class Lookups:
    """Existence checks over the clients of one command run."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients

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
        text = json.dumps(document)
        return service in text

    def log_group(self, region: str | None, group: str) -> bool:
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

    def missing_subnets(self, region: str | None, subnet_ids: list[str]) -> list[str]:
        return [s for s in subnet_ids if not self._subnet_exists(region, s)]

    def missing_security_groups(self, region: str | None, group_ids: list[str]) -> list[str]:
        return [g for g in group_ids if not self._security_group_exists(region, g)]

    def _subnet_exists(self, region: str | None, subnet: str) -> bool:
        try:
            with aws_errors(f"DescribeSubnets {subnet}"):
                self.clients.for_region(region).client("ec2").describe_subnets(SubnetIds=[subnet])
        except AwsError as exc:
            if _absent(exc):
                return False
            raise
        return True

    def _security_group_exists(self, region: str | None, group: str) -> bool:
        try:
            with aws_errors(f"DescribeSecurityGroups {group}"):
                self.clients.for_region(region).client("ec2").describe_security_groups(GroupIds=[group])
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
