"""Reading secret values: only for ``hako oneshot --local``, which must pass them to containers.

Values are returned to the caller and never printed or logged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hako_py.aws.errors import aws_errors
from hako_py.errors import HakoError

SSM_ARN = re.compile(r"^arn:[^:]+:ssm:([^:]*):[^:]*:parameter(/.*)$")
SECRET_ARN = re.compile(r"^arn:[^:]+:secretsmanager:([^:]*):[^:]*:secret:([^:]+)(?::([^:]*))?")


def resolve(clients: Any, name: str, value_from: str, default_region: str | None) -> str:
    """The value of one ECS secret reference (SSM parameter or Secrets Manager secret / JSON key)."""
    if (m := SSM_ARN.match(value_from)) is not None or not value_from.startswith("arn:"):
        parameter = m.group(2) if m else value_from
        region = (m.group(1) if m else None) or default_region
        with aws_errors(f"GetParameter {parameter} (for {name})"):
            response = _client(clients, "ssm", region).get_parameter(Name=parameter, WithDecryption=True)
        return str(response["Parameter"]["Value"])
    if (m := SECRET_ARN.match(value_from)) is not None:
        secret, region, key = m.group(2), m.group(1) or default_region, m.group(3)
        with aws_errors(f"GetSecretValue {secret} (for {name})"):
            value = str(_client(clients, "secretsmanager", region).get_secret_value(SecretId=secret)["SecretString"])
        if not key:
            return value
        try:
            return str(json.loads(value)[key])
        except (ValueError, KeyError, TypeError):
            raise HakoError(f"secret {name}: {secret} has no JSON key '{key}'") from None
    raise HakoError(f"secret {name}: unsupported valueFrom {value_from}")


def _client(clients: Any, service: str, region: str | None) -> Any:
    return clients.for_region(region).client(service)
