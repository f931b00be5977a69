"""What ECS means by a field left out, for the structures hako compares — with sources.

Each :class:`Field` says which value ECS reports (or behaves as) when a request leaves the
field out. Sources, in the order the project trusts them:

- **API**: botocore's ECS service model documentation (= the ECS API Reference), by shape
  and member, e.g. ``ContainerDefinition.essential``;
- **CLI**: the AWS CLI's documented examples (``aws/aws-cli`` ``awscli/examples/ecs/``,
  read at 07c4fe36), request and output side by side;
- **REAL**: published real responses, kept under ``tests/corpus/`` with their citations;
- **PRIOR**: what other deploy tools' maintainers saw ECS return (terraform-provider-aws's
  container definition normalisation, ecspresso's diff, the original hako's comparators).

Fields not listed here are compared only when the definition sets them: a field AWS adds
tomorrow (``trustedExecutionConfiguration``, in the model since 2026) never causes a diff
by itself. The research behind each entry is in ``docs/ecs-defaults.md``.
"""

from __future__ import annotations

from typing import Any

from hako_py.compare.shapes import ABSENT, Field, Items, Struct
from hako_py.units import cpu_units, memory_mib


def _units(convert: Any) -> Any:
    """Task cpu/memory as ECS stores them: an integer string ("1 vCPU" → "1024")."""

    def canonical(value: Any) -> Any:
        if value is ABSENT or value is None:
            return value
        amount = convert(value)
        return str(amount) if amount is not None else str(value)

    return canonical


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _spread_host(value: Any) -> Any:
    """``spread`` on ``host`` is the same as on ``instanceId`` (API ``PlacementStrategy.field``)."""
    if isinstance(value, str) and value.lower() == "host":
        return "instanceId"
    return value


def _service_connect_off(value: Any) -> Any:
    """Service Connect turned off (``{enabled: false}``, what hako sends to remove it) is the
    same as none."""
    if isinstance(value, dict) and value.get("enabled") is False:
        return ABSENT
    return value


FALSE = Field(False)
NONE = Field()
EMPTY_LIST = Field([])
BY_NAME = Items(key=("name",))

PORT_MAPPING = Struct({
    "containerPort": NONE,
    # hostPort is filled per network mode before comparing (see task_definition.py).
    "hostPort": NONE,
    "protocol": Field("tcp", canonical=_lower, source="API PortMapping.protocol: 'The default is tcp'"),
    "name": NONE,
    "appProtocol": NONE,
    "containerPortRange": NONE,
})

HEALTH_CHECK = Struct({
    "command": NONE,
    "interval": Field(30, source="API HealthCheck.interval; hako PR #56 (DescribeTaskDefinition returns 30)"),
    "timeout": Field(5, source="API HealthCheck.timeout"),
    "retries": Field(3, source="API HealthCheck.retries"),
    "startPeriod": NONE,  # API HealthCheck.startPeriod: 'off' by default, not filled in
})

