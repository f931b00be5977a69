"""Scheduled jobs (``schedules``): validation, rendering and review offline; deploy, diff, remove,
firing and ``hako schedule`` against the sandbox over HTTP (moto's EventBridge Scheduler)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest

from tests.conftest import Hako, Repo, SandboxControl

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


KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DATED = (f"start_date: '2030-01-01T09:00:00+09:00', end_date: '2030-07-01T00:00:00Z', kms_key_arn: '{KMS_KEY}',")


# --- validation, render, review (offline) --------------------------------------------------

@pytest.mark.parametrize(("schedule", "message"), [
    ("{ expression: 'cron(0 3 * * *)', role_arn: '@ROLE' }".replace("@ROLE", ROLE),
     "schedules.s.expression: cron(0 3 * * *): expected 6 fields"),
    ("{ expression: 'cron(0 3 * * ? *)', timezone: 'Asia/Tokio', role_arn: '@ROLE' }".replace("@ROLE", ROLE),
     "schedules.s.timezone: unknown time zone 'Asia/Tokio'"),
    ("{ expression: 'rate(5 weeks)', role_arn: '@ROLE' }".replace("@ROLE", ROLE), "schedules.s.expression: rate(5 weeks): unknown unit"),
    ("{ expression: 'rate(5 minutes)' }", "schedules.s.role_arn: is required: the IAM role EventBridge Scheduler "
                                          "assumes"),
    ("{ expression: 'rate(5 minutes)', role_arn: 'scheduler-role' }", "schedules.s.role_arn: 'scheduler-role' is not "
                                                                      "an IAM role ARN"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', retry: { maximum_attempts: 200 } }".replace("@ROLE", ROLE),
     "schedules.s.retry.maximum_attempts: must be at most 185"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', flexible_window: 0 }".replace("@ROLE", ROLE),
     "schedules.s.flexible_window: must be at least 1"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', dead_letter_queue: 'my-queue' }".replace("@ROLE", ROLE),
     "schedules.s.dead_letter_queue: 'my-queue' is not an SQS queue ARN"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', comand: ['x'] }".replace("@ROLE", ROLE), "did you mean 'command'?"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', start_date: '2030-01-01T09:00:00' }".replace("@ROLE", ROLE),
     "schedules.s.start_date: '2030-01-01T09:00:00' has no UTC offset: add one"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', start_date: '2030-01-01' }".replace("@ROLE", ROLE),
     "schedules.s.start_date: '2030-01-01' has no UTC offset"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', end_date: 'next week' }".replace("@ROLE", ROLE),
     "schedules.s.end_date: 'next week' is not an ISO 8601 date and time"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', end_date: '2030-01-01T00:00:00.5Z' }".replace("@ROLE", ROLE),
     "schedules.s.end_date: '2030-01-01T00:00:00.5Z': give whole seconds"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', start_date: '2030-01-01T09:00:00+09:00', "
     "end_date: '2029-12-31T23:59:59Z' }".replace("@ROLE", ROLE),
     "schedules.s.end_date: 2029-12-31T23:59:59Z is not after start_date 2030-01-01T09:00:00+09:00"),
    ("{ expression: 'at(2030-01-01T09:00:00)', role_arn: '@ROLE', end_date: '2031-01-01T00:00:00Z' }".replace(
        "@ROLE", ROLE), "schedules.s.end_date: has no effect on a one-time at() schedule"),
    ("{ expression: 'rate(5 minutes)', role_arn: '@ROLE', kms_key_arn: 'my-key' }".replace("@ROLE", ROLE),
     "schedules.s.kms_key_arn: '<masked>' does not match"),
])
def test_invalid_schedules_are_located(hako: Hako, repo: Repo, schedule: str, message: str) -> None:
    repo.write("apps/job.jsonnet", batch(schedules=f"{{ s: {schedule} }}"))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1
    assert message in result.out, result.out


def test_schedule_names_and_their_length(hako: Hako, repo: Repo) -> None:
    repo.write("apps/job.jsonnet", batch(schedules="{ 'bad name': { expression: 'rate(1 day)', role_arn: '@ROLE' } }"
                                         .replace("@ROLE", ROLE)))
    assert "schedules[\"bad name\"]: invalid schedule name" in hako("validate", "apps/job.jsonnet").out
    repo.write("apps/job.jsonnet", batch(schedules="{ NAME: { expression: 'rate(1 day)', role_arn: '@ROLE' } }"
                                         .replace("NAME", "x" * 61).replace("@ROLE", ROLE)))
    assert "is longer than 64 characters" in hako("validate", "apps/job.jsonnet").out


def test_render_shows_each_schedule_request_with_secrets_masked(hako: Hako, repo: Repo) -> None:
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

    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY.replace("retry:", DATED + " retry:")))
    rendered = check_file("apps/job.jsonnet").rendered
    assert rendered.schedules is not None
    assert rendered.schedules["nightly"]["StartDate"] == "2030-01-01T00:00:00Z"  # in UTC
    assert rendered.schedules["nightly"]["KmsKeyArn"] == KMS_KEY
    model = botocore.session.get_session().get_service_model("scheduler")
    for request in rendered.schedules.values():
        shape = model.operation_model("CreateSchedule").input_shape
        assert shape is not None
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()


def git(root: Any, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_diff_base_shows_schedule_changes(hako: Hako, repo: Repo) -> None:
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    changed = NIGHTLY.replace("cron(0 3 * * ? *)", "cron(30 4 * * ? *)").replace("bin/nightly", "bin/nightly2")
    changed = changed.replace("} },\n}", "} },\n  hourly: { expression: 'rate(1 hour)', role_arn: '@ROLE' },\n}".replace("@ROLE", ROLE))
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


# --- against the sandbox ----------------------------------------------------------------------

import os  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import boto3  # noqa: E402

from hako_py.sandbox.seed import RUN_TASK  # noqa: E402
from hako_py.sandbox.server import Sandbox  # noqa: E402
from tests.conftest import unique  # noqa: E402


def client(service: str) -> Any:
    return cast(Any, boto3).client(service, region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


@pytest.fixture
def scheduled(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Callable[..., str]:
    """Write a batch definition with schedules (fresh cluster and app id), seeded in the sandbox."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    name = unique("job-")

    def write(schedules: str) -> str:
        path = f"apps/{name}.jsonnet"
        repo.write(path, batch(cluster, subnet, group, schedules=schedules))
        wanted = Wanted()
        wanted.add_app(check_file(path).app)
        seed(sandbox.url, wanted)
        return path

    return write


