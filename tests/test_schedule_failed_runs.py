"""Failed scheduled runs reported by ``notify_webhook`` (``failed_runs``): the EventBridge rule, its
API destination and connection made, kept and removed by deploy/diff/remove against the sandbox,
and the sandbox delivering the "ECS Task State Change" event of a run exiting non-zero to a
webhook on 127.0.0.1 (a run exiting 0 sends nothing). Plus the pattern semantics offline."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pytest

from hako_py.sandbox.event_patterns import matches, transform
from hako_py.sandbox.server import Sandbox
from hako_py.specs.failed_runs import event_pattern, input_transformer
from tests.conftest import Hako, Repo, SandboxControl, serving, unique
from tests.test_schedules import NIGHTLY, app_id, batch, client, wait_for

EVENTS_ROLE = "arn:aws:iam::123456789012:role/hako-events"
NOTIFY = f"[{{ type: 'notify_webhook', failed_runs: {{ role_arn: '{EVENTS_ROLE}' }} }}]"


class Webhook(BaseHTTPRequestHandler):
    posts: ClassVar[list[tuple[dict[str, str], dict[str, Any]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        Webhook.posts.append((dict(self.headers), json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    Webhook.posts = []
    with serving(Webhook) as url:
        yield f"{url}/hooks/T000/secret-token"


def with_scripts(text: str, scripts: str) -> str:
    return text.replace("      schedules:", f"      scripts: {scripts},\n      schedules:", 1)


@pytest.fixture
def notified(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Callable[..., str]:
    """Write a batch definition with schedules and *scripts* (fresh cluster and app id), seeded."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    cluster, subnet, group, name = unique("c-"), unique("subnet-"), unique("sg-"), unique("job-")

    def write(schedules: str = NIGHTLY, scripts: str = NOTIFY) -> str:
        path = f"apps/{name}.jsonnet"
        repo.write(path, with_scripts(batch(cluster, subnet, group, schedules=schedules), scripts))
        wanted = Wanted()
        wanted.add_app(check_file(path).app)
        seed(sandbox.url, wanted)
        return path

    return write


def rules_taking(aws: SandboxControl, task_arn: str) -> list[str]:
    """The rules that matched the stopped task's event, once the sandbox ran them (and sent what they send)."""
    found = wait_for(lambda: [e for e in aws.call("GET", "events")["evaluated"]
                              if e["taskArn"] == task_arn and e["lastStatus"] == "STOPPED"])
    return list(found[0]["rules"])


def cluster_of(hako: Hako, path: str) -> str:
    return str(json.loads(hako("render", path).out)["runTask"]["cluster"])


