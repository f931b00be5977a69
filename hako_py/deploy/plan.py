"""The ECS part of a deploy plan: what must be written to make ECS match the definition.

``make_plan`` does no I/O: given the rendered requests and the live state (read up front
by :mod:`hako_py.deploy.live`) it decides whether to register a revision, create or
update the service, and renders the diffs. :meth:`ServicePlan.instructions` turns the
decision into plan instructions (:mod:`hako_py.plan`): ``--dry-run`` shows them, a real
deploy executes them.
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
from hako_py.plan.instructions import Call, Instruction, Operation, Output, Plan, RegisterTaskDefinition, Say
from hako_py.plan.values import Ref, Short, short
from hako_py.plan.values import shown as placeholders

# The revision a deploy registers: its ARN is known once RegisterTaskDefinition answered.
NEW_REVISION = Ref("new-revision", shown="<new revision>")
# The service as CreateService / UpdateService answered it (deploy_started gets it).
SERVICE = "service"


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
class ServicePlan:
    """The ECS writes a deploy will make, and the diffs that justify them.

    ``create_service`` / ``update_service`` are the requests as they will be sent, except
    for refs the executor resolves (the new revision's ARN, ARNs of traffic resources this
    deploy creates)."""

    app_id: str
    cluster: str
    register: dict[str, Any] | None = None
    reuse_task_definition: str | None = None
    create_service: dict[str, Any] | None = None
    update_service: dict[str, Any] | None = None
    tag_service: TagChanges = field(default_factory=TagChanges)
    service_arn: str | None = None  # the live service's, for TagResource / UntagResource
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

    @property
    def target(self) -> str | Ref:
        """The revision the service will run."""
        return NEW_REVISION if self.register else str(self.reuse_task_definition)

    def instructions(self) -> Plan:
        """The writes in the order they run (and the sentences said as they finish)."""
        steps: list[Instruction] = []
        if self.register:
            steps.append(RegisterTaskDefinition(self.register, NEW_REVISION.name))
        elif self.reuse_task_definition:
            steps.append(Say((f"task definition unchanged: {short(self.reuse_task_definition)}",)))
        if self.tag_task_definition.add and self.reuse_task_definition:
            # before the service starts tasks from the kept revision: tasks copy its tags at launch
            revision, keys = short(self.reuse_task_definition), ", ".join(sorted(self.tag_task_definition.add))
            steps.append(Call(Operation.TAG_RESOURCE, {
                "resourceArn": self.reuse_task_definition,
                "tags": [{"key": k, "value": v} for k, v in sorted(self.tag_task_definition.add.items())]},
                f"TagResource task definition {revision}: {keys}",
                done=(f"tagged task definition {revision}: {keys}",)))
        if self.create_service is not None:
            count = shown(self.create_service.get("desiredCount"), "not set")
            steps.append(Call(Operation.CREATE_SERVICE, self.create_service,
                              f"CreateService {self.app_id} in cluster {self.cluster} (desiredCount={count})",
                              done=(f"created service {self.app_id} with ",
                                    Short(self.create_service["taskDefinition"]),
                                    f" (desiredCount {count})"),
                              outputs=(Output(SERVICE),), token="clientToken"))
        if self.update_service is not None:
            keys = ", ".join(k for k in self.update_service if k not in ("cluster", "service"))
            steps.append(Call(Operation.UPDATE_SERVICE, self.update_service, f"UpdateService {self.app_id}: {keys}",
                              done=(f"updated service {self.app_id}: {keys}",), outputs=(Output(SERVICE),)))
        if self.tag_service and self.create_service is None and self.service_arn is not None:
            add, remove = self.tag_service.add, self.tag_service.remove
            if add:  # UpdateService cannot change a service's tags (CreateService set them)
                steps.append(Call(Operation.TAG_RESOURCE, {
                    "resourceArn": self.service_arn, "tags": [{"key": k, "value": v} for k, v in sorted(add.items())]},
                    f"TagResource service {self.app_id}: {', '.join(sorted(add))}",
                    done=(f"tagged service {self.app_id}: {', '.join(sorted(add))}",)))
            if remove:
                steps.append(Call(Operation.UNTAG_RESOURCE, {"resourceArn": self.service_arn, "tagKeys": list(remove)},
                                  f"UntagResource service {self.app_id}: {', '.join(remove)}",
                                  done=(f"untagged service {self.app_id}: {', '.join(remove)}",)))
        return Plan(tuple(steps))


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


def make_plan(app_id: str, file: str, task_definition: dict[str, Any], service_request: dict[str, Any],
              live: LiveState, *, force: bool = False) -> ServicePlan:
    """Decide the writes (pure); the task definition is registered only when it differs (or force).

    *service_request* is the rendered CreateService request with the traffic resources'
    ARNs bound (:meth:`hako_py.traffic.manager.TrafficPlan.bind`): refs where this deploy
    creates them. Diffs and comparisons see refs as their placeholders."""
    cluster = str(service_request["cluster"])
    comparable = placeholders(service_request)
    td_diff = task_definition_diff(task_definition, live, file)
    svc_diff = service_diff(comparable, live, file)
    td_comparison = compare_task_definitions(task_definition, live.task_definition, live.task_definition_tags)
    td_changed = force or live.task_definition is None or not td_comparison.same_settings
    register = task_definition if td_changed else None
    target: str | Ref = NEW_REVISION if register else str(live.task_definition_arn)
    tag_td = TagChanges() if register else td_comparison.tags
    if live.service is None:
        create = {**service_request, "taskDefinition": target}
        return ServicePlan(app_id, cluster, register=register, reuse_task_definition=None if register else str(target),
                           create_service=create, tag_task_definition=tag_td, task_definition_diff=td_diff,
                           service_diff=svc_diff)
    comparison = compare_services(comparable, live.service)
    updates = {k: service_request.get(k, v) for k, v in comparison.updates.items()}
    immutable = list(comparison.immutable)
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
    return ServicePlan(
        app_id,
        cluster,
        register=register,
        reuse_task_definition=None if register else str(target),
        update_service=update,
        tag_service=comparison.tags,
        service_arn=str(live.service["serviceArn"]) if live.service.get("serviceArn") else None,
        tag_task_definition=tag_td,
        immutable_changes=tuple(immutable),
        task_definition_diff=td_diff,
        service_diff=svc_diff if updates or immutable or comparison.tags else "",
    )
