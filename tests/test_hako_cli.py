"""The command line a hako 2.18 user types, through the real CLI against the sandbox.

What each option does in the original is in hako's ``lib/hako/cli.rb`` (v2.18.0, cited per
test; the research notes' CLI.md quotes its help): scripts and fingers used to it must keep
working when ``hako`` is hako-py.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import pytest

from hako_py import __version__
from tests.conftest import Deployable, Hako, Job, SandboxControl, family

POLL = ("--poll-interval", "0.05")


def ecs_client() -> Any:
    return boto3.client("ecs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def test_bare_hako_prints_help_and_exits_0(hako: Hako) -> None:
    """cli.rb:30-35: no arguments print the help on stdout, exit 0 (click's default is exit 2)."""
    result = hako()
    assert result.code == 0
    assert result.out.startswith("Usage: hako ") and "Commands:" in result.out
    assert result.err == ""


@pytest.mark.parametrize("flag", ["-v", "-V", "--version"])
def test_top_level_v_is_the_version(hako: Hako, flag: str) -> None:
    """cli.rb:46: OptionParser answers ``hako -v`` with the version (and ``hako deploy -v`` is verbose)."""
    result = hako(flag)
    assert result.code == 0 and __version__ in result.out


def test_deploy_short_flags(hako: Hako, deployable: Deployable, aws: SandboxControl) -> None:
    """cli.rb:64-106: ``-n`` dry run (no write), ``-f`` a new deployment though nothing changed
    (hako registers a revision, ecs.rb:508-510; hako-py reuses an identical latest one, see
    README), ``-v`` verbose."""
    path = deployable()
    aws.reset()
    dry = hako("deploy", path, "-n")
    assert dry.code == 0, dry.err
    assert aws.requests()["writes"] == 0
    first = hako("deploy", path, *POLL)
    assert first.code == 0, first.err
    same = hako("deploy", path, *POLL)
    assert same.code == 0 and "no changes" in same.err.lower(), same.err
    aws.reset()
    forced = hako("deploy", path, "-f", "-v", "--no-wait")
    assert forced.code == 0, forced.err
    assert "Verifying" in forced.err  # -v: the details
    assert "forceNewDeployment" in forced.err  # -f: a new deployment though nothing changed
    assert aws.requests()["byOperation"].get("ecs.UpdateService") == 1


def _cluster(path: str) -> str:
    from hako_py.pipeline import check_file

    return str(check_file(path).app.cluster)


@pytest.mark.parametrize("command", ["rollback", "stop", "remove"])
def test_dry_run_is_n_everywhere(hako: Hako, deployable: Deployable, aws: SandboxControl, command: str) -> None:
    """cli.rb:108-147, 260-316: rollback, remove and stop take ``-n``; rollback also ``-v``."""
    path = deployable()
    assert hako("deploy", path, "--no-wait").code == 0
    aws.reset()
    extra = ("-v",) if command == "rollback" else ()
    result = hako(command, path, "-n", *extra)
    assert result.code in (0, 1), result.err  # rollback: no previous revision to go back to is an error
    assert "no such option" not in result.err.lower()
    assert aws.requests()["writes"] == 0


def test_oneshot_app_resources_reach_run_task(hako: Hako, job: Job, aws: SandboxControl) -> None:
    """cli.rb:168-176 and ecs.rb:754-807: --app-cpu, --app-memory and --app-memory-reservation
    become the app container's cpu, memory and memoryReservation overrides."""
    path = job()
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "runSeconds": 0})
    result = hako("oneshot", path, "--no-wait", "--app-cpu", "1024", "--app-memory", "2048",
                  "--app-memory-reservation", "1536", "run")
    assert result.code == 0, result.err
    line = json.loads(result.out.splitlines()[-1])
    task = ecs_client().describe_tasks(cluster=line["cluster"], tasks=[line["task_arn"]])["tasks"][0]
    container = task["overrides"]["containerOverrides"][0]
    assert (container["cpu"], container["memory"], container["memoryReservation"]) == (1024, 2048, 1536)
    assert task["overrides"]["memory"] == "2048"  # above the task's 1024: the task grows with it
    bad = hako("oneshot", path, "--app-cpu", "abc", "run")
    assert bad.code == 2 and "--app-cpu" in bad.err
    too_much = hako("oneshot", path, "--app-memory", "512", "--app-memory-reservation", "1024", "run")
    assert too_much.code == 2 and "more than --memory" in too_much.err


def test_oneshot_no_wait_line_reads_as_hakos(hako: Hako, job: Job) -> None:
    """ecs.rb:266-269: ``puts JSON.dump({cluster:, task_arn:})`` is the last stdout line; a script
    reading it (``jq -r .task_arn``, or the text up to the first comma) reads ours the same."""
    path = job()
    result = hako("oneshot", path, "--no-wait", "true")
    assert result.code == 0, result.err
    line = result.out.splitlines()[-1]
    arn = json.loads(line)["task_arn"]
    assert line.startswith(f'{{"cluster":"{_cluster(path)}","task_arn":"{arn}",')
    assert arn.startswith("arn:aws:ecs:us-east-1:") and ":task/" in arn


def test_oneshot_dry_run_sends_no_aws_request(hako: Hako, job: Job, aws: SandboxControl) -> None:
    """ecs.rb:241-255: hako's oneshot dry-run prints and returns 0 without a request; so does ours
    (no preflight, no DescribeTaskDefinition): not one request reaches the sandbox."""
    path = job()
    assert hako("oneshot", path, "--no-wait", "true").code == 0  # a live family: still not looked up
    aws.reset()
    result = hako("oneshot", path, "-n", "--app-memory-reservation", "128", "bin/job")
    assert result.code == 0, result.err
    assert aws.requests()["total"] == 0, aws.requests()
    request = json.loads(result.out)
    assert request["taskDefinition"] == family(path)
    assert request["overrides"]["containerOverrides"][0] == {"name": "app", "command": ["bin/job"],
                                                              "memoryReservation": 128}
