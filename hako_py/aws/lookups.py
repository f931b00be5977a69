"""Read-only existence checks (for ``hako verify``) and the few writes scripts make.

None of these reads a secret's value: SSM parameters are looked up with
DescribeParameters and Secrets Manager secrets with DescribeSecret.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from hako_py.aws.errors import AwsError, aws_errors

NOT_FOUND = ("NotFound", "NoSuch", "ResourceNotFound", "DoesNotExist")


def _missing(exc: AwsError) -> bool:
    return any(marker in exc.code for marker in NOT_FOUND)


class Lookups:
    """Existence checks over the clients of one command run."""

    def __init__(self, clients: Any) -> None:
        self.clients = clients

    def _client(self, service: str, region: str | None = None) -> Any:
        return self.clients.for_region(region).client(service)

    def cluster_status(self, cluster: str) -> str | None:
        with aws_errors(f"DescribeClusters {cluster}"):
            response = self._client("ecs").describe_clusters(clusters=[cluster])
        clusters = response.get("clusters") or []
        return str(clusters[0].get("status")) if clusters else None

    def ecr_image(self, region: str, repository: str, tag: str | None, digest: str | None) -> bool:
        image_id = {"imageDigest": digest} if digest else {"imageTag": tag or "latest"}
        try:
            with aws_errors(f"DescribeImages {repository}"):
                self._client("ecr", region).describe_images(repositoryName=repository, imageIds=[image_id])
        except AwsError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def ecr_tags(self, region: str, repository: str) -> list[tuple[str, Any]]:
        """(tag, pushed at) of every tagged image in *repository*."""
        tags: list[tuple[str, Any]] = []
        with aws_errors(f"DescribeImages {repository}"):
            paginator = self._client("ecr", region).get_paginator("describe_images")
            for page in paginator.paginate(repositoryName=repository, filter={"tagStatus": "TAGGED"}):
                for detail in page.get("imageDetails", []):
                    for tag in detail.get("imageTags") or []:
                        tags.append((tag, detail.get("imagePushedAt")))
        return tags

    def ssm_parameter(self, region: str, name: str) -> bool:
        with aws_errors(f"DescribeParameters {name}"):
            response = self._client("ssm", region).describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
        return bool(response.get("Parameters"))

    def secret(self, region: str, secret_id: str) -> bool:
        try:
            with aws_errors(f"DescribeSecret {secret_id}"):
                self._client("secretsmanager", region).describe_secret(SecretId=secret_id)
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
                role = self._client("iam").get_role(RoleName=role_name)["Role"]
        except AwsError as exc:
            if _missing(exc):
                return None
            raise
        document = role.get("AssumeRolePolicyDocument") or {}
        if isinstance(document, str):
            document = json.loads(unquote(document))
        text = json.dumps(document)
        return service in text

    def log_group(self, region: str, group: str) -> bool:
        with aws_errors(f"DescribeLogGroups {group}"):
            response = self._client("logs", region).describe_log_groups(logGroupNamePrefix=group)
        return any(g.get("logGroupName") == group for g in response.get("logGroups", []))

    def create_log_group(self, region: str, group: str) -> None:
        try:
            with aws_errors(f"CreateLogGroup {group}"):
                self._client("logs", region).create_log_group(logGroupName=group)
        except AwsError as exc:
            if "AlreadyExists" not in exc.code:
                raise

    def s3_bucket(self, region: str, bucket: str) -> bool:
        return bool(self.clients.s3(region).bucket_exists(bucket))

    def missing_subnets(self, region: str, subnet_ids: list[str]) -> list[str]:
        return [s for s in subnet_ids if not self._exists("DescribeSubnets", "SubnetIds", s, region)]

    def missing_security_groups(self, region: str, group_ids: list[str]) -> list[str]:
        return [g for g in group_ids if not self._exists("DescribeSecurityGroups", "GroupIds", g, region)]

    def _exists(self, operation: str, key: str, value: str, region: str) -> bool:
        """*operation* by its API name (as every other error message names it)."""
        from botocore import xform_name

        try:
            with aws_errors(f"{operation} {value}"):
                getattr(self._client("ec2", region), xform_name(operation))(**{key: [value]})
        except AwsError as exc:
            if _missing(exc) or "Malformed" in exc.code:
                return False
            raise
        return True

    def missing_capacity_providers(self, names: list[str]) -> list[str]:
        with aws_errors("DescribeCapacityProviders"):
            response = self._client("ecs").describe_capacity_providers(capacityProviders=names)
        found = {p.get("name") for p in response.get("capacityProviders", [])}
        return [n for n in names if n not in found]
