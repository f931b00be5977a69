"""hako-py against real ECS responses, through the real CLI.

The sandbox tests prove hako-py agrees with our own simulation of AWS; these prove it agrees
with what ECS returns. Each sample in ``tests/corpus`` is served by a loopback endpoint
(``tests/recorded_aws.py``) with the definition paired with it (``tests/corpus_pairs.py``):
an unchanged definition must show no diff, a dry-run deploy of it must write nothing and say
so, and a real change must show. Where today's comparison is wrong these tests fail, and
they are meant to until it is fixed: nothing here is skipped or marked xfail.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hako_py.aws.clients import AwsClients, AwsOptions
from hako_py.deploy.diagnostics import report_stopped_tasks
from hako_py.oneshot.logs import LogFollower
from hako_py.pipeline import check_file
from hako_py.reporter import Reporter
from tests.conftest import PROJECT_ROOT, Result
from tests.corpus_pairs import (
    APPS,
    DEFINITION_PAIRS,
    PAIRS,
    TASK_PAIRS,
    Change,
    Pair,
    load_sample,
    recorded_service,
    recorded_task_definition,
    renamed_containers,
)
from tests.recorded_aws import RecordedAws, Recordings, last_segment

Hako = Callable[..., Result]
Adjust = Callable[[Recordings], None]


@pytest.fixture(autouse=True)
def _clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No profile, keys, region or instance role from the machine: on a loopback endpoint hako
    then signs with dummy credentials, as it does for the sandbox."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/hako-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/hako-test-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@contextmanager
def serving(pair: Pair, adjust: Adjust | None = None) -> Iterator[RecordedAws]:
    """The endpoint serving *pair*'s recordings (built from the definition's rendered requests
    where the corpus has no object: see tests/corpus_pairs.py)."""
    rendered = check_file(str(pair.definition)).rendered
    recordings = pair.recordings(rendered.task_definition, rendered.service)
    if adjust is not None:
        adjust(recordings)
    with RecordedAws(recordings) as aws:
        yield aws


def run(hako: Hako, aws: RecordedAws, *args: str) -> Result:
    return hako(*args, env={"AWS_ENDPOINT_URL": aws.url})


def explain(result: Result, aws: RecordedAws) -> str:
    """What a failing assertion shows: hako's output and the requests it made."""
    calls = ", ".join(f"{c.operation}{' (refused)' if c.refused else ''}" for c in aws.calls)
    return f"exit {result.code}\n--- stdout\n{result.out}\n--- stderr\n{result.err}\n--- requests: {calls}"


def sample_ids(pairs: tuple[Pair, ...] | list[Pair]) -> list[str]:
    return [p.sample for p in pairs]


# --- the definitions render what was sent -----------------------------------------------------------

def _without_empty_lists(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v != []}


def _container_as_hako_sends(container: dict[str, Any]) -> dict[str, Any]:
    """hako always sends ``essential`` (true unless set) and env sorted by name."""
    sent = _without_empty_lists(container)
    sent.setdefault("essential", True)
    if "environment" in sent:
        sent["environment"] = sorted(sent["environment"], key=lambda e: e["name"])
    return sent


def task_definition_as_hako_sends(request: dict[str, Any], pair: Pair) -> dict[str, Any]:
    """The published RegisterTaskDefinition request under hako's fixed conventions: the main
    container is ``app``, the family is the file's name, no empty list is ever sent."""
    sent = _without_empty_lists(request)
    if "family" in sent:
        sent["family"] = pair.family
    containers = renamed_containers(request["containerDefinitions"], pair.renames)
    sent["containerDefinitions"] = sorted((_container_as_hako_sends(c) for c in containers), key=lambda c: c["name"])
    return sent


def service_as_hako_sends(request: dict[str, Any], pair: Pair) -> dict[str, Any]:
    """The published CreateService request under hako's fixed conventions: the task definition
    is its own family, and propagateTags is always sent (the definitions send ECS's default)."""
    sent = {**request, "taskDefinition": pair.family, **pair.request_overrides}
    sent.setdefault("propagateTags", "NONE")
    return sent


