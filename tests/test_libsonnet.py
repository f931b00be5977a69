"""The bundled hako.libsonnet helpers."""

from __future__ import annotations

import pytest

from hako_py.errors import LoadError
from hako_py.loading import load_definition
from hako_py.pipeline import check_file
from tests.conftest import Repo


def evaluate(repo: Repo, expression: str, name: str = "apps/svc.jsonnet") -> object:
    repo.write(name, "local hako = import 'hako.libsonnet';\n" + expression)
    return load_definition(name).data


def test_secret_builds_ssm_arn_from_config(repo: Repo) -> None:
    data = evaluate(repo, "{ a: hako.secret('DB'), b: hako.secret('X', parameter='/shared/x'), "
                          "c: hako.secret('Y', parameter='y') }")
    assert data == {
        "a": {"name": "DB", "value_from": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/hako/svc/DB"},
        "b": {"name": "X", "value_from": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/shared/x"},
        "c": {"name": "Y", "value_from": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/hako/svc/y"},
    }


def test_secrets_manager_with_and_without_json_key(repo: Repo) -> None:
    data = evaluate(repo, "{ a: hako.secretsManager('P', 'db/creds', 'password'), b: hako.secretsManager('Q', 'tok') }")
    assert data == {
        "a": {"name": "P", "value_from": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db/creds:password::"},
        "b": {"name": "Q", "value_from": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tok"},
    }


def test_awslogs_defaults_to_app_id(repo: Repo) -> None:
    data = evaluate(repo, "hako.awslogs()")
    assert data == {
        "log_driver": "awslogs",
        "options": {"awslogs-group": "/ecs/svc", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "svc"},
    }


def test_fargate_scheduler_validates_and_renders(repo: Repo) -> None:
    repo.write("apps/svc.jsonnet", """
        local hako = import 'hako.libsonnet';
        {
          scheduler: hako.fargate('c', ['subnet-1'], ['sg-1'], cpu=512, memory=1024, desired_count=1),
          app: { image: 'x', tag: '1', log_configuration: hako.awslogs(), secrets: [hako.secret('A')] },
        }
    """)
    checked = check_file("apps/svc.jsonnet")
    assert checked.rendered is not None
    td = checked.rendered.task_definition
    assert td["cpu"] == "512" and td["memory"] == "1024" and td["networkMode"] == "awsvpc"
    assert checked.rendered.service is not None
    assert checked.rendered.service["launchType"] == "FARGATE"


def test_missing_account_id_is_a_clear_error(repo: Repo) -> None:
    repo.write("hako.toml", 'region = "us-east-1"\n')  # read again: the file changed
    with pytest.raises(LoadError, match=r"hako\.toml: set account_id to use secret\(\)"):
        evaluate(repo, "hako.secret('X')")
