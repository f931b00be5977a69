"""hako oneshot --local with ECR images: a real pull with a token for exactly the image's
registry, the fallback to the local NAME:TAG, and no token for names that only look like ECR.

No registry is reachable here, so every pull fails (no network); the sandbox answers
GetAuthorizationToken (moto: password ``ACCOUNT-auth-token``, proxyEndpoint of the registry
asked for, in the region the request was signed for) and counts the requests.
"""

from __future__ import annotations

import random
import socket
import time
from typing import Any

import pytest

from tests.busybox_image import IMAGE
from tests.conftest import Hako, Repo, SandboxControl
from tests.test_local import app_id, job, leftovers

__all__ = ["app_id"]  # the fixture: each test's own app id, its containers told from other tests'

LOCAL_NAME, LOCAL_TAG = IMAGE.split(":")
TOKEN_REQUEST = "ecr.GetAuthorizationToken"


def fresh_account() -> str:
    """An account no image on this engine is named after: the full ECR name is surely absent."""
    return "9" + "".join(random.choices("0123456789", k=11))


def ecr_job(repo: Repo, registry: str, app_id: str) -> str:
    repo.write(f"apps/{app_id}.jsonnet", job().replace(f"image: '{LOCAL_NAME}'", f"image: '{registry}/{LOCAL_NAME}'"))
    return f"apps/{app_id}.jsonnet"


def token_requests(aws: SandboxControl) -> int:
    return int(aws.requests()["byOperation"].get(TOKEN_REQUEST, 0))


@pytest.mark.parametrize("registry", [
    "{account}.dkr.ecr.eu-west-1.amazonaws.com",  # not the definition's region (us-east-1)
    "{account}.dkr.ecr-fips.us-east-1.amazonaws.com",  # the name tests/test_sandbox_docker.py maps too
    "{account}.dkr.ecr.cn-north-1.amazonaws.com.cn",
])
def test_ecr_image_is_pulled_with_a_token_for_its_registry_then_falls_back_to_the_local_name(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, registry: str, app_id: str) -> None:
    account = fresh_account()
    registry = registry.format(account=account)
    region = registry.split(".")[3]
    path = ecr_job(repo, registry, app_id)
    aws.reset()
    result = hako("oneshot", "--local", path, "sh", "-c", "echo ran")
    assert result.code == 0, result.err
    assert result.out == "ran\n"
    assert token_requests(aws) == 1
    # the answer was checked to be the token of exactly this account and region before the pull used it
    assert f"pulling {registry}/{IMAGE} with an ECR token for account {account} in {region}" in result.err
    assert f"could not pull {registry}/{IMAGE}: " in result.err
    assert f"running the local image {IMAGE} instead" in result.err
    assert "started container app (hako-test/busybox:1)" in result.err
    assert f"{account}-auth-token" not in result.out + result.err  # the token is never shown
    assert leftovers(docker_client, app_id) == (0, 0)


@pytest.mark.parametrize("registry", [
    "123456789012.dkr.ecr.us-east-1.amazonaws.com.invalid",  # an ECR host as a subdomain of another
    "123456789012.dkr.ecr.us-east-1.amazonaws.invalid",
    "123456789012.dkr.ecr.us-east-1.invalid",
])
def test_a_name_that_only_looks_like_ecr_gets_no_token_and_no_fallback(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, registry: str, app_id: str) -> None:
    path = ecr_job(repo, registry, app_id)
    aws.reset()
    result = hako("oneshot", "--local", path, "true")
    assert result.code == 125
    assert token_requests(aws) == 0
    assert "ECR token" not in result.err
    assert f"cannot pull {registry}/{IMAGE}: " in result.err
    assert "instead" not in result.err  # not mapped to the local hako-test/busybox:1
    assert leftovers(docker_client, app_id) == (0, 0)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize("situation", ["unauthorized", "offline"])
def test_no_token_falls_back_to_the_local_name_with_a_note_promptly(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, situation: str, app_id: str) -> None:
    registry = f"{fresh_account()}.dkr.ecr.us-east-1.amazonaws.com"
    path = ecr_job(repo, registry, app_id)
    if situation == "unauthorized":  # the sandbox refuses access keys starting with INVALID, as AWS refuses unknown ones
        env, reason = {"AWS_ACCESS_KEY_ID": "INVALIDKEY", "AWS_SECRET_ACCESS_KEY": "x"}, "UnrecognizedClientException"
    else:
        env, reason = {"AWS_ENDPOINT_URL": closed_port_url()}, "cannot reach"
    started = time.monotonic()
    result = hako("oneshot", "--local", path, "sh", "-c", "echo ran", env=env)
    assert time.monotonic() - started < 5  # one retry at most for a token the run can do without
    assert result.code == 0, result.err
    assert result.out == "ran\n"
    assert f"no ECR token for {registry}: " in result.err and reason in result.err
    assert "pulling" not in result.err  # nothing is pulled without the token
    assert f"running the local image {IMAGE} instead" in result.err