def rendered(hako: Hako, pair: Pair, only: str) -> dict[str, Any]:
    result = hako("render", "--only", only, "--reveal-secrets", str(pair.definition))
    assert result.code == 0, result.err
    value: dict[str, Any] = json.loads(result.out)
    return value


@pytest.mark.parametrize("pair", [p for p in PAIRS if p.task_definition_request],
                         ids=sample_ids([p for p in PAIRS if p.task_definition_request]))
def test_definition_renders_the_published_task_definition_request(pair: Pair, hako: Hako) -> None:
    """The definition stands for what the user sent, so its RegisterTaskDefinition request is
    the published one (terraform's fragments publish only containerDefinitions)."""
    assert pair.task_definition_request is not None
    want = task_definition_as_hako_sends(pair.task_definition_request, pair)
    got = rendered(hako, pair, "task-definition")
    got["containerDefinitions"] = sorted(got["containerDefinitions"], key=lambda c: c["name"])
    if "family" not in want:
        got = {"containerDefinitions": got["containerDefinitions"]}
    assert got == want


@pytest.mark.parametrize("pair", [p for p in PAIRS if p.service_request],
                         ids=sample_ids([p for p in PAIRS if p.service_request]))
def test_definition_renders_the_published_service_request(pair: Pair, hako: Hako) -> None:
    """The CreateService request is the published command's, written out in the pair."""
    assert pair.service_request is not None
    assert rendered(hako, pair, "service") == service_as_hako_sends(pair.service_request, pair)


# --- unchanged, dry run, changed ---------------------------------------------------------------------

@pytest.mark.parametrize("pair", DEFINITION_PAIRS, ids=sample_ids(DEFINITION_PAIRS))
def test_unchanged_definition_shows_no_diff(pair: Pair, hako: Hako) -> None:
    """What ECS filled in, normalized or added must not look like a change."""
    with serving(pair) as aws:
        result = run(hako, aws, "diff", "--exit-code", str(pair.definition))
    assert (result.code, result.out) == (0, ""), explain(result, aws)
    assert aws.writes() == []


@pytest.mark.parametrize("pair", DEFINITION_PAIRS, ids=sample_ids(DEFINITION_PAIRS))
def test_dry_run_deploy_of_unchanged_definition_writes_nothing(pair: Pair, hako: Hako) -> None:
    """A no-op deploy says so and sends no write.

    ``--no-wait``: a recorded service never progresses, so following a rollout that is in
    progress would only wait for the timeout (see the in-progress test below).
    ``--no-verify``: verify checks that roles, images and subnets exist, which a recording of
    ECS cannot answer; it runs only when there is something to write anyway.
    """
    with serving(pair) as aws:
        result = run(hako, aws, "deploy", "--dry-run", "--no-wait", "--no-verify", str(pair.definition))
    assert aws.writes() == [], explain(result, aws)
    assert result.code == 0, explain(result, aws)
    assert "no changes" in result.err, explain(result, aws)
    for sign_of_work in ("dry run: would send", "warning:", "+++ local"):
        assert sign_of_work not in result.err, explain(result, aws)


def changed_definition(pair: Pair, change: Change, folder: Path) -> str:
    """The definition with *change*'s override, as a file importing it (through ``-J APPS``)."""
    if change.override is None:
        return str(pair.definition)
    shutil.copy(PROJECT_ROOT / "hako.toml", folder / "hako.toml")
    wrapper = folder / f"{pair.family}.jsonnet"
    wrapper.write_text(f"(import '{pair.sample}/{pair.family}.jsonnet') + {change.override}\n", encoding="utf-8")
    return str(wrapper)


CHANGES = [(p, c) for p in DEFINITION_PAIRS for c in p.changes]


