"""What ECS fills in or normalizes on its side, as pure functions over request JSON.

The sandbox exists so hako-py's tests see what real ECS answers; moto stores most requests
as they were sent. Each function here completes a request the way ECS stores it, and each
rule cites where that behaviour is documented or was seen (the project's research notes
docs/ecs-defaults.md / defaults.json and their corpus of published responses):

- ``API Shape.member``: the botocore 1.44.8 ECS model's doc string, the same text as the
  AWS API Reference page of that shape;
- ``CLI file``: an AWS CLI documented example (aws/aws-cli awscli/examples/ecs/, 07c4fe36);
- ``REAL name``: a real published response, corpus file NAME.json (those the tests compare
  against are copied to tests/corpus/);
- ``PRIOR``: another deploy tool's normalization code (evidence of what ECS returns).

Rules the research marks unknown or low-confidence are left out on purpose: the bridge-mode
``hostPort: 0``, fractional vCPU/GB strings, ``availabilityZoneRebalancing`` of DAEMON and
non-ECS-controller services, the ``platformVersion`` of Auto Scaling group capacity providers.
"""

from __future__ import annotations

import copy
import re
from typing import Any

CPU_UNITS_PER_VCPU = 1024
MIB_PER_GB = 1024
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# REAL repo-update-service-2026-rolling-strategy-alb and devguide-create-service-service-connect: the
# deployments of a service on platform version LATEST show the version it resolved to.
LATEST_FARGATE_PLATFORM = "1.4.0"
# API Service/Deployment: these CreateService/UpdateService members are no members of Service;
# DescribeServices shows them on the deployments (model: Deployment).
DEPLOYMENT_ONLY = ("serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations")
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


def compatibilities(registered: dict[str, Any]) -> list[str]:
    """The response-only ``compatibilities`` of a task definition (*registered*: the completed
    RegisterTaskDefinition request). API TaskDefinition.compatibilities: "The task launch types the
    task definition was validated against", so every launch type whose rules the definition meets,
    whatever it requires:

    - EXTERNAL unless the network mode is awsvpc, which ECS Anywhere instances do not offer; EC2
      always. REAL awscli-describe-task-definition-hello-world (2024, no networkMode),
      repo-describe-task-definition-ec2-firelens-2024 (requires EC2, bridge) and
      repo-register-task-definition-ecs-anywhere-bridge (requires EXTERNAL, bridge) all show
      [EXTERNAL, EC2]; every Fargate (awsvpc) sample lacks EXTERNAL.
    - FARGATE with awsvpc and task-level cpu and memory (API RegisterTaskDefinitionRequest.networkMode:
      "For Amazon ECS tasks on Fargate, the awsvpc network mode is required"; .cpu/.memory are required
      there).
    - MANAGED_INSTANCES with awsvpc or host (Developer Guide managed-instance-networking: a definition
      must name one of those modes to run on Managed Instances). REAL repo-taskdef-fargate-enable-fault-
      injection-2026: [EC2, FARGATE, MANAGED_INSTANCES]; samples from before the 2025 launch lack it.

    The order is the samples' (EXTERNAL first, MANAGED_INSTANCES last). Host, none and EC2-awsvpc
    definitions follow from the same rules; no published response shows them (research: low)."""
    mode = registered.get("networkMode")
    found = [] if mode == "awsvpc" else ["EXTERNAL"]
    found.append("EC2")
    if mode == "awsvpc" and registered.get("cpu") and registered.get("memory"):
        found.append("FARGATE")
    if mode in ("awsvpc", "host"):
        found.append("MANAGED_INSTANCES")
    return found


# services --------------------------------------------------------------------------------------
def runs_on_fargate(service: dict[str, Any]) -> bool:
    strategy = service.get("capacityProviderStrategy") or []
    if strategy:
        return all(item.get("capacityProvider") in FARGATE_PROVIDERS for item in strategy)
    return service.get("launchType") == "FARGATE"


