"""Run a plan through the AWS facade, in order, resolving refs as their values appear.

What an instruction does lives here once: a deploy, a remove, a rollback and a oneshot
registration all run through :meth:`Executor.run`, and ``--dry-run`` shows the same plan
through :mod:`hako_py.plan.display`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hako_py.aws.errors import AwsError
from hako_py.errors import HakoError
from hako_py.plan.instructions import (
    AwaitCloudMapOperation,
    Call,
    FollowRollout,
    Hook,
    Instruction,
    Output,
    Plan,
    PointAlarm,
    RegisterTaskDefinition,
    Say,
    check_refs,
)
from hako_py.plan.operations import OPERATIONS, Facade
from hako_py.plan.register import register_once
from hako_py.plan.values import lookup, resolve, short, text

CLOUD_MAP_POLLS = 60
# CloudWatch PutMetricAlarm members copied from the alarm as it is (the rest are read-only).
ALARM_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
                "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                "ComparisonOperator", "TreatMissingData")


class Hooks(Protocol):
    def fire(self, hook: str, *args: Any) -> None: ...


# (cluster, service, target revision, timeout or None, the service as last answered) -> outcome
Follower = Callable[[str, str, str, float | None, Any], Any]


class Executor:
    """Runs plans; *say* gets one sentence per finished step, *sent* each write's text."""

    def __init__(self, aws: Facade, say: Callable[[str], None], *, hooks: Hooks | None = None,
                 follow: Follower | None = None, sent: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.aws = aws
        self.say = say
        self.hooks = hooks
        self.follow = follow
        self.sent = sent
        self.sleep = sleep

    def run(self, plan: Plan, outputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run every instruction; the outputs named so far (given ones included). A ref that no
        earlier instruction produces is refused before anything is sent."""
        known: dict[str, Any] = dict(outputs or {})
        check_refs(plan, list(known))
        for instruction in plan:
            self._run(instruction, known)
            if self.sent is not None and instruction.text is not None:
                self.sent(instruction.text)
        return known

    def _run(self, instruction: Instruction, known: dict[str, Any]) -> None:
        if isinstance(instruction, Call):
            self._call(instruction, known)
        elif isinstance(instruction, RegisterTaskDefinition):
            self._register(instruction, known)
        elif isinstance(instruction, AwaitCloudMapOperation):
            operation_id = lookup(instruction.operation_id, known)
            if operation_id:
                self._await_operation(str(operation_id))
        elif isinstance(instruction, PointAlarm):
            self._point_alarm(instruction.alarm, str(lookup(instruction.policy_arn, known)))
        elif isinstance(instruction, Say):
            self.say(text(instruction.message, known))
        elif isinstance(instruction, Hook):
            if self.hooks is not None:
                self.hooks.fire(instruction.event, *resolve(list(instruction.arguments), known))
        elif isinstance(instruction, FollowRollout):
            if self.follow is None:
                raise HakoError("this command cannot follow a rollout")
            initial = lookup(instruction.initial, known) if instruction.initial is not None else None
            known[instruction.output] = self.follow(instruction.cluster, instruction.service,
                                                    str(resolve(instruction.target, known)), instruction.timeout,
                                                    initial)

    def _call(self, call: Call, known: dict[str, Any]) -> None:
        parameters: dict[str, Any] = resolve(dict(call.parameters), known)
        if call.token is not None:
            # the same token across botocore's retries of this request: AWS acts on it once
            parameters[call.token] = uuid.uuid4().hex
        send = OPERATIONS[call.operation]
        attempts = call.retry.attempts if call.retry is not None else 1
        for attempt in range(attempts):
            try:
                response = send(self.aws, parameters)
                break
            except AwsError as exc:
                if call.retry is None or exc.code != call.retry.code or attempt == attempts - 1:
                    raise
                self.sleep(call.retry.delay)
        for output in call.outputs:
            known[output.name] = _extract(response, output)
        message = text(call.done, known) if call.done is not None else call.text
        if message:
            self.say(message)

    def _register(self, instruction: RegisterTaskDefinition, known: dict[str, Any]) -> None:
        registered, now = register_once(self.aws.ecs(), dict(instruction.request), self.sleep)
        arn = str(registered["taskDefinitionArn"])
        known[instruction.output] = arn
        known[instruction.document] = registered
        if now or not instruction.say_reused:
            self.say(f"registered task definition {short(arn)}")
        else:
            self.say(f"task definition {short(arn)} is already registered (never deployed); using it")

    def _await_operation(self, operation_id: str) -> None:
        api = self.aws.cloudmap()
        for _ in range(CLOUD_MAP_POLLS):
            operation = api.get_operation(OperationId=operation_id).get("Operation") or {}
            status = operation.get("Status")
            if status == "SUCCESS":
                return
            if status == "FAIL":
                raise HakoError(f"Cloud Map operation {operation_id} failed: {operation.get('ErrorMessage')}")
            self.sleep(1.0)
        raise HakoError(f"Cloud Map operation {operation_id} did not finish")

    def _point_alarm(self, alarm_name: str, policy_arn: str) -> None:
        api = self.aws.scaling()
        alarm = api.alarms([alarm_name]).get(alarm_name)
        if alarm is None:
            raise HakoError(f"scheduler.autoscaling: alarm {alarm_name} does not exist")
        if policy_arn in (alarm.get("AlarmActions") or []):
            return
        request = {k: alarm[k] for k in ALARM_FIELDS if alarm.get(k) not in (None, [])}
        request["AlarmActions"] = [*(alarm.get("AlarmActions") or []), policy_arn]
        api.put_metric_alarm(**request)


def _extract(response: Any, output: Output) -> Any:
    value = response
    for key in output.path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            if output.optional:
                return None
            raise HakoError(f"the response has no {'.'.join(str(k) for k in output.path)} "
                            f"(wanted for {output.name})") from None
    return value
