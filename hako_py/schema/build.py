"""Build the definition's JSON Schema (draft 2020-12) from the ECS model.

Only the hako layer is written by hand here (top level, ``app``/``sidecars`` extras such as
``env`` and ``image_tag``, scheduler keys that are not ECS fields). Every ECS structure below
it (health checks, log configuration, port mappings, ...) comes from botocore's model, so
its fields, enums and descriptions follow the installed botocore.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from hako_py.ecs_model import EcsModel, Shape, load_model
from hako_py.schema.schedules import SCHEDULE, SCHEDULES
from hako_py.schema.traffic import TRAFFIC_KEYS, integer

SCHEMA_ID = "https://hako-py.invalid/schemas/definition.schema.json"

# Container fields hako spells differently from the ECS API.
CONTAINER_REPLACED = {"name", "image", "environment"}

# Scheduler keys come from the ECS request shapes, so a field ECS adds works after upgrading
# botocore: every member of RegisterTaskDefinition (task level), CreateService and RunTask,
# except the ones hako fills itself or spells its own way (below). A key present in several
# requests goes to each whose member has the same shape (the first operation's shape is the
# key's schema), e.g. CreateService's volumeConfigurations (ServiceVolumeConfiguration) does
# not go to RunTask, whose member of that name is a different structure.
SCHEDULER_SOURCE_OPERATIONS = ("CreateService", "RunTask", "RegisterTaskDefinition")
HAKO_MANAGED = {
    "RegisterTaskDefinition": {"family", "container_definitions", "volumes", "tags", "cpu", "memory"},
    "CreateService": {"cluster", "service_name", "task_definition", "desired_count", "client_token", "tags",
                      "load_balancers"},
    "RunTask": {"cluster", "count", "group", "overrides", "reference_id", "started_by", "tags", "task_definition",
                "client_token"},
}
# What each request's members are read back from: a service setting DescribeServices does not
# report (CreateService's monitoring and gatewayConnectors, reported only by
# DescribeServiceRevisions) could never be compared, so every deploy would resend it; such
# members are left out rather than offered half-working.
READ_BACK_FROM = {"CreateService": ("Service", "Deployment"), "RegisterTaskDefinition": ("TaskDefinition",)}
# A few members are reported under another name (CreateService.role -> Service.roleArn).
REPORTED_AS = {"role": "roleArn"}


@dataclass(frozen=True)
class SchedulerKey:
    """A scheduler key taken from the ECS model: its shape and the requests it goes to."""

    name: str
    shape: str
    doc: str
    operations: tuple[str, ...]


def _read_back(model: EcsModel, operation: str, api_name: str) -> bool:
    sources = READ_BACK_FROM.get(operation)
    if sources is None or not model.reported:
        return True
    names = REPORTED_AS.get(api_name, api_name)
    return any(names in model.reported.get(source, frozenset()) for source in sources)


@cache
def scheduler_keys(model: EcsModel) -> dict[str, SchedulerKey]:
    """Every scheduler key the ECS model offers, by snake_case name."""
    keys: dict[str, SchedulerKey] = {}
    for operation in SCHEDULER_SOURCE_OPERATIONS:
        for member in model.input_shape(operation).members:
            if member.snake in HAKO_MANAGED[operation] or not _read_back(model, operation, member.name):
                continue
            known = keys.get(member.snake)
            if known is None:
                keys[member.snake] = SchedulerKey(member.snake, member.shape, member.doc, (operation,))
            elif known.shape == member.shape:
                keys[member.snake] = SchedulerKey(known.name, known.shape, known.doc, (*known.operations, operation))
    return keys


# Smithy's (and so botocore's) integer is 32-bit signed and long 64-bit signed: a value
# outside them cannot be sent (memory: 1e30 was accepted and failed at ECS).
_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def _integer(doc: str, shape: Shape | None = None) -> dict[str, Any]:
    low, high = _RANGES.get(shape.type if shape else "integer", _RANGES["integer"])
    minimum = shape.minimum if shape and shape.minimum is not None else low
    maximum = shape.maximum if shape and shape.maximum is not None else high
    return integer(doc, minimum, maximum)


class _Builder:
    def __init__(self, model: EcsModel) -> None:
        self.model = model
        self.defs: dict[str, Any] = {}

    def shape(self, name: str, doc: str = "") -> dict[str, Any]:
        shape = self.model.shape(name)
        description = doc or shape.doc
        if shape.type == "structure":
            self.structure(shape)
            ref: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
            if description:
                ref["description"] = description
            return ref
        schema: dict[str, Any]
        if shape.type == "list":
            assert shape.member is not None
            schema = {"type": "array", "items": self.shape(shape.member)}
        elif shape.type == "map":
            assert shape.value is not None
            schema = {"type": "object", "additionalProperties": self.shape(shape.value), "x-hako-data-keys": True}
        elif shape.type in ("integer", "long"):
            return _integer(description, shape)
        elif shape.type == "boolean":
            schema = {"type": "boolean"}
        elif shape.type in ("double", "float"):
            schema = {"type": ["number", "string"], "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "x-hako-kind": "number"}
        else:
            schema = {"type": "string"}
            if shape.enum:
                schema["enum"] = list(shape.enum)
        if description:
            schema["description"] = description
        return schema

    def structure(self, shape: Shape, *, drop: set[str] | None = None) -> dict[str, Any]:
        if shape.name in self.defs and not drop:
            return dict(self.defs[shape.name])
        if not drop:
            self.defs[shape.name] = {}  # placeholder against recursion
        properties = {
            m.snake: self.shape(m.shape, m.doc or f"The ECS field {shape.name}.{m.name}.")
            for m in shape.members
            if not drop or m.snake not in drop
        }
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        by_api = {m.name: m.snake for m in shape.members}
        required = [by_api[r] for r in shape.required if by_api.get(r) in properties]
        if required:
            schema["required"] = required
        if shape.doc:
            schema["description"] = shape.doc
        if not drop:
            self.defs[shape.name] = schema
        return schema


def _container(builder: _Builder, *, app: bool) -> dict[str, Any]:
    schema = builder.structure(builder.model.shape("ContainerDefinition"), drop=CONTAINER_REPLACED)
    extra: dict[str, Any] = {
        "image": {
            "type": "string",
            "description": "Image repository (or repository:tag); the tag comes from `tag`, `--tag` or 'latest'.",
        },
        "tag": {"type": "string", "description": "Image tag appended to `image` (default 'latest')."},
        "image_tag": {"type": "string", "description": "Complete image reference including its tag."},
        "env": {
            "type": "object",
            "description": "Environment variables (name -> value), rendered as the ECS `environment` list.",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "x-hako-data-keys": True,
        },
    }
    schema["properties"] = {**extra, **schema["properties"]}
    schema["description"] = (
        "The main container, named `app`." if app else "A sidecar container; its key is the container name."
    )
    return schema


# Keys of the original hako's scheduler that are no ECS field (lib/hako/schedulers/ecs.rb:49-61).
HAKO_SCHEDULER_KEYS: dict[str, Any] = {
    "dynamic_port_mapping": {
        "type": "boolean",
        "description": "hako's front port: true (default) lets ECS pick the host port of the port mapping the "
                       "nginx_front script adds to the front container, false gives it a fixed one.",
    },
    "autoscaling_group_for_oneshot": {
        "type": "string",
        "description": "hako scaled this Auto Scaling group out when a oneshot found no room; accepted, with a "
                       "warning: hako-py does not do it.",
    },
    "autoscaling_topic_for_oneshot": {
        "type": "string",
        "description": "hako published to this SNS topic when a oneshot found no room; accepted, with a warning: "
                       "hako-py does not do it.",
    },
    "oneshot_notification_prefix": {
        "type": "string",
        "description": "hako followed oneshot tasks through S3 notifications under this s3:// prefix; accepted, "
                       "with a warning: hako-py follows them with DescribeTasks.",
    },
}


def _scheduler(builder: _Builder) -> dict[str, Any]:
    model = builder.model
    properties: dict[str, Any] = {
        "type": {"const": "ecs", "description": "Scheduler type; hako-py supports 'ecs'."},
        "region": {"type": "string", "description": "AWS region the app runs in (e.g. 'ap-northeast-1')."},
        "cluster": {"type": "string", "description": "ECS cluster name or ARN (default 'default')."},
        "desired_count": _integer(
            "Number of tasks the service keeps running. Without it the app is batch-only (no service)."
        ),
        "cpu": {
            "type": ["string", "integer"],
            "description": "Task-level CPU units (e.g. 256, '1024', '1 vCPU'); required on Fargate.",
        },
        "memory": {
            "type": ["string", "integer"],
            "description": "Task-level memory in MiB (e.g. 512, '2048', '2 GB'); required on Fargate.",
        },
        "tags": {
            "type": "object",
            "description": "Tags (key -> value) of the task definition; its tasks get them too (propagate_tags "
                           "TASK_DEFINITION). As in hako, the service itself is not tagged.",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "x-hako-data-keys": True,
        },
        "service_tags": {
            "type": "object",
            "description": "Tags (key -> value) of the ECS service itself (hako-py; `tags` tag the task definition, "
                           "as in hako). With the key the service's tags are the definition's: {} removes them.",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "x-hako-data-keys": True,
        },
    }
    properties.update(TRAFFIC_KEYS)
    properties.update(HAKO_SCHEDULER_KEYS)
    for key in scheduler_keys(model).values():
        if key.name not in properties:
            properties[key.name] = builder.shape(key.shape, key.doc)
    return {
        "type": "object",
        "description": "Where and how the app runs on ECS (cluster, networking, deployment settings).",
        "properties": properties,
        "additionalProperties": False,
    }


def _volume(builder: _Builder) -> dict[str, Any]:
    schema = builder.structure(builder.model.shape("Volume"), drop={"name"})
    schema["properties"] = {
        "source_path": {
            "type": "string",
            "description": "Host path of a bind mount (hako shorthand for host.source_path).",
        },
        **schema["properties"],
    }
    schema["description"] = "A task volume; its key is the volume name used by mount_points.source_volume."
    return schema


@cache
def build_schema() -> dict[str, Any]:
    """The whole definition schema for the installed botocore."""
    model = load_model()
    builder = _Builder(model)
    app = _container(builder, app=True)
    sidecar = _container(builder, app=False)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "$comment": f"Generated by `hako schema` from botocore {model.botocore_version}'s ECS model.",
        "title": "hako app definition",
        "description": "An app definition in the format of the original hako (v2): scheduler, app, sidecars, "
        "volumes, scripts and schedules, with ECS API field names in snake_case.",
        "type": "object",
        "properties": {
            "scheduler": _scheduler(builder),
            "app": app,
            "sidecars": {
                "type": "object",
                "description": "Additional containers (name -> container), e.g. a front proxy or a log router.",
                "additionalProperties": {"$ref": "#/$defs/hako_sidecar"},
                "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,255}$", "x-hako-kind": "name"},
                "x-hako-data-keys": True,
            },
            "volumes": {
                "type": "object",
                "description": "Task volumes (name -> volume): host bind mounts, Docker volumes or EFS.",
                "additionalProperties": {"$ref": "#/$defs/hako_volume"},
                "x-hako-data-keys": True,
            },
            "scripts": {
                "type": "array",
                "description": "Lifecycle plugins: entries of {type: NAME, ...options}.",
                "items": {
                    "type": "object",
                    "description": "A script entry; `type` names the plugin, other keys are its options.",
                    "properties": {"type": {"type": "string", "description": "The script type."}},
                    "required": ["type"],
                },
            },
            "schedules": SCHEDULES,
        },
        "required": ["scheduler", "app"],
        "additionalProperties": False,
    }
    builder.defs["hako_sidecar"] = sidecar
    builder.defs["hako_volume"] = _volume(builder)
    builder.defs["hako_schedule"] = SCHEDULE
    schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema
