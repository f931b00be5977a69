"""An ECR registry login for one pull of ``hako oneshot --local`` (GetAuthorizationToken).

Asked only for an image whose registry host passed :func:`hako_py.ecr_images.ecr_registry`
(exactly an ECR registry of an AWS partition), in that registry's region and for its
account; the answer is used only when ECR says it is the token of that very registry. The
token is a credential: it is returned to the caller only, remembered so that no error
message can quote it, never printed, and never written anywhere (the pull hands it to the
Docker engine in the request's ``X-Registry-Auth`` header; ``~/.docker/config.json`` is not
touched). Which API endpoint answers (FIPS or not) follows the AWS configuration, as for
every other call (``AWS_USE_FIPS_ENDPOINT``, ``--endpoint-url``).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from hako_py.aws.errors import AwsError, aws_errors
from hako_py.ecr_images import EcrRegistry
from hako_py.redaction import remember

if TYPE_CHECKING:
    from hako_py.aws.clients import AwsClients


class Regional(Protocol):
    """What a login needs of :class:`~hako_py.aws.clients.AwsClients`: the clients of a region."""

    def for_region(self, region: str | None) -> AwsClients: ...

# One retry for a blip, no more: a run without the token falls back to a local image, and
# offline, the default eight attempts with backoff would delay every run by seconds.
TOKEN_ATTEMPTS = 2
# Whose token an answer is: ECR names its registry (https://ACCOUNT.dkr.ecr.REGION.amazonaws.com...).
_PROXY_ENDPOINT = re.compile(r"https://(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.")


@dataclass(frozen=True)
class RegistryLogin:
    """User name and password for one registry; the password never shows in a repr."""

    username: str
    password: str = field(repr=False)

    def auth_config(self) -> dict[str, str]:
        """As the docker SDK's ``pull(auth_config=...)`` takes it."""
        return {"username": self.username, "password": self.password}


def registry_login(clients: Regional, registry: EcrRegistry) -> RegistryLogin:
    """The login for *registry*; an :class:`AwsError` when ECR gives none (no credentials,
    access denied, unreachable, or an answer for another registry)."""
    action = "GetAuthorizationToken"
    client = clients.for_region(registry.region).client("ecr", attempts=TOKEN_ATTEMPTS)
    with aws_errors(action):
        response = client.get_authorization_token(registryIds=[registry.account])
    for data in response.get("authorizationData") or []:
        endpoint = _PROXY_ENDPOINT.match(str(data.get("proxyEndpoint") or ""))
        if endpoint is None or endpoint.groups() != (registry.account, registry.region):
            continue
        token = str(data.get("authorizationToken") or "")
        remember([token])
        try:
            username, sep, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep, username, password = "", "", ""
        if not sep or not username or not password:
            raise AwsError(f"{action}: ECR answered a token that is not USER:PASSWORD in base64", "BadToken")
        remember([password])
        return RegistryLogin(username, password)
    raise AwsError(f"{action}: ECR answered no token for account {registry.account} in {registry.region}",
                   "NoToken")
