"""The deploy plan: what must be written to make ECS match the definition. Pure data.

``make_plan`` does no I/O: given the rendered requests and the live state it decides
whether to register a revision, create or update the service, and renders the diffs.
``--dry-run`` prints a plan; a real deploy executes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.diff import unified
from hako_py.compare.masking import mask_pair
from hako_py.compare.service import TagChanges, compare_services
from hako_py.compare.shapes import ABSENT
from hako_py.compare.task_definition import compare_task_definitions
from hako_py.formatting import shown
from hako_py.render import RenderedApp

NEW_REVISION = "<new revision>"


def running_task_definition(service: dict[str, Any]) -> str | None:
    """The revision a service runs. A service with the EXTERNAL deployment controller has no
    ``taskDefinition`` of its own (CLI create-service example 3): its PRIMARY task set's."""
    if service.get("taskDefinition"):
        return str(service["taskDefinition"])
    for task_set in service.get("taskSets") or []:
        if task_set.get("status") == "PRIMARY" and task_set.get("taskDefinition"):
            return str(task_set["taskDefinition"])
    return None


@dataclass(frozen=True)
class LiveState:
    """What runs in ECS now: the service (or None) and its task definition (or the family's latest)."""

    service: dict[str, Any] | None
    task_definition: dict[str, Any] | None
    task_definition_tags: list[dict[str, str]] | None = None

    @property
    def task_definition_arn(self) -> str | None:
        return self.task_definition.get("taskDefinitionArn") if self.task_definition else None


@dataclass(frozen=True)
class Plan:
    """The writes a deploy will make, in order, and the diffs that justify them."""

    app_id: str
    cluster: str
    register: dict[str, Any] | None = None
    reuse_task_definition: str | None = None
    create_service: dict[str, Any] | None = None
    update_service: dict[str, Any] | None = None
    tag_service: TagChanges = field(default_factory=TagChanges)
    # tags of the live revision the plan keeps (TagResource takes task definitions: a tag
    # change is no reason for a new revision, nor for restarting the service)
    tag_task_definition: TagChanges = field(default_factory=TagChanges)
    immutable_changes: tuple[str, ...] = ()
    task_definition_diff: str = ""
    service_diff: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_writes(self) -> bool:
        return bool(self.register or self.create_service or self.update_service or self.tag_service
                    or self.tag_task_definition)

    def steps(self) -> list[str]:
        """Human-readable list of the requests this plan sends."""
        steps = []
        if self.register:
            steps.append(f"RegisterTaskDefinition family={self.register['family']}")
        if self.create_service:
            steps.append(f"CreateService {self.app_id} in cluster {self.cluster} "
                         f"(desiredCount={shown(self.create_service.get('desiredCount'), 'not set')})")
        if self.update_service:
            keys = ", ".join(k for k in self.update_service if k not in ("cluster", "service"))
            steps.append(f"UpdateService {self.app_id}: {keys}")
        if self.tag_task_definition.add:
            revision = str(self.reuse_task_definition).rsplit("/", 1)[-1]
            steps.append(f"TagResource task definition {revision}: "
                         f"{', '.join(sorted(self.tag_task_definition.add))}")
        if self.tag_service.add:
            steps.append(f"TagResource service {self.app_id}: {', '.join(sorted(self.tag_service.add))}")
        if self.tag_service.remove:
            steps.append(f"UntagResource service {self.app_id}: {', '.join(self.tag_service.remove)}")
        return steps


def _shown(value: Any) -> Any:
    return None if value is ABSENT else value


def task_definition_diff(rendered_td: dict[str, Any], live: LiveState, file: str) -> str:
    """The diff of what the definition owns in the task definition (empty: the same)."""
    comparison = compare_task_definitions(rendered_td, live.task_definition, live.task_definition_tags)
    if live.task_definition is not None and comparison.same:
        return ""
    left, right = mask_pair(_shown(comparison.live), _shown(comparison.desired))
    label = live.task_definition_arn.rsplit("/", 1)[-1] if live.task_definition_arn else "(none)"
    return unified(left, right, f"live task definition {label}", f"local {file}")


def service_diff(rendered_service: dict[str, Any] | None, live: LiveState, file: str) -> str:
    """The diff of the service settings the definition owns (empty: the same)."""
    if rendered_service is None:
        return ""
    comparison = compare_services(rendered_service, live.service or {})
    if live.service is not None and comparison.same:
        return ""
    label = live.service.get("serviceName", "(none)") if live.service else "(none)"
    left, right = mask_pair(comparison.live if live.service else None, comparison.desired)
    return unified(left, right, f"live service {label}", f"local {file}")


def make_plan(app_id: str, file: str, rendered: RenderedApp, live: LiveState, *, force: bool = False) -> Plan:
    """Decide the writes; the task definition is registered only when it differs (or force)."""
    service_request = rendered.service
    assert service_request is not None, "deploy needs a service; callers check has_service"
    cluster = str(service_request["cluster"])
    td_diff = task_definition_diff(rendered.task_definition, live, file)
    svc_diff = service_diff(service_request, live, file)
    td_comparison = compare_task_definitions(rendered.task_definition, live.task_definition,
                                             live.task_definition_tags)
    td_changed = force or live.task_definition is None or not td_comparison.same_settings
    register = rendered.task_definition if td_changed else None
    target = NEW_REVISION if register else live.task_definition_arn
    tag_td = TagChanges() if register else td_comparison.tags
    if live.service is None:
        create = {**service_request, "taskDefinition": target}
        return Plan(app_id, cluster, register=register, reuse_task_definition=None if register else target,
                    create_service=create, tag_task_definition=tag_td, task_definition_diff=td_diff,
                    service_diff=svc_diff)
    comparison = compare_services(service_request, live.service)
    updates, immutable = dict(comparison.updates), list(comparison.immutable)
    controller = str((live.service.get("deploymentController") or {}).get("type") or "ECS")
    if controller != "ECS":
        # API UpdateService: CODE_DEPLOY and EXTERNAL services change revisions through their
        # controller (a CodeDeploy deployment, CreateTaskSet), never through UpdateService.
        if register:
            immutable.append(f"taskDefinition: a service with deployment controller {controller} gets new "
                             "revisions through its controller (CodeDeploy, or CreateTaskSet), not UpdateService")
    elif register or force or running_task_definition(live.service) != target:
        updates["taskDefinition"] = target
    if force:
        updates["forceNewDeployment"] = True
    update = {"cluster": cluster, "service": app_id, **updates} if updates else None
    return Plan(
        app_id,
        cluster,
        register=register,
        reuse_task_definition=None if register else target,
        update_service=update,
        tag_service=comparison.tags,
        tag_task_definition=tag_td,
        immutable_changes=tuple(immutable),
        task_definition_diff=td_diff,
        service_diff=svc_diff if updates or immutable or comparison.tags else "",
    )