@pytest.mark.parametrize(("pair", "change"), CHANGES, ids=[f"{p.sample}-{c.name}" for p, c in CHANGES])
def test_real_change_shows_in_diff(pair: Pair, change: Change, hako: Hako, tmp_path: Path) -> None:
    """A change the user made (image tag, env var, desired count) is reported, with exit 2."""
    options = [*(["--tag", change.tag] if change.tag else []), *(["-J", str(APPS)] if change.override else [])]
    with serving(pair) as aws:
        result = run(hako, aws, "diff", "--exit-code", *options, changed_definition(pair, change, tmp_path))
    assert result.code == 2, explain(result, aws)
    assert any(line.startswith("+") and change.expect in line for line in result.out.splitlines()), \
        explain(result, aws)
    assert aws.writes() == []


# --- retired revisions and rollouts in progress --------------------------------------------------------

def _add_delete_requested_at(recordings: Recordings) -> None:
    """``deleteRequestedAt`` is a member of the ECS model's TaskDefinition (docs/ecs-defaults.md §2,
    response-only members) that no recorded response shows. Added to the recorded
    DELETE_IN_PROGRESS revision with its recorded ``deregisteredAt`` as the value: NOT a
    recording, only the documented member with a plausible time."""
    task_definition, _ = recordings.task_definitions[0]
    task_definition["deleteRequestedAt"] = task_definition["deregisteredAt"]


RETIRED: list[tuple[str, Adjust | None]] = [
    ("awscli-deregister-task-definition-curler-inactive", None),
    ("awscli-delete-task-definitions-curltest-delete-in-progress", None),
    ("awscli-delete-task-definitions-curltest-delete-in-progress", _add_delete_requested_at),
]


@pytest.mark.parametrize(("sample", "adjust"), RETIRED,
                         ids=["INACTIVE", "DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS+model-deleteRequestedAt"])
def test_retired_revision_does_not_crash_diff(sample: str, adjust: Adjust | None, hako: Hako) -> None:
    """A service may keep running a deregistered or deleted revision (docs/ecs-defaults.md §3b);
    its timestamps are response-only and must not reach the diff (nor break it)."""
    pair = next(p for p in PAIRS if p.sample == sample)
    with serving(pair, adjust) as aws:
        result = run(hako, aws, "diff", "--exit-code", str(pair.definition))
    assert result.code in (0, 2) and "internal error" not in result.err, explain(result, aws)
    assert "deregisteredAt" not in result.out and "deleteRequestedAt" not in result.out, explain(result, aws)


def _rolling_out(pair: Pair) -> bool:
    service = recorded_service(load_sample(pair.sample))
    return any(d.get("rolloutState") == "IN_PROGRESS" for d in service.get("deployments") or [])


IN_PROGRESS = [p for p in DEFINITION_PAIRS if p.group == "services" and _rolling_out(p)]


@pytest.mark.parametrize("pair", IN_PROGRESS, ids=sample_ids(IN_PROGRESS))
def test_dry_run_writes_nothing_while_a_rollout_is_in_progress(pair: Pair, hako: Hako) -> None:
    """The recorded service has a rollout in progress that never finishes here; ``--timeout 0``
    makes hako's wait for it end at once. Whatever hako does then, ``--dry-run`` must not write."""
    with serving(pair) as aws:
        result = run(hako, aws, "deploy", "--dry-run", "--no-verify", "--timeout", "0", "--poll-interval", "0.01",
                     str(pair.definition))
    assert aws.writes() == [], explain(result, aws)


# --- status, tasks and logs ----------------------------------------------------------------------------

STATUS_PAIRS = [p for p in PAIRS if p.group == "services"] + list(TASK_PAIRS)


