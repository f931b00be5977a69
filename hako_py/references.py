"""Parsing the AWS references definitions contain: ECR images, secret sources, awslogs streams.

One place for these formats, used by verify, seeding, secret resolution, scripts and the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]+))?$"
)
_SSM_ARN = re.compile(r"^arn:[^:]+:ssm:([^:]*):[^:]*:parameter(/.*)$")
_SECRET_ARN = re.compile(r"^arn:[^:]+:secretsmanager:([^:]*):[^:]*:secret:([^:]+)(?::([^:]*))?")


@dataclass(frozen=True)
class EcrImage:
    account: str
    region: str
    repository: str
    tag: str | None
    digest: str | None


def parse_ecr_image(image: str) -> EcrImage | None:
    """``ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@DIGEST]``, or None for other registries."""
    match = _ECR_IMAGE.match(image)
    return EcrImage(*match.groups()) if match else None


def local_image_name(image: str) -> str:
    """An ECR image as a local engine names it (``REPO:TAG``); other images unchanged."""
    ecr = parse_ecr_image(image)
    if ecr is None:
        return image
    return ecr.repository + (f":{ecr.tag}" if ecr.tag else "") + (f"@{ecr.digest}" if ecr.digest else "")


@dataclass(frozen=True)
class SecretSource:
    """Where an ECS secret's value lives: an SSM parameter or a Secrets Manager secret (and JSON key)."""

    kind: str  # "ssm" | "secretsmanager"
    name: str
    region: str | None = None
    json_key: str | None = None


def parse_secret_source(value_from: str) -> SecretSource | None:
    """An ECS ``valueFrom``; a plain name is an SSM parameter of the task's region."""
    if (m := _SSM_ARN.match(value_from)) is not None:
        return SecretSource("ssm", m.group(2), m.group(1) or None)
    if (m := _SECRET_ARN.match(value_from)) is not None:
        return SecretSource("secretsmanager", m.group(2), m.group(1) or None, m.group(3) or None)
    if value_from and not value_from.startswith("arn:"):
        return SecretSource("ssm", value_from)
    return None


def awslogs_stream(prefix: str | None, container: str, task_id: str) -> str:
    """The stream the awslogs driver writes: ``prefix/container/task-id`` (just the task id without prefix)."""
    return f"{prefix}/{container}/{task_id}" if prefix else task_id
