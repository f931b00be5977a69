"""The failed-run notifier of an app's schedules: read what EventBridge holds, decide the writes.

The rule, its one target, the API destination and the connection are all named
``hako-failed.<cluster>.<appId>`` (:mod:`hako_py.specs.failed_runs`). EventBridge tags rules
(PutRule Tags) but neither API destinations nor connections, so the rule carries the proof:
a rule of that name without hako's tag is someone else's and is refused; an API destination or
connection of that name is hako's (the ``hako-failed.`` prefix is hako's namespace).

Planning is pure and compares what hako would send with what Describe* report, so a no-op
deploy writes nothing; the writes are a :class:`hako_py.plan.Plan` run by the plan executor
(the ARNs of a connection and API destination made by the same plan are
:class:`~hako_py.plan.values.Ref` outputs). The webhook URL never appears in a diff, a step or
a record: the endpoint shows as the variable it comes from (``$HAKO_WEBHOOK_URL``), or
``(another URL)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.errors import AwsError
from hako_py.aws.events import EventsApi
from hako_py.compare.diff import unified
from hako_py.errors import HakoError
from hako_py.outbound import OutboundError, check_allowed_server
from hako_py.plan.instructions import Call, Operation, Output, Plan
from hako_py.plan.values import Ref
from hako_py.specs.failed_runs import (
    API_KEY_NAME,
    API_KEY_VALUE,
    OWNER_TAG,
    TARGET_ID,
    FailedRunsSpec,
    pattern_text,
)

DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
DESCRIPTION = "hako: failed runs of {app}'s schedules (notify_webhook)"


@dataclass(frozen=True)
class FailedRunsLive:
    """What exists under the notifier's name (None: nothing), and whether the rule is hako's."""

    name: str
    rule: dict[str, Any] | None = None
    owned: bool = False
    targets: tuple[dict[str, Any], ...] = ()
    destination: dict[str, Any] | None = None
    connection: dict[str, Any] | None = None

    @property
    def exists(self) -> bool:
        return self.rule is not None or self.destination is not None or self.connection is not None


@dataclass(frozen=True)
class FailedRunsPlan:
    plan: Plan = field(default_factory=Plan)
    diff: str = ""
    changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def read_failed_runs(api: EventsApi, app_id: str, name: str, *, optional: bool = False) -> FailedRunsLive:
    """3 reads (+ 2 when the rule exists). *optional*: the app does not ask for a notifier, so a
    caller without EventBridge permissions (one that never used it) reads nothing."""
    try:
        rule = api.rule(name)
    except AwsError as exc:
        if optional and exc.code in DENIED:
            return FailedRunsLive(name)
        raise
    owned = False
    targets: tuple[dict[str, Any], ...] = ()
    if rule is not None:
        owned = api.rule_tags(str(rule["Arn"])).get(OWNER_TAG) == app_id
        targets = tuple(api.targets(name)) if owned else ()
    return FailedRunsLive(name, rule, owned, targets, api.api_destination(name), api.connection(name))


def connection_ref(name: str) -> Ref:
    """The ARN of the connection this plan creates."""
    return Ref(f"connection:{name}", shown=f"{{{{connection:{name}}}}}")


def destination_ref(name: str) -> Ref:
    """The ARN of the API destination this plan creates."""
    return Ref(f"api-destination:{name}", shown=f"{{{{api-destination:{name}}}}}")


def _pattern(text: Any) -> Any:
    try:
        return json.loads(str(text)) if text is not None else None
    except ValueError:
        return text


def _endpoint(url: Any, spec: FailedRunsSpec | None) -> str | None:
    """The endpoint as a diff may show it: the variable it comes from, never the URL."""
    if url is None:
        return None
    return f"${spec.url_env}" if spec is not None and url == spec.url else "(another URL)"


def _live_view(live: FailedRunsLive, spec: FailedRunsSpec | None) -> dict[str, Any] | None:
    if not live.exists:
        return None
    view: dict[str, Any] = {}
    if live.connection is not None:
        auth = (live.connection.get("AuthParameters") or {}).get("ApiKeyAuthParameters") or {}
        view["Connection"] = {"Name": live.name, "AuthorizationType": live.connection.get("AuthorizationType"),
                              "ApiKeyName": auth.get("ApiKeyName")}
    if live.destination is not None:
        connection_arn = (live.connection or {}).get("ConnectionArn")
        view["ApiDestination"] = {
            "Name": live.name, "InvocationEndpoint": _endpoint(live.destination.get("InvocationEndpoint"), spec),
            "HttpMethod": live.destination.get("HttpMethod"),
            "Connection": live.name if live.destination.get("ConnectionArn") == connection_arn
            else live.destination.get("ConnectionArn")}
    if live.rule is not None:
        view["Rule"] = {"Name": live.name, "EventPattern": _pattern(live.rule.get("EventPattern")),
                        "State": live.rule.get("State"), "Description": live.rule.get("Description")}
        destination_arn = (live.destination or {}).get("ApiDestinationArn")
        view["Targets"] = [{**_target_view(t), "Arn": f"api-destination {live.name}"
                            if t.get("Arn") == destination_arn else t.get("Arn")}
                           for t in sorted(live.targets, key=lambda t: str(t.get("Id")))]
    return view


def _target_view(target: dict[str, Any]) -> dict[str, Any]:
    transformer = target.get("InputTransformer") or {}
    return {"Id": target.get("Id"), "Arn": target.get("Arn"), "RoleArn": target.get("RoleArn"),
            "InputTransformer": {"InputPathsMap": transformer.get("InputPathsMap") or {},
                                 "InputTemplate": transformer.get("InputTemplate")}}


def desired_requests(spec: FailedRunsSpec) -> dict[str, dict[str, Any]]:
    """The complete write requests (ARNs as references), by resource."""
    assert spec.url is not None
    description = DESCRIPTION.format(app=spec.app_id)
    return {
        "connection": {"Name": spec.name, "Description": description, "AuthorizationType": "API_KEY",
                       "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": API_KEY_NAME,
                                                                    "ApiKeyValue": API_KEY_VALUE}}},
        "destination": {"Name": spec.name, "Description": description, "ConnectionArn": connection_ref(spec.name),
                        "InvocationEndpoint": spec.url, "HttpMethod": "POST"},
        "rule": {"Name": spec.name, "Description": description, "EventPattern": pattern_text(spec.pattern),
                 "State": "ENABLED"},
        "target": {"Id": TARGET_ID, "Arn": destination_ref(spec.name), "RoleArn": spec.role_arn,
                   "InputTransformer": spec.input_transformer},
    }


def _desired_view(spec: FailedRunsSpec) -> dict[str, Any]:
    requests = desired_requests(spec)
    rule, target = requests["rule"], requests["target"]
    return {
        "Connection": {"Name": spec.name, "AuthorizationType": "API_KEY", "ApiKeyName": API_KEY_NAME},
        "ApiDestination": {"Name": spec.name, "InvocationEndpoint": f"${spec.url_env}", "HttpMethod": "POST",
                           "Connection": spec.name},
        "Rule": {"Name": spec.name, "EventPattern": spec.pattern, "State": "ENABLED",
                 "Description": rule["Description"]},
        "Targets": [{**_target_view(target), "Arn": f"api-destination {spec.name}"}],
    }


def _changed(live: dict[str, Any] | None, desired: dict[str, Any] | None) -> list[str]:
    if live is None or desired is None:
        return ["added" if live is None else "removed"]
    words = {"Connection": "connection", "ApiDestination": "webhook", "Rule": "event pattern",
             "Targets": "target"}
    return [word for key, word in words.items() if live.get(key) != desired.get(key)] or ["changed"]


def plan_failed_runs(spec: FailedRunsSpec | None, live: FailedRunsLive, file: str) -> FailedRunsPlan:
    """The writes that make the notifier match the definition: create or update it when *spec*
    asks for one (and its URL is set), remove hako's when it does not."""
    if live.rule is not None and not live.owned:
        if spec is None:
            return FailedRunsPlan(notes=(f"failed-run notices: the rule {live.name} is not hako's (no {OWNER_TAG} "
                                         "tag); left alone",))
        raise HakoError(f"EventBridge rule {live.name} exists but hako did not create it (no {OWNER_TAG} tag): "
                        f"hako changes only its own rules; delete or rename it, or tag it {OWNER_TAG}={spec.app_id} "
                        "if hako may manage it")
    if spec is None:
        return plan_failed_runs_removal(live, file)
    if spec.url is None:
        return FailedRunsPlan(notes=(f"failed-run notices: ${spec.url_env} is not set: the notifier {spec.name} "
                                     "is neither compared nor changed",))
    try:  # notify_webhook's rule for its URL: https only (http to loopback), no credentials in it
        check_allowed_server(spec.url)
    except OutboundError:
        raise HakoError(f"failed-run notices: ${spec.url_env} must be an https URL without user or password "
                        "(plain http only to loopback): EventBridge API destinations are HTTPS endpoints") from None
    left, right = _live_view(live, spec), _desired_view(spec)
    diff = unified(left, right, f"live failed-run notifier {spec.name}" if left else "live failed-run notifier "
                   "(none)", f"local {file}")
    if not diff:
        return FailedRunsPlan()
    requests = desired_requests(spec)
    calls: list[Call] = []
    connection, destination = dict(requests["connection"]), dict(requests["destination"])
    if live.connection is None:
        calls.append(Call(Operation.CREATE_CONNECTION, connection, f"CreateConnection {spec.name}",
                          outputs=(Output(connection_ref(spec.name).name, ("ConnectionArn",)),)))
    else:
        destination["ConnectionArn"] = str(live.connection["ConnectionArn"])
        if (left or {}).get("Connection") != right["Connection"]:
            calls.append(Call(Operation.UPDATE_CONNECTION, connection, f"UpdateConnection {spec.name}"))
    target = dict(requests["target"])
    if live.destination is None:
        calls.append(Call(Operation.CREATE_API_DESTINATION, destination,
                          f"CreateApiDestination {spec.name} (POST ${spec.url_env})",
                          outputs=(Output(destination_ref(spec.name).name, ("ApiDestinationArn",)),)))
    else:
        target["Arn"] = str(live.destination["ApiDestinationArn"])
        if (left or {}).get("ApiDestination") != right["ApiDestination"]:
            calls.append(Call(Operation.UPDATE_API_DESTINATION, destination,
                              f"UpdateApiDestination {spec.name} (POST ${spec.url_env})"))
    if live.rule is None:
        calls.append(Call(Operation.PUT_EVENT_RULE, {**requests["rule"], "Tags": [
            {"Key": OWNER_TAG, "Value": spec.app_id}]},
            f"PutRule {spec.name} (ECS tasks of {spec.app_id}'s schedules stopped with a non-zero exit code)"))
    elif (left or {}).get("Rule") != right["Rule"]:
        calls.append(Call(Operation.PUT_EVENT_RULE, requests["rule"], f"PutRule {spec.name}"))
    if (left or {}).get("Targets") != right["Targets"]:
        extra = sorted(str(t.get("Id")) for t in live.targets if t.get("Id") != TARGET_ID)
        if extra:
            calls.append(Call(Operation.REMOVE_EVENT_TARGETS, {"Rule": spec.name, "Ids": extra},
                              f"RemoveTargets {spec.name} ({', '.join(extra)})"))
        calls.append(Call(Operation.PUT_EVENT_TARGETS, {"Rule": spec.name, "Targets": [target]},
                          f"PutTargets {spec.name} (API destination {spec.name})"))
    return FailedRunsPlan(Plan(tuple(calls)), diff, (f"failed-run notices: {', '.join(_changed(left, right))}",))


