"""The instructions a plan is made of: frozen data, decided from reads only.

Each write carries the sentence that names it (``text``): the dry run lists exactly these,
``--output json`` records them, and the executor says them as it goes, so what is shown
is what runs. ``text=None`` marks a request that completes the write before it (waiting
for a Cloud Map operation, pointing an alarm at a new policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hako_py.plan.values import MissingRef, Ref, Short, refs_in

# A sentence of literal parts and values known at run time (a task definition's short name).
Message = tuple[str | Short | Ref, ...]


class Operation(Enum):
    """Every write hako sends through the facade: (service, API operation)."""

    # ECS
    CREATE_SERVICE = ("ecs", "CreateService")
    UPDATE_SERVICE = ("ecs", "UpdateService")
    DELETE_SERVICE = ("ecs", "DeleteService")
    TAG_RESOURCE = ("ecs", "TagResource")
    UNTAG_RESOURCE = ("ecs", "UntagResource")
    DEREGISTER_TASK_DEFINITION = ("ecs", "DeregisterTaskDefinition")
    # Elastic Load Balancing v2
    CREATE_LOAD_BALANCER = ("elbv2", "CreateLoadBalancer")
    SET_SUBNETS = ("elbv2", "SetSubnets")
    SET_SECURITY_GROUPS = ("elbv2", "SetSecurityGroups")
    MODIFY_LOAD_BALANCER_ATTRIBUTES = ("elbv2", "ModifyLoadBalancerAttributes")
    DELETE_LOAD_BALANCER = ("elbv2", "DeleteLoadBalancer")
    CREATE_TARGET_GROUP = ("elbv2", "CreateTargetGroup")
    MODIFY_TARGET_GROUP = ("elbv2", "ModifyTargetGroup")
    MODIFY_TARGET_GROUP_ATTRIBUTES = ("elbv2", "ModifyTargetGroupAttributes")
    DELETE_TARGET_GROUP = ("elbv2", "DeleteTargetGroup")
    CREATE_LISTENER = ("elbv2", "CreateListener")
    MODIFY_LISTENER = ("elbv2", "ModifyListener")
    DELETE_LISTENER = ("elbv2", "DeleteListener")
    CREATE_RULE = ("elbv2", "CreateRule")
    MODIFY_RULE = ("elbv2", "ModifyRule")
    SET_RULE_PRIORITIES = ("elbv2", "SetRulePriorities")
    DELETE_RULE = ("elbv2", "DeleteRule")
    # Cloud Map
    CLOUD_MAP_CREATE_SERVICE = ("servicediscovery", "CreateService")
    CLOUD_MAP_UPDATE_SERVICE = ("servicediscovery", "UpdateService")
    CLOUD_MAP_DELETE_SERVICE = ("servicediscovery", "DeleteService")
    # Application Auto Scaling
    REGISTER_SCALABLE_TARGET = ("application-autoscaling", "RegisterScalableTarget")
    DEREGISTER_SCALABLE_TARGET = ("application-autoscaling", "DeregisterScalableTarget")
    PUT_SCALING_POLICY = ("application-autoscaling", "PutScalingPolicy")
    DELETE_SCALING_POLICY = ("application-autoscaling", "DeleteScalingPolicy")

    @property
    def service(self) -> str:
        return self.value[0]

    @property
    def api_name(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Output:
    """Keep the value at *path* in the response under *name* (for later :class:`Ref`s)."""

    name: str
    path: tuple[str | int, ...] = ()
    optional: bool = False  # a response may lack it (then later instructions see None)


@dataclass(frozen=True)
class Retry:
    """Send again while AWS answers *code* (a resource still in use while another goes away)."""

    code: str
    attempts: int
    delay: float


@dataclass(frozen=True)
class Call:
    """One API request; *parameters* may hold :class:`Ref` values."""

    operation: Operation
    parameters: Mapping[str, Any]
    text: str | None
    done: Message | None = None  # said once it succeeded (default: text)
    outputs: tuple[Output, ...] = ()
    retry: Retry | None = None
    token: str | None = None  # the request member that gets a fresh idempotency token


@dataclass(frozen=True)
class RegisterTaskDefinition:
    """RegisterTaskDefinition exactly once (:func:`hako_py.plan.register.register_once`):
    the family's latest revision is reused when it already is the one wanted."""

    request: Mapping[str, Any]
    output: str  # the revision's ARN
    say_reused: bool = True  # deploy tells a reused revision apart; oneshot does not

    @property
    def document(self) -> str:
        """The name of the output holding the registered task definition itself."""
        return f"{self.output}:document"

    @property
    def text(self) -> str:
        return f"RegisterTaskDefinition family={self.request['family']}"


