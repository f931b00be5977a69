"""Parsing the AWS references definitions contain: secret sources, awslogs streams and groups
(ECR image names: :mod:`hako_py.ecr_images`).

One place for these formats, used by verify, seeding, secret resolution, scripts and the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SSM_ARN = re.compile(r"^arn:[^:]+:ssm:([^:]*):[^:]*:parameter(/.*)$")
_SECRET_ARN = re.compile(r"^arn:[^:]+:secretsmanager:([^:]*):[^:]*:secret:([^:]+)(?::([^:]*))?")


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


def awslogs_groups(task_definition: dict[str, Any], default_region: str | None) -> list[tuple[str, str | None]]:
    """(group, region) of every container of a task definition (API form) using the awslogs driver:
    what verify checks and the create_aws_cloud_watch_logs_log_group script creates."""
    found = []
    for container in task_definition.get("containerDefinitions", []):
        config = container.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") == "awslogs" and options.get("awslogs-group"):
            found.append((str(options["awslogs-group"]), options.get("awslogs-region") or default_region))
    return sorted(set(found), key=lambda g: (g[0], g[1] or ""))
