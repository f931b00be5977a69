"""Reading secret values: only for ``hako oneshot --local``, which must pass them to containers.

Values are returned to the caller and never printed or logged.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hako_py.aws.errors import aws_errors
from hako_py.errors import HakoError
from hako_py.references import parse_secret_source

if TYPE_CHECKING:
    from hako_py.aws.clients import AwsClients


def resolve(clients: AwsClients, name: str, value_from: str, default_region: str | None) -> str:
    """The value of one ECS secret reference (SSM parameter or Secrets Manager secret / JSON key)."""
    source = parse_secret_source(value_from)
    if source is None:
        raise HakoError(f"secret {name}: unsupported valueFrom {value_from}")
    regional = clients.for_region(source.region or default_region)
    if source.kind == "ssm":
        with aws_errors(f"GetParameter {source.name} (for {name})"):
            parameter = regional.client("ssm").get_parameter(Name=source.name, WithDecryption=True)["Parameter"]
            return str(parameter["Value"])
    with aws_errors(f"GetSecretValue {source.name} (for {name})"):
        value = str(regional.client("secretsmanager").get_secret_value(SecretId=source.name)["SecretString"])
    if not source.json_key:
        return value
    try:
        return str(json.loads(value)[source.json_key])
    except (ValueError, KeyError, TypeError):
        raise HakoError(f"secret {name}: {source.name} has no JSON key '{source.json_key}'") from None
