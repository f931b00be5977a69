"""What ECS fills in or normalizes on its side, as pure functions over request JSON.

The sandbox exists so hako-py's tests see what real ECS answers; moto stores most requests
as they were sent. Each function here completes a request the way ECS stores it, and each
rule cites where that behaviour is documented or was seen (the research in
ECS_DEFAULTS.md / defaults.json; the corpus copies are under tests/corpus/):

- ``API Shape.member``: the botocore 1.44.8 ECS model's doc string, the same text as the
  AWS API Reference page of that shape;
- ``CLI file``: an AWS CLI documented example (aws/aws-cli awscli/examples/ecs/, 07c4fe36);
- ``REAL name``: a real published response (tests/corpus/NAME.json);
- ``PRIOR``: another deploy tool's normalization code (evidence of what ECS returns).

Rules the research marks unknown or low-confidence are left out on purpose: the bridge-mode
``hostPort: 0``, fractional vCPU/GB strings.
"""

from __future__ import annotations

import copy
import re
from typing import Any

CPU_UNITS_PER_VCPU = 1024
MIB_PER_GB = 1024
# API RegisterTaskDefinitionRequest.cpu: "as a string using vCPUs (for example, 1 vCPU or 1 vcpu)";
# .memory: "as a string using GB (for example, 1GB or 1 GB)". Only these documented whole-number
# forms are converted; "0.25 vCPU", "512 MiB" or "2 gb" are undocumented (research: low) and stay as sent.
_VCPU = re.compile(r"(\d+) ?(?:vCPU|vcpu)")
_GB = re.compile(r"(\d+) ?GB")


# task definitions ------------------------------------------------------------------------------
def task_cpu(value: str) -> str:
    """API RegisterTaskDefinitionRequest.cpu: "String values are converted to an integer
    indicating the CPU units when the task definition is registered" ('1 vCPU' -> '1024')."""
    match = _VCPU.fullmatch(value.strip())
    return str(int(match.group(1)) * CPU_UNITS_PER_VCPU) if match else value


def task_memory(value: str) -> str:
    """API RegisterTaskDefinitionRequest.memory: "String values are converted to an integer
    indicating the MiB when the task definition is registered" ('2 GB' -> '2048')."""
    match = _GB.fullmatch(value.strip())
    return str(int(match.group(1)) * MIB_PER_GB) if match else value


def port_mapping(mapping: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    completed = dict(mapping)
    # API PortMapping.protocol: "The default is tcp"; REAL tf-apirep-port-mapping-host-port-0,
    # repo-taskdef-fargate-efs-console-export, repo-taskdef-fargate-enable-fault-injection-2026.
    completed.setdefault("protocol", "tcp")
    # API PortMapping.hostPort: "For containers in a task with the awsvpc network mode, the hostPort is set
    # to the same value as the containerPort"; host mode: amazon-ecs-agent issue #185 (AWS maintainer: "If
    # the host port is not specified, the host port will be same as container port"). REAL
    # repo-taskdef-fargate-efs-console-export (3000 -> 3000). Bridge mode: whether ECS echoes hostPort 0
    # is not established (research: low), so nothing is filled there.
    if network_mode in ("awsvpc", "host") and "containerPort" in completed:
        completed.setdefault("hostPort", completed["containerPort"])
    return completed


def health_check(check: dict[str, Any]) -> dict[str, Any]:
    """API HealthCheck.interval ("The default value is 30 seconds"), .timeout ("The default value
    is 5"), .retries ("The default value is 3"); REAL tf-apirep-health-check-defaults; eagletmt/hako
    PR #56 ("DescribeTaskDefinition returns interval=30 even if RegisterTaskDefinition is called
    without"). startPeriod is not filled ("By default, the startPeriod is off")."""
    return {"interval": 30, "timeout": 5, "retries": 3, **check}


def container_definition(container: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    completed = copy.deepcopy(container)
    # API ContainerDefinition.essential: "If this parameter is omitted, a container is assumed to be
    # essential"; REAL tf-apirep-arrays-env-order-cpu-0 (sidecars come back essential: true).
    completed.setdefault("essential", True)
    # API ContainerDefinition.cpu is the model's only primitive Integer member; REAL
    # tf-apirep-arrays-env-order-cpu-0 (sidecars: cpu 0), repo-taskdef-fargate-enable-fault-injection-2026.
    completed.setdefault("cpu", 0)
    # CLI register-task-definition.rst (REAL awscli-register-task-definition-sleep360): a request without
    # them is answered with environment, mountPoints, portMappings and volumesFrom as [].
    # systemControls: REAL tf-apirep-health-check-defaults; terraform-aws-modules/terraform-aws-ecs PR #176
    # (2024: `systemControls = []` "to quiet the diff").
    for key in ("environment", "mountPoints", "portMappings", "volumesFrom", "systemControls"):
        completed.setdefault(key, [])
    completed["portMappings"] = [port_mapping(m, network_mode) for m in completed["portMappings"]]
    if completed.get("healthCheck"):
        completed["healthCheck"] = health_check(completed["healthCheck"])
    return completed


def volume(spec: dict[str, Any]) -> dict[str, Any]:
    completed = copy.deepcopy(spec)
    docker = completed.get("dockerVolumeConfiguration")
    if isinstance(docker, dict):
        # PRIOR eagletmt/hako ecs_volume_comparator.rb (driver WithDefault 'local', scope WithDefault 'task');
        # ECS Developer Guide docker-volumes (the built-in `local` driver). Research: medium.
        docker.setdefault("driver", "local")
        docker.setdefault("scope", "task")
    efs = completed.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        # API EFSVolumeConfiguration.rootDirectory: "Specifying / will have the same effect as omitting this
        # parameter"; REAL repo-taskdef-fargate-efs-console-export ("rootDirectory": "/");
        # terraform-provider-aws issues #26793/#18010 report ECS returns "/".
        efs.setdefault("rootDirectory", "/")
    return completed


def task_definition(request: dict[str, Any]) -> dict[str, Any]:
    """A RegisterTaskDefinition request completed as ECS stores and describes it."""
    completed = dict(request)
    network_mode = request.get("networkMode")
    completed["containerDefinitions"] = [container_definition(c, network_mode)
                                         for c in request.get("containerDefinitions") or []]
    # CLI register-task-definition.rst / describe-task-definition.rst: volumes and placementConstraints [].
    completed["volumes"] = [volume(v) for v in request.get("volumes") or []]
    completed.setdefault("placementConstraints", [])
    if isinstance(request.get("cpu"), str):
        completed["cpu"] = task_cpu(request["cpu"])
    if isinstance(request.get("memory"), str):
        completed["memory"] = task_memory(request["memory"])
    # API RegisterTaskDefinitionRequest.enableFaultInjection: "The default value is false"; REAL
    # repo-taskdef-fargate-enable-fault-injection-2024/-2026 ("enableFaultInjection": false);
    # aws-actions/amazon-ecs-deploy-task-definition issue #701 ("the field started to appear").
    completed.setdefault("enableFaultInjection", False)
    return completed


def compatibilities(requires: list[str] | None) -> list[str] | None:
    """The response-only ``compatibilities`` of a task definition that requires none: REAL
    awscli-register-task-definition-sleep360 and awscli-describe-task-definition-hello-world both
    show ["EXTERNAL", "EC2"]. For other task definitions the value grows with ECS's launch types
    (research), so None: whatever moto says stays."""
    return None if requires else ["EXTERNAL", "EC2"]
