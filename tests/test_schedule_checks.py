"""Issue 19's outside-tester defects in checking ``schedules``: time zone names that are host
files or folders, unbounded rate values and increments, Unicode digits, task-size overrides
ECS would refuse at each run; and that one bad schedule breaks only its own app in review.
(The sandbox side, one bad schedule not stopping the others firing: tests/test_schedules.py.)"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import Hako, Repo
from tests.test_schedules import ROLE, batch


def one(fields: str) -> str:
    return batch(schedules="{ s: { role_arn: '@ROLE', @FIELDS } }".replace("@ROLE", ROLE).replace("@FIELDS", fields))


@pytest.mark.parametrize(("fields", "message"), [
    # time zones: folders and host files are not zones AWS knows (they crashed with IsADirectoryError)
    ("expression: 'rate(1 hour)', timezone: 'America'", "schedules.s.timezone: unknown time zone 'America'"),
    ("expression: 'rate(1 hour)', timezone: 'Asia'", "schedules.s.timezone: unknown time zone 'Asia'"),
    ("expression: 'rate(1 hour)', timezone: 'localtime'", "schedules.s.timezone: unknown time zone 'localtime'"),
    ("expression: 'rate(1 hour)', timezone: 'Factory'", "schedules.s.timezone: unknown time zone 'Factory'"),
    ("expression: 'rate(1 hour)', timezone: 'posixrules'", "schedules.s.timezone: unknown time zone 'posixrules'"),
    ("expression: 'rate(1 hour)', timezone: 'right/UTC'", "schedules.s.timezone: unknown time zone 'right/UTC'"),
    ("expression: 'rate(1 hour)', timezone: 'posix/Asia/Tokyo'", "unknown time zone 'posix/Asia/Tokyo'"),
    # rate values bounded; increments within their field; ASCII digits only
    ("expression: 'rate(3000000 days)'", "schedules.s.expression: rate(3000000 days): 3000000 days is longer than "
                                         "AWS's calendar (1970-2199): at most 84006 days"),
    ("expression: 'rate(99999999999999999999 days)'", "schedules.s.expression: rate(99999999999999999999 days): "),
    ("expression: 'cron(0 0 1 * ? 1970/99999999999999999999)'",
     "schedules.s.expression: year: the increment in '1970/99999999999999999999' is out of range (1-230)"),
    ("expression: 'cron(0/61 * * * ? *)'", "schedules.s.expression: minutes: the increment in '0/61' is out of "
                                           "range (1-60)"),
    ("expression: 'rate(１ hour)'", "schedules.s.expression: 'rate(１ hour)' has characters other than ASCII"),
    ("expression: 'cron(0 ３ * * ? *)'", "schedules.s.expression: 'cron(0 ３ * * ? *)' has characters other"),
    # task-size overrides: the task's own rules (Fargate combinations here)
    ("expression: 'rate(1 hour)', cpu: '99999999999 vCPU', memory: 3",
     "schedules.s.cpu: the run's cpu 102399999998976 is not a Fargate CPU size"),
    ("expression: 'rate(1 hour)', memory: 3", "schedules.s.memory: the run's memory 3 MiB is not valid with cpu 256 "
                                              "on Fargate (valid: 512, 1024, 2048)"),
    ("expression: 'rate(1 hour)', cpu: '1 vCPU'", "schedules.s.cpu: the run's memory 512 MiB is not valid with cpu "
                                                  "1024 on Fargate"),
    ("expression: 'rate(1 hour)', cpu: '１０２４'", "schedules.s.cpu: '１０２４' is not a task cpu amount"),
])
def test_schedule_problems_are_located_errors(hako: Hako, repo: Repo, fields: str, message: str) -> None:
    repo.write("apps/job.jsonnet", one(fields))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1, result.err
    assert message in result.out + result.err


def test_fitting_overrides_and_real_zones_pass(hako: Hako, repo: Repo) -> None:
    repo.write("apps/job.jsonnet", one("expression: 'rate(84006 days)', timezone: 'America/Argentina/Buenos_Aires', "
                                       "cpu: '1 vCPU', memory: '2 GB'"))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 0, result.out + result.err


def test_task_sizes_and_role_arns_take_ascii_digits_only(hako: Hako, repo: Repo) -> None:
    text = batch(schedules="{ s: { expression: 'rate(1 hour)', role_arn: '@R' } }".replace(
        "@R", ROLE.replace("123456789012", "１２３４５６７８９０１２")))
    repo.write("apps/job.jsonnet", text.replace("cpu: '256'", "cpu: '２５６'"))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1
    assert "scheduler.cpu: must be a number or a string like '1 vCPU', got '２５６'" in result.out + result.err
    assert "schedules.s.role_arn: " in result.out + result.err and "is not an IAM role ARN" in result.out + result.err


def git(root: Any, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True,
                   capture_output=True)


def test_a_bad_time_zone_breaks_only_its_app_in_review(hako: Hako, repo: Repo) -> None:
    repo.write("apps/job.jsonnet", batch(schedules="{}"))
    repo.write("apps/other.jsonnet", batch(schedules="{}"))
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-qm", "base")
    repo.write("apps/job.jsonnet", one("expression: 'rate(1 hour)', timezone: 'America'"))
    repo.write("apps/other.jsonnet", batch(schedules="{}").replace("tag: 'v1'", "tag: 'v2'"))
    result = hako("diff", "--base", "main", "--format", "markdown")
    assert result.code == 1, result.err
    assert "apps/job.jsonnet</code> | broken" in result.out and "unknown time zone" in result.out
    assert "apps/other.jsonnet</code> | changed" in result.out, result.out
    validate = hako("validate", "apps/")
    assert validate.code == 1 and "apps/job.jsonnet: schedules.s.timezone: unknown time zone 'America'" in \
        validate.out + validate.err


def test_schedule_list_lists_the_others_when_one_definition_is_broken(hako: Hako, repo: Repo) -> None:
    repo.write("apps/aaa-broken.jsonnet", "{ scheduler: 1 }")
    repo.write("apps/job.jsonnet", one("expression: 'rate(1 hour)'"))
    result = hako("schedule", "list")
    assert result.code == 1
    assert "apps/job.jsonnet: s: rate(1 hour) UTC; next: " in result.out, result.out
    assert "apps/aaa-broken.jsonnet: scheduler: must be an object, got 1" in result.err
    assert "1 definition(s) broken, their schedules not listed: apps/aaa-broken.jsonnet" in result.err
    listed = hako("schedule", "list", "-o", "json")
    assert listed.code == 1
    report = json.loads(listed.out)
    assert [s["app"] for s in report["schedules"]] == ["job"]
    assert report["broken"][0]["file"] == "apps/aaa-broken.jsonnet" and "must be an object" in \
        report["broken"][0]["error"]


def test_an_app_named_like_another_apps_oneshot_family_is_refused(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", one("expression: 'rate(1 hour)'"))
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-qm", "base")
    repo.write("apps/web-oneshot.jsonnet", batch())
    result = hako("validate", "apps/web-oneshot.jsonnet")
    assert result.code == 1
    assert ("apps/web-oneshot.jsonnet: app id 'web-oneshot' (the file name) is the task definition family "
            "apps/web.jsonnet's oneshot runs and schedules register (web-oneshot)") in result.out + result.err
    assert hako("validate", "apps/web.jsonnet").code == 0
    review = hako("diff", "--base", "main", "--format", "markdown")
    assert "apps/web-oneshot.jsonnet</code> | broken" in review.out and "apps/web.jsonnet&#39;s oneshot" in review.out