def test_no_token_is_requested_when_the_image_is_present_or_pulls_are_off(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, app_id: str) -> None:
    registry = f"{fresh_account()}.dkr.ecr.us-east-1.amazonaws.com"
    path = ecr_job(repo, registry, app_id)
    aws.reset()
    result = hako("oneshot", "--local", "--pull", "never", path, "sh", "-c", "echo ran")
    assert result.code == 0, result.err
    assert result.out == "ran\n"
    assert f"{registry}/{IMAGE} is not present locally; running the local image {IMAGE} instead" in result.err
    full = f"{registry}/{LOCAL_NAME}"
    docker_client.images.get(IMAGE).tag(full, LOCAL_TAG)
    try:
        result = hako("oneshot", "--local", path, "sh", "-c", "echo ran")
    finally:
        docker_client.images.remove(f"{full}:{LOCAL_TAG}")
    assert result.code == 0, result.err
    assert f"started container app ({full}:{LOCAL_TAG})" in result.err
    assert "pulling" not in result.err
    assert token_requests(aws) == 0


def test_pull_always_asks_for_a_token_and_falls_back_to_the_present_full_name(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, app_id: str) -> None:
    registry = f"{fresh_account()}.dkr.ecr.us-east-1.amazonaws.com"
    path = ecr_job(repo, registry, app_id)
    full = f"{registry}/{LOCAL_NAME}"
    docker_client.images.get(IMAGE).tag(full, LOCAL_TAG)
    aws.reset()
    try:
        result = hako("oneshot", "--local", "--pull", "always", path, "true")
    finally:
        docker_client.images.remove(f"{full}:{LOCAL_TAG}")
    assert result.code == 0, result.err
    assert token_requests(aws) == 1
    assert f"could not pull {full}:{LOCAL_TAG}: " in result.err
    assert "running the image already present under that name" in result.err
    assert f"started container app ({full}:{LOCAL_TAG})" in result.err


def test_a_token_answered_for_another_registry_is_not_used(aws: SandboxControl) -> None:
    from hako_py.aws import AwsClients, AwsOptions
    from hako_py.aws.ecr_auth import registry_login
    from hako_py.aws.errors import AwsError
    from hako_py.ecr_images import ecr_registry
    from hako_py.sandbox.credentials import SANDBOX_CREDENTIALS

    class AskingInUsEast1:
        """Clients that send every request to us-east-1, whatever region is asked for."""

        def __init__(self, clients: AwsClients) -> None:
            self.clients = clients

        def for_region(self, region: str | None) -> AwsClients:
            return self.clients.for_region("us-east-1")

    account = fresh_account()
    registry = ecr_registry(f"{account}.dkr.ecr.eu-west-1.amazonaws.com")
    assert registry is not None
    clients = AwsClients(AwsOptions(region="us-east-1", loopback_credentials=SANDBOX_CREDENTIALS))
    with pytest.raises(AwsError, match=f"ECR answered no token for account {account} in eu-west-1"):
        registry_login(AskingInUsEast1(clients), registry)  # moto answered for the us-east-1 registry
    login = registry_login(clients, registry)
    assert (login.username, login.password) == ("AWS", f"{account}-auth-token")
    assert "auth-token" not in repr(login)


def test_one_token_request_per_registry_and_run(
        hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl, app_id: str) -> None:
    registry = f"{fresh_account()}.dkr.ecr.us-east-1.amazonaws.com"
    repo.write(f"apps/{app_id}.jsonnet", job(sidecars=f"{{ side: {{ image_tag: '{registry}/{IMAGE}', memory: 64, "
                                              "stop_timeout: 1, command: ['sleep', '30'] } }").replace(
        f"image: '{LOCAL_NAME}'", f"image: '{registry}/{LOCAL_NAME}'"))
    aws.reset()
    result = hako("oneshot", "--local", "-c", "side", f"apps/{app_id}.jsonnet", "true")
    assert result.code == 0, result.err
    assert token_requests(aws) == 1
    assert result.err.count(f"running the local image {IMAGE} instead") == 2
    assert leftovers(docker_client, app_id) == (0, 0)
