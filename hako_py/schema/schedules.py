"""Schema of the top-level ``schedules``: runs of the app's oneshot task by EventBridge Scheduler.

A hako-level key (EventBridge Scheduler is not part of the ECS model the rest of the schema
comes from), written by hand; the ranges are the Scheduler API's (botocore scheduler
2021-06-30 shapes named in each description). Expressions and time zones are checked by
``hako_py.checks.schedules`` (AWS's cron rules do not fit a pattern).
"""

from __future__ import annotations

from typing import Any

from hako_py.schema.traffic import integer

NAME_PATTERN = "^[0-9A-Za-z_-]{1,63}$"
GROUP_PATTERN = "^[0-9A-Za-z_.-]{1,64}$"
# botocore scheduler 2021-06-30 shape KmsKeyArn (1-2048), its \d written [0-9]: Python's re (jsonschema)
# reads \d as any Unicode digit
KMS_KEY_PATTERN = r"^arn:aws[a-z-]*:kms:[a-z0-9\-]+:[0-9]{12}:(key|alias)\/[0-9a-zA-Z-_]*$"

SCHEDULE: dict[str, Any] = {
    "type": "object",
    "description": "One schedule: EventBridge Scheduler runs the app's oneshot task (<appId>-oneshot) when it comes "
                   "due, as `hako oneshot` would.",
    "properties": {
        "expression": {"type": "string",
                       "description": "When it runs: cron(min hour day-of-month month day-of-week year) (AWS's "
                                      "6 fields, 1 = Sunday, one of the day fields '?'), rate(5 minutes) or "
                                      "at(2026-04-01T09:00:00)."},
        "timezone": {"type": "string", "description": "IANA time zone of the expression (default 'UTC')."},
        "enabled": {"type": "boolean", "description": "false: the schedule exists but does not run (State DISABLED)."},
        "flexible_window": integer("Minutes within which the run may start (FlexibleTimeWindow "
                                   "MaximumWindowInMinutes); default: at the time itself.", 1, 1440),
        "description": {"type": "string", "maxLength": 512, "description": "The schedule's description."},
        "role_arn": {"type": "string",
                     "description": "The IAM role EventBridge Scheduler assumes to start the task (Target.RoleArn): "
                                    "it must trust scheduler.amazonaws.com and allow ecs:RunTask on the oneshot "
                                    "family and iam:PassRole for the task's roles."},
        "command": {"type": "array", "items": {"type": "string"},
                    "description": "The app container's command for these runs (default: the definition's)."},
        "env": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
                "x-hako-data-keys": True,
                "description": "Environment variables added to the app container for these runs."},
        "cpu": {"type": ["string", "integer"], "description": "Task cpu for these runs (units or '1 vCPU')."},
        "memory": {"type": ["string", "integer"], "description": "Task memory for these runs (MiB or '2 GB')."},
        "retry": {
            "type": "object", "additionalProperties": False,
            "description": "How Scheduler retries a run it could not start (Target.RetryPolicy).",
            "properties": {
                "maximum_attempts": integer("Retries (default 185).", 0, 185),
                "maximum_event_age": integer("Seconds a run may still be retried (default 86400).", 60, 86400),
            },
        },
        "dead_letter_queue": {"type": "string",
                              "description": "SQS queue ARN for runs Scheduler could not start "
                                             "(Target.DeadLetterConfig)."},
        "start_date": {"type": "string",
                       "description": "ISO 8601 date and time with its UTC offset (2026-04-01T09:00:00+09:00): no "
                                      "run before it (StartDate; ignored by AWS for at() schedules)."},
        "end_date": {"type": "string",
                     "description": "ISO 8601 date and time with its UTC offset: no run after it (EndDate)."},
        "kms_key_arn": {"type": "string", "pattern": KMS_KEY_PATTERN,
                        "description": "Customer managed KMS key EventBridge Scheduler encrypts the schedule's data "
                                       "with (KmsKeyArn; default: an AWS owned key)."},
        "group": {"type": "string", "pattern": GROUP_PATTERN,
                  "description": "The schedule group (default: hako.toml's [schedules] group, 'hako-<cluster>'); "
                                 "hako creates it, tagged "
                                 "hako:schedule-group, and never writes into a group it did not create."},
    },
    "required": ["expression"],
    "additionalProperties": False,
}

SCHEDULES: dict[str, Any] = {
    "type": "object",
    "description": "Scheduled runs of the app (name -> schedule), created by hako deploy in EventBridge Scheduler "
                   "as <appId>.<name>.",
    "additionalProperties": {"$ref": "#/$defs/hako_schedule"},
    "propertyNames": {"pattern": NAME_PATTERN, "x-hako-kind": "name",
                      "x-hako-name-rule": "invalid schedule name: use 1-63 letters, digits, '-' and '_'"},
    "x-hako-data-keys": True,
}
