"""A schedule as hako compares and shows it: a request, or what GetSchedule reports, in one form.

GetSchedule reports more than the request set (Arn, CreationDate, LastModificationDate) and
leaves out what AWS defaulted; moto reports unset members as null (scheduler NOTES.md §5). The
view keeps the members hako sends, fills AWS's defaults (time zone UTC, state ENABLED, action
NONE, RetryPolicy 185 attempts / 86400 s, TaskCount 1) and shows Target.Input parsed, so the
command and env of a run read as JSON in a diff and env values are masked like any other.
StartDate and EndDate compare as instants, whatever form each side has them in.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

DEFAULTS: dict[str, Any] = {
    "ScheduleExpressionTimezone": "UTC",
    "State": "ENABLED",
    "ActionAfterCompletion": "NONE",
    "FlexibleTimeWindow": {"Mode": "OFF"},
}
RETRY_DEFAULTS = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
OWNED = ("Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "State", "Description",
         "FlexibleTimeWindow", "ActionAfterCompletion", "StartDate", "EndDate", "KmsKeyArn")
TARGET_OWNED = ("Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig", "EcsParameters")


def _present(value: Any) -> Any:
    """*value* without null members, recursively (moto's JSON carries them; botocore's does not)."""
    if isinstance(value, dict):
        return {k: _present(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_present(v) for v in value]
    return value


def parsed_input(text: Any) -> Any:
    """Target.Input as JSON when it is JSON (hako's always is), else the text."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def as_instant(value: Any) -> Any:
    """StartDate / EndDate as one text per instant: GetSchedule answers a datetime (botocore's
    shape StartDate is a timestamp), moto a number of seconds, a request hako's ISO text."""
    when: datetime.datetime | None = None
    if isinstance(value, datetime.datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.datetime.fromtimestamp(value, datetime.UTC)
    elif isinstance(value, str):
        try:
            when = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        when = when if when.tzinfo is not None else when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).isoformat() if when is not None else value


def schedule_view(schedule: dict[str, Any]) -> dict[str, Any]:
    """The members hako owns, with AWS's defaults filled in, Target.Input parsed and dates as instants."""
    data = _present(schedule)
    view: dict[str, Any] = {**DEFAULTS, **{k: data[k] for k in OWNED if k in data}}
    for key in ("StartDate", "EndDate"):
        if key in view:
            view[key] = as_instant(view[key])
    target = data.get("Target") or {}
    shown: dict[str, Any] = {k: target[k] for k in TARGET_OWNED if k in target}
    shown["RetryPolicy"] = {**RETRY_DEFAULTS, **(target.get("RetryPolicy") or {})}
    if "Input" in shown:
        shown["Input"] = parsed_input(shown["Input"])
    if "EcsParameters" in shown:
        shown["EcsParameters"] = {"TaskCount": 1, **shown["EcsParameters"]}
    view["Target"] = shown
    return view


def same_schedule(desired: dict[str, Any], live: dict[str, Any]) -> bool:
    return schedule_view(desired) == schedule_view(live)


def changed_members(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """What differs, in words people look for (expression, command, enabled, target revision, ...)."""
    if before is None or after is None:
        return ["added" if before is None else "removed"]
    a, b = schedule_view(before), schedule_view(after)
    words: list[str] = []
    for key, word in (("ScheduleExpression", "expression"), ("ScheduleExpressionTimezone", "timezone"),
                      ("State", "enabled"), ("FlexibleTimeWindow", "flexible window"),
                      ("Description", "description"), ("GroupName", "group"), ("StartDate", "start date"),
                      ("EndDate", "end date"), ("KmsKeyArn", "KMS key")):
        if a.get(key) != b.get(key):
            words.append(word)
    ta, tb = a["Target"], b["Target"]
    ia, ib = ta.get("Input") or {}, tb.get("Input") or {}
    ca = (ia.get("containerOverrides") or [{}])[0] if isinstance(ia, dict) else {}
    cb = (ib.get("containerOverrides") or [{}])[0] if isinstance(ib, dict) else {}
    if ca.get("command") != cb.get("command"):
        words.append("command")
    if ca.get("environment") != cb.get("environment"):
        words.append("env")
    if isinstance(ia, dict) and isinstance(ib, dict) and (ia.get("cpu"), ia.get("memory")) != (
            ib.get("cpu"), ib.get("memory")):
        words.append("cpu/memory")
    ea, eb = ta.get("EcsParameters") or {}, tb.get("EcsParameters") or {}
    if ea.get("TaskDefinitionArn") != eb.get("TaskDefinitionArn"):
        words.append("target revision")
    other = sorted(k for k in set(ea) | set(eb) if k != "TaskDefinitionArn" and ea.get(k) != eb.get(k))
    words.extend(f"task {k}" for k in other)
    for key, word in (("RoleArn", "role"), ("RetryPolicy", "retry"), ("DeadLetterConfig", "dead-letter queue"),
                      ("Arn", "cluster")):
        if ta.get(key) != tb.get(key):
            words.append(word)
    return words or ["changed"]
