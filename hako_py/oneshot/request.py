"""The oneshot task definition and RunTask request. Pure: no AWS calls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.task_definition import same_task_definition
from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.ecs_model import load_model
from hako_py.errors import HakoError
from hako_py.plan.instructions import Plan, RegisterTaskDefinition, plan_of
from hako_py.references import awslogs_stream
from hako_py.render import RenderedApp
from hako_py.render.requests import task_definition_request

ATTACH_PREFIX = "hako-oneshot-"
ATTACH_TAG = "hako-oneshot-attach-key"
NEW_REVISION = "new-revision"  # the output of the registration plan


@dataclass(frozen=True)
class Overrides:
    """Per-run changes to the app container."""

    command: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    cpu: int | None = None
    memory: int | None = None


@dataclass(frozen=True)
class TaskRunOptions:
    """What a oneshot run takes on ECS and on the local engine alike."""

    overrides: Overrides = field(default_factory=Overrides)
    containers: tuple[str, ...] = ()
    tag: str | None = None
    timeout: float | None = None


def containers_for(app: AppDefinition, requested: tuple[str, ...]) -> list[str]:
    """app, the requested sidecars and every container they reach, in hako's order.

    As hako 2.18's ``DefinitionLoader#load_containers_from_name``
    (``lib/hako/definition_loader.rb:39-73``): a container brings in what it ``links`` to
    (``name:alias`` -> name), what it ``depends_on`` and its ``volumes_from`` sources,
    transitively; the order is the order they were first reached in (app, the requested
    ones, then breadth first), which is the order of hako's container definitions.
    """
    unknown = [name for name in requested if name not in app.containers]
    if unknown:
        raise HakoError(f"{app.file}: no container named {', '.join(unknown)} "
                        f"(containers: {', '.join(app.containers)})")
    chosen = list(dict.fromkeys((APP_CONTAINER, *requested)))
    for name in chosen:  # grows while it is walked: breadth first
        for reached in reached_containers(app.containers[name]):
            if reached not in chosen and reached in app.containers:
                chosen.append(reached)
    return chosen


def reached_containers(container: dict[str, Any]) -> list[str]:
    """The containers *container* needs in its task: links, depends_on, volumes_from."""
    names = [str(link).split(":", 1)[0] for link in container.get("links") or []]
    names += [str(dependency["container_name"]) for dependency in container.get("depends_on") or []]
    names += [str(source["source_container"]) for source in container.get("volumes_from") or []]
    return names


def oneshot_task_definition(app: AppDefinition, requested: tuple[str, ...], tag: str | None) -> dict[str, Any]:
    return task_definition_request(load_model(), app, family=app.oneshot_family,
                                   containers=containers_for(app, requested), tag=tag)


@dataclass(frozen=True)
class Registration:
    """The oneshot's task definition: the live revision when it already is the one wanted
    (*reuse*), else a plan that registers it."""

    plan: Plan
    reuse: tuple[str, dict[str, Any]] | None = None


def registration(desired: dict[str, Any], live: tuple[dict[str, Any], list[dict[str, str]]] | None) -> Registration:
    """Pure: decided from the family's latest revision (read first)."""
    if live is not None and same_task_definition(desired, live[0], live[1]):
        return Registration(Plan(), (str(live[0]["taskDefinitionArn"]), live[0]))
    return Registration(plan_of(RegisterTaskDefinition(desired, NEW_REVISION, say_reused=False)))


def attach_marker(key: str) -> str:
    """The startedBy value for --attach-key: a prefix and 23 hex digits of SHA-256(key) (36 chars max)."""
    return ATTACH_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:36 - len(ATTACH_PREFIX)]


def run_task_request(
    rendered: RenderedApp, task_definition_arn: str, overrides: Overrides, *, attach_key: str | None,
    task_cpu: int | None, task_memory: int | None,
) -> dict[str, Any]:
    request = dict(rendered.run_task)
    request["taskDefinition"] = task_definition_arn
    container: dict[str, Any] = {"name": APP_CONTAINER}
    if overrides.command:
        container["command"] = list(overrides.command)
    if overrides.env:
        container["environment"] = [{"name": k, "value": v} for k, v in overrides.env]
    if overrides.cpu is not None:
        container["cpu"] = overrides.cpu
    if overrides.memory is not None:
        container["memory"] = overrides.memory
    task_overrides: dict[str, Any] = {"containerOverrides": [container]}
    if overrides.cpu is not None and task_cpu is not None and overrides.cpu > task_cpu:
        task_overrides["cpu"] = str(overrides.cpu)
    if overrides.memory is not None and task_memory is not None and overrides.memory > task_memory:
        task_overrides["memory"] = str(overrides.memory)
    request["overrides"] = task_overrides
    if attach_key is not None:
        request["startedBy"] = attach_marker(attach_key)
        request["tags"] = [*request.get("tags", []), {"key": ATTACH_TAG, "value": attach_key[:256]}]
    return request


def awslogs_target(task_definition: dict[str, Any], region: str | None) -> tuple[str, str, str | None] | None:
    """(group, stream prefix, region) of the app container's awslogs driver, if it uses one."""
    app = next(c for c in task_definition["containerDefinitions"] if c["name"] == APP_CONTAINER)
    config = app.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    if not group:
        return None
    return str(group), str(options.get("awslogs-stream-prefix") or ""), options.get("awslogs-region") or region


def stream_name(prefix: str, task_arn: str) -> str:
    return awslogs_stream(prefix, APP_CONTAINER, task_arn.rsplit("/", 1)[-1])