def app_id(path: str) -> str:
    return os.path.basename(path).rsplit(".", 1)[0]


def test_deploy_creates_updates_and_deletes_schedules_and_a_noop_writes_nothing(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    hourly = "  hourly: { expression: 'rate(1 hour)', role_arn: '@ROLE', enabled: false },\n}".replace("@ROLE", ROLE)
    path = scheduled(NIGHTLY.replace("} },\n}", "} },\n" + hourly))
    job = app_id(path)
    group = f"hako-{json.loads(hako('render', path).out)['runTask']['cluster']}"
    scheduler = client("scheduler")
    # what hako must leave alone: another app's schedule in the same group, this app's name in a group it did not create
    result = hako("deploy", path, "--no-verify")
    assert result.code == 0, result.err
    for step in (f"registered task definition {job}-oneshot:1", f"CreateScheduleGroup {group}",
                 f"CreateSchedule {group}/{job}.hourly (rate(1 hour))",
                 f"CreateSchedule {group}/{job}.nightly (cron(0 3 * * ? *))"):
        assert step in result.err, result.err
    nightly = scheduler.get_schedule(GroupName=group, Name=f"{job}.nightly")
    assert nightly["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert nightly["Target"]["Arn"].endswith(f":cluster/{json.loads(hako('render', path).out)['runTask']['cluster']}")
    assert nightly["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith(f":task-definition/{job}-oneshot:1")
    assert json.loads(nightly["Target"]["Input"])["containerOverrides"][0]["command"] == ["bin/nightly"]
    assert scheduler.get_schedule(GroupName=group, Name=f"{job}.hourly")["State"] == "DISABLED"
    assert {"Key": "hako:schedule-group", "Value": "managed"} in scheduler.list_tags_for_resource(
        ResourceArn=scheduler.get_schedule_group(Name=group)["Arn"])["Tags"]
    scheduler.create_schedule(Name=f"other-{job}.x", GroupName=group, ScheduleExpression="rate(1 day)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": "arn:aws:sqs:us-east-1:"
                              "123456789012:q", "RoleArn": ROLE})
    scheduler.create_schedule(Name=f"{job}.legacy", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={
        "Mode": "OFF"}, Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": ROLE})

    aws.reset()
    again = hako("deploy", path, "--no-verify")
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0
    same = hako("diff", path, "--exit-code")
    assert same.code == 0 and not same.out and f"no differences: {job} is as defined" in same.err

    path = scheduled(NIGHTLY.replace("cron(0 3 * * ? *)", "cron(30 4 ? * MON-FRI *)"))
    diff = hako("diff", path, "--exit-code")
    assert diff.code == 2
    assert '-  "ScheduleExpression": "cron(0 3 * * ? *)",' in diff.out.splitlines(), diff.out
    assert f"--- live schedule {job}.hourly" in diff.out
    result = hako("deploy", path, "--no-verify")
    assert result.code == 0, result.err
    assert f"UpdateSchedule {group}/{job}.nightly (cron(30 4 ? * MON-FRI *))" in result.err
    assert f"DeleteSchedule {group}/{job}.hourly (not in the definition)" in result.err
    assert "RegisterTaskDefinition" not in result.err and "registered" not in result.err
    names = {s["Name"] for s in scheduler.list_schedules(NamePrefix=job)["Schedules"]}
    assert names == {f"{job}.nightly", f"{job}.legacy"}
    assert scheduler.get_schedule(GroupName=group, Name=f"{job}.nightly")["ScheduleExpression"] == \
        "cron(30 4 ? * MON-FRI *)"

    removed = hako("remove", path, "--yes")
    assert removed.code == 0, removed.err
    assert f"DeleteSchedule {group}/{job}.nightly" in removed.err
    names = {s["Name"] for s in scheduler.list_schedules()["Schedules"] if job in s["Name"]}
    assert names == {f"{job}.legacy", f"other-{job}.x"}  # not hako's: kept


def test_hako_toml_sets_the_default_group_one_per_repository(hako: Hako, repo: Repo, scheduled: Any) -> None:
    group = unique("jobs-")
    (repo.root / "hako.toml").write_text(f'region = "us-east-1"\n[schedules]\ngroup = "{group}"\n')
    path = scheduled(NIGHTLY)
    job = app_id(path)
    result = hako("deploy", path, "--no-verify")
    assert result.code == 0, result.err
    assert f"CreateScheduleGroup {group}" in result.err and f"CreateSchedule {group}/{job}.nightly" in result.err
    scheduler = client("scheduler")
    assert {"Key": "hako:schedule-group", "Value": "managed"} in scheduler.list_tags_for_resource(
        ResourceArn=scheduler.get_schedule_group(Name=group)["Arn"])["Tags"]
    # a group the schedule names itself still wins
    own = unique("own-")
    path = scheduled(NIGHTLY.replace("retry:", f"group: '{own}', retry:"))
    moved = hako("deploy", path, "--no-verify")
    assert f"DeleteSchedule {group}/{job}.nightly (moves to group {own})" in moved.err, moved.err


@pytest.mark.parametrize(("setting", "message"), [
    ('group = "bad group"', "hako.toml: schedules.group: must be a schedule group name"),
    ('group = 3', "hako.toml: schedules.group: must be a schedule group name"),
    ('group = "{cluster}-' + "x" * 60 + '"', "schedules.nightly.group: the default group batch-" + "x" * 60
     + " is not a valid schedule group name"),
])
def test_hako_toml_default_group_is_checked(hako: Hako, repo: Repo, setting: str, message: str) -> None:
    (repo.root / "hako.toml").write_text(f"[schedules]\n{setting}\n")
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1
    assert message in result.out + result.err, result.out + result.err


def test_start_and_end_dates_and_the_kms_key_deploy_and_compare_as_instants(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    import datetime

    path = scheduled(NIGHTLY.replace("retry:", DATED + " retry:"))
    job = app_id(path)
    result = hako("deploy", path, "--no-verify")
    assert result.code == 0, result.err
    group = f"hako-{json.loads(hako('render', path).out)['runTask']['cluster']}"
    live = client("scheduler").get_schedule(GroupName=group, Name=f"{job}.nightly")
    assert live["StartDate"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    assert live["EndDate"] == datetime.datetime(2030, 7, 1, tzinfo=datetime.UTC)
    assert live["KmsKeyArn"] == KMS_KEY
    # the same instants written with other offsets: nothing to do
    path = scheduled(NIGHTLY.replace("retry:", DATED.replace("2030-01-01T09:00:00+09:00", "2030-01-01T00:00:00Z")
                                     .replace("2030-07-01T00:00:00Z", "2030-06-30T20:00:00-04:00") + " retry:"))
    aws.reset()
    same = hako("deploy", path, "--no-verify")
    assert same.code == 0 and "no changes" in same.err, same.err
    assert aws.requests()["writes"] == 0
    assert hako("diff", path, "--exit-code").code == 0
    # another end: diff and deploy say so; the dates show as instants in UTC
    path = scheduled(NIGHTLY.replace("retry:", DATED.replace("2030-07-01T00:00:00Z", "2031-01-01T00:00:00+09:00")
                                     + " retry:"))
    diff = hako("diff", path)
    assert '-  "EndDate": "2030-07-01T00:00:00+00:00",' in diff.out.splitlines(), diff.out
    assert '+  "EndDate": "2030-12-31T15:00:00+00:00",' in diff.out.splitlines(), diff.out
    changed = hako("deploy", path, "--no-verify")
    assert "nightly: end date" in changed.err, changed.err
    # no run before the start: the next runs begin on 2030-01-01 (Tokyo's 03:00 is 18:00 UTC the day before)
    listed = json.loads(hako("schedule", "list", path, "-o", "json").out)["schedules"]
    assert listed[0]["nextRuns"][0].startswith("2030-01-01T18:00:00")


def test_a_group_hako_did_not_create_is_refused(hako: Hako, scheduled: Any) -> None:
    group = unique("theirs-")
    client("scheduler").create_schedule_group(Name=group)
    path = scheduled(NIGHTLY.replace("retry:", f"group: '{group}', retry:"))
    result = hako("deploy", path, "--no-verify")
    assert result.code == 1
    assert f"schedule group {group} exists but hako did not create it" in result.err


def test_sandbox_scheduler_follows_aws_where_moto_does_not(aws: SandboxControl) -> None:
    from botocore.exceptions import ClientError

    scheduler = client("scheduler")
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": ROLE}
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        scheduler.create_schedule(Name="x", GroupName=unique("missing-"), ScheduleExpression="rate(1 day)",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    group = unique("g-")
    scheduler.create_schedule_group(Name=group)
    scheduler.create_schedule(Name="x", GroupName=group, ScheduleExpression="rate(1 day)", State="DISABLED",
                              ActionAfterCompletion="DELETE", FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    with pytest.raises(ClientError, match="ConflictException"):
        scheduler.create_schedule_group(Name=group)
    assert scheduler.get_schedule(GroupName=group, Name="x")["State"] == "DISABLED"  # the group kept its schedules
    scheduler.update_schedule(Name="x", GroupName=group, ScheduleExpression="rate(2 days)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    updated = scheduler.get_schedule(GroupName=group, Name="x")
    assert updated["State"] == "ENABLED" and "ActionAfterCompletion" not in updated  # a whole replacement
    schedule_arn = updated["Arn"]
    with pytest.raises(ClientError, match="ValidationException"):
        scheduler.tag_resource(ResourceArn=schedule_arn, Tags=[{"Key": "a", "Value": "b"}])


def wait_for(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def deployed_minutely(hako: Hako, scheduled: Any) -> tuple[str, str]:
    """A deployed app with a rate(1 minute) schedule, minutely: its definition's path and app id."""
    path = scheduled("{ minutely: { expression: 'rate(1 minute)', command: ['bin/tick'], role_arn: '@ROLE' } }"
                     .replace("@ROLE", ROLE))
    assert hako("deploy", path, "--no-verify").code == 0
    return path, app_id(path)


def fired_runs(aws: SandboxControl, name: str) -> list[dict[str, Any]]:
    """What the sandbox fired for schedule *name*, with the schedules' clock sped up until it did."""
    aws.call("POST", "settings", {"scheduleTimeScale": 120})  # a schedule's minute is half a second
    try:
        found: list[dict[str, Any]] = wait_for(lambda: [f for f in aws.call("GET", "schedules")["fired"]
                                                        if str(f["schedule"]).endswith(f"/{name}")])
    finally:
        aws.call("POST", "settings", {"scheduleTimeScale": 1})
    return found


def test_the_sandbox_fires_a_rate_schedule_and_history_shows_the_run(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    path, job = deployed_minutely(hako, scheduled)
    aws.call("POST", "next-task", {"exitCode": 3, "stopReason": "Essential container in task exited",
                                   "logLines": ["tick"], "family": f"{job}-oneshot"})
    fired = fired_runs(aws, f"{job}.minutely")
    assert fired[0]["taskArn"], fired
    history = wait_for(lambda: [r for r in json.loads(hako("schedule", "history", path, "-o", "json").out)["runs"]
                                if r["lastStatus"] == "STOPPED" and r["exitCode"] == 3])
    assert history[-1]["schedule"] == "minutely" and history[-1]["trigger"] == "schedule"
    text = hako("schedule", "history", path, "minutely").out
    assert "minutely [STOPPED] schedule task" in text and "exit code 3" in text
    tasks = client("ecs").describe_tasks(cluster=json.loads(hako("render", path).out)["runTask"]["cluster"],
                                         tasks=[fired[0]["taskArn"]])["tasks"]
    assert tasks[0]["startedBy"] == f"chronos-schedule/{job}.minutely"[:36]
    assert tasks[0]["group"] == f"hako:{job}:minutely"
    assert tasks[0]["overrides"]["containerOverrides"][0]["command"] == ["bin/tick"]
    status = hako("status", path)
    assert status.code == 0, status.err
    assert "minutely (hako-" in status.out and "ENABLED: rate(1 minute) UTC; next: " in status.out
    assert "schedule started" in status.out and "exit code 3" in status.out


def test_one_bad_schedule_does_not_stop_the_sandbox_firing_the_others(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    _, job = deployed_minutely(hako, scheduled)
    scheduler = client("scheduler")
    group = unique("g-")
    scheduler.create_schedule_group(Name=group)
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": ROLE}
    for name, expression in (("huge", "rate(99999999999999999999 days)"), ("zone", "rate(1 minute)")):
        scheduler.create_schedule(Name=name, GroupName=group, ScheduleExpression=expression,  # moto stores anything
                                  ScheduleExpressionTimezone="America" if name == "zone" else "UTC",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    fired = fired_runs(aws, f"{job}.minutely")
    assert fired[0]["taskArn"], fired
    assert not [f for f in aws.call("GET", "schedules")["fired"] if f"/{group}/" in str(f["schedule"])]


def test_schedule_run_starts_a_run_as_the_schedule_would_and_exits_with_its_code(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    path = scheduled(NIGHTLY)
    job = app_id(path)
    assert hako("schedule", "run", path, "nightly").code == 1  # not deployed yet
    assert hako("deploy", path, "--no-verify").code == 0
    aws.call("POST", "next-task", {"exitCode": 4, "logLines": ["nightly ran"], "family": f"{job}-oneshot"})
    result = hako("schedule", "run", path, "nightly", "--poll-interval", "0.05")
    assert result.code == 4, result.err
    assert "nightly ran" in result.out
    runs = json.loads(hako("schedule", "history", path, "nightly", "-o", "json").out)["runs"]
    assert runs[0]["trigger"] == "manual" and runs[0]["exitCode"] == 4


def test_diff_of_a_drifted_target_revision_shows_no_cluster_change(
        hako: Hako, scheduled: Any, aws: SandboxControl) -> None:
    path = scheduled(NIGHTLY)
    assert hako("deploy", path, "--no-verify").code == 0
    Path(path).write_text(Path(path).read_text().replace("tag: 'v1'", "tag: 'v2'"))
    result = hako("diff", path)
    changed = [line for line in result.out.splitlines() if line.startswith(("-", "+")) and '": ' in line]
    assert [line.split('"')[1] for line in changed] == ["TaskDefinitionArn", "TaskDefinitionArn"], result.out
    assert "{{cluster:" not in result.out, result.out


def test_a_schedule_run_stopped_by_sigint_names_hako_schedule_run(
        scheduled: Any, aws: SandboxControl, repo: Repo) -> None:
    import signal
    import sys

    path = scheduled(NIGHTLY)
    job = app_id(path)
    assert subprocess.run([sys.executable, "-m", "hako_py", "deploy", path, "--no-verify"], cwd=repo.root,
                          capture_output=True, env=os.environ).returncode == 0
    aws.call("POST", "next-task", {"exitCode": 0, "runSeconds": 30, "logLines": ["working"], "family": f"{job}-oneshot"})
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "schedule", "run", path, "nightly", "--poll-interval",
                                "0.05"], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=os.environ)
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("started task"):
            break
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert "received SIGINT: stopping task" in err, err
    runs = wait_for(lambda: [r for r in json.loads(subprocess.run(
        [sys.executable, "-m", "hako_py", "schedule", "history", path, "nightly", "-o", "json"], cwd=repo.root,
        capture_output=True, text=True, env=os.environ).stdout)["runs"] if r["lastStatus"] == "STOPPED"])
    assert runs[0]["stoppedReason"] == "hako schedule run received SIGINT"


def test_schedule_list_shows_next_runs_offline(hako: Hako, repo: Repo) -> None:
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    repo.write("apps/web.jsonnet", batch())
    result = hako("schedule", "list", "-o", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)["schedules"]
    assert [(s["app"], s["name"], s["timezone"]) for s in found] == [("job", "nightly", "Asia/Tokyo")]
    assert len(found[0]["nextRuns"]) == 3 and all(t.endswith("T18:00:00.000Z") for t in found[0]["nextRuns"])


def test_verify_checks_that_the_schedule_role_trusts_scheduler(hako: Hako, scheduled: Any) -> None:
    path = scheduled(NIGHTLY)  # seeding creates hako-scheduler trusting scheduler.amazonaws.com
    result = hako("verify", path)
    assert "[OK] schedule role hako-scheduler: trusts scheduler.amazonaws.com" in result.out, result.out
    assert "[OK] schedule role hako-scheduler may run the task: ecs:RunTask on " in result.out, result.out
    other = unique("ecs-only-")
    client("iam").create_role(RoleName=other, AssumeRolePolicyDocument=json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}))
    path = scheduled(NIGHTLY.replace("role/hako-scheduler", f"role/{other}"))
    result = hako("verify", path)
    assert result.code == 1
    assert f"[NG] schedule role {other}: does not trust scheduler.amazonaws.com" in result.out, result.out


def test_a_service_deploys_its_schedules_in_its_plan_after_the_service(hako: Hako, repo: Repo, aws: SandboxControl,
                                                                       sandbox: Sandbox) -> None:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, name = unique("c-"), unique("svc-")
    path = f"apps/{name}.jsonnet"
    repo.write(path, batch(cluster, unique("subnet-"), unique("sg-"), schedules=NIGHTLY).replace(
        "launch_type: 'FARGATE',", "launch_type: 'FARGATE', desired_count: 1,"))
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    seed(sandbox.url, wanted)
    group = f"hako-{cluster}"
    dry = hako("deploy", path, "--no-verify", "--dry-run")
    assert dry.code == 0, dry.err
    lines = [line.strip() for line in dry.err.splitlines()]
    sent = lines[lines.index("dry run: would send") + 1:]
    assert sent[:6] == [f"RegisterTaskDefinition family={name}",
                        f"CreateService {name} in cluster {cluster} (desiredCount=1)",
                        f"RegisterTaskDefinition family={name}-oneshot", f"CreateScheduleGroup {group}",
                        f"CreateSchedule {group}/{name}.nightly (cron(0 3 * * ? *))", "dry run: 5 writes not sent"]
    result = hako("deploy", path, "--no-verify", "--poll-interval", "0.02")
    assert result.code == 0, result.err
    nightly = client("scheduler").get_schedule(GroupName=group, Name=f"{name}.nightly")
    assert nightly["Target"]["Arn"].endswith(f":cluster/{cluster}")
    assert nightly["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith(f":task-definition/{name}-oneshot:1")
    aws.reset()
    again = hako("deploy", path, "--no-verify", "--poll-interval", "0.02")
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0


@pytest.mark.parametrize(("trust", "detail"), [
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"}},
      {"Effect": "Deny", "Action": "sts:*", "Principal": {"Service": "scheduler.amazonaws.com"}}],
     "[NG] schedule role @: its trust policy denies scheduler.amazonaws.com"),
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"},
       "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}],
     "[NG] schedule role @: trusts scheduler.amazonaws.com only for account 999999999999 (aws:SourceAccount), "
     "not 123456789012"),
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"},
       "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}],
     "[OK] schedule role @: trusts scheduler.amazonaws.com"),
    ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}},
      {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"}}],
     "[NG] schedule role @: its trust policy denies scheduler.amazonaws.com"),
])
def test_verify_reads_the_schedule_roles_trust_policy_deny_wins(
        hako: Hako, scheduled: Any, trust: list[dict[str, Any]], detail: str) -> None:
    role = unique("sched-")
    client("iam").create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Statement": trust}))
    client("iam").put_role_policy(RoleName=role, PolicyName="run", PolicyDocument=RUN_TASK)
    path = scheduled(NIGHTLY.replace("role/hako-scheduler", f"role/{role}"))
    result = hako("verify", path)
    assert detail.replace("@", role) in result.out, result.out
    assert result.code == (0 if detail.startswith("[OK]") else 1)


@pytest.mark.parametrize(("policy", "detail"), [
    (None, "ecs:RunTask on arn:aws:ecs:us-east-1:123456789012:task-definition/@-oneshot:* not allowed by its "
           "policies"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "ecs:Run*", "Resource": "arn:aws:ecs:*:*:task-definition/@-*"}]},
     "ecs:RunTask on arn:aws:ecs:us-east-1:123456789012:task-definition/@-oneshot:* denied by its policies"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecs:RunTask"], "Resource": "arn:aws:ecs:*:*:task-definition/@-*"}]},
     "ecs:RunTask on @-oneshot"),
])
def test_verify_checks_that_the_schedule_role_may_run_the_task(
        hako: Hako, scheduled: Any, policy: dict[str, Any] | None, detail: str) -> None:
    role = unique("sched-")
    client("iam").create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"}}]}))
    path = scheduled(NIGHTLY.replace("role/hako-scheduler", f"role/{role}"))
    job = app_id(path)
    if policy is not None:
        client("iam").put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(policy).replace("@", job))
    result = hako("verify", path)
    status = "[OK]" if policy is not None and "Deny" not in json.dumps(policy) else "[NG]"
    assert f"{status} schedule role {role} may run the task: {detail.replace('@', job)}" in result.out, result.out
    assert result.code == (0 if status == "[OK]" else 1)