def test_deploy_makes_the_notifier_and_a_failed_scheduled_run_reaches_the_webhook(
        hako: Hako, notified: Any, aws: SandboxControl, webhook: str) -> None:
    path = notified()
    job = app_id(path)
    cluster = cluster_of(hako, path)
    name = f"hako-failed.{cluster}.{job}"
    env = {"HAKO_WEBHOOK_URL": webhook}
    result = hako("deploy", path, "--no-verify", env=env)
    assert result.code == 0, result.err
    for step in (f"CreateConnection {name}", f"CreateApiDestination {name} (POST $HAKO_WEBHOOK_URL)",
                 f"PutRule {name} (ECS tasks of {job}'s schedules stopped with a non-zero exit code)",
                 f"PutTargets {name} (API destination {name})"):
        assert step in result.err, result.err
    assert "secret-token" not in result.out + result.err  # the URL is a credential: never shown
    events = client("events")
    rule = events.describe_rule(Name=name)
    assert json.loads(rule["EventPattern"]) == event_pattern(job, cluster)
    assert {"Key": "hako:failed-runs", "Value": job} in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
    target = events.list_targets_by_rule(Rule=name)["Targets"][0]
    assert target["RoleArn"] == EVENTS_ROLE
    assert target["Arn"] == events.describe_api_destination(Name=name)["ApiDestinationArn"]
    assert events.describe_api_destination(Name=name)["InvocationEndpoint"] == webhook

    aws.reset()
    again = hako("deploy", path, "--no-verify", env=env)
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0
    assert hako("diff", path, "--exit-code", env=env).code == 0

    # a run exiting 3 is reported, with the run's details; one exiting 0 is not
    group = f"hako-{cluster}"
    aws.call("POST", "next-task", {"exitCode": 3, "stopReason": "Essential container in task exited",
                                   "family": f"{job}-oneshot"})
    aws.call("POST", "fire-schedule", {"name": f"{job}.nightly", "group": group, "region": "us-east-1"})
    first = wait_for(lambda: [f for f in aws.call("GET", "schedules")["fired"]
                              if str(f["schedule"]).endswith(f"/{job}.nightly")])
    assert rules_taking(aws, first[0]["taskArn"]) == [name]
    headers, payload = Webhook.posts[0]
    assert payload["event"] == "schedule_failed" and payload["app"] == job and payload["cluster"] == cluster
    assert payload["group"] == f"hako:{job}:nightly"
    assert payload["text"] == f"[{job}] scheduled run hako:{job}:nightly failed: Essential container in task exited"
    assert [c["exitCode"] for c in payload["containers"]] == [3]
    assert headers.get("X-Hako-Notice") == "hako"
    aws.call("POST", "next-task", {"exitCode": 0, "family": f"{job}-oneshot"})
    aws.call("POST", "fire-schedule", {"name": f"{job}.nightly", "group": group, "region": "us-east-1"})
    fired = wait_for(lambda: [f for f in aws.call("GET", "schedules")["fired"]
                              if str(f["schedule"]).endswith(f"/{job}.nightly")][1:])
    assert rules_taking(aws, fired[0]["taskArn"]) == []  # its event matched no rule: nothing sent
    assert len(Webhook.posts) == 1
    # a run started by hand (hako schedule run shows its exit code) is left out by the rule
    aws.call("POST", "next-task", {"exitCode": 5, "family": f"{job}-oneshot"})
    assert hako("schedule", "run", path, "nightly", "--poll-interval", "0.05", env=env).code == 5
    manual = [r for r in json.loads(hako("schedule", "history", path, "-o", "json").out)["runs"]
              if r["trigger"] == "manual"]
    assert rules_taking(aws, manual[0]["taskArn"]) == []
    assert len(Webhook.posts) == 1

    # another URL: diff says the endpoint changed without showing either URL; deploy updates it
    other = {"HAKO_WEBHOOK_URL": webhook.replace("secret-token", "other-token")}
    diff = hako("diff", path, "--exit-code", env=other)
    assert diff.code == 2
    assert '"InvocationEndpoint": "(another URL)"' in diff.out and '"InvocationEndpoint": "$HAKO_WEBHOOK_URL"' in diff.out
    assert "token" not in diff.out
    updated = hako("deploy", path, "--no-verify", env=other)
    assert f"UpdateApiDestination {name} (POST $HAKO_WEBHOOK_URL)" in updated.err, updated.err
    assert "PutRule" not in updated.err and "CreateConnection" not in updated.err

    # plain http elsewhere than loopback is refused, without showing the URL
    refused = hako("deploy", path, "--no-verify", env={"HAKO_WEBHOOK_URL": "http://hooks.example.com/T0/leaked"})
    assert refused.code == 1 and "$HAKO_WEBHOOK_URL must be an https URL" in refused.err, refused.err
    assert "leaked" not in refused.out + refused.err

    # without the variable nothing is compared or changed, and deploy says so
    quiet = hako("deploy", path, "--no-verify")
    assert "$HAKO_WEBHOOK_URL is not set: the notifier" in quiet.err and "DeleteRule" not in quiet.err

    # the script no longer asks: deploy removes the notifier; remove leaves nothing behind either
    path = notified(scripts="[{ type: 'notify_webhook' }]")
    dropped = hako("deploy", path, "--no-verify", env=env)
    for step in (f"RemoveTargets {name} (webhook)", f"DeleteRule {name}", f"DeleteApiDestination {name}",
                 f"DeleteConnection {name}"):
        assert step in dropped.err, dropped.err
    assert name not in [r["Name"] for r in events.list_rules(NamePrefix="hako-failed.")["Rules"]]
    path = notified()
    assert hako("deploy", path, "--no-verify", env=env).code == 0
    removed = hako("remove", path, "--yes")
    assert removed.code == 0 and f"DeleteRule {name}" in removed.err, removed.err
    assert name not in [r["Name"] for r in events.list_rules(NamePrefix="hako-failed.")["Rules"]]
    assert name not in [d["Name"] for d in events.list_api_destinations(NamePrefix="hako-failed.")["ApiDestinations"]]