CONTAINER = Struct({
    "name": NONE,
    "image": NONE,
    "repositoryCredentials": NONE,
    "cpu": Field(0, source="model: ContainerDefinition.cpu is a primitive Integer; REAL responses show 0"),
    "memory": NONE,
    "memoryReservation": NONE,
    "links": EMPTY_LIST,
    "portMappings": Field([], Items(PORT_MAPPING, key=("containerPort", "protocol", "containerPortRange"))),
    "essential": Field(True, source="API ContainerDefinition.essential: 'assumed to be essential' if omitted"),
    "restartPolicy": NONE,
    "entryPoint": EMPTY_LIST,
    "command": EMPTY_LIST,
    # Order of environment/secrets is not kept by ECS (PRIOR terraform orders both; REAL
    # terraform fixture tf-apirep-arrays-env-order-cpu-0 comes back reversed).
    "environment": Field([], Items(key=("name",))),
    "environmentFiles": EMPTY_LIST,
    "mountPoints": Field([], Items(Struct({"sourceVolume": NONE, "containerPath": NONE, "readOnly": FALSE}),
                                   key=("sourceVolume", "containerPath"))),
    "volumesFrom": Field([], Items(Struct({"sourceContainer": NONE, "readOnly": FALSE}),
                                   key=("sourceContainer",))),
    "linuxParameters": NONE,
    "secrets": Field([], Items(key=("name",))),
    "dependsOn": Field([], Items(key=("containerName",))),
    "startTimeout": NONE,
    "stopTimeout": NONE,
    "hostname": NONE,
    "user": NONE,
    "workingDirectory": NONE,
    # Booleans ECS treats as false when left out; the original hako sends them explicitly
    # (privileged: false ...), ECS may or may not echo them: absent == false either way.
    "disableNetworking": FALSE,
    "privileged": FALSE,
    "readonlyRootFilesystem": FALSE,
    "interactive": FALSE,
    "pseudoTerminal": FALSE,
    "dnsServers": EMPTY_LIST,
    "dnsSearchDomains": EMPTY_LIST,
    "extraHosts": EMPTY_LIST,
    "dockerSecurityOptions": EMPTY_LIST,
    "dockerLabels": Field({}),
    "ulimits": Field([], Items(key=("name",))),
    "logConfiguration": Field(ABSENT, Struct({"logDriver": NONE, "options": Field({}),
                                              "secretOptions": Field([], BY_NAME)})),
    "healthCheck": Field(ABSENT, HEALTH_CHECK),
    # REAL responses since 2024 carry systemControls: [] (terraform-aws-ecs PR #176).
    "systemControls": Field([], Items(key=("namespace",))),
    "resourceRequirements": Field([], Items(key=("type",))),
    "firelensConfiguration": NONE,
    "credentialSpecs": EMPTY_LIST,
})

DOCKER_VOLUME = Struct({
    # PRIOR: the original hako's ecs_volume_comparator (driver 'local', scope 'task');
    # developer guide "Docker volumes" (the built-in local driver).
    "scope": Field("task"),
    "autoprovision": FALSE,
    "driver": Field("local"),
    "driverOpts": Field({}),
    "labels": Field({}),
})

EFS_VOLUME = Struct({
    "fileSystemId": NONE,
    # API EFSVolumeConfiguration.rootDirectory: "If this parameter is omitted, the root of
    # the Amazon EFS volume is used"; REAL console export shows rootDirectory "/".
    "rootDirectory": Field("/"),
    "transitEncryption": Field("DISABLED", source="API EFSVolumeConfiguration.transitEncryption: default DISABLED"),
    "transitEncryptionPort": NONE,
    "authorizationConfig": Field(ABSENT, Struct({"accessPointId": NONE, "iam": Field("DISABLED")})),
})

VOLUME = Struct({
    "name": NONE,
    # API Volume.host: "If an empty volume configuration is specified, by default Amazon ECS
    # uses a host volume"; a name-only volume is {host: {}} (rendered as such by hako).
    "host": Field({}),
    "dockerVolumeConfiguration": Field(ABSENT, DOCKER_VOLUME),
    "efsVolumeConfiguration": Field(ABSENT, EFS_VOLUME),
    "fsxWindowsFileServerVolumeConfiguration": NONE,
    "configuredAtLaunch": FALSE,
})

TASK_DEFINITION = Struct({
    "family": NONE,
    "taskRoleArn": NONE,
    "executionRoleArn": NONE,
    # API RegisterTaskDefinitionRequest.networkMode: "If no network mode is specified, the
    # default is bridge"; CLI describe-task-definition output leaves the key out.
    "networkMode": Field("bridge"),
    "containerDefinitions": Field([], Items(CONTAINER, key=("name",))),
    "volumes": Field([], Items(VOLUME, key=("name",))),
    "placementConstraints": Field([], Items(set=True)),
    # API: "If no value is specified, the parameter is omitted from the response".
    "requiresCompatibilities": Field([], Items(set=True)),
    "cpu": Field(ABSENT, canonical=_units(cpu_units),
                 source="API RegisterTaskDefinitionRequest.cpu: strings are converted to CPU units"),
    "memory": Field(ABSENT, canonical=_units(memory_mib),
                    source="API RegisterTaskDefinitionRequest.memory: '1 GB' strings are converted to MiB"),
    "tags": Field([], Items(key=("key",))),
    "pidMode": NONE,
    "ipcMode": NONE,
    "proxyConfiguration": Field(ABSENT, Struct({"type": Field("APPMESH"), "containerName": NONE,
                                                "properties": Field([], BY_NAME)})),
    "inferenceAccelerators": EMPTY_LIST,
    "ephemeralStorage": NONE,
    "runtimePlatform": NONE,
    # API RegisterTaskDefinitionRequest.enableFaultInjection: "The default value is false";
    # returned on every revision since January 2025 (aws-actions/amazon-ecs-deploy-task-
    # definition issues #701/#704; REAL console exports of 2024 and 2026 in tests/corpus).
    "enableFaultInjection": FALSE,
})

