"""Rendering: hako-compatible requests that pass botocore's own validation."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.session import get_session
from botocore.validate import validate_parameters

from hako_py.pipeline import check_file
from hako_py.render import RenderOptions
from tests.conftest import FARGATE_APP, PROJECT_ROOT, Hako, Repo

EXAMPLES = sorted(
    str(p.relative_to(PROJECT_ROOT))
    for p in (PROJECT_ROOT / "apps").iterdir()
    if p.suffix in (".jsonnet", ".yml", ".yaml", ".json")
)
OPERATIONS = {"taskDefinition": "RegisterTaskDefinition", "service": "CreateService", "runTask": "RunTask"}


def botocore_validate(rendered: dict[str, Any]) -> None:
    model = get_session().get_service_model("ecs")
    for key, operation in OPERATIONS.items():
        if rendered[key] is not None:
            shape = model.operation_model(operation).input_shape
            assert shape is not None
            validate_parameters(rendered[key], shape)


def render(repo: Repo, text: str, name: str = "apps/x.jsonnet", tag: str | None = None) -> dict[str, Any]:
    repo.write(name, text)
    checked = check_file(name, render=RenderOptions(tag=tag))
    assert checked.rendered is not None
    return checked.rendered.as_dict()


def test_there_are_examples() -> None:
    assert {"apps/web.jsonnet", "apps/awesome-batch.jsonnet", "apps/worker.yml", "apps/legacy-ec2.jsonnet"} <= set(
        EXAMPLES
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_renders_requests_botocore_accepts(example: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    checked = check_file(example)
    assert checked.rendered is not None
    rendered = checked.rendered.as_dict()
    botocore_validate(rendered)
    assert rendered["taskDefinition"]["family"] == checked.app.app_id
    assert rendered["taskDefinition"]["containerDefinitions"][0]["name"] == "app"
    assert rendered["runTask"]["taskDefinition"] == f"{checked.app.app_id}-oneshot"


def test_hako_compatible_container_rendering(repo: Repo) -> None:
    out = render(repo, """
        {
          scheduler: { type: 'ecs', cluster: 'c', desired_count: 1 },
          app: {
            image: 'registry.example.com:5000/team/app',
            cpu: '256',
            memory: '512',
            env: { B: 'two', A: 1, FLAG: true },
            secrets: [{ name: 'S', value_from: 'arn:aws:ssm:us-east-1:1:parameter/s' }],
            docker_labels: { 'com.example.Key_Name': 'v' },
            log_configuration: { log_driver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p' } },
            linux_parameters: { init_process_enabled: true, capabilities: { add: ['SYS_PTRACE'] } },
            ulimits: [{ name: 'nofile', soft_limit: '1024', hard_limit: 2048 }],
          },
          sidecars: { side: { image_tag: 'busybox:1.36', memory: 32, essential: false } },
        }
    """)
    td = out["taskDefinition"]
    app, side = td["containerDefinitions"]
    assert app["name"] == "app"
    assert app["image"] == "registry.example.com:5000/team/app:latest"
    assert app["cpu"] == 256 and app["memory"] == 512
    assert app["essential"] is True
    assert app["environment"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "two"},
        {"name": "FLAG", "value": "true"},
    ]
    assert app["secrets"] == [{"name": "S", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/s"}]
    assert app["dockerLabels"] == {"com.example.Key_Name": "v"}
    assert app["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "g", "awslogs-stream-prefix": "p"},
    }
    assert app["linuxParameters"] == {"capabilities": {"add": ["SYS_PTRACE"]}, "initProcessEnabled": True}
    assert app["ulimits"] == [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}]
    assert side == {"name": "side", "image": "busybox:1.36", "memory": 32, "essential": False}
    assert out["service"]["serviceName"] == "x"
    assert out["service"]["taskDefinition"] == "x"
    assert out["service"]["desiredCount"] == 1
    assert out["service"]["propagateTags"] == "TASK_DEFINITION"
    botocore_validate(out)


def test_task_level_numbers_become_strings_and_nested_numbers_ints(repo: Repo) -> None:
    out = render(repo, f"({FARGATE_APP}) + {{ scheduler+: {{ cpu: 1024, memory: 2048, "
                       "ephemeral_storage: { size_in_gi_b: '25' } } }")
    td = out["taskDefinition"]
    assert td["cpu"] == "1024" and td["memory"] == "2048"
    assert td["ephemeralStorage"] == {"sizeInGiB": 25}
    botocore_validate(out)


def test_tag_option_overrides_app_tag_only(repo: Repo) -> None:
    text = f"({FARGATE_APP}) + {{ sidecars: {{ s: {{ image_tag: 'side:3', memory: 64 }} }} }}"
    out = render(repo, text, tag="abc123")
    images = [c["image"] for c in out["taskDefinition"]["containerDefinitions"]]
    assert images == ["example/app:abc123", "side:3"]


def test_digest_images_are_kept(repo: Repo) -> None:
    out = render(repo, f"({FARGATE_APP}) + {{ app+: {{ tag: null, image: 'repo@sha256:' + std.repeat('a', 64) }} }}")
    assert out["taskDefinition"]["containerDefinitions"][0]["image"] == "repo@sha256:" + "a" * 64


def test_batch_only_app_has_no_service(repo: Repo) -> None:
    out = render(repo, f"({FARGATE_APP}) + {{ scheduler+: {{ desired_count:: null }} }}")
    assert out["service"] is None
    assert out["runTask"]["startedBy"] == "hako-oneshot"
    assert out["runTask"]["count"] == 1
    assert out["runTask"]["networkConfiguration"] == {
        "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}
    }
    assert out["runTask"]["launchType"] == "FARGATE"


def test_scheduler_fields_go_where_the_api_takes_them(repo: Repo) -> None:
    out = render(repo, """
        {
          scheduler: {
            type: 'ecs', cluster: 'c', desired_count: 2, network_mode: 'bridge',
            placement_constraints: [{ type: 'distinctInstance' }],
            placement_strategy: [{ type: 'spread', field: 'instanceId' }],
            deployment_configuration: { maximum_percent: 200, minimum_healthy_percent: 50,
                                        deployment_circuit_breaker: { enable: true, rollback: true } },
            tags: { team: 'a', cost: 3 },
            enable_execute_command: true,
            task_role_arn: 'arn:aws:iam::1:role/t',
          },
          app: { image: 'x', tag: '1', memory: 128 },
          volumes: { data: { source_path: '/srv' }, scratch: {}, dv: { docker_volume_configuration: { scope: 'task' } },
                     efs: { efs_volume_configuration: { file_system_id: 'fs-1', transit_encryption: 'ENABLED' } } },
        }
    """)
    td, service, run = out["taskDefinition"], out["service"], out["runTask"]
    assert "placementConstraints" not in td
    assert td["taskRoleArn"] == "arn:aws:iam::1:role/t"
    assert td["tags"] == [{"key": "cost", "value": "3"}, {"key": "team", "value": "a"}]
    assert td["volumes"] == [
        {"name": "data", "host": {"sourcePath": "/srv"}},
        {"name": "dv", "dockerVolumeConfiguration": {"scope": "task"}},
        {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}},
        {"name": "scratch", "host": {}},
    ]
    assert service["placementConstraints"] == [{"type": "distinctInstance"}]
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["enableExecuteCommand"] is True
    assert run["placementStrategy"] == [{"type": "spread", "field": "instanceId"}]
    assert "desiredCount" not in run
    botocore_validate(out)


def test_rendering_is_pure(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: any socket connection during rendering fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendering opened a network connection")

    repo.write("apps/x.jsonnet", FARGATE_APP)
    check_file("apps/x.jsonnet")  # warm caches outside the guard
    monkeypatch.setattr(socket.socket, "connect", refuse)
    first = check_file("apps/x.jsonnet").rendered
    second = check_file("apps/x.jsonnet").rendered
    assert first == second


def test_render_cli_only_and_formats(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    full = hako("render", "apps/x.jsonnet")
    assert full.code == 0
    data = json.loads(full.out)
    assert set(data) == {"taskDefinition", "service", "runTask"}
    only = hako("render", "--only", "task-definition", "apps/x.jsonnet", "--tag", "v9")
    td = json.loads(only.out)
    assert td["family"] == "x"
    assert td["containerDefinitions"][0]["image"] == "example/app:v9"
    as_yaml = hako("render", "--format", "yaml", "apps/x.jsonnet")
    assert yaml.safe_load(as_yaml.out) == data


def test_render_only_service_for_batch_app_is_an_error(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ scheduler+: {{ desired_count:: null }} }}")
    result = hako("render", "--only", "service", "apps/x.jsonnet")
    assert result.code == 1
    assert result.err.strip() == "apps/x.jsonnet: defines no service (set scheduler.desired_count)"


def test_render_placeholders_unless_expanded(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ app+: {{ env: {{ "
                                 "WHO: std.native('provide.env')('{}', 'HAKO_TEST_WHO') } } }")
    hidden = json.loads(hako("render", "--only", "task-definition", "apps/x.jsonnet").out)
    assert hidden["containerDefinitions"][0]["environment"] == [{"name": "WHO", "value": "${HAKO_TEST_WHO}"}]
    shown = hako("render", "--expand", "--only", "task-definition", "apps/x.jsonnet", env={"HAKO_TEST_WHO": "bob"})
    assert json.loads(shown.out)["containerDefinitions"][0]["environment"] == [{"name": "WHO", "value": "bob"}]


def test_render_error_is_located(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ app+: {{ memroy: 1 }} }}")
    result = hako("render", "apps/x.jsonnet")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "apps/x.jsonnet: app.memroy: unknown key 'memroy'; did you mean 'memory'?\n"


def test_secret_sample_from_the_talk_warns(repo: Repo, hako: Hako) -> None:
    repo.write("apps/lib/utils.libsonnet", """
        local hako = import 'hako.libsonnet';
        { secret(name):: hako.secret(name), jenkinsTag(job):: { type: 'jenkins_tag', job: job } }
    """)
    repo.write("apps/awesome-batch.jsonnet", """
        local utils = import 'lib/utils.libsonnet';
        local secret = utils.secret;
        {
          scheduler: { type: 'ecs', region: 'ap-northeast-1', cluster: 'batch', launch_type: 'FARGATE',
                       requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '4096', memory: '8192',
                       network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'] } } },
          app: {
            image: '012345678901.dkr.ecr.ap-northeast-1.amazonaws.com/awesome_app',
            cpu: 4096,
            memory: 8192,
            secrets: [secret('AWESOME_TOKEN_SECRET'), secret('DB_PASSWORD')],
            env: { QUEUERY_TOKEN: 'thisisatoken' },
          },
          scripts: [{ type: 'create_aws_cloud_watch_logs_log_group' }, utils.jenkinsTag('awesome-batch')],
        }
    """)
    result = hako("validate", "apps/awesome-batch.jsonnet")
    assert result.code == 0
    assert result.out.startswith("apps/awesome-batch.jsonnet: app.env.QUEUERY_TOKEN: warning: looks like a secret")
    td = json.loads(hako("render", "--only", "task-definition", "apps/awesome-batch.jsonnet").out)
    assert td["containerDefinitions"][0]["secrets"][1] == {
        "name": "DB_PASSWORD",
        "valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/hako/awesome-batch/DB_PASSWORD",
    }


def test_render_works_from_another_directory(repo: Repo, hako: Hako, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    monkeypatch.chdir(tmp_path)
    result = hako("render", str(repo.root / "apps" / "x.jsonnet"))
    assert result.code == 0
    assert json.loads(result.out)["taskDefinition"]["family"] == "x"