def deployment_configuration(sent: dict[str, Any] | None, *, scheduling: str, controller: str) -> dict[str, Any]:
    config = copy.deepcopy(sent or {})
    daemon = scheduling == "DAEMON"
    # API DeploymentConfiguration.maximumPercent/minimumHealthyPercent: REPLICA 200/100; ECS Developer Guide
    # ecs_services: a DAEMON service's defaults are 100 and 0. REAL repo-describe-services-daemon-ec2 (100/0),
    # awscli-create-service-ec2-default-launch-type (200/100).
    config.setdefault("maximumPercent", 100 if daemon else 200)
    config.setdefault("minimumHealthyPercent", 0 if daemon else 100)
    if controller != "ECS":
        return config
    if not daemon:
        # CLI create-service.rst Example 5 (REAL awscli-create-service-ebs-volume-configurations) and REAL
        # repo-update-service-2026-rolling-strategy-alb: {enable: false, rollback: false} when not sent.
        config.setdefault("deploymentCircuitBreaker", {"enable": False, "rollback": False})
    # API DeploymentController.type ("Rolling updates are the default deployment strategy"); REAL
    # repo-update-service-2026-rolling-strategy-alb: "strategy": "ROLLING", "bakeTimeInMinutes": 0.
    config.setdefault("strategy", "ROLLING")
    if config["strategy"] == "ROLLING":
        config.setdefault("bakeTimeInMinutes", 0)
    return config


def network_configuration(sent: dict[str, Any]) -> dict[str, Any]:
    """API AwsVpcConfiguration.assignPublicIp: "When you use create-service or update-service, the
    default is DISABLED"; REAL devguide-describe-services-fargate-tutorial."""
    completed = copy.deepcopy(sent)
    awsvpc = completed.get("awsvpcConfiguration")
    if isinstance(awsvpc, dict):
        awsvpc.setdefault("assignPublicIp", "DISABLED")
    return completed


def az_rebalancing(service: dict[str, Any]) -> str | None:
    """API CreateServiceRequest.availabilityZoneRebalancing; AWS's notice (quoted in
    DistributedScience/Distributed-CellProfiler issue #198): "Effective June 30, 2025 ... enabled by
    default for all newly created ECS services that are compatible ... binpack ... will default to
    false". REAL repo-update-service-2026-rolling-strategy-alb: ENABLED. Which DAEMON, non-ECS-controller
    or EXTERNAL launch type services are compatible is not established: None (not filled) for them."""
    controller = (service.get("deploymentController") or {}).get("type")
    if service.get("schedulingStrategy") != "REPLICA" or controller != "ECS":
        return None
    if service.get("launchType") == "EXTERNAL":
        return None  # on-premises capacity has no Availability Zones; whether ECS fills a value is unknown
    binpack = any(s.get("type") == "binpack" for s in service.get("placementStrategy") or [])
    return "DISABLED" if binpack else "ENABLED"