@dataclass(frozen=True)
class AwaitCloudMapOperation:
    """Poll GetOperation until the Cloud Map operation an earlier call started has finished."""

    operation_id: Ref
    text: None = None


@dataclass(frozen=True)
class PointAlarm:
    """Make a step scaling policy an action of its CloudWatch alarm (as the original hako did).

    The alarm is read when this runs: its actions must gain the ARN of a policy that the
    PutScalingPolicy before it has just created."""

    alarm: str
    policy_arn: Ref
    text: None = None


@dataclass(frozen=True)
class Say:
    """A sentence for people at this point of the run (no request)."""

    message: Message
    text: None = None


@dataclass(frozen=True)
class Hook:
    """Run the definition's scripts at *event* with *arguments* (which may hold refs)."""

    event: str
    arguments: tuple[Any, ...] = ()
    text: None = None


@dataclass(frozen=True)
class FollowRollout:
    """Follow the service's rollout of *target* to its end; the outcome goes to *output*."""

    cluster: str
    service: str
    target: str | Ref
    output: str
    timeout: float | None = None  # None: the command's --timeout
    initial: Ref | None = None  # the service as the call before answered it
    text: None = None


Instruction = (Call | RegisterTaskDefinition | AwaitCloudMapOperation | PointAlarm | Say | Hook | FollowRollout)


@dataclass(frozen=True)
class Plan:
    """Instructions in the order they run."""

    instructions: tuple[Instruction, ...] = field(default_factory=tuple)

    def __add__(self, other: Plan) -> Plan:
        return Plan(self.instructions + other.instructions)

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self.instructions)

    def __bool__(self) -> bool:
        return bool(self.instructions)

    @property
    def writes(self) -> list[str]:
        """The writes, as the dry run lists them and ``--output json`` records them."""
        return [i.text for i in self.instructions if i.text is not None]


def needs(instruction: Instruction) -> list[Ref]:
    """The refs *instruction* resolves when it runs."""
    if isinstance(instruction, Call):
        return refs_in([dict(instruction.parameters), instruction.done or ()])
    if isinstance(instruction, AwaitCloudMapOperation):
        return [instruction.operation_id]
    if isinstance(instruction, PointAlarm):
        return [instruction.policy_arn]
    if isinstance(instruction, Say):
        return refs_in(instruction.message)
    if isinstance(instruction, Hook):
        return refs_in(instruction.arguments)
    if isinstance(instruction, FollowRollout):
        return refs_in([instruction.target, instruction.initial])
    return []


def produces(instruction: Instruction) -> list[str]:
    """The names *instruction* gives values to (for the refs of the instructions after it)."""
    if isinstance(instruction, Call):
        return [output.name for output in instruction.outputs]
    if isinstance(instruction, RegisterTaskDefinition):
        return [instruction.output, instruction.document]
    if isinstance(instruction, FollowRollout):
        return [instruction.output]
    return []


def check_refs(plan: Plan, given: Iterable[str] = ()) -> None:
    """Refuse a plan in which a ref is not produced by an instruction before the one needing it
    (or given): the error names the ref, and nothing has been sent yet."""
    produced = set(given)
    for instruction in plan:
        missing = [ref for ref in needs(instruction) if ref.name not in produced]
        if missing:
            names = ", ".join(sorted({ref.name for ref in missing}))
            wanted = instruction.text or type(instruction).__name__
            raise MissingRef(f"no value for {names}: no step before {wanted} produces it "
                             "(nothing was sent)")
        produced.update(produces(instruction))


def plan_of(*instructions: Instruction | None) -> Plan:
    """A plan of the given instructions, leaving out the Nones (steps that are not needed)."""
    return Plan(tuple(i for i in instructions if i is not None))
