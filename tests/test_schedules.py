"""Scheduled jobs (``schedules``): validation, rendering and review offline; deploy, diff, remove,
firing and ``hako schedule`` against the sandbox over HTTP (moto's EventBridge Scheduler)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import Repo

ROLE = "arn:aws:iam::123456789012:role/hako-scheduler"


def batch(cluster: str = "batch", subnet: str = "subnet-1", group: str = "sg-1", schedules: str = "{}") -> str:
    return f"""
    {{
      scheduler: {{
        type: 'ecs', region: 'us-east-1', cluster: '{cluster}', launch_type: 'FARGATE',
        requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
        network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'], security_groups: ['{group}'] }} }},
      }},
      app: {{
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/batch', tag: 'v1', memory: 256,
        command: ['default'],
        log_configuration: {{ log_driver: 'awslogs', options: {{ 'awslogs-group': '/ecs/batch',
                              'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'batch' }} }},
      }},
      schedules: {schedules},
    }}
    """


NIGHTLY = f"""{{
  nightly: {{ expression: 'cron(0 3 * * ? *)', timezone: 'Asia/Tokyo', command: ['bin/nightly'],
              env: {{ MODE: 'full', API_TOKEN: 'abc123' }}, role_arn: '{ROLE}', retry: {{ maximum_attempts: 2 }} }},
}}"""


# --- validation, render, review (offline) --------------------------------------------------

@pytest.mark.parametrize(("schedule", "message"), [
    ("{ expression: 'cron(0 3 * * *)', role_arn: '%s' }" % ROLE,
     "schedules.s.expression: cron(0 3 * * *): expected 6 fields"),
    ("{ expression: 'cron(0 3 * * ? *)', timezone: 'Asia/Tokio', role_arn: '%s' }" % ROLE,
     "schedules.s.timezone: unknown time zone 'Asia/Tokio'"),
    ("{ expression: 'rate(5 weeks)', role_arn: '%s' }" % ROLE, "schedules.s.expression: rate(5 weeks): unknown unit"),
    ("{ expression: 'rate(5 minutes)' }", "schedules.s.role_arn: is required: the IAM role EventBridge Scheduler "
                                          "assumes"),
    ("{ expression: 'rate(5 minutes)', role_arn: 'scheduler-role' }", "schedules.s.role_arn: 'scheduler-role' is not "
                                                                      "an IAM role ARN"),
    ("{ expression: 'rate(5 minutes)', role_arn: '%s', retry: { maximum_attempts: 200 } }" % ROLE,
     "schedules.s.retry.maximum_attempts: must be at most 185"),
    ("{ expression: 'rate(5 minutes)', role_arn: '%s', flexible_window: 0 }" % ROLE,
     "schedules.s.flexible_window: must be at least 1"),
    ("{ expression: 'rate(5 minutes)', role_arn: '%s', dead_letter_queue: 'my-queue' }" % ROLE,
     "schedules.s.dead_letter_queue: 'my-queue' is not an SQS queue ARN"),
    ("{ expression: 'rate(5 minutes)', role_arn: '%s', comand: ['x'] }" % ROLE, "did you mean 'command'?"),
])
def test_invalid_schedules_are_located(hako, repo: Repo, schedule: str, message: str) -> None:  # type: ignore[no-untyped-def]
    repo.write("apps/job.jsonnet", batch(schedules=f"{{ s: {schedule} }}"))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1
    assert message in result.out, result.out


def test_schedule_names_and_their_length(hako, repo: Repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("apps/job.jsonnet", batch(schedules="{ 'bad name': { expression: 'rate(1 day)', role_arn: '%s' } }"
                                         % ROLE))
    assert "schedules[\"bad name\"]: invalid schedule name" in hako("validate", "apps/job.jsonnet").out
    repo.write("apps/job.jsonnet", batch(schedules="{ %s: { expression: 'rate(1 day)', role_arn: '%s' } }"
                                         % ("x" * 61, ROLE)))
    assert "is longer than 64 characters" in hako("validate", "apps/job.jsonnet").out


def test_render_shows_each_schedule_request_with_secrets_masked(hako, repo: Repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    result = hako("render", "apps/job.jsonnet")
    assert result.code == 0, result.err
    request = json.loads(result.out)["schedules"]["nightly"]
    assert request["Name"] == "job.nightly" and request["GroupName"] == "hako-batch"
    assert request["ScheduleExpressionTimezone"] == "Asia/Tokyo" and request["State"] == "ENABLED"
    target = request["Target"]
    assert target["Arn"] == "{{cluster:batch}}"
    assert target["EcsParameters"]["TaskDefinitionArn"] == "{{task-definition:job-oneshot}}"
    assert target["EcsParameters"]["Group"] == "hako:job:nightly"
    assert target["EcsParameters"]["NetworkConfiguration"] == {
        "awsvpcConfiguration": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 2}
    overrides = json.loads(target["Input"])
    assert overrides["containerOverrides"] == [{"name": "app", "command": ["bin/nightly"], "environment": [
        {"name": "API_TOKEN", "value": "<masked>"}, {"name": "MODE", "value": "full"}]}]
    assert "abc123" not in result.out


def test_rendered_schedule_requests_pass_botocore_validation(repo: Repo) -> None:
    import botocore.session
    from botocore.validate import ParamValidator

    from hako_py.pipeline import check_file

    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    rendered = check_file("apps/job.jsonnet").rendered
    assert rendered.schedules is not None
    model = botocore.session.get_session().get_service_model("scheduler")
    for request in rendered.schedules.values():
        report = ParamValidator().validate(request, model.operation_model("CreateSchedule").input_shape)
        assert not report.has_errors(), report.generate_report()


def git(root: Any, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_diff_base_shows_schedule_changes(hako, repo: Repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    changed = NIGHTLY.replace("cron(0 3 * * ? *)", "cron(30 4 * * ? *)").replace("bin/nightly", "bin/nightly2")
    changed = changed.replace("} },\n}", "} },\n  hourly: { expression: 'rate(1 hour)', role_arn: '%s' },\n}" % ROLE)
    repo.write("apps/job.jsonnet", batch(schedules=changed))
    result = hako("diff", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    app = next(a for a in report["apps"] if a["file"].endswith("job.jsonnet"))
    assert app["changes"]["schedules"] == ["hourly: added", "nightly: expression, command"]
    text = hako("diff", "--base", "main").out
    lines = text.splitlines()
    assert any(line.startswith("-") and '"ScheduleExpression": "cron(0 3 * * ? *)"' in line for line in lines), text
    assert any(line.startswith("+") and '"ScheduleExpression": "cron(30 4 * * ? *)"' in line for line in lines), text
    assert "abc123" not in text