def service(request: dict[str, Any], *, cluster_strategy: list[dict[str, Any]] | None,
            operating_system: str | None) -> dict[str, Any]:
    """A CreateService request completed as ECS stores it. *cluster_strategy* is the cluster's
    default capacity provider strategy; *operating_system* the task definition's
    runtimePlatform.operatingSystemFamily (None when it has none)."""
    completed = copy.deepcopy(request)
    # API CreateServiceRequest.deploymentController ("the default value of ECS is used"); .schedulingStrategy
    # (CLI create-service.rst outputs: REPLICA).
    completed.setdefault("deploymentController", {"type": "ECS"})
    completed.setdefault("schedulingStrategy", "REPLICA")
    if not request.get("launchType") and not request.get("capacityProviderStrategy"):
        # API CreateServiceRequest.capacityProviderStrategy: "If no capacityProviderStrategy or launchType is
        # specified, the defaultCapacityProviderStrategy for the cluster is used"; without one, CLI
        # create-service.rst Example 2 (REAL awscli-create-service-ec2-default-launch-type): launchType EC2.
        if cluster_strategy:
            completed["capacityProviderStrategy"] = copy.deepcopy(cluster_strategy)
        else:
            completed["launchType"] = "EC2"
    if runs_on_fargate(completed):
        # API CreateServiceRequest.platformVersion ("If one isn't specified, the LATEST platform version is
        # used"), stored unresolved: REAL awscli-create-service-fargate, devguide-describe-services-fargate-
        # tutorial; FARGATE capacity provider: REAL awscli-update-service-desired-count-capacity-provider.
        completed.setdefault("platformVersion", "LATEST")
        if operating_system in (None, "LINUX"):
            # response-only; REAL repo-update-service-2026-rolling-strategy-alb, devguide-create-service-
            # service-connect: "platformFamily": "Linux" (Windows task definitions: not established).
            completed["platformFamily"] = "Linux"
    completed["deploymentConfiguration"] = deployment_configuration(
        request.get("deploymentConfiguration"), scheduling=completed["schedulingStrategy"],
        controller=completed["deploymentController"].get("type", "ECS"))
    # API CreateServiceRequest.healthCheckGracePeriodSeconds ("the default value of 0 is used"); .propagateTags
    # ("The default is NONE"); enableECSManagedTags and enableExecuteCommand are primitive Booleans (model),
    # false in every CLI create-service.rst output (REAL awscli-create-service-ebs-volume-configurations).
    completed.setdefault("healthCheckGracePeriodSeconds", 0)
    completed.setdefault("propagateTags", "NONE")
    completed.setdefault("enableECSManagedTags", False)
    completed.setdefault("enableExecuteCommand", False)
    # CLI create-service.rst outputs (REAL awscli-create-service-ec2-default-launch-type): [] when none.
    completed.setdefault("placementConstraints", [])
    completed.setdefault("placementStrategy", [])
    if request.get("networkConfiguration"):
        completed["networkConfiguration"] = network_configuration(request["networkConfiguration"])
    if "availabilityZoneRebalancing" not in request:
        rebalancing = az_rebalancing(completed)
        if rebalancing is not None:
            completed["availabilityZoneRebalancing"] = rebalancing
    return completed


def service_update(request: dict[str, Any], *, scheduling: str, controller: str) -> dict[str, Any]:
    """An UpdateService request completed as ECS applies it: a deploymentConfiguration sent is
    completed like CreateService's (whether ECS instead keeps the members not sent is not
    established), a network configuration gets assignPublicIp DISABLED (API AwsVpcConfiguration.
    assignPublicIp: "When you use create-service or update-service, the default is DISABLED").
    What is not sent stays as it is."""
    completed = copy.deepcopy(request)
    if request.get("deploymentConfiguration") is not None:
        completed["deploymentConfiguration"] = deployment_configuration(
            request["deploymentConfiguration"], scheduling=scheduling, controller=controller)
    if request.get("networkConfiguration"):
        completed["networkConfiguration"] = network_configuration(request["networkConfiguration"])
    return completed


def service_connect(config: dict[str, Any], cluster_namespace: str | None) -> dict[str, Any]:
    """REAL devguide-create-service-service-connect: a configuration without a namespace shows the
    cluster's default namespace on the deployment."""
    completed = copy.deepcopy(config)
    if cluster_namespace and completed.get("enabled") and not completed.get("namespace"):
        completed["namespace"] = cluster_namespace
    return completed


def deployment(service_fields: dict[str, Any]) -> dict[str, Any]:
    """What a new deployment of a service with *service_fields* (CreateService/UpdateService
    members, completed) carries besides its id, counts and state (model: Deployment)."""
    fields: dict[str, Any] = {}
    for key in ("launchType", "capacityProviderStrategy", "networkConfiguration", "platformFamily"):
        if service_fields.get(key):
            fields[key] = copy.deepcopy(service_fields[key])
    version = service_fields.get("platformVersion")
    if version and runs_on_fargate(service_fields):
        fields["platformVersion"] = LATEST_FARGATE_PLATFORM if version == "LATEST" else version
    # CLI update-service.rst Example 4 (REAL awscli-update-service-remove-ebs-volume): after
    # `--volume-configurations "[]"` the new deployment has no such key at all.
    for key in DEPLOYMENT_ONLY:
        if service_fields.get(key):
            fields[key] = copy.deepcopy(service_fields[key])
    return fields
