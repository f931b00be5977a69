"""Render the RegisterTaskDefinition, CreateService and RunTask requests of an app.

Pure: no AWS calls, no network, no clock. The same definition and options always give
the same requests, which is what makes ``hako diff`` and PR review trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.ecs_model import EcsModel, load_model
from hako_py.render.convert import to_api
from hako_py.render.schedules import schedule_requests
from hako_py.schema.build import scheduler_keys
from hako_py.specs.images import image_reference
from hako_py.specs.traffic import TrafficSpecs, traffic_specs
from hako_py.specs.traffic_views import traffic_view
from hako_py.units import cpu_units, memory_mib

HAKO_CONTAINER_KEYS = {"image", "tag", "image_tag", "env"}
ONESHOT_STARTED_BY = "hako-oneshot"
DEFAULT_PROPAGATE_TAGS = "TASK_DEFINITION"
SERVICE_TAGS = "service_tags"


@dataclass(frozen=True)
class RenderOptions:
    """Command-line choices that change the rendered requests."""

    tag: str | None = None


@dataclass(frozen=True)
class RenderedApp:
    """The three requests of an app; ``service`` is None for a batch-only app."""

    task_definition: dict[str, Any]
    service: dict[str, Any] | None
    run_task: dict[str, Any]
    traffic: dict[str, Any] | None = None  # load balancer, Cloud Map and autoscaling settings
    # what ``traffic`` and the service's loadBalancers / serviceRegistries were rendered from:
    # the deploy planners, verify and status use these, never derive them again
    specs: TrafficSpecs = field(default_factory=TrafficSpecs, compare=False, repr=False)
    schedules: dict[str, dict[str, Any]] | None = None  # name -> CreateSchedule request (EventBridge Scheduler)

    def as_dict(self) -> dict[str, Any]:
        rendered = {"taskDefinition": self.task_definition, "service": self.service, "runTask": self.run_task}
        if self.traffic:
            rendered["traffic"] = self.traffic
        if self.schedules:
            rendered["schedules"] = self.schedules
        return rendered


def render_container(
    model: EcsModel, name: str, container: dict[str, Any], tag_override: str | None = None
) -> dict[str, Any]:
    """One ContainerDefinition in API form."""
    snake = {k: v for k, v in container.items() if k not in HAKO_CONTAINER_KEYS}
    snake["name"] = name
    snake["image"] = image_reference(container, tag_override)
    snake.setdefault("essential", True)
    env = container.get("env") or {}
    if env:
        snake["environment"] = [{"name": k, "value": _env_value(env[k])} for k in sorted(env)]
    rendered: dict[str, Any] = to_api(model, "ContainerDefinition", snake)
    return rendered


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tags(scheduler: dict[str, Any], key: str = "tags") -> list[dict[str, str]] | None:
    """The scheduler's *key* tags; None without the key, [] for ``{}``.

    As in hako 2.18 ``tags`` tag the task definition only (``ecs.rb:131,605``): the service
    and the tasks get ``propagateTags: TASK_DEFINITION`` instead (``ecs.rb:766,1009``), so
    tasks carry them and a service hako deployed (untagged) needs no TagResource. The
    service's own tags are hako-py's ``service_tags``: owned by the definition only when it
    has the key, so ``service_tags: {}`` is how to remove them all."""
    tags = scheduler.get(key)
    if tags is None:
        return None
    return [{"key": str(k), "value": _env_value(tags[k])} for k in sorted(tags)]


def _scheduler_fields(model: EcsModel, operation: str, scheduler: dict[str, Any]) -> dict[str, Any]:
    """The scheduler keys that belong in *operation* (see ``schema.build.scheduler_keys``)."""
    keys = scheduler_keys(model)
    return {name: scheduler[name] for name, key in keys.items() if name in scheduler and operation in key.operations}


def _volume(name: str, volume: dict[str, Any]) -> dict[str, Any]:
    result = {k: v for k, v in volume.items() if k != "source_path"}
    result["name"] = name
    if "source_path" in volume:
        result["host"] = {**result.get("host", {}), "source_path": volume["source_path"]}
    if not any(k in result for k in ("host", "docker_volume_configuration", "efs_volume_configuration",
                                      "fsx_windows_file_server_volume_configuration", "configured_at_launch")):
        result["host"] = {}
    return result


def task_definition_request(
    model: EcsModel, app: AppDefinition, *, family: str, containers: list[str], tag: str | None
) -> dict[str, Any]:
    """RegisterTaskDefinition for *family* holding *containers* (app first)."""
    scheduler = app.scheduler
    snake: dict[str, Any] = {
        "family": family,
        **_scheduler_fields(model, "RegisterTaskDefinition", scheduler),
        "volumes": [_volume(n, app.volumes[n]) for n in sorted(app.volumes)],
    }
    for key, amount in (("cpu", cpu_units), ("memory", memory_mib)):
        if key in scheduler:
            # '1 vCPU' / '2 GB' sent as the integer string ECS stores anyway ('1024' / '2048'):
            # fractions such as '0.25 vCPU' are not documented for ECS's own conversion.
            converted = amount(scheduler[key])
            snake[key] = str(converted) if converted is not None else scheduler[key]
    if not snake["volumes"]:
        del snake["volumes"]
    tags = _tags(scheduler)
    if tags:  # the task definition's own tags: none is no tags, the same as an empty list
        snake["tags"] = tags
    body: dict[str, Any] = to_api(model, model.operations["RegisterTaskDefinition"], snake)
    definitions = [
        render_container(model, name, app.containers[name], tag if name == APP_CONTAINER else None)
        for name in containers
    ]
    ordered: dict[str, Any] = {}
    for member in model.input_shape("RegisterTaskDefinition").members:
        if member.name == "containerDefinitions":
            ordered["containerDefinitions"] = definitions
        elif member.name in body:
            ordered[member.name] = body[member.name]
    return ordered


def service_request(model: EcsModel, app: AppDefinition, specs: TrafficSpecs) -> dict[str, Any] | None:
    """CreateService for the app's service, or None when the app has no service."""
    if not app.has_service:
        return None
    scheduler = app.scheduler
    snake: dict[str, Any] = {
        "cluster": app.cluster,
        "service_name": app.app_id,
        "task_definition": app.app_id,
        **_scheduler_fields(model, "CreateService", scheduler),
    }
    if "desired_count" in scheduler:
        snake["desired_count"] = scheduler["desired_count"]
    snake.setdefault("propagate_tags", DEFAULT_PROPAGATE_TAGS)
    service_tags = _tags(scheduler, SERVICE_TAGS)
    if service_tags is not None:
        snake["tags"] = service_tags
    result: dict[str, Any] = to_api(model, model.operations["CreateService"], snake)
    # Target groups and Cloud Map services are referred to by name until deploy knows their ARNs.
    balancers = [a.api() for a in specs.attachments]
    if balancers:
        result["loadBalancers"] = balancers
    registries = [spec.registry(spec.registry_ref) for spec in specs.discovery]
    if registries:
        result["serviceRegistries"] = registries
    return result


def run_task_request(model: EcsModel, app: AppDefinition) -> dict[str, Any]:
    """RunTask for a oneshot of the app, without per-run overrides."""
    snake: dict[str, Any] = {
        "cluster": app.cluster,
        "task_definition": app.oneshot_family,
        "count": 1,
        "started_by": ONESHOT_STARTED_BY,
        **_scheduler_fields(model, "RunTask", app.scheduler),
    }
    snake.setdefault("propagate_tags", DEFAULT_PROPAGATE_TAGS)
    result: dict[str, Any] = to_api(model, model.operations["RunTask"], snake)
    return result


def render_app(app: AppDefinition, options: RenderOptions = RenderOptions()) -> RenderedApp:
    """All three requests; the oneshot task definition is rendered by the oneshot command."""
    model = load_model()
    specs = traffic_specs(app.app_id, app.scheduler, app.containers)
    run_task = run_task_request(model, app)
    return RenderedApp(
        task_definition=task_definition_request(
            model, app, family=app.app_id, containers=list(app.containers), tag=options.tag
        ),
        service=service_request(model, app, specs),
        run_task=run_task,
        traffic=traffic_view(specs),
        specs=specs,
        schedules=schedule_requests(app, run_task),
    )
