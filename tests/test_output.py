"""Output people and scripts can use (issue 15): one JSON document on stdout with --output json,
human progress on stderr, ISO 8601 timestamps, no Python None, quiet preflights and warnings
said once, where they belong."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import POLL, Deployable, Hako, Job, Repo, SandboxControl, family

NONE_WORD = re.compile(r"\bNone\b")
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")
ENVELOPE = {"command", "file", "app", "cluster", "result", "message", "exitCode", "startedAt", "finishedAt",
            "durationSeconds", "warnings"}


def document(result: Any) -> dict[str, Any]:
    """stdout holds exactly one JSON document."""
    data: dict[str, Any] = json.loads(result.out)
    assert isinstance(data, dict), result.out
    return data


def assert_envelope(data: dict[str, Any], command: str, code: int) -> None:
    assert set(data) >= ENVELOPE, sorted(ENVELOPE - set(data))
    assert data["command"] == command and data["exitCode"] == code
    assert ISO_8601.match(data["startedAt"]) and ISO_8601.match(data["finishedAt"]), data
    assert isinstance(data["durationSeconds"], float | int) and data["durationSeconds"] >= 0


def cluster_of(repo: Repo, path: str) -> str:
    return (repo.root / path).read_text().split("cluster: '")[1].split("'")[0]


# --- progress on stderr, one JSON document on stdout ------------------------------------------

def test_deploy_progress_is_on_stderr_and_json_on_stdout(hako: Hako, deployable: Deployable,
                                                         repo: Repo) -> None:
    path = deployable(name="jsondeploy")
    first = hako("deploy", path, *POLL)
    assert first.code == 0, first.err
    assert first.out == ""
    assert "deployment completed: service jsondeploy runs jsondeploy:1" in first.err
    deployable(name="jsondeploy", env="{ MODE: 'two' }")
    second = hako("deploy", path, "--output", "json", *POLL)
    assert second.code == 0, second.err
    data = document(second)
    assert_envelope(data, "deploy", 0)
    assert data["file"] == path and data["app"] == "jsondeploy" and data["cluster"] == cluster_of(repo, path)
    assert data["result"] == "deployed"
    assert data["taskDefinition"]["before"].endswith(":task-definition/jsondeploy:1")
    assert data["taskDefinition"]["after"].endswith(":task-definition/jsondeploy:2")
    assert [w["operation"] for w in data["writes"]] == ["RegisterTaskDefinition", "UpdateService"]
    assert data["dryRun"] is False
    assert data["rollout"]["state"] == "COMPLETED"
    assert data["verification"]["passed"] is True and data["verification"]["checks"]
    assert set(data["timings"]) == {"verifySeconds", "rolloutSeconds"}
    assert "deployment completed" in second.err  # people still see the progress
    again = document(hako("deploy", path, "-o", "json", *POLL))
    assert (again["result"], again["writes"], again["taskDefinition"]["before"]) == (
        "unchanged", [], data["taskDefinition"]["after"])


def test_failed_deploy_json_says_rolled_back(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                             repo: Repo) -> None:
    path = deployable(name="jsonfail")
    assert hako("deploy", path, *POLL).code == 0
    deployable(name="jsonfail", env="{ MODE: 'broken' }")
    aws.call("POST", "fail-next-rollout", {"service": "jsonfail", "cluster": cluster_of(repo, path)})
    result = hako("deploy", path, "-q", "--output", "json", *POLL)
    assert result.code == 1
    data = document(result)
    assert_envelope(data, "deploy", 1)
    assert "Deploying" not in result.err and "rolled back: service jsonfail runs" in result.err  # -q: problems
    assert data["result"] == "rolled-back"
    assert data["rollout"]["state"] == "FAILED"
    assert data["taskDefinition"]["before"].endswith("jsonfail:1")
    assert "failed (FAILED)" in result.err


def test_dry_run_deploy_json_lists_the_writes(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="jsondry")
    data = document(hako("deploy", path, "--dry-run", "--output", "json"))
    assert data["result"] == "dry-run" and data["dryRun"] is True
    assert data["taskDefinition"] == {"before": None, "after": None}
    assert [w["operation"] for w in data["writes"]] == ["RegisterTaskDefinition", "CreateService"]
    assert data["writes"][1]["text"].startswith("CreateService jsondry in cluster ")


def test_dry_run_deploy_json_has_the_plan_as_data_with_secrets_masked(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="jsonplan", env="{ MODE: 'one', DB_PASSWORD: 'hunter2-hunter2' }")
    result = hako("deploy", path, "--dry-run", "--output", "json")
    data = document(result)
    assert "hunter2" not in result.out and "hunter2" not in result.err
    plan = data["plan"]
    assert [(i["kind"], i["service"], i["operation"]) for i in plan if i["kind"] != "say"] == [
        ("register-task-definition", "ecs", "RegisterTaskDefinition"), ("call", "ecs", "CreateService")]
    register = next(i for i in plan if i["kind"] == "register-task-definition")
    environment = {e["name"]: e["value"] for e in register["parameters"]["containerDefinitions"][0]["environment"]}
    assert environment == {"MODE": "one", "DB_PASSWORD": "<masked>"}
    create = next(i for i in plan if i["operation"] == "CreateService")
    # the revision registered first is known only when the plan runs: a ref, shown as the text shows it
    assert create["parameters"]["taskDefinition"] == {"ref": "new-revision", "shown": "<new revision>"}
    assert "new-revision" in register["outputs"]
    assert create["parameters"]["serviceName"] == "jsonplan" and create["text"] == data["writes"][1]["text"]
    assert [i["text"] for i in plan if i.get("text")] == [w["text"] for w in data["writes"]]


def test_rollback_stop_remove_json(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="jsonlife")
    assert hako("deploy", path, *POLL).code == 0
    deployable(name="jsonlife", env="{ MODE: 'two' }")
    assert hako("deploy", path, *POLL).code == 0

    rolled = hako("rollback", path, "--output", "json", *POLL)
    assert rolled.code == 0, rolled.err
    data = document(rolled)
    assert_envelope(data, "rollback", 0)
    assert data["result"] == "rolled-back"
    assert data["taskDefinition"]["before"].endswith("jsonlife:2")
    assert data["taskDefinition"]["after"].endswith("jsonlife:1")
    assert [w["operation"] for w in data["writes"]] == ["UpdateService", "DeregisterTaskDefinition"]
    assert "rollback completed" in rolled.err

    stopped = hako("stop", path, "--output", "json", *POLL)
    assert stopped.code == 0, stopped.err
    data = document(stopped)
    assert_envelope(data, "stop", 0)
    assert data["result"] == "stopped" and data["desiredCount"] == {"before": 2, "after": 0}
    assert document(hako("stop", path, "-o", "json"))["result"] == "already-stopped"

    removed = hako("remove", path, "--yes", "--output", "json")
    assert removed.code == 0, removed.err
    data = document(removed)
    assert_envelope(data, "remove", 0)
    assert data["result"] == "removed"
    assert [w["operation"] for w in data["writes"]] == ["DeleteService"]
    assert document(hako("remove", path, "--yes", "-o", "json"))["result"] == "absent"


def test_validate_json_has_each_problem_with_path_and_message(hako: Hako, repo: Repo) -> None:
    repo.write("apps/good.jsonnet", "(import 'base.libsonnet')")
    repo.write("apps/base.libsonnet", """
        { scheduler: { type: 'ecs', region: 'us-east-1', cluster: 'c', desired_count: 1 },
          app: { image: 'busybox', tag: 'v1', memory: 64, env: { API_TOKEN: 'abcdef123456' } } }
    """)
    repo.write("apps/bad.jsonnet", "{ scheduler: { type: 'ecs', region: 'us-east-1', cluster: 'c' }, app: {} }")
    result = hako("validate", "--output", "json", "apps/")
    assert result.code == 1
    data = document(result)
    assert_envelope(data, "validate", 1)
    assert data["result"] == "invalid"
    assert data["summary"] == {"files": 2, "invalid": 1, "warnings": 1}
    files = {f["file"]: f for f in data["files"]}
    assert set(files) == {"apps/good.jsonnet", "apps/bad.jsonnet"}
    good, bad = files["apps/good.jsonnet"], files["apps/bad.jsonnet"]
    assert (good["valid"], good["errors"]) == (True, [])
    assert good["warnings"] == [{"path": "app.env.API_TOKEN", "message": good["warnings"][0]["message"]}]
    assert "looks like a secret" in good["warnings"][0]["message"]
    assert bad["valid"] is False and bad["errors"]
    assert all(set(e) == {"path", "message"} for e in bad["errors"])
    assert {"path": "app.image", "message": "is required (the container's image)"} in bad["errors"]
    broken = repo.write("apps/broken.jsonnet", "{ a: }")
    data = document(hako("validate", "-o", "json", str(broken)))
    assert data["files"][0]["errors"][0]["path"] is None
    assert "broken.jsonnet" in data["files"][0]["errors"][0]["message"]


def test_verify_json_lists_checks(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="jsonverify")
    result = hako("verify", path, "--output", "json")
    assert result.code == 0, result.err
    data = document(result)
    assert_envelope(data, "verify", 0)
    assert data["result"] == "passed"
    assert {"status": "OK", "label": f"cluster {data['cluster']}", "detail": None} in data["checks"]
    assert all(set(c) == {"status", "label", "detail"} for c in data["checks"])
    assert data["summary"]["NG"] == 0 and data["summary"]["OK"] >= 4


def test_errors_still_give_a_json_document(hako: Hako, deployable: Deployable,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = deployable(name="jsonerror")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = hako("deploy", path, "--output", "json", "--endpoint-url", "http://127.0.0.1:9")
    assert result.code == 1
    data = document(result)
    assert data["result"] == "error" and data["exitCode"] == 1
    assert "cannot reach http://127.0.0.1:9" in data["message"]
    assert "cannot reach" in result.err


# --- ISO 8601 and never None --------------------------------------------------------------------

def test_status_timestamps_are_iso_8601(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="isostatus")
    assert hako("deploy", path, *POLL).code == 0
    data = document(hako("status", path, "--output", "json"))
    stamps = [e["createdAt"] for e in data["events"]] + [d["createdAt"] for d in data["deployments"]]
    stamps += [t["startedAt"] for t in data["tasks"]]
    assert stamps and all(ISO_8601.match(s) for s in stamps), stamps
    text = hako("status", path).out
    events = text.split("Events:\n", 1)[1].splitlines()
    assert events and all(re.match(r"^  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line) for line in events[:1]), events


def test_no_python_none_anywhere(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                 repo: Repo) -> None:
    path = deployable(name="nonone")
    outputs = []
    for args in (("deploy", path, *POLL), ("status", path), ("status", path, "-o", "json"),
                 ("verify", path, "-o", "json"), ("deploy", path, "--dry-run", "-o", "json")):
        result = hako(*args)
        assert result.code == 0, (args, result.err)
        outputs.append((args, result.out + result.err))
    deployable(name="nonone", env="{ MODE: 'broken' }")
    aws.call("POST", "fail-next-rollout", {"service": "nonone", "cluster": cluster_of(repo, path)})
    result = hako("deploy", path, "-o", "json", *POLL)
    outputs.append((("deploy", "failing"), result.out + result.err))
    for args, text in outputs:
        assert not NONE_WORD.search(text), f"{args}: {text}"


def test_status_text_shows_missing_counts_without_none() -> None:
    from hako_py.deploy.service_ops import format_status

    status = {"service": "s", "cluster": "c", "status": None, "taskDefinition": None, "desiredCount": None,
              "runningCount": None, "deployments": [{"status": "PRIMARY", "taskDefinition": None,
                                                     "desiredCount": None, "pendingCount": None,
                                                     "runningCount": None}],
              "tasks": [{"taskArn": "arn/t", "taskDefinitionArn": None, "lastStatus": None, "desiredStatus": None}],
              "events": [{"createdAt": None, "message": "m"}]}
    text = format_status(status, "text")
    assert not NONE_WORD.search(text), text
    assert "None" not in format_status(status, "json").replace("null", "")


def test_stopped_task_without_exit_code_says_none_not_None() -> None:
    import io

    from hako_py.deploy.diagnostics import report_stopped_tasks
    from hako_py.reporter import Reporter

    out = io.StringIO()
    report_stopped_tasks(Reporter(out), [{"taskArn": "arn/t", "taskDefinitionArn": "td/x:1", "stoppedReason": "r",
                                          "containers": [{"name": "app", "exitCode": None}]}])
    assert "container app: exit code none" in out.getvalue() and "None" not in out.getvalue()


# --- stop shows its progress ----------------------------------------------------------------------

def test_stop_follows_the_tasks_until_they_stopped(hako: Hako, deployable: Deployable,
                                                   repo: Repo) -> None:
    import os

    import boto3

    path = deployable(name="stopper")
    assert hako("deploy", path, *POLL).code == 0
    result = hako("stop", path, *POLL)
    assert result.code == 0, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[0].startswith("Stopping service stopper in cluster ")
    assert any("has stopped 2 running tasks" in line for line in lines), result.err
    assert lines[-1] == "service stopper stopped: desired count 0 (was 2), no task running"
    service = boto3.client("ecs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                           aws_access_key_id="t", aws_secret_access_key="t").describe_services(
        cluster=cluster_of(repo, path), services=["stopper"])["services"][0]
    assert service["runningCount"] == 0
    no_wait = hako("stop", path, "--no-wait")
    assert no_wait.code == 0 and "already stopped" in no_wait.err
    assert hako("deploy", path, "-q", *POLL).code == 0
    quiet = hako("stop", "-q", path, *POLL)
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")


# --- quiet preflights --------------------------------------------------------------------------

def test_oneshot_preflight_is_one_line_and_quiet_is_silent(hako: Hako, job: Job,
                                                           aws: SandboxControl) -> None:
    path = job()
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": ["hi"], "runSeconds": 0.1})
    normal = hako("oneshot", path, "--poll-interval", "0.05", "true")
    assert normal.code == 0 and normal.out == "hi\n"
    assert "[OK]" not in normal.err
    verified = [line for line in normal.err.splitlines() if line.startswith("verified: ")]
    assert verified == [f"verified: cluster, image, log group, network ({len_checks(hako, path)} "
                        "checks OK)"], normal.err
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": ["hi"], "runSeconds": 0.1})
    quiet = hako("oneshot", "-q", path, "--poll-interval", "0.05", "--result-file", "r.json", "true")
    assert (quiet.code, quiet.out, quiet.err) == (0, "hi\n", "")
    with open("r.json") as handle:
        summary = json.load(handle)
    assert ISO_8601.match(summary["startedAt"]) and ISO_8601.match(summary["stoppedAt"]), summary
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 3, "runSeconds": 0.1})
    failed = hako("oneshot", "--quiet", path, "--poll-interval", "0.05", "true")
    assert failed.code == 3 and "container app: exit code 3" in failed.err
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "runSeconds": 0.1})
    verbose = hako("oneshot", "-v", path, "--poll-interval", "0.05", "true")
    assert verbose.err.count("[OK] ") == len_checks(hako, path) and "verified: " not in verbose.err


def len_checks(hako: Any, path: str) -> int:
    return len(document(hako("verify", "--oneshot", path, "-o", "json"))["checks"])


def test_oneshot_ng_prints_the_whole_list(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    with open(path) as handle:
        text = handle.read()
    with open(path, "w") as handle:
        handle.write(text.replace("tag: 'v1'", "tag: 'missing'"))
    result = hako("oneshot", "-q", path, "true")
    assert result.code == 125
    assert "[NG] image" in result.err and "[OK]" not in result.err  # quiet: problems only
    only_ng = hako("verify", "--oneshot", "-q", path)
    assert only_ng.code == 1 and only_ng.out.startswith("[NG] image") and "[OK]" not in only_ng.out
    normal = hako("oneshot", path, "true")
    assert "[NG] image" in normal.err and "[OK] cluster" in normal.err


def test_deploy_preflight_is_one_line(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="preflight")
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    assert "[OK]" not in result.err
    assert re.search(r"^verified: cluster, image, log group, network \(\d+ checks OK\)$", result.err, re.M), \
        result.err
    deployable(name="preflight", env="{ MODE: 'v' }")
    verbose = hako("deploy", path, "-v", *POLL)
    assert "[OK] cluster" in verbose.err and "verified: " not in verbose.err
    deployable(name="preflight", env="{ MODE: 'q' }")
    quiet = hako("deploy", path, "-q", *POLL)
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")


# --- definition warnings: in full from validate, a hint elsewhere ------------------------------

SECRET_ENV = "{ MODE: 'one', API_TOKEN: 'abcdef123456' }"


def test_warnings_are_a_one_line_hint_outside_validate(hako: Hako, deployable: Deployable) -> None:
    path = deployable(name="hinted", env=SECRET_ENV)
    hint = f"1 warning; run hako validate {path}"
    for args in (("verify", path), ("deploy", path, "--dry-run"), ("render", path), ("status", path),
                 ("diff", path)):
        result = hako(*args)
        assert result.err.count("looks like a secret") == 0, (args, result.err)
        assert result.err.count(hint) == 1, (args, result.err)
    quiet = hako("deploy", path, "-q", *POLL)
    assert quiet.code == 0 and hint not in quiet.err
    full = hako("validate", path)
    assert "app.env.API_TOKEN: warning: looks like a secret" in full.out
    data = document(hako("verify", path, "-o", "json"))
    assert data["warnings"][0]["path"] == "app.env.API_TOKEN"


def test_traffic_status_and_immutable_changes_never_say_none() -> None:
    from hako_py.compare.service import compare_services
    from hako_py.traffic.status import status_lines

    immutable = compare_services({"desiredCount": 3}, {"desiredCount": 2, "schedulingStrategy": None}).immutable
    assert immutable == ("schedulingStrategy: not set -> 'REPLICA' (UpdateService cannot change it)",)
    lines = list(status_lines({
        "loadBalancers": [{"dnsName": None, "targetGroup": None, "container": "app:80"}],
        "serviceDiscovery": [{"name": None, "instances": None}],
        "autoscaling": {"minCapacity": 1, "maxCapacity": None, "policies": [],
                        "activities": [{"start": None, "status": None, "description": None}]},
    }))
    assert not NONE_WORD.search("\n".join(lines)), lines
    assert "Service discovery: - (0 instances)" in lines


def test_json_and_text_formatting_helpers() -> None:
    import datetime

    from hako_py.formatting import iso, shown, to_json

    moment = datetime.datetime(2026, 11, 30, 17, 40, 44, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    assert iso(moment) == "2026-11-30T08:40:44.250Z"
    assert shown(moment) == "2026-11-30T08:40:44Z"
    assert shown(None) == "none" and shown(None, "-") == "-"
    assert json.loads(to_json({"at": moment, "missing": None})) == {"at": "2026-11-30T08:40:44.250Z", "missing": None}
    with pytest.raises(TypeError):
        to_json({"x": object()})  # never str() of an unknown object