def test_a_role_or_queue_of_another_account_is_a_warning_in_validate_and_review(hako: Hako, repo: Repo) -> None:
    repo.write("hako.toml", 'region = "us-east-1"\naccount_id = "123456789012"\n')
    repo.write("apps/job.jsonnet", batch(schedules=NIGHTLY))
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(repo.root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    other = NIGHTLY.replace("123456789012", "999999999999").replace(
        "retry:", "dead_letter_queue: 'arn:aws:sqs:us-east-1:999999999999:dlq', retry:")
    repo.write("apps/job.jsonnet", batch(schedules=other))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 0
    assert ("schedules.nightly.role_arn: warning: the schedule's role is in account 999999999999, not the deploy's "
            "account 123456789012") in result.out + result.err
    assert "schedules.nightly.dead_letter_queue: warning: the schedule's dead-letter queue is in account " \
           "999999999999" in result.out + result.err
    review = json.loads(hako("diff", "--base", "main", "--format", "json").out)
    app = next(a for a in review["apps"] if a["file"].endswith("job.jsonnet"))
    assert any("role is in account 999999999999" in w for w in app["changes"]["warnings"]), app


def test_schedules_key_emptied_deletes_the_apps_schedules_and_no_key_reads_no_scheduler(
        hako: Hako, repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> None:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, name = unique("c-"), unique("svc-")
    path = f"apps/{name}.jsonnet"

    def service(schedules: str) -> str:
        return batch(cluster, "subnet-e1", "sg-e1", schedules=schedules).replace(
            "launch_type: 'FARGATE',", "launch_type: 'FARGATE', desired_count: 1,")

    repo.write(path, service(NIGHTLY))
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    seed(sandbox.url, wanted)
    group = f"hako-{cluster}"
    assert hako("deploy", path, "--no-verify", "--poll-interval", "0.02").code == 0
    assert client("scheduler").get_schedule(GroupName=group, Name=f"{name}.nightly")["State"] == "ENABLED"
    # `schedules: {}`: the app still manages its schedules, and has none
    repo.write(path, service("{}"))
    emptied = hako("deploy", path, "--no-verify", "--poll-interval", "0.02")
    assert emptied.code == 0, emptied.err
    assert f"DeleteSchedule {group}/{name}.nightly" in emptied.err, emptied.err
    names = [s["Name"] for s in client("scheduler").list_schedules(GroupName=group)["Schedules"]]
    assert f"{name}.nightly" not in names
    # no `schedules` key: nothing of EventBridge Scheduler is read (no permission needed for it)
    repo.write(path, service("{}").replace("schedules: {},", ""))
    aws.reset()
    plain = hako("deploy", path, "--no-verify", "--poll-interval", "0.02")
    assert plain.code == 0 and "no changes" in plain.err, plain.err
    assert not [op for op in aws.requests()["byOperation"] if op.startswith("scheduler.")], aws.requests()
