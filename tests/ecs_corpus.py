"""Real ECS answers (tests/corpus/, copied from the research corpus) and a field-by-field comparison.

Each corpus file is ``{source, operation, request, response, filled_in_by_ecs}``: a published
response of real ECS (AWS CLI and botocore examples, the developer guide, terraform's record of
the API's answers, console exports and CLI dumps in public repositories), never a simulator's.
A sandbox answer to the same request must have every field of the real one with the same value,
and nothing else unless the test names it with its source (a newer field ECS added since that
answer was captured). ARNs, timestamps and IDs are never compared; a field the sandbox
knowingly answers differently must be named with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
# Never compared: ARNs, timestamps, IDs and who made the call.
IDENTITY = re.compile(r"(Arn|At|By|^id)$")


def load(name: str, renames: dict[str, str] | None = None) -> dict[str, Any]:
    """A corpus file, with the names in *renames* (a family, a cluster...) replaced by the test's
    own unique ones (the sandbox is shared by every test of the session)."""
    (path,) = CORPUS.glob(f"*/{name}.json")  # grouped by what they hold: services/, task_definitions/...
    text = path.read_text()
    for old, new in sorted((renames or {}).items(), key=lambda item: -len(item[0])):
        text = text.replace(f'"{old}"', f'"{new}"').replace(f"/{old}:", f"/{new}:")
    data: dict[str, Any] = json.loads(text)
    return data


def _key(path: str) -> str:
    """``containerDefinitions[2].portMappings[0].hostPort`` -> ``containerDefinitions[].portMappings[].hostPort``."""
    return re.sub(r"\[\d+\]", "[]", path)


def differences(sandbox: Any, real: Any, *, newer: dict[str, str] | None = None, known: dict[str, str] | None = None,
                unordered: tuple[str, ...] = (), path: str = "") -> list[str]:
    """What keeps *sandbox* from answering like *real*: fields missing or different, and extra
    fields. *newer* and *known* map field paths (list indexes written ``[]``) to why they may be
    extra or different; *unordered* lists are compared as sets (ECS does not keep their order)."""
    newer, known = newer or {}, known or {}
    if _key(path) in known:
        return []
    if isinstance(real, dict) and isinstance(sandbox, dict):
        found: list[str] = []
        for name, value in real.items():
            child = f"{path}.{name}" if path else name
            if IDENTITY.search(name) or _key(child) in known:
                continue
            if name not in sandbox:
                found.append(f"missing {child} (ECS: {json.dumps(value)})")
                continue
            found += differences(sandbox[name], value, newer=newer, known=known, unordered=unordered, path=child)
        for name in sandbox:
            child = f"{path}.{name}" if path else name
            if name not in real and not IDENTITY.search(name) and _key(child) not in newer | known:
                found.append(f"extra {child} = {json.dumps(sandbox[name], default=str)}")
        return found
    if isinstance(real, list) and isinstance(sandbox, list):
        if _key(path) in unordered:
            def canonical(items: list[Any]) -> list[str]:
                return sorted(json.dumps(item, sort_keys=True) for item in items)

            return [] if canonical(sandbox) == canonical(real) else [f"differs {path} (as a set)"]
        if len(sandbox) != len(real):
            return [f"differs {path}: {len(sandbox)} items, ECS {len(real)}"]
        return [d for i, (mine, theirs) in enumerate(zip(sandbox, real, strict=True))
                for d in differences(mine, theirs, newer=newer, known=known, unordered=unordered, path=f"{path}[{i}]")]
    if isinstance(real, str) and real.startswith("arn:"):
        return []  # an ARN: account, region and names are the test's
    if sandbox != real:
        return [f"differs {path}: sandbox {json.dumps(sandbox, default=str)}, ECS {json.dumps(real)}"]
    return []


# Fields current ECS answers with that older captures predate (each with its source).
TASK_DEFINITION_NEWER = {
    "enableFaultInjection": "REAL repo-taskdef-fargate-enable-fault-injection-2024/-2026 (since ~2024-12)",
    "containerDefinitions[].systemControls": "REAL tf-apirep-health-check-defaults; terraform-aws-ecs PR #176 (2024)",
}
SERVICE_NEWER = {
    "deploymentConfiguration.deploymentCircuitBreaker": "REAL awscli-create-service-ebs-volume-configurations (2025)",
    "deploymentConfiguration.strategy": "REAL repo-update-service-2026-rolling-strategy-alb",
    "deploymentConfiguration.bakeTimeInMinutes": "REAL repo-update-service-2026-rolling-strategy-alb",
    "healthCheckGracePeriodSeconds": "REAL awscli-create-service-ebs-volume-configurations (2025)",
    "deploymentController": "REAL awscli-create-service-ebs-volume-configurations (2025)",
    "enableExecuteCommand": "REAL awscli-create-service-ebs-volume-configurations (2025)",
    "availabilityZoneRebalancing": "REAL repo-update-service-2026-rolling-strategy-alb (default for new services "
                                   "since 2025-06-30)",
    "platformFamily": "REAL repo-update-service-2026-rolling-strategy-alb, devguide-create-service-service-connect",
    "deployments[].failedTasks": "REAL awscli-create-service-ebs-volume-configurations (2021+ deployments)",
    "deployments[].rolloutState": "REAL awscli-create-service-ebs-volume-configurations (2021+ deployments)",
    "deployments[].rolloutStateReason": "REAL awscli-create-service-ebs-volume-configurations (2021+ deployments)",
    "deployments[].platformFamily": "REAL repo-update-service-2026-rolling-strategy-alb",
    "deployments[].networkConfiguration": "copied from the service: REAL awscli-create-service-fargate",
}
# What the sandbox answers differently from a real answer on purpose.
SERVICE_KNOWN = {
    "runningCount": "task counts follow the simulated rollout, not ECS's scheduler",
    "pendingCount": "task counts follow the simulated rollout, not ECS's scheduler",
    "deployments[].desiredCount": "task counts follow the simulated rollout, not ECS's scheduler",
    "deployments[].pendingCount": "task counts follow the simulated rollout, not ECS's scheduler",
    "deployments[].runningCount": "task counts follow the simulated rollout, not ECS's scheduler",
    "events": "the simulator's events, not ECS's scheduler's",
    "roleArn": "the service-linked role is not filled in by the sandbox (not part of its defaults)",
    "createdBy": "who called is not recorded by the sandbox",
}