def plan_failed_runs_removal(live: FailedRunsLive, file: str) -> FailedRunsPlan:
    """Delete hako's notifier: the rule's targets, the rule, the API destination, the connection."""
    if live.rule is not None and not live.owned:
        return FailedRunsPlan(notes=(f"failed-run notices: the rule {live.name} is not hako's; left alone",))
    calls: list[Call] = []
    if live.targets:
        ids = sorted(str(t.get("Id")) for t in live.targets)
        calls.append(Call(Operation.REMOVE_EVENT_TARGETS, {"Rule": live.name, "Ids": ids},
                          f"RemoveTargets {live.name} ({', '.join(ids)})"))
    if live.rule is not None:
        calls.append(Call(Operation.DELETE_EVENT_RULE, {"Name": live.name}, f"DeleteRule {live.name}"))
    if live.destination is not None:
        calls.append(Call(Operation.DELETE_API_DESTINATION, {"Name": live.name}, f"DeleteApiDestination {live.name}"))
    if live.connection is not None:
        calls.append(Call(Operation.DELETE_CONNECTION, {"Name": live.name}, f"DeleteConnection {live.name}"))
    if not calls:
        return FailedRunsPlan()
    diff = unified(_live_view(live, None), None, f"live failed-run notifier {live.name}",
                   f"local {file} (not defined)")
    return FailedRunsPlan(Plan(tuple(calls)), diff, ("failed-run notices: removed",))