# Response-only members of TaskDefinition (API TaskDefinition minus the request's members).
TASK_DEFINITION_READ_ONLY = frozenset({
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
    "registeredBy", "deregisteredAt", "deleteRequestedAt",
})

CIRCUIT_BREAKER = Struct({
    # API DeploymentCircuitBreaker; CLI create-service outputs show {enable: false, rollback: false}.
    "enable": FALSE,
    "rollback": FALSE,
})
ALARMS = Struct({"alarmNames": Field([], Items(set=True)), "enable": FALSE, "rollback": FALSE})


def deployment_configuration(daemon: bool) -> Struct:
    """API DeploymentConfiguration.maximumPercent / minimumHealthyPercent: 200 / 100 for
    REPLICA services, 100 / 0 for DAEMON services (REAL repo-describe-services-daemon-ec2)."""
    return Struct({
        "maximumPercent": Field(100 if daemon else 200),
        "minimumHealthyPercent": Field(0 if daemon else 100),
        "deploymentCircuitBreaker": Field(ABSENT, CIRCUIT_BREAKER),
        # Not filled by the API, sent by the console: absent == disabled (REAL 2026 capture).
        "alarms": Field(ABSENT, ALARMS),
        # Filled since ECS blue/green deployments (July 2025): REAL 2026 capture
        # repo-update-service-2026-rolling-strategy-alb; API DeploymentController.type.
        "strategy": Field("ROLLING"),
        "bakeTimeInMinutes": Field(0),
        "lifecycleHooks": EMPTY_LIST,
    })


AWSVPC = Struct({
    "subnets": Field([], Items(set=True)),
    "securityGroups": Field([], Items(set=True)),
    "assignPublicIp": Field("DISABLED", source="API AwsVpcConfiguration.assignPublicIp: default DISABLED"),
})


def service(daemon: bool) -> Struct:
    """The service settings hako compares (the request members DescribeServices reports)."""
    return Struct({
        "desiredCount": NONE,
        "launchType": NONE,
        "capacityProviderStrategy": Field([], Items(Struct({"capacityProvider": NONE, "base": Field(0),
                                                            "weight": Field(0)}), key=("capacityProvider",))),
        "platformVersion": NONE,
        "deploymentConfiguration": Field(ABSENT, deployment_configuration(daemon)),
        "networkConfiguration": Field(ABSENT, Struct({"awsvpcConfiguration": Field(ABSENT, AWSVPC)})),
        "healthCheckGracePeriodSeconds": Field(0, source="API CreateServiceRequest.healthCheckGracePeriodSeconds"),
        "placementConstraints": Field([], Items(set=True)),
        "placementStrategy": Field([], Items(Struct({"type": NONE, "field": Field(ABSENT, canonical=_spread_host)}))),
        "enableExecuteCommand": FALSE,
        "propagateTags": Field("NONE", source="API CreateServiceRequest.propagateTags: 'The default is NONE'"),
        "enableECSManagedTags": FALSE,
        "schedulingStrategy": Field("REPLICA"),
        "deploymentController": Field(ABSENT, Struct({"type": Field("ECS")})),
        "loadBalancers": Field([], Items(key=("targetGroupArn", "loadBalancerName", "containerName",
                                              "containerPort"))),
        "serviceRegistries": Field([], Items(key=("registryArn", "containerName", "containerPort", "port"))),
        # Reported on the PRIMARY deployment (model: Deployment); known, so a setting the
        # definition no longer has is removed (compare/service.py REVERT), not kept forever.
        "serviceConnectConfiguration": Field(ABSENT, canonical=_service_connect_off),
        "volumeConfigurations": EMPTY_LIST,
        "vpcLatticeConfigurations": EMPTY_LIST,
    })
