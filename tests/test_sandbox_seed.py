"""Seeding a running sandbox (`hako sandbox seed PATH...`): a new app deploys without a restart.

Seeding goes through the sandbox's own endpoint only (AWS calls, and the control API's
rename for the IDs moto cannot choose), so it keeps to the sandbox's rules: loopback, JSON
control API, SigV4.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Hako, Repo, SandboxControl, aws_client, service_app, unique


def test_a_new_app_is_seeded_into_the_running_sandbox(hako: Hako, repo: Repo, aws: SandboxControl,
                                                      sandbox: Sandbox) -> None:
    subnet, group = unique("subnet-"), unique("sg-")
    repo.write("apps/fresh.jsonnet", service_app(unique("c-"), subnet, group))
    before = hako("deploy", "apps/fresh.jsonnet", *POLL, "--no-verify")
    assert before.code == 1  # its cluster and network do not exist yet

    seeded = hako("sandbox", "seed", "apps/fresh.jsonnet")
    assert seeded.code == 0, seeded.err
    assert seeded.out == ""
    assert f"sandbox: created subnet {subnet} (us-east-1)" in seeded.err
    deployed = hako("deploy", "apps/fresh.jsonnet", *POLL)
    assert deployed.code == 0, deployed.out + deployed.err
    ec2 = aws_client(sandbox.url, "ec2")
    assert [s["SubnetId"] for s in ec2.describe_subnets(SubnetIds=[subnet])["Subnets"]] == [subnet]
    again = hako("sandbox", "seed", "apps/fresh.jsonnet")  # idempotent
    assert again.code == 0 and "subnet" not in again.err


def test_seed_refuses_what_is_no_sandbox_in_one_line(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    repo.write("apps/fresh.jsonnet", service_app(unique("c-"), unique("subnet-"), unique("sg-")))
    for url, said in (("http://192.0.2.1:4566", "not a sandbox URL"), ("https://ecs.us-east-1.amazonaws.com",
                                                                        "not a sandbox URL"),
                      ("http://127.0.0.1:9", "cannot reach the sandbox at http://127.0.0.1:9")):
        result = hako("sandbox", "seed", "apps/fresh.jsonnet", "--endpoint-url", url)
        assert result.code == 1 and said in result.err and result.err.count("\n") == 1, result.err
    result = hako("sandbox", "seed", "apps/fresh.jsonnet", env={"AWS_ENDPOINT_URL": ""})
    assert result.code == 1 and "give --endpoint-url URL or set AWS_ENDPOINT_URL" in result.err
    repo.write("apps/broken.jsonnet", "{ scheduler: ")
    result = hako("sandbox", "seed", "apps/broken.jsonnet")
    assert result.code == 1 and "not seeding from apps/broken.jsonnet" in result.err


def test_server_options_are_refused_with_seed(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    """`hako sandbox --port 0 seed ...` would silently ignore --port: a usage error instead."""
    repo.write("apps/fresh.jsonnet", service_app(unique("c-"), unique("subnet-"), unique("sg-")))
    result = hako("sandbox", "--port", "0", "seed", "apps/fresh.jsonnet")
    assert result.code == 2
    assert "--port: an option of serving, not of 'hako sandbox seed'" in result.err


def _rename(url: str, payload: object) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(f"{url}/_sandbox/rename", data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), json.loads(exc.read())


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"kind": "subnet", "region": "us-east-1", "id": "subnet-nonexistent", "to": "subnet-x"}, 404, "id"),
    ({"kind": "subnet", "region": "zz-evil-1", "id": "subnet-a", "to": "subnet-b"}, 400, "region"),
    ({"kind": "subnet", "region": "us east 1", "id": "subnet-a", "to": "subnet-b"}, 400, "region"),
    ({"kind": "bucket", "region": "us-east-1", "id": "a", "to": "b"}, 400, "kind"),
    ({"kind": "vpc", "region": "us-east-1", "id": "vpc-a", "to": "vpc b\n"}, 400, "to"),
    ({"kind": "vpc", "region": "us-east-1", "id": "vpc-a"}, 400, "to"),
])
def test_rename_input_is_checked(sandbox: Sandbox, payload: dict[str, str], status: int, field: str) -> None:
    answer = _rename(sandbox.url, payload)
    assert (answer[0], answer[1].get("field")) == (status, field), answer


def test_rename_never_overwrites_an_existing_object(sandbox: Sandbox) -> None:
    ec2 = aws_client(sandbox.url, "ec2")
    first, second = (g["GroupId"] for g in (
        ec2.create_security_group(GroupName=unique("g-"), Description="x"),
        ec2.create_security_group(GroupName=unique("g-"), Description="x")))
    status, answer = _rename(sandbox.url, {"kind": "security-group", "region": "us-east-1", "id": first,
                                           "to": second})
    assert (status, answer["field"]) == (409, "to")
    assert {g["GroupId"] for g in ec2.describe_security_groups(GroupIds=[first, second])["SecurityGroups"]} == {
        first, second}
