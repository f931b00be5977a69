"""Checked input of the sandbox's control API: JSON objects only, every field typed and bounded.

The control API steers the simulator for everything that talks to the sandbox; one absurd
value (``{"rolloutSeconds": 1e308}``) stalls every rollout, and a body a web page can send
(``text/plain``, a form) must not be taken as a command. So a body must be declared
``application/json``, must be a JSON object, and each field is checked here before it
reaches the simulator; an error names the field.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from hako_py.sandbox.ecs_sim import ESSENTIAL_EXITED, TaskOutcome
from hako_py.sandbox.moto_glue import RENAMEABLE

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_SECONDS = 3600.0
MAX_NAME = 255  # service, cluster, family and container names (ECS allows 255)
MAX_REASON = 1024
MAX_LOG_LINES = 10_000
MAX_LOG_LINE = 256 * 1024  # CloudWatch Logs' limit for one event
MAX_CONTAINERS = 10  # ECS's limit of containers per task definition
# ECS's exitCode is a 32-bit integer (model: Container.exitCode is BoxedInteger); Windows
# tasks report NTSTATUS values such as 3221225477 (0xC0000005) in the unsigned form, so both
# the signed and the unsigned range are accepted.
EXIT_CODE_RANGE = (-(2**31), 2**32 - 1)
START_FAILURE_MODES = ("failure", "pull-error")
MAX_EMPTY_PAGES = 50  # empty GetLogEvents pages before each page of events


class BadInput(ValueError):
    """A refused control request; ``field`` names what was wrong, ``status`` is the HTTP status."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.status = status


# the body ---------------------------------------------------------------------------------------
def content_length(environ: dict[str, Any], limit: int = MAX_BODY_BYTES) -> int:
    """The request's Content-Length, refused when it is not a number or over *limit* bytes
    (the body is read into memory)."""
    raw = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise BadInput("Content-Length", f"not a byte count: {raw[:40]!r}")
    length = int(raw)
    if length > limit:
        raise BadInput("Content-Length", f"{length} bytes; at most {limit} are taken", 413)
    return length


