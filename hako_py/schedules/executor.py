"""Run a plan's instructions in order, resolving references as earlier instructions make them known.

The one place schedule writes happen. Registering the oneshot task definition goes through the
*register* given (the deploy's ``register_once``: RegisterTaskDefinition has no client token, a
lost response must not register twice); every other instruction is one facade method (``WRITES``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hako_py.aws.scheduler import SchedulerApi
from hako_py.schedules.instructions import ECS, Instruction, Refs
from hako_py.schedules.planner import known_refs

# the facade method of each scheduler operation a schedule plan names
WRITES: dict[str, Callable[..., None]] = {
    "create_schedule_group": SchedulerApi.create_schedule_group,
    "create_schedule": SchedulerApi.create_schedule,
    "update_schedule": SchedulerApi.update_schedule,
    "delete_schedule": SchedulerApi.delete_schedule,
}
Register = Callable[[dict[str, Any]], tuple[dict[str, Any], bool]]  # request -> (task definition, registered now)


def execute(instructions: tuple[Instruction, ...], refs: Refs, *, register: Register, scheduler: SchedulerApi,
            family: str, cluster: str, say: Callable[[str], None]) -> None:
    for instruction in instructions:
        parameters = refs.resolve(instruction.parameters)
        if instruction.api == ECS and instruction.operation == "register_task_definition":
            registered, now = register(parameters)
            arn = str(registered["taskDefinitionArn"])
            refs.update(known_refs(family, cluster, arn))
            say(f"registered task definition {arn.rsplit('/', 1)[-1]}" if now
                else f"task definition {arn.rsplit('/', 1)[-1]} is already registered; using it")
            continue
        if instruction.api == ECS:
            raise AssertionError(f"no ECS instruction {instruction.operation} in schedule plans")
        WRITES[instruction.operation](scheduler, **parameters)
        say(instruction.text)