def test_verify_checks_that_the_notifier_role_trusts_eventbridge(hako: Hako, notified: Any) -> None:
    path = notified()  # seeding creates hako-events trusting events.amazonaws.com
    result = hako("verify", path)
    assert "[OK] failed-run notifier role hako-events: trusts events.amazonaws.com" in result.out, result.out
    other = unique("scheduler-only-")
    client("iam").create_role(RoleName=other, AssumeRolePolicyDocument=json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"}}]}))
    path = notified(scripts=NOTIFY.replace("role/hako-events", f"role/{other}"))
    result = hako("verify", path)
    assert result.code == 1
    assert f"[NG] failed-run notifier role {other}: does not trust events.amazonaws.com" in result.out, result.out


def test_a_rule_hako_did_not_create_is_refused(hako: Hako, notified: Any, webhook: str) -> None:
    path = notified()
    name = f"hako-failed.{cluster_of(hako, path)}.{app_id(path)}"
    client("events").put_rule(Name=name, EventPattern=json.dumps({"source": ["mine"]}))
    result = hako("deploy", path, "--no-verify", env={"HAKO_WEBHOOK_URL": webhook})
    assert result.code == 1
    assert f"EventBridge rule {name} exists but hako did not create it" in result.err


@pytest.mark.parametrize(("scripts", "schedules", "message"), [
    ("[{ type: 'notify_webhook', failed_runs: { role_arn: 'events-role' } }]", NIGHTLY,
     "scripts[0].failed_runs.role_arn: 'events-role' does not match"),
    ("[{ type: 'notify_webhook', failed_runs: {} }]", NIGHTLY, "scripts[0].failed_runs.role_arn: is required"),
    (NOTIFY, "{}", "scripts[0].failed_runs: reports failed runs of the app's schedules, and it has none"),
])
def test_failed_runs_is_validated(hako: Hako, repo: Repo, scripts: str, schedules: str, message: str) -> None:
    repo.write("apps/job.jsonnet", with_scripts(batch(schedules=schedules), scripts))
    result = hako("validate", "apps/job.jsonnet")
    assert result.code == 1
    assert message in result.out, result.out


def _stopped(codes: list[int | None], group: str = "hako:job:nightly", started_by: str = "chronos-schedule/job.nightly",
             cluster: str = "arn:aws:ecs:us-east-1:123456789012:cluster/batch") -> dict[str, Any]:
    containers = [{"name": f"c{i}", **({} if code is None else {"exitCode": code})} for i, code in enumerate(codes)]
    return {"source": "aws.ecs", "detail-type": "ECS Task State Change",
            "detail": {"clusterArn": cluster, "lastStatus": "STOPPED", "group": group, "startedBy": started_by,
                       "stoppedReason": "Essential container in task exited", "containers": containers}}


@pytest.mark.parametrize(("event", "expected"), [
    (_stopped([3]), True),
    (_stopped([0, 1]), True),  # one container exiting non-zero is enough (arrays: any element)
    (_stopped([0]), False),
    (_stopped([0, 0]), False),
    (_stopped([None]), False),  # never started: no exit code to match
    (_stopped([3], group="hako:job-2:nightly"), False),  # another app's
    (_stopped([3], started_by="hako-schedule-run"), False),  # started by hand
    (_stopped([3], cluster="arn:aws:ecs:us-east-1:123456789012:cluster/other"), False),
    ({**_stopped([3]), "detail": {**_stopped([3])["detail"], "lastStatus": "RUNNING"}}, False),
])
def test_the_pattern_matches_as_eventbridge_documents(event: dict[str, Any], expected: bool) -> None:
    assert matches(event_pattern("job", "batch"), event) is expected


def test_pattern_operators_and_the_input_transformer() -> None:
    event = {"a": 5, "b": "Hello", "c": [{"d": 1}, {"d": 2}], "e": True}
    assert matches({"a": [{"numeric": [">", 0, "<=", 5]}]}, event)
    assert not matches({"a": [{"numeric": [">", 5]}]}, event)
    assert matches({"a": [5.0]}, event) and not matches({"a": ["5"]}, event)
    assert matches({"b": [{"equals-ignore-case": "hello"}]}, event)
    assert matches({"b": [{"anything-but": {"prefix": "X"}}]}, event)
    assert not matches({"b": [{"anything-but": ["Hello", "x"]}]}, event)
    assert matches({"c": {"d": [2]}}, event) and not matches({"c": {"d": [3]}}, event)
    assert matches({"z": [{"exists": False}]}, event) and not matches({"z": [{"exists": True}]}, event)
    assert not matches({"e": [1]}, event) and matches({"e": [True]}, event)
    body = json.loads(transform(input_transformer("job", "arn:aws:ecs:us-east-1:1:cluster/batch"), {
        "detail": {"group": 'hako:job:"q"', "taskArn": "t", "containers": [{"exitCode": 3}]}}))
    assert body["text"] == '[job] scheduled run hako:job:"q" failed: '  # missing: nothing inside a string
    assert body["stoppedReason"] is None and body["group"] == 'hako:job:"q"' and body["cluster"] == "batch"
    assert body["containers"] == [{"exitCode": 3}]