@pytest.mark.parametrize("pair", STATUS_PAIRS, ids=sample_ids(STATUS_PAIRS))
def test_status_prints_recorded_service_and_tasks(pair: Pair, hako: Hako) -> None:
    """``hako status`` reads DescribeServices, ListTasks and DescribeTasks: every recorded shape
    must print, in text and JSON, with the running tasks listed."""
    with serving(pair) as aws:
        text = run(hako, aws, "status", str(pair.definition))
        as_json = run(hako, aws, "status", "-o", "json", str(pair.definition))
        service, tasks = aws.recordings.services[0], aws.recordings.tasks
    headline = f"Service {pair.family} in cluster {last_segment(str(service['clusterArn']))}: {service['status']}"
    assert text.code == 0 and headline in text.out, explain(text, aws)
    for task in tasks:
        assert last_segment(str(task["taskArn"])) in text.out, explain(text, aws)
    data = json.loads(as_json.out)
    assert (data["desiredCount"], len(data["tasks"])) == (service["desiredCount"], len(tasks)), explain(as_json, aws)
    assert aws.writes() == []


def test_log_follower_prints_each_recorded_event_once() -> None:
    """Oneshot prints a task's awslogs stream with GetLogEvents and forward tokens. The recorded
    page holds two events with the same timestamp and message: both are lines of output. The
    next read with the returned token brings nothing new (and the same token back)."""
    sample = load_sample("awscli-logs-get-log-events")
    command = sample["request"]["cli_command"]
    group_match = re.search(r"--log-group-name (\S+)", command)
    stream_match = re.search(r"--log-stream-name (\S+)", command)
    assert group_match and stream_match, command
    group, stream = group_match.group(1), stream_match.group(1)
    recordings = Recordings()
    recordings.add_log_page(group, stream, sample["response"])
    out = io.StringIO()
    with RecordedAws(recordings) as aws:
        options = AwsOptions(region="us-east-1", endpoint_url=aws.url, loopback_credentials=("t", "t"))
        follower = LogFollower(AwsClients(options).logs(), group, stream, out)
        counts = (follower.poll(), follower.poll())
        tokens = [c.params.get("nextToken") for c in aws.calls]
    assert out.getvalue() == "".join(f"{e['message']}\n" for e in sample["response"]["events"])
    forward = sample["response"]["nextForwardToken"]
    assert (counts, tokens) == ((3, 0), [None, forward, forward])


def test_stopped_task_without_containers_is_reported() -> None:
    """The only published stopped task failed to start: ``containers: []``, so no exit code.
    Deploy's diagnostics (after a failed rollout) must still name it and give its reason."""
    task = load_sample("awscli-stop-task-stopped-task-failed-to-start")["response"]["task"]
    recordings = Recordings()
    recordings.add_task(task)
    with RecordedAws(recordings) as aws:
        ecs = AwsClients(AwsOptions(region="us-west-2", endpoint_url=aws.url, loopback_credentials=("t", "t"))).ecs()
        described = ecs.describe_tasks("default", [task["taskArn"]])
    out = io.StringIO()
    report_stopped_tasks(Reporter(out), described)
    assert out.getvalue() == f"  task {last_segment(task['taskArn'])} (sleep360:3) stopped: {task['stoppedReason']}\n"


RECORDED_TDS = [p for p in PAIRS
                if p.group == "task_definitions" and not isinstance(load_sample(p.sample)["request"], list)]


@pytest.mark.parametrize("pair", RECORDED_TDS, ids=sample_ids(RECORDED_TDS))
def test_recorded_task_definition_is_served_as_published(pair: Pair) -> None:
    """Guard for the corpus: the only change made to a recorded task definition before serving
    it is hako's container name (``app``)."""
    recorded = recorded_task_definition(load_sample(pair.sample))
    served = pair.served_task_definition(load_sample(pair.sample))
    assert {k: v for k, v in served.items() if k != "containerDefinitions"} == \
        {k: v for k, v in recorded.items() if k != "containerDefinitions"}
    assert served["containerDefinitions"] == renamed_containers(recorded["containerDefinitions"], pair.renames)
