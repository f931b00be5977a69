"""hako oneshot against the sandbox over HTTP, through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import Hako, Job, Repo, SandboxControl, family

POLL = ("--poll-interval", "0.05")


def next_task(aws: SandboxControl, path: str, **outcome: Any) -> None:
    aws.call("POST", "next-task", {"family": family(path), **outcome})


def ecs_client() -> Any:
    return boto3.client("ecs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


@pytest.mark.parametrize("code", [0, 1, 3, 255])
def test_exit_code_and_output_streams(hako: Hako, job: Job, aws: SandboxControl, code: int) -> None:
    path = job()
    next_task(aws, path, exitCode=code, logLines=["first line", "second line"], runSeconds=0.2)
    result = hako("oneshot", path, *POLL, "--", "bin/job", "--flag")
    assert result.code == code
    assert result.out == "first line\nsecond line\n"
    assert "started task" in result.err and f"container app: exit code {code}" in result.err
    assert "first line" not in result.err


def test_no_exit_code_gives_127_with_reasons(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    next_task(aws, path, exitCode=None, stopReason="Host EC2 (instance i-123) terminated.", runSeconds=0.1)
    result = hako("oneshot", path, *POLL, "true")
    assert result.code == 127
    assert "Host EC2 (instance i-123) terminated." in result.err
    assert "container app: exit code none" in result.err


@pytest.mark.parametrize("mode", ["failure", "pull-error"])
def test_task_that_cannot_start_gives_125(hako: Hako, job: Job, aws: SandboxControl, mode: str,
                                          tmp_path: Path) -> None:
    path = job()
    reason = "RESOURCE:MEMORY" if mode == "failure" else "CannotPullContainerError: pull access denied"
    aws.call("POST", "fail-next-start", {"reason": reason, "mode": mode})
    result_file = tmp_path / "result.json"
    result = hako("oneshot", path, *POLL, "--result-file", str(result_file), "true")
    assert result.code == 125
    assert reason in result.err
    assert json.loads(result_file.read_text())["exitCode"] == 125


def test_transient_run_task_failures_are_retried(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    aws.call("POST", "fail-next-start", {"reason": "Too many concurrent attempts to run tasks", "mode": "failure"})
    next_task(aws, path, exitCode=0, runSeconds=0.1)
    aws.reset()
    result = hako("oneshot", path, *POLL, "true")
    assert result.code == 0, result.err
    assert "retrying" in result.err
    assert aws.requests()["byOperation"]["ecs.RunTask"] == 2


def test_timeout_stops_the_task_and_gives_124(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    next_task(aws, path, exitCode=0, runSeconds=30)
    result = hako("oneshot", path, *POLL, "--timeout", "0.5", "--result-file", "r.json", "sleep", "30")
    assert result.code == 124
    assert "timed out after 0.5s" in result.err
    summary = json.loads(Path("r.json").read_text())
    task = ecs_client().describe_tasks(cluster=summary["cluster"], tasks=[summary["taskArn"]])["tasks"][0]
    assert task["lastStatus"] == "STOPPED" and task["stopCode"] == "UserInitiated"
    assert "timed out" in task["stoppedReason"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_task(job: Job, aws: SandboxControl, repo: Repo,
                               signum: signal.Signals) -> None:
    path = job()
    next_task(aws, path, exitCode=0, runSeconds=30, logLines=["working"] * 3)
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "oneshot", path, *POLL, "--result-file", "r.json",
                                "sleep", "30"], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=os.environ)
    assert process.stderr is not None
    seen = ""
    for line in process.stderr:
        seen += line
        if line.startswith("started task"):
            break
    time.sleep(0.3)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert f"received {signum.name}: stopping task" in err, seen + err
    assert process.returncode == 143  # the app container's exit code after ECS stopped it
    summary = json.loads((repo.root / "r.json").read_text())
    task = ecs_client().describe_tasks(cluster=summary["cluster"], tasks=[summary["taskArn"]])["tasks"][0]
    assert task["lastStatus"] == "STOPPED"
    assert task["stoppedReason"] == f"hako oneshot received {signum.name}"


def test_every_log_line_once_in_order(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    lines = [f"line {i:05d} " + "x" * (i % 40) for i in range(4000)]
    next_task(aws, path, exitCode=0, runSeconds=1.5, logLines=lines)
    result = hako("oneshot", path, "--poll-interval", "0.1", "true")
    assert result.code == 0
    assert result.out.splitlines() == lines


def test_pages_end_at_1_mb_and_the_follower_reads_them_all(hako: Hako, job: Job,
                                                          aws: SandboxControl) -> None:
    """CloudWatch ends a GetLogEvents page at 1 MB (or 10,000 events); the sandbox did at 10,000
    events only, so a follower was never shown a page boundary inside big output."""
    path = job()
    lines = [f"{n:04d}" + "x" * 120_000 for n in range(20)]  # 2.4 MB: 8 lines fit in a 1 MB page
    next_task(aws, path, logLines=lines, runSeconds=0.2)
    result = hako("oneshot", path, *POLL)
    assert result.code == 0, result.err
    assert result.out.splitlines() == lines
    task_id = ecs_client().list_tasks(cluster=json.loads(hako("render", path).out)["runTask"]["cluster"],
                                      family=family(path), desiredStatus="STOPPED")["taskArns"][0].rsplit("/", 1)[-1]
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")
    pages, token = [], None
    while True:
        more: dict[str, Any] = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName="/ecs/batch", logStreamName=f"batch/app/{task_id}",
                                   startFromHead=True, **more)
        if page["nextForwardToken"] == token:
            break
        pages.append([e["message"] for e in page["events"]])
        token = page["nextForwardToken"]
    assert [line for page in pages for line in page] == lines
    assert len(pages) == 3 and all(sum(len(m.encode()) + 26 for m in page) <= 1_048_576 for page in pages)


def test_an_empty_page_is_not_the_end_of_the_stream(hako: Hako, job: Job,
                                                    aws: SandboxControl) -> None:
    """GetLogEvents may answer an empty page while more events follow (the end is the answer that
    returns the token it was given); the follower took the first empty page for the end of what
    was there, and after the task stopped lost the pages behind it."""
    path = job()
    lines = [f"line {n:04d} " + "x" * 400 for n in range(8_000)]  # 3.3 MB: four pages
    next_task(aws, path, logLines=lines, runSeconds=0)
    aws.call("POST", "settings", {"logEmptyPages": 3})
    try:  # polled once a second, the task has stopped before the pages are read: the drain reads them
        result = hako("oneshot", path, "--poll-interval", "1")
    finally:
        aws.call("POST", "settings", {"logEmptyPages": 0})
    assert result.code == 0, result.err
    assert result.out.splitlines() == lines


def test_command_arguments_that_look_like_options(hako: Hako, job: Job) -> None:
    path = job()
    plain = json.loads(hako("oneshot", path, "--dry-run", "bundle", "exec", "rake", "-T").out)
    assert plain["overrides"]["containerOverrides"][0]["command"] == ["bundle", "exec", "rake", "-T"]
    mixed = json.loads(hako("oneshot", "-e", "A=1", path, "--dry-run", "--cpu", "128", "rake", "-t", "x",
                            "--dry-run").out)
    override = mixed["overrides"]["containerOverrides"][0]
    assert override["command"] == ["rake", "-t", "x", "--dry-run"]
    assert override["environment"] == [{"name": "A", "value": "1"}]
    assert override["cpu"] == 128
    dashed = json.loads(hako("oneshot", path, "--dry-run", "--", "--help").out)
    assert dashed["overrides"]["containerOverrides"][0]["command"] == ["--help"]


def test_overrides_reach_run_task(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    next_task(aws, path, exitCode=0, runSeconds=0.1)
    result = hako("oneshot", path, *POLL, "-e", "A=1", "-e", "B=two", "--cpu", "1024", "--memory", "2048",
                  "--result-file", "r.json", "run", "it")
    assert result.code == 0
    summary = json.loads(Path("r.json").read_text())
    task = ecs_client().describe_tasks(cluster=summary["cluster"], tasks=[summary["taskArn"]])["tasks"][0]
    overrides = task["overrides"]
    container = overrides["containerOverrides"][0]
    assert container == {"name": "app", "command": ["run", "it"], "cpu": 1024, "memory": 2048,
                         "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "two"}]}
    assert overrides["cpu"] == "1024" and overrides["memory"] == "2048"
    assert task["startedBy"] == "hako-oneshot"


def test_sidecar_selection_brings_dependencies(hako: Hako, job: Job) -> None:
    path = job(sidecars="""{
      proxy: { image_tag: 'proxy:1', memory: 64, depends_on: [{ container_name: 'config', condition: 'SUCCESS' }] },
      config: { image_tag: 'config:1', memory: 32, essential: false },
      unrelated: { image_tag: 'other:1', memory: 32 },
    }""")
    result = hako("oneshot", path, *POLL, "-c", "proxy", "--", "true")
    arn = result.err.split("task definition ")[1].split()[0] if "registered task definition" in result.err else None
    assert arn is not None, result.err
    td = ecs_client().describe_task_definition(taskDefinition=arn)["taskDefinition"]
    assert sorted(c["name"] for c in td["containerDefinitions"]) == ["app", "config", "proxy"]
    unknown = hako("oneshot", path, "-c", "nope", "true")
    assert unknown.code == 125 and "no container named nope" in unknown.err


def test_no_wait_prints_the_task(hako: Hako, job: Job) -> None:
    path = job()
    result = hako("oneshot", path, "--no-wait", "true")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) == {"cluster", "taskArn", "taskDefinitionArn"}
    assert data["taskDefinitionArn"].endswith(f"{family(path)}:1")


def test_attach_key_attaches_instead_of_starting_again(hako: Hako, job: Job, aws: SandboxControl,
                                                       repo: Repo) -> None:
    path = job()
    # 6 s: the second command must find the task still running, on a loaded machine too
    next_task(aws, path, exitCode=7, runSeconds=6, logLines=[f"step {i}" for i in range(5)])
    first = subprocess.Popen([sys.executable, "-m", "hako_py", "oneshot", path, *POLL, "--attach-key", "nightly-42",
                              "run"], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=os.environ)
    assert first.stderr is not None
    for line in first.stderr:
        if line.startswith("started task"):
            break
    aws.reset()
    second = hako("oneshot", path, *POLL, "--attach-key", "nightly-42", "run")
    out, _ = first.communicate(timeout=30)
    assert first.returncode == 7
    assert second.code == 7
    assert "attached to running task" in second.err
    assert second.out == out == "".join(f"step {i}\n" for i in range(5))
    assert "ecs.RunTask" not in aws.requests()["byOperation"]


def test_family_is_registered_only_on_change(hako: Hako, job: Job, aws: SandboxControl,
                                             repo: Repo) -> None:
    path = job()
    first = hako("oneshot", path, "--no-wait", "true")
    assert "registered task definition" in first.err
    second = hako("oneshot", path, "--no-wait", "true")
    assert "task definition unchanged" in second.err
    third = hako("oneshot", path, "--no-wait", "--no-verify", "--tag", "v2", "true")
    assert f"registered task definition {family(path)}:2" in third.err


def test_without_awslogs_says_so(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job(awslogs=False)
    next_task(aws, path, exitCode=0, runSeconds=0.1)
    result = hako("oneshot", path, *POLL, "true")
    assert result.code == 0
    assert "does not use the awslogs driver" in result.err
    assert result.out == ""


def test_stdout_redirect_captures_only_job_output(job: Job, aws: SandboxControl, repo: Repo) -> None:
    path = job()
    next_task(aws, path, exitCode=0, runSeconds=0.2, logLines=["only this"])
    with open(repo.root / "out.txt", "w") as out:
        code = subprocess.run([sys.executable, "-m", "hako_py", "oneshot", path, *POLL, "true"], cwd=repo.root,
                              stdout=out, stderr=subprocess.PIPE, env=os.environ).returncode
    assert code == 0
    assert (repo.root / "out.txt").read_text() == "only this\n"


@pytest.mark.parametrize(("code", "shown"), [(256, "256 (0x00000100)"), (3221225477, "3221225477 (0xC0000005)"),
                                             (-1, "-1 (0xFFFFFFFF)")])
def test_exit_codes_outside_0_255_never_become_success(hako: Hako, job: Job, aws: SandboxControl,
                                                       tmp_path: Path, code: int, shown: str) -> None:
    # Windows containers report NTSTATUS values such as 3221225477 (0xC0000005); 256 % 256 == 0.
    path = job()
    next_task(aws, path, exitCode=code, runSeconds=0.1)
    result_file = tmp_path / "result.json"
    result = hako("oneshot", path, *POLL, "--result-file", str(result_file), "true")
    assert result.code == 1
    assert f"the app's exit code {shown} does not fit an exit status (0-255); exiting 1" in result.err
    summary = json.loads(result_file.read_text())
    assert summary["exitCode"] == 1 and summary["containerExitCode"] == code


def test_result_file_in_a_missing_folder_is_refused_before_anything_starts(
        hako: Hako, job: Job, aws: SandboxControl, tmp_path: Path) -> None:
    path = job()
    aws.reset()
    result = hako("oneshot", path, *POLL, "--result-file", str(tmp_path / "missing" / "r.json"), "true")
    assert result.code == 2
    assert "--result-file" in result.err and "does not exist" in result.err
    assert aws.requests()["byOperation"].get("ecs.RunTask") is None


@pytest.mark.parametrize("case", ["unreachable", "invalid-definition", "invalid-key", "script", "usage"])
def test_failures_of_hako_before_the_task_started_exit_125(hako: Hako, job: Job, repo: Repo,
                                                           case: str) -> None:
    """A scheduler must tell "the job failed" (often 1) from "hako could not run it" (issue 15)."""
    path = job()
    env: dict[str, str] = {}
    args = ["--no-verify"]
    if case == "unreachable":
        env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    elif case == "invalid-definition":
        repo.write(path, (repo.root / path).read_text().replace("memory: 256,", "memory: 'lots',"))
    elif case == "invalid-key":
        env = {"AWS_ACCESS_KEY_ID": "INVALIDKEY", "AWS_SECRET_ACCESS_KEY": "x"}
    elif case == "script":
        scripts = "scripts: [{ type: 'jenkins_tag', job: 'j' }],\n      sidecars:"
        repo.write(path, (repo.root / path).read_text().replace("sidecars:", scripts))
    else:
        args = ["--no-verify", "--env", "NOVALUE"]
    result = hako("oneshot", *args, path, *POLL, "true", env=env)
    assert result.code == (2 if case == "usage" else 125), (result.code, result.err)
    assert "internal error" not in result.err and "started task" not in result.err
