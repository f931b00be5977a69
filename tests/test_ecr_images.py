"""The ECR host rule: which image names get an ECR token, and which local image stands for them."""

from __future__ import annotations

import pytest

from hako_py.ecr_images import ecr_registry, local_candidates, local_image_name, parse_ecr_image

ACCOUNT = "123456789012"


@pytest.mark.parametrize(("host", "region", "fips"), [
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com", "us-east-1", False),
    (f"{ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com", "us-east-1", True),
    (f"{ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", True),
    (f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1", False),
    (f"{ACCOUNT}.dkr.ecr.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", False),
])
def test_ecr_registries_of_every_partition_are_recognised(host: str, region: str, fips: bool) -> None:
    registry = ecr_registry(host)
    assert registry is not None
    assert (registry.host, registry.account, registry.region, registry.fips) == (host, ACCOUNT, region, fips)


@pytest.mark.parametrize("host", [
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.evil.io",  # a suffix makes it someone else's host
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com:443",  # a port: not the registry host itself
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com:5000",
    f"user@{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",  # userinfo
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.",  # a trailing dot
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com\n",
    f"evil.io/{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
    f"x.{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.co",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws-com.evil.io",
    f"{ACCOUNT}.dkr.ecr.us-east-1.AMAZONAWS.com",
    f"{ACCOUNT}xdkr.ecr.us-east-1.amazonaws.com",  # dots are literal
    f"{ACCOUNT}.dkr.ecr.us.east.1.amazonaws.com",
    "12345678901.dkr.ecr.us-east-1.amazonaws.com",  # 11 digits
    "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
    f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com",  # China regions live under amazonaws.com.cn only
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.cn",  # and only they do
    f"{ACCOUNT}.dkr.ecr-fake.us-east-1.amazonaws.com",
    "public.ecr.aws",
    "",
])
def test_look_alike_hosts_are_not_ecr(host: str) -> None:
    assert ecr_registry(host) is None


@pytest.mark.parametrize("image", [
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.evil.io/app:1",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com:443/app:1",
    f"user:pw@{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1",
    f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1\n",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
    f"evil.io/{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1",
])
def test_look_alike_images_are_not_ecr_and_keep_their_name(image: str) -> None:
    assert parse_ecr_image(image) is None
    assert local_image_name(image) == image
    assert local_candidates(image) == (image,)


def test_ecr_image_parts_and_local_name() -> None:
    image = f"{ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com/team/app:v1"
    parsed = parse_ecr_image(image)
    assert parsed is not None
    assert (parsed.account, parsed.region, parsed.repository, parsed.tag, parsed.digest) == (
        ACCOUNT, "us-east-1", "team/app", "v1", None)
    assert parsed.registry.host == f"{ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com"
    assert local_image_name(image) == "team/app:v1"
    assert local_candidates(image) == (image, "team/app:v1")
    digest = "sha256:" + "ab" * 32
    assert local_image_name(f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/app@{digest}") == f"app@{digest}"
    assert local_image_name(f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app") == "app"

