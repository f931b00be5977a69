"""ECR image names: which registry a name points to, and which local image stands for it.

Shared by ``hako oneshot --local``, the sandbox's Docker mode, verify, seeding and
``ecr_tag``, so that they all agree on what an ECR image is.

**Where an ECR token may go.** Definitions come from pull requests, so an image name is
untrusted, and the Docker engine sends a pull's credentials to the registry host of the
name (its part before the first ``/``). hako requests an ECR token for, and passes it with,
only a name whose registry host is exactly the private ECR registry of an AWS partition:

- ``ACCOUNT.dkr.ecr.REGION.amazonaws.com`` (commercial and GovCloud regions),
- ``ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com`` (FIPS endpoints),
- ``ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com.cn`` for the China regions (``cn-*``), which
  live there only (and only they do),

with ACCOUNT twelve digits and REGION lower-case letters, digits and dashes. Sources: the
ECR User Guide, "Private registry concepts" (``https://aws_account_id.dkr.ecr.region.amazonaws.com``);
the AWS General Reference, "Amazon ECR endpoints and quotas" (``dkr.ecr-fips.REGION.amazonaws.com``)
and its China edition (``amazonaws.com.cn``); the host pattern of
awslabs/amazon-ecr-credential-helper. Anything else that merely looks like ECR
(``….amazonaws.com.evil.io``, a port, userinfo, upper case, a trailing dot) is not ECR: it
is pulled without a token and never mapped to a local name. Not recognised either (so
pulled without a token): the dual-stack ``ACCOUNT.dkr-ecr.REGION.on.aws`` endpoints and the
ISO partitions.

**Which local image stands for an ECR name.** A local engine holds images pushed to ECR
under their short name: ``ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG`` runs the local
``NAME:TAG`` when the full name is not present (:func:`local_candidates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REGISTRY_HOST = re.compile(r"(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?")
_IMAGE = re.compile(r"([^/]+)/([^:@\s]+)(?::([^:@/\s]+))?(?:@(sha256:[0-9a-f]+))?")


@dataclass(frozen=True)
class EcrRegistry:
    """A private ECR registry: the exact host an ECR token may be sent to."""

    host: str
    account: str
    region: str
    fips: bool


@dataclass(frozen=True)
class EcrImage:
    registry: EcrRegistry
    repository: str
    tag: str | None
    digest: str | None

    @property
    def account(self) -> str:
        return self.registry.account

    @property
    def region(self) -> str:
        return self.registry.region


def ecr_registry(host: str) -> EcrRegistry | None:
    """The ECR registry *host* is, or None when it is not exactly one (see the module docstring)."""
    match = _REGISTRY_HOST.fullmatch(host)
    if match is None:
        return None
    account, fips, region, china = match.groups()
    if region.startswith("cn-") != bool(china):
        return None
    return EcrRegistry(host, account, region, bool(fips))


def parse_ecr_image(image: str) -> EcrImage | None:
    """``REGISTRY/REPO[:TAG][@DIGEST]`` with an ECR registry host, or None for any other image."""
    match = _IMAGE.fullmatch(image)
    if match is None:
        return None
    host, repository, tag, digest = match.groups()
    registry = ecr_registry(host)
    return EcrImage(registry, repository, tag, digest) if registry is not None else None


def local_image_name(image: str) -> str:
    """An ECR image as a local engine names it (``REPO:TAG``); other images unchanged."""
    ecr = parse_ecr_image(image)
    if ecr is None:
        return image
    return ecr.repository + (f":{ecr.tag}" if ecr.tag else "") + (f"@{ecr.digest}" if ecr.digest else "")


def local_candidates(image: str) -> tuple[str, ...]:
    """The local images that may run for *image*, in order: the name itself, then for an ECR
    name its local ``NAME:TAG``."""
    local = local_image_name(image)
    return (image,) if local == image else (image, local)