def json_object(environ: dict[str, Any]) -> dict[str, Any]:
    """The body of a control POST: declared application/json (which a web page cannot send
    without a CORS preflight, which the sandbox refuses) and a JSON object; empty means {}."""
    media_type = str(environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise BadInput("Content-Type", f"{media_type or 'none'}; the control API accepts only application/json",
                       415)
    length = content_length(environ)
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw.strip():
        return {}
    try:
        payload = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadInput("body", f"not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(payload, dict):
        raise BadInput("body", f"must be a JSON object, not {_kind(payload)}")
    return payload


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)


# fields -----------------------------------------------------------------------------------------
def only(payload: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse fields the endpoint does not know: a misspelt one would otherwise be ignored silently."""
    for name in payload:
        if name not in allowed:
            expected = ", ".join(allowed) if allowed else "none"
            raise BadInput(str(name)[:80], f"unknown field (expected: {expected})")


def seconds(payload: dict[str, Any], name: str) -> float | None:
    """A duration: a finite number of seconds in [0, MAX_SECONDS], or absent/null."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(name, f"must be a number of seconds, not {_kind(value)}")
    if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        raise BadInput(name, f"{value!r} is out of range: seconds must be between 0 and {MAX_SECONDS:g}")
    return float(value)


def exit_code(value: Any, name: str) -> int | None:
    """A container exit code: an integer (ECS's is 32-bit) or null for "none"."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(name, f"must be an integer or null, not {_kind(value)}")
    if not EXIT_CODE_RANGE[0] <= value <= EXIT_CODE_RANGE[1]:
        raise BadInput(name, f"{value} is out of range for an exit code (32-bit integer)")
    return value


def text(payload: dict[str, Any], name: str, *, limit: int, required: bool = False) -> str | None:
    """A non-empty string of at most *limit* characters, or absent/null unless *required*."""
    value = payload.get(name)
    if value is None:
        if required:
            raise BadInput(name, "is required")
        return None
    if not isinstance(value, str) or not value:
        raise BadInput(name, f"must be a non-empty string, not {_kind(value) if value != '' else 'empty'}")
    if len(value) > limit:
        raise BadInput(name, f"is {len(value)} characters long; at most {limit}")
    return value


def strings(payload: dict[str, Any], name: str, *, max_items: int, max_length: int) -> list[str]:
    value = payload.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(name, f"must be a list of strings, not {_kind(value)}")
    if len(value) > max_items:
        raise BadInput(name, f"has {len(value)} items; at most {max_items}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise BadInput(f"{name}[{index}]", f"must be a string, not {_kind(item)}")
        if len(item) > max_length:
            raise BadInput(f"{name}[{index}]", f"is {len(item)} characters long; at most {max_length}")
    return list(value)


def exit_codes(payload: dict[str, Any], name: str) -> dict[str, int | None]:
    """Container name -> exit code."""
    value = payload.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput(name, f"must be an object of container name -> exit code, not {_kind(value)}")
    if len(value) > MAX_CONTAINERS:
        raise BadInput(name, f"has {len(value)} containers; a task has at most {MAX_CONTAINERS}")
    codes: dict[str, int | None] = {}
    for container, code in value.items():
        if not container or len(container) > MAX_NAME:
            raise BadInput(name, f"container names have 1 to {MAX_NAME} characters, not {len(container)}")
        codes[container] = exit_code(code, f"{name}.{container}")
    return codes


def choice(payload: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
    """One of *choices*; absent means the first."""
    value = payload.get(name, choices[0])
    if value not in choices:
        raise BadInput(name, f"must be one of {', '.join(choices)}, not {str(value)[:80]!r}")
    return str(value)


# the endpoints' bodies ----------------------------------------------------------------------------
def rollout_failure(payload: dict[str, Any]) -> str:
    """``POST /_sandbox/fail-next-rollout``: the service key the simulator matches (CLUSTER:NAME or NAME)."""
    only(payload, ("service", "cluster"))
    service = text(payload, "service", limit=MAX_NAME, required=True)
    cluster = text(payload, "cluster", limit=MAX_NAME)
    return f"{cluster}:{service}" if cluster else str(service)


def task_outcome(payload: dict[str, Any]) -> TaskOutcome:
    """``POST /_sandbox/next-task``."""
    only(payload, ("exitCode", "stopReason", "logLines", "runSeconds", "containerExitCodes", "family"))
    return TaskOutcome(
        exit_code=exit_code(payload.get("exitCode", 0), "exitCode"),
        stop_reason=text(payload, "stopReason", limit=MAX_REASON) or ESSENTIAL_EXITED,
        log_lines=strings(payload, "logLines", max_items=MAX_LOG_LINES, max_length=MAX_LOG_LINE),
        run_seconds=seconds(payload, "runSeconds"),
        container_exit_codes=exit_codes(payload, "containerExitCodes"),
        family=text(payload, "family", limit=MAX_NAME),
    )


def start_failure(payload: dict[str, Any]) -> dict[str, str]:
    """``POST /_sandbox/fail-next-start``."""
    only(payload, ("reason", "mode"))
    return {"reason": text(payload, "reason", limit=MAX_REASON) or "RESOURCE:MEMORY",
            "mode": choice(payload, "mode", START_FAILURE_MODES)}


def count(payload: dict[str, Any], name: str, *, limit: int) -> int | None:
    """An integer in [0, limit], or absent/null."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(name, f"must be an integer, not {_kind(value)}")
    if not 0 <= value <= limit:
        raise BadInput(name, f"{value} is out of range: between 0 and {limit}")
    return value


def settings(payload: dict[str, Any]) -> dict[str, float]:
    """``POST /_sandbox/settings``: the simulator attributes to change (nothing changes on an error)."""
    only(payload, ("rolloutSeconds", "taskSeconds", "logDelaySeconds", "logEmptyPages", "scheduleTimeScale"))
    scale = count(payload, "scheduleTimeScale", limit=MAX_TIME_SCALE)
    if scale == 0:
        raise BadInput("scheduleTimeScale", "0 is out of range: between 1 and " + str(MAX_TIME_SCALE))
    chosen: dict[str, float | None] = {
        "rollout_seconds": seconds(payload, "rolloutSeconds"), "task_seconds": seconds(payload, "taskSeconds"),
        "log_delay_seconds": seconds(payload, "logDelaySeconds"),
        "log_empty_pages": count(payload, "logEmptyPages", limit=MAX_EMPTY_PAGES),
        "schedule_time_scale": scale}
    return {name: value for name, value in chosen.items() if value is not None}


MAX_TIME_SCALE = 86400  # a day a second


def schedule_reference(payload: dict[str, Any]) -> tuple[str, str, str]:
    """``POST /_sandbox/fire-schedule``: (region, group, name) of a schedule."""
    only(payload, ("name", "group", "region"))
    name = str(text(payload, "name", limit=64, required=True))
    group = text(payload, "group", limit=64) or "default"
    region = text(payload, "region", limit=32) or "us-east-1"
    if not REGION_PATTERN.fullmatch(region):
        raise BadInput("region", f"{region!r} is not a region name (like us-east-1)")
    return region, group, name


# IDs a definition may use: what moto creates (subnet-0a1b...) or anything an example names
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,1023}")
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


@dataclass(frozen=True)
class Rename:
    kind: str
    region: str
    id: str
    to: str


def rename(payload: dict[str, Any]) -> Rename:
    """``POST /_sandbox/rename``: give a seeded object the ID a definition uses (moto cannot
    choose IDs at creation)."""
    only(payload, ("kind", "region", "id", "to"))
    kind = choice(payload, "kind", RENAMEABLE)
    region = str(text(payload, "region", limit=32, required=True))
    if not REGION_PATTERN.fullmatch(region):
        raise BadInput("region", f"{region!r} is not a region name (like us-east-1)")
    ids = []
    for name in ("id", "to"):
        value = str(text(payload, name, limit=MAX_REASON, required=True))
        if not ID_PATTERN.fullmatch(value):
            raise BadInput(name, f"{value[:80]!r} is not an ID (letters, digits and ._:/+=@- only)")
        ids.append(value)
    return Rename(kind, region, ids[0], ids[1])
