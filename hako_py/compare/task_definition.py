"""Is the live task definition the one the definition renders? (and the diff if not)

Both sides are prepared the same way (response-only fields dropped, host ports filled per
network mode, tags without AWS's own ``aws:`` keys; on the live side, the version label the
original hako stamps unless the definition sets it), then compared field by field under
:data:`hako_py.compare.ecs_defaults.TASK_DEFINITION`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hako_py.compare.ecs_defaults import TASK_DEFINITION, TASK_DEFINITION_READ_ONLY
from hako_py.compare.original_hako import drop_hako_stamp
from hako_py.compare.shapes import ABSENT, pair, view


@dataclass(frozen=True)
class TaskDefinitionComparison:
    """The two comparable views; ``same`` when nothing the definition owns differs."""

    desired: Any
    live: Any

    @property
    def same(self) -> bool:
        return bool(self.desired == self.live)


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


def prepared(td: dict[str, Any] | None, tags: list[dict[str, str]] | None = None) -> Any:
    """A request or a DescribeTaskDefinition result, ready to compare (a copy)."""
    if td is None:
        return ABSENT
    result = {k: copy.deepcopy(v) for k, v in td.items() if k not in TASK_DEFINITION_READ_ONLY}
    if tags is not None:
        result["tags"] = copy.deepcopy(tags)
    # aws: tags are AWS's own (CloudFormation's stack tags...); nobody can set or remove them.
    result["tags"] = [t for t in result.get("tags") or [] if not str(t.get("key", "")).startswith("aws:")]
    _fill_host_ports(result)
    return result


def compare_task_definitions(desired: dict[str, Any] | None, live: dict[str, Any] | None,
                             live_tags: list[dict[str, str]] | None = None) -> TaskDefinitionComparison:
    """Compare a RegisterTaskDefinition request with a described task definition."""
    want, have = prepared(desired), prepared(live, live_tags)
    drop_hako_stamp(want, have)  # the original hako's version label (compare/original_hako.py)
    left, right = pair(want, have, TASK_DEFINITION)
    return TaskDefinitionComparison(left, right)


def same_task_definition(desired: dict[str, Any], live: dict[str, Any] | None,
                         live_tags: list[dict[str, str]] | None = None) -> bool:
    return live is not None and compare_task_definitions(desired, live, live_tags).same


def task_definition_view(td: dict[str, Any]) -> Any:
    """The canonical form of one task definition (PR review compares two renders)."""
    return view(prepared(td), TASK_DEFINITION)
