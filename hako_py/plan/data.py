"""A plan as JSON data, for ``--dry-run --output json``: the instructions themselves.

:mod:`hako_py.plan.display` says a plan's writes as sentences; scripts reviewing a dry run
need what would be sent: each instruction's service, operation and parameters, and the
values only an earlier instruction makes known as ``{"ref": NAME, "shown": TEXT}``. Secrets
in parameters are hidden as the text output hides them in its diffs
(:func:`hako_py.compare.masking.mask_requests`: secret-looking env values, credential
shapes, a schedule's RunTask input), so the document can go to a CI log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hako_py.compare.masking import mask_requests
from hako_py.plan.instructions import (
    AwaitCloudMapOperation,
    Call,
    FollowRollout,
    Hook,
    Instruction,
    Plan,
    PointAlarm,
    RegisterTaskDefinition,
    Say,
)
from hako_py.plan.values import Ref, ResourceLabel, Short, text


def plan_data(plan: Plan) -> list[dict[str, Any]]:
    """Every instruction of *plan*, in order, as JSON-ready data."""
    return [instruction_data(instruction) for instruction in plan]


def call_data(service: str, operation: str, parameters: Mapping[str, Any], write: str | None,
              outputs: list[str] | None = None) -> dict[str, Any]:
    """One API request: ``{"kind": "call", "service", "operation", "parameters", "text", "outputs"}``
    (*write*: the sentence the text output lists, None for a request completing the one before)."""
    return {"kind": "call", "service": service, "operation": operation,
            "parameters": values(mask_requests(dict(parameters))), "text": write, "outputs": outputs or []}


def instruction_data(instruction: Instruction) -> dict[str, Any]:
    if isinstance(instruction, Call):
        data = call_data(instruction.operation.service, instruction.operation.api_name, instruction.parameters,
                         instruction.text, [output.name for output in instruction.outputs])
        if instruction.done is not None:
            data["done"] = text(instruction.done)
        return data
    if isinstance(instruction, RegisterTaskDefinition):
        data = call_data("ecs", "RegisterTaskDefinition", instruction.request, instruction.text,
                         [instruction.output, instruction.document])
        return {**data, "kind": "register-task-definition"}  # the family's latest revision is reused when equal
    if isinstance(instruction, AwaitCloudMapOperation):
        return {"kind": "await-cloud-map-operation", "operationId": values(instruction.operation_id)}
    if isinstance(instruction, PointAlarm):
        return {"kind": "point-alarm", "alarm": instruction.alarm, "policyArn": values(instruction.policy_arn)}
    if isinstance(instruction, Say):
        return {"kind": "say", "message": text(instruction.message)}
    if isinstance(instruction, Hook):
        return {"kind": "hook", "event": instruction.event,
                "arguments": values(mask_requests({"arguments": list(instruction.arguments)})["arguments"])}
    if isinstance(instruction, FollowRollout):
        return {"kind": "follow-rollout", "cluster": instruction.cluster, "service": instruction.service,
                "target": values(instruction.target), "output": instruction.output,
                "timeoutSeconds": instruction.timeout,
                "initial": values(instruction.initial) if instruction.initial is not None else None}
    raise TypeError(f"no data for {type(instruction).__name__}")  # pragma: no cover - every kind is above


def values(value: Any) -> Any:
    """*value* as JSON data, each value known only at run time as an object naming it."""
    if isinstance(value, Ref):
        return {"ref": value.name, "shown": str(value)}
    if isinstance(value, ResourceLabel):
        return {"resourceLabel": {"loadBalancerArn": values(value.load_balancer_arn),
                                  "targetGroupArn": values(value.target_group_arn)}, "shown": str(value)}
    if isinstance(value, Short):
        return {"short": values(value.value), "shown": str(value)}
    if isinstance(value, list | tuple):
        return [values(item) for item in value]
    if isinstance(value, dict):
        return {str(key): values(item) for key, item in value.items()}
    return value
