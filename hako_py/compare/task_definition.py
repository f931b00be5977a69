"""Is the live task definition the one the definition renders? (and the diff if not)

Both sides are prepared the same way (response-only fields dropped, host ports filled per
network mode; on the live side, the version label the original hako stamps unless the
definition sets it), then compared field by field under
:data:`hako_py.compare.ecs_defaults.TASK_DEFINITION`.

Tags are compared apart from the settings, and only when the definition has ``tags``, then
only the keys it sets: organisations tag resources from outside (cost allocation, owner
tags); a key the definition does not name is not the definition's to remove, and would
otherwise make every deploy register a revision and restart the service. A tag the
definition sets differently is a tag change, never a new revision: TagResource takes task
definitions (API TagResource.resourceArn: "the supported resources are Amazon ECS capacity
providers, tasks, services, task definitions, clusters, and container instances"; "If
existing tags on a resource aren't specified in the request parameters, they aren't
changed").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.compare.ecs_defaults import TASK_DEFINITION, TASK_DEFINITION_READ_ONLY
from hako_py.compare.original_hako import drop_hako_stamp
from hako_py.compare.service import TagChanges, tag_map
from hako_py.compare.shapes import ABSENT, copied, pair, view


@dataclass(frozen=True)
class TaskDefinitionComparison:
    """The two comparable views (with the owned tags, for the diff) and the tag changes;
    ``same`` when nothing the definition owns differs."""

    desired: Any
    live: Any
    tags: TagChanges = field(default_factory=TagChanges)
    same_settings: bool = True

    @property
    def same(self) -> bool:
        return self.same_settings and not self.tags


def _fill_host_ports(td: dict[str, Any]) -> None:
    """API PortMapping.hostPort: under awsvpc (and host, per an AWS maintainer in
    amazon-ecs-agent#185) an omitted hostPort is the containerPort; under bridge an omitted
    hostPort and 0 both mean a dynamic port (PRIOR terraform treats 0 as unset)."""
    mode = str(td.get("networkMode") or "bridge")
    for container in td.get("containerDefinitions") or []:
        for mapping in container.get("portMappings") or []:
            if not isinstance(mapping, dict):
                continue
            if mode in ("awsvpc", "host") and "containerPort" in mapping:
                mapping.setdefault("hostPort", mapping["containerPort"])
            elif mode not in ("awsvpc", "host") and mapping.get("hostPort") in (0, None):
                mapping.pop("hostPort", None)


def prepared(td: dict[str, Any] | None, *, with_tags: bool = False) -> Any:
    """A request or a DescribeTaskDefinition result, ready to compare (a copy; its tags, without
    AWS's own ``aws:`` keys, only *with_tags*: compared apart otherwise)."""
    if td is None:
        return ABSENT
    result = {k: copied(v) for k, v in td.items() if k not in TASK_DEFINITION_READ_ONLY and k != "tags"}
    if with_tags:
        result["tags"] = [t for t in td.get("tags") or [] if not str(t.get("key", "")).startswith("aws:")]
    _fill_host_ports(result)
    return result


def _owned_tags(desired: dict[str, Any] | None,
                live_tags: list[dict[str, str]] | None) -> tuple[dict[str, str], dict[str, str]] | None:
    """(wanted, live) tags restricted to the keys the definition sets; None when it sets no
    ``tags`` (``aws:`` keys are AWS's own: nobody can set or remove them)."""
    if desired is None or "tags" not in desired:
        return None
    want = tag_map(desired.get("tags"))
    have = tag_map(live_tags)
    return want, {k: v for k, v in have.items() if k in want}


def compare_task_definitions(desired: dict[str, Any] | None, live: dict[str, Any] | None,
                             live_tags: list[dict[str, str]] | None = None) -> TaskDefinitionComparison:
    """Compare a RegisterTaskDefinition request with a described task definition (and its
    tags, from ``include: ['TAGS']``)."""
    want, have = prepared(desired), prepared(live)
    drop_hako_stamp(want, have)  # the original hako's version label (compare/original_hako.py)
    left, right = pair(want, have, TASK_DEFINITION)
    same_settings = bool(left == right)
    # DescribeTaskDefinition returns the tags beside the task definition; a dict that has
    # its own (a request compared with itself) speaks for itself
    owned = _owned_tags(desired, live_tags if live_tags is not None or live is None else live.get("tags"))
    if owned is None or live is None:
        return TaskDefinitionComparison(left, right, same_settings=same_settings)
    wanted, had = owned
    changes = TagChanges({k: v for k, v in wanted.items() if had.get(k) != v})
    if isinstance(left, dict) and isinstance(right, dict):
        left, right = {**left, "tags": wanted}, {**right, "tags": had}
    return TaskDefinitionComparison(left, right, changes, same_settings)


def same_task_definition(desired: dict[str, Any], live: dict[str, Any] | None,
                         live_tags: list[dict[str, str]] | None = None) -> bool:
    return live is not None and compare_task_definitions(desired, live, live_tags).same


def task_definition_view(td: dict[str, Any]) -> Any:
    """The canonical form of one task definition (PR review compares two renders)."""
    return view(prepared(td, with_tags=True), TASK_DEFINITION)
