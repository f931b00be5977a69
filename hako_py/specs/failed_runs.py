"""Failed scheduled runs reported by ``notify_webhook``: what the EventBridge rule, its target and
the API destination it posts through look like. Pure.

A run Scheduler starts is not hako's process, so hako cannot post its outcome itself (as it does
for ``hako oneshot``, ``oneshot_finished``). ECS sends an "ECS Task State Change" event to
EventBridge's default bus whenever a task changes state (ECS developer guide,
ecs_task_events.html: ``detail`` is the task as DescribeTasks shows it, ``containers[]`` with
``exitCode``, ``group``, ``startedBy``, ``lastStatus``); a rule on those events reaches an HTTPS
webhook through an *API destination* ("API destinations are HTTPS endpoints that you can invoke
as the target of an event bus rule", EventBridge user guide api-destinations.html), which needs
a *connection* (its authorization: "Each API destination requires a connection",
eb-api-destination-create.html) and an IAM role on the target ("To use an API destination as a
target, you must provide an IAM role", eb-create-rule-api-destination-target.html).

The pattern matches a stopped task of this app's schedules with a container that exited
non-zero: ``detail.containers.exitCode`` ``anything-but 0`` ("You can use Anything-but matching
with strings and numeric values", content-filtering-with-event-patterns.html); ``containers`` is
an array, and "if the value in the event is an array, then the event pattern matches if the
intersection of the event pattern array and the event array is non-empty"
(eb-event-patterns-arrays.html): one failed container is enough. A container without an exit
code (it never started) has no value to match. ``group`` (``hako:<appId>:<name>``, set on every
schedule's runs, by Scheduler and by ``hako schedule run``) names the app; ``startedBy`` other
than ``hako-schedule-run`` leaves out the runs started by hand (``hako schedule run`` shows
its logs and exit code to whoever runs it; what Scheduler writes there, ``chronos-schedule/`` and a cut-off name, is
only observed, not documented, so the pattern does not depend on it); ``clusterArn`` ends with
the cluster.

The webhook URL is a credential (Slack's carry their token in the path) and comes from the
environment as ``notify_webhook``'s does, never from the definition: it becomes the API
destination's InvocationEndpoint, which must be HTTPS ("The URL must use HTTPS",
eb-api-destination-create.html; hako also takes plain http to loopback, for the sandbox).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hako_py.definition import AppDefinition
from hako_py.schedule_targets import MANUAL_STARTED_BY

SCRIPT_TYPE = "notify_webhook"
EVENT = "schedule_failed"  # the notify_webhook event name (its ``events`` option may leave it out)
URL_ENV_PREFIX = "HAKO_WEBHOOK_URL"  # notify_webhook's (scripts.builtin.notify_webhook)
NAME_PREFIX = "hako-failed."
MAX_NAME = 64  # PutRule Name, CreateApiDestination Name, CreateConnection Name: 1-64 of [.-_A-Za-z0-9]
OWNER_TAG = "hako:failed-runs"  # on the rule (EventBridge tags rules; API destinations and connections have none)
TARGET_ID = "webhook"
# A connection must authorize somehow (CreateConnection AuthorizationType: BASIC,
# OAUTH_CLIENT_CREDENTIALS or API_KEY); a plain webhook needs none, so hako sends a constant,
# non-secret header: the credential is the URL itself.
API_KEY_NAME = "X-Hako-Notice"
API_KEY_VALUE = "hako"


@dataclass(frozen=True)
class FailedRunsSpec:
    """The notifier an app asks for: names, the role, where the URL comes from (and its value, when set)."""

    app_id: str
    cluster: str
    name: str  # of the rule, the API destination and the connection
    role_arn: str
    url_env: str
    url: str | None

    @property
    def pattern(self) -> dict[str, Any]:
        return event_pattern(self.app_id, self.cluster)

    @property
    def input_transformer(self) -> dict[str, Any]:
        return input_transformer(self.app_id, self.cluster)


def notifier_name(app_id: str, cluster: str) -> str:
    """``hako-failed.<cluster>.<appId>``: the same app id may run in several clusters of a region."""
    return f"{NAME_PREFIX}{cluster.rsplit('/', 1)[-1]}.{app_id}"


def event_pattern(app_id: str, cluster: str) -> dict[str, Any]:
    cluster_match: Any = cluster if cluster.startswith("arn:") else {"suffix": f":cluster/{cluster}"}
    return {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [cluster_match],
            "lastStatus": ["STOPPED"],
            "group": [{"prefix": f"hako:{app_id}:"}],
            "startedBy": [{"anything-but": MANUAL_STARTED_BY}],
            "containers": {"exitCode": [{"anything-but": 0}]},
        },
    }


def pattern_text(pattern: dict[str, Any]) -> str:
    """PutRule's EventPattern: compact JSON, keys sorted (one text per pattern)."""
    return json.dumps(pattern, sort_keys=True, separators=(",", ":"))


def input_transformer(app_id: str, cluster: str) -> dict[str, Any]:
    """What the webhook receives: notify_webhook's payload shape (a Slack-compatible ``text``,
    ``event``, ``app``, ``cluster``) with the run's details. A placeholder outside quotes is
    replaced by the JSON value, inside a string by its text (API InputTransformer: "The
    InputTemplate can also be valid JSON with variables in quotes or out")."""
    cluster_name = cluster.rsplit("/", 1)[-1]
    template = (
        '{"text": "[' + app_id + '] scheduled run <group> failed: <stoppedReason>", '
        '"event": "' + EVENT + '", "app": "' + app_id + '", "cluster": "' + cluster_name + '", '
        '"group": <group>, "taskArn": <taskArn>, "stoppedReason": <stoppedReason>, "stopCode": <stopCode>, '
        '"containers": <containers>}')
    return {
        "InputPathsMap": {"group": "$.detail.group", "taskArn": "$.detail.taskArn",
                          "stoppedReason": "$.detail.stoppedReason", "stopCode": "$.detail.stopCode",
                          "containers": "$.detail.containers"},
        "InputTemplate": template,
    }


def _reports_failures(entry: dict[str, Any]) -> bool:
    events = entry.get("events")
    return entry.get("type") == SCRIPT_TYPE and isinstance(entry.get("failed_runs"), dict) and (
        not events or EVENT in events)


def failed_runs_role(app: AppDefinition) -> str | None:
    """The role of the notifier the app asks for (``hako verify`` checks it), or None."""
    entry = next((e for e in app.scripts if _reports_failures(e)), None) if app.schedules else None
    return str(entry["failed_runs"].get("role_arn", "")) or None if entry is not None else None


def failed_runs_spec(app: AppDefinition, env: Mapping[str, str], trusted_url_env: str | None = None
                     ) -> FailedRunsSpec | None:
    """The notifier of an app with schedules and a ``notify_webhook`` script with ``failed_runs``
    (the first such script), or None. *trusted_url_env*: hako.toml's ``[scripts.notify_webhook]
    url_env``, which wins as it does for the script."""
    if not app.schedules:
        return None
    entry = next((e for e in app.scripts if _reports_failures(e)), None)
    if entry is None:
        return None
    variable = str(trusted_url_env or entry.get("url_env") or URL_ENV_PREFIX)
    return FailedRunsSpec(app.app_id, app.cluster, notifier_name(app.app_id, app.cluster),
                          str(entry["failed_runs"].get("role_arn", "")), variable, env.get(variable) or None)
