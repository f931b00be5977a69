"""Send the original hako's AWS requests to the sandbox, as hako's Ruby SDK puts them on the wire.

hako 2.18 builds its requests as Ruby hashes with aws-sdk-ruby's snake_case member names
(``container_definitions``, ``size_in_gi_b``) and passes ``nil`` for what is not set, which
aws-sdk-ruby leaves out of the request (``/work/research/hako/REQUESTS.md`` §0). This module
maps each member to the API's name through botocore's model of the service (so string-keyed
maps such as ``docker_labels`` and log ``options`` keep their keys) and drops the ``nil``s —
empty lists, empty maps and ``false`` are kept, as hako sends them.

The recorded requests (``tests/hako218/*/calls.json``) come from running hako's own code
against recording fakes; the ARNs of what those fakes "created" are placeholders
(account ``012345678901``, ids ``0123456789abcdef``). Each placeholder is replaced by the
ARN the sandbox gave the resource of that name, so later requests (a listener's target
group, the service's load balancer) point at what the earlier ones made.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

FAKE_ACCOUNT = "012345678901"
_FAKE_ELB = re.compile(r"^arn:aws:elasticloadbalancing:[^:]+:012345678901:(loadbalancer/(?:app|net)|targetgroup)/"
                       r"([^/]+)/[0-9a-f]{16}$")
_FAKE_TASK_DEFINITION = re.compile(r"^arn:aws:ecs:[^:]+:012345678901:task-definition/([^:]+):(\d+)$")
_FAKE_CLOUD_MAP = re.compile(r"^arn:aws:servicediscovery:[^:]+:012345678901:service/srv-0123456789abcdef$")
_FAKE_POLICY = re.compile(r"^arn:aws:autoscaling:[^:]+:012345678901:scalingPolicy:uuid:.*:policyName/(.+)$")


@dataclass(frozen=True)
class HakoCall:
    """One request hako made: its client (``ecs``, ``elbv2`` ...), operation and params."""

    client: str
    op: str
    params: dict[str, Any]


def load_calls(path: Path) -> list[HakoCall]:
    return [HakoCall(c["client"], c["op"], c["params"]) for c in json.loads(path.read_text())["calls"]]


def renamed(calls: list[HakoCall], old: str, new: str) -> list[HakoCall]:
    """*calls* for the app *new* instead of *old* (every string naming it: family, service,
    ``hako-APP`` load balancer and target group, log group, alarms)."""
    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value.replace(old, new) if isinstance(value, str) else value

    return [HakoCall(c.client, c.op, rename(c.params)) for c in calls]


def _member(shape: StructureShape, ruby_name: str) -> str:
    """The API member for aws-sdk-ruby's snake_case name (``size_in_gi_b`` is ``sizeInGiB``)."""
    wanted = ruby_name.replace("_", "").lower()
    for name in shape.members:
        if name.lower() == wanted:
            return str(name)
    raise KeyError(f"{shape.name} has no member {ruby_name!r}")


def on_the_wire(shape: Shape, value: Any) -> Any:
    """*value* as botocore takes it: API member names, ``nil`` members left out."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None:
                continue
            member = _member(shape, key)
            result[member] = on_the_wire(shape.members[member], item)
        return result
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [on_the_wire(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: on_the_wire(shape.value, v) for k, v in value.items() if v is not None}
    return value


@dataclass
class Replay:
    """Sends hako's calls through boto3 *clients* (one per service name), remembering the
    ARNs the sandbox gives so the placeholders in later calls resolve."""

    clients: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)  # a placeholder the test made real (a namespace id)
    arns: dict[tuple[str, str], str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)

    def send(self, calls: list[HakoCall]) -> None:
        for call in calls:
            client = self.clients[call.client]
            operation = client.meta.service_model.operation_model(
                client.meta.method_to_api_mapping[call.op])
            params = on_the_wire(operation.input_shape, self._resolved(call.params))
            response = getattr(client, call.op)(**params)
            self._remember(call, response)
            self.sent.append(f"{call.client}.{call.op}")

    def _resolved(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._resolved(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolved(v) for v in value]
        if not isinstance(value, str):
            return value
        if value in self.names:
            return self.names[value]
        if FAKE_ACCOUNT not in value:
            return value
        for pattern, kind in ((_FAKE_ELB, None), (_FAKE_TASK_DEFINITION, "task-definition"),
                              (_FAKE_CLOUD_MAP, "cloud-map"), (_FAKE_POLICY, "policy")):
            found = pattern.match(value)
            if found is None:
                continue
            if kind is None:
                key = ("targetgroup" if found.group(1) == "targetgroup" else "loadbalancer", found.group(2))
            elif kind == "task-definition":
                key = (kind, f"{found.group(1)}:{found.group(2)}")
            elif kind == "cloud-map":
                key = (kind, "")
            else:
                key = (kind, found.group(1))
            return self.arns[key]
        return value  # a role or certificate ARN: a name hako was given, sent as it is

    def _remember(self, call: HakoCall, response: dict[str, Any]) -> None:
        if call.op == "create_load_balancer" and call.client == "elbv2":
            lb = response["LoadBalancers"][0]
            self.arns[("loadbalancer", lb["LoadBalancerName"])] = lb["LoadBalancerArn"]
        elif call.op == "create_target_group":
            tg = response["TargetGroups"][0]
            self.arns[("targetgroup", tg["TargetGroupName"])] = tg["TargetGroupArn"]
        elif call.op == "register_task_definition":
            td = response["taskDefinition"]
            self.arns[("task-definition", f"{td['family']}:1")] = td["taskDefinitionArn"]
        elif call.op == "create_service" and call.client == "servicediscovery":
            self.arns[("cloud-map", "")] = response["Service"]["Arn"]
        elif call.op == "put_scaling_policy":
            self.arns[("policy", call.params["policy_name"])] = response["PolicyARN"]
