"""No secret value ever reaches hako's output: every command, run with secret-looking env
values, secrets from SSM and Secrets Manager and a provider value, prints none of them (nor
writes them into a result file or a PR comment), and only ``oneshot --local`` -- which needs
them to run containers -- reads a secret's value at all."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Hako, Repo, SandboxControl, family, unique

LEAKS = ("LEAK-env-password", "LEAK-env-token", "LEAK-ssm-value", "LEAK-sm-value", "LEAK-provider-value",
         "LEAK-override-value", "LEAK-changed-password", "LEAK-shaped-userinfo")


def definition(cluster: str, subnet: str, group: str, password: str = "LEAK-env-password") -> str:
    return f"""
    {{
      scheduler: {{
        type: 'ecs', region: 'us-east-1', cluster: '{cluster}', desired_count: 1, launch_type: 'FARGATE',
        requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
        network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'], security_groups: ['{group}'] }} }},
      }},
      app: {{
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/secretive', tag: 'v1', memory: 256,
        env: {{
          DB_PASSWORD: '{password}',
          API_TOKEN: 'LEAK-env-token',
          SESSION_SECRET: std.native('provide.env')('{{}}', 'HAKO_TEST_SESSION_SECRET'),
          MODE: 'visible',
          UPSTREAM_URL: 'https://app:LEAK-shaped-userinfo@upstream.internal/v1',  // hidden by its shape
        }},
        secrets: [
          {{ name: 'DATABASE_URL', value_from: 'arn:aws:ssm:us-east-1:123456789012:parameter/secretive/db' }},
          {{ name: 'API_KEY', value_from: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:secretive/api' }},
        ],
        log_configuration: {{ log_driver: 'awslogs', options: {{ 'awslogs-group': '/ecs/secretive',
                              'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' }} }},
      }},
    }}
    """


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@dataclass
class Secretive:
    """The fixture's value: called, the definition's path; change_password() rewrites the
    definition with another literal password."""

    path: str
    change_password: Callable[[], None]

    def __call__(self) -> str:
        return self.path


@pytest.fixture
def secretive(repo: Repo, aws: SandboxControl, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Secretive:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    monkeypatch.setenv("HAKO_TEST_SESSION_SECRET", "LEAK-provider-value")
    # the maintainers allow this secret-looking variable to be read (provide.env refuses it otherwise)
    repo.write("hako.toml", (repo.root / "hako.toml").read_text()
               + '\n[providers.env]\nallow = ["HAKO_TEST_SESSION_SECRET"]\n')
    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    path = "apps/secretive.jsonnet"
    repo.write(path, definition(cluster, subnet, group))
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    wanted.roles.clear()
    seed(sandbox.url, wanted)
    kw: dict[str, Any] = {"region_name": "us-east-1", "endpoint_url": sandbox.url, "aws_access_key_id": "t",
                          "aws_secret_access_key": "t"}
    boto3.client("ssm", **kw).put_parameter(Name="/secretive/db", Value="LEAK-ssm-value", Type="SecureString",
                                            Overwrite=True)
    boto3.client("secretsmanager", **kw).put_secret_value(SecretId="secretive/api", SecretString="LEAK-sm-value")

    def change_password() -> None:
        repo.write(path, definition(cluster, subnet, group, password="LEAK-changed-password"))
    return Secretive(path, change_password)


@pytest.mark.slow
def test_no_command_prints_a_secret_value(hako: Hako, secretive: Secretive, aws: SandboxControl, repo: Repo,
                                          tmp_path: Path) -> None:
    path = secretive()
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "-c", "user.email=t@e", "-c", "user.name=t", "add", "-A")
    git(repo.root, "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "base")
    aws.reset()
    result_file = tmp_path / "result.json"
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": ["job output"]})
    runs = [
        ("validate", path), ("render", path), ("render", "--expand", path), ("show-definition", path),
        ("show-definition", "--expand", "--format", "yaml", path), ("verify", path), ("diff", path),
        ("deploy", path, *POLL), ("diff", path), ("status", path),
        ("oneshot", path, "--env", "OVERRIDE_TOKEN=LEAK-override-value", "--result-file", str(result_file),
         "--poll-interval", "0.05", "--", "work"),
        ("oneshot", path, "--dry-run", "--env", "OVERRIDE_TOKEN=LEAK-override-value", "--", "work"),
    ]
    outputs = []
    for args in runs:
        result = hako(*args)
        assert result.code in (0, 2), f"{args}: {result.out}{result.err}"
        outputs.append((args, result.out + result.err))
    secretive.change_password()
    for args in (("diff", path), ("diff", "--base", "main"), ("diff", "--base", "main", "--format", "markdown"),
                 ("diff", "--base", "main", "--format", "json"), ("deploy", path, *POLL, "--dry-run"),
                 ("deploy", path, *POLL), ("rollback", path, *POLL), ("remove", path, "--yes")):
        result = hako(*args)
        assert result.code in (0, 2), f"{args}: {result.out}{result.err}"
        outputs.append((args, result.out + result.err))
    outputs.append((("result file",), result_file.read_text()))
    for args, text in outputs:
        for leak in LEAKS:
            assert leak not in text, f"{' '.join(args)} printed {leak}:\n{text}"
    assert any("<masked" in text for _, text in outputs)
    assert any('"DB_PASSWORD": "<masked>"' in text for _, text in outputs)
    assert any("<masked, changed>" in text for _, text in outputs), "a changed secret shows as changed"
    reads = {op for op in aws.requests()["byOperation"] if op.split(".")[1] in (
        "GetParameter", "GetParameters", "GetParametersByPath", "GetSecretValue", "BatchGetSecretValue")}
    assert reads == set(), f"secret values were read: {reads}"


def test_reveal_secrets_is_the_only_way_to_print_them(hako: Hako, secretive: Secretive) -> None:
    path = secretive()
    revealed = hako("render", "--expand", "--reveal-secrets", "--only", "task-definition", path)
    assert revealed.code == 0
    assert "LEAK-env-password" in revealed.out and "LEAK-provider-value" in revealed.out
    assert "LEAK-ssm-value" not in revealed.out, "secrets are referenced by ARN, never resolved"


def test_local_oneshot_reads_secrets_to_run_and_prints_none(hako: Hako, secretive: Secretive, aws: SandboxControl,
                                                            docker_client: Any) -> None:
    from tests.busybox_image import IMAGE

    path = secretive()
    file = Path(path)
    file.write_text(file.read_text().replace(
        "image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/secretive', tag: 'v1'", f"image_tag: '{IMAGE}'"))
    aws.reset()
    result = hako("oneshot", "--local", path, "--", "sh", "-c", "test -n \"$DATABASE_URL\" && echo started")
    assert result.code == 0, result.out + result.err
    assert "started" in result.out
    for leak in LEAKS:
        assert leak not in result.out + result.err
    reads = {op for op in aws.requests()["byOperation"] if "GetParameter" in op or "GetSecretValue" in op}
    assert reads, "the local run resolved the secrets it needs"
    assert os.environ.get("HAKO_TEST_SESSION_SECRET") == "LEAK-provider-value"
