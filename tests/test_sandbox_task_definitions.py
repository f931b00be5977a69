"""The sandbox answers task definition requests as ECS does: its defaults, conversions and revisions.

Every test registers through boto3 over HTTP and, where a real answer is published
(tests/corpus/), compares the sandbox's answer field by field (tests/ecs_corpus.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import unique
from tests.ecs_corpus import TASK_DEFINITION_NEWER, differences, load

BRIDGE_HOST_PORT = {"[].portMappings[].hostPort": "bridge mode: whether ECS echoes hostPort 0 is not established "
                                                  "(research: low confidence); the sandbox leaves it out"}
REQUIRES_ATTRIBUTES = {"requiresAttributes": "computed by ECS from the definition's features; not simulated"}
BEFORE_MANAGED_INSTANCES = {"compatibilities": "[EC2, FARGATE] before ECS Managed Instances (2025); the sandbox "
                                               "answers today's [EC2, FARGATE, MANAGED_INSTANCES] (REAL repo-taskdef-"
                                               "fargate-enable-fault-injection-2026)"}


def test_register_answers_like_the_cli_example(ecs: Any) -> None:
    """CLI register-task-definition.rst Example 1 (REAL awscli-register-task-definition-sleep360): the
    minimal request comes back with environment/mountPoints/portMappings/volumesFrom [], volumes and
    placementConstraints [], compatibilities [EXTERNAL, EC2] and no networkMode key."""
    family = unique("sleep360-")
    real = load("awscli-register-task-definition-sleep360", {"sleep360": family})
    answer = ecs.register_task_definition(**real["request"]["cli_input_json"])["taskDefinition"]
    assert differences(answer, real["response"]["taskDefinition"], newer=TASK_DEFINITION_NEWER) == []
    assert answer["enableFaultInjection"] is False  # API RegisterTaskDefinitionRequest.enableFaultInjection
    described = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    assert differences(described, real["response"]["taskDefinition"], newer=TASK_DEFINITION_NEWER) == []


@pytest.mark.parametrize("name", ["tf-apirep-port-mapping-host-port-0", "tf-apirep-arrays-env-order-cpu-0",
                                  "tf-apirep-health-check-defaults"])
def test_container_definitions_come_back_as_terraform_recorded(ecs: Any, name: str) -> None:
    """terraform-provider-aws container_definitions_test.go records what ECS returns for these
    containers (bridge mode): protocol tcp, cpu 0 and essential true for sidecars, empty lists,
    health check interval 30 / timeout 5 / retries 3 (API HealthCheck.*), systemControls []."""
    real = load(name)
    containers = copy.deepcopy(real["request"])
    for container in containers:
        container.pop("devices", None)  # no ContainerDefinition member: boto3 refuses it, ECS drops it
    answer = ecs.register_task_definition(family=unique("tf-"), containerDefinitions=containers)["taskDefinition"]
    newer = {"[].systemControls": TASK_DEFINITION_NEWER["containerDefinitions[].systemControls"]}
    assert differences(answer["containerDefinitions"], real["response"], newer=newer, known=BRIDGE_HOST_PORT,
                       unordered=("[].environment",)) == []


def _request_from_export(exported: dict[str, Any]) -> dict[str, Any]:
    """The RegisterTaskDefinition request behind a console export: its request members, with what
    ECS filled in (hostPort under awsvpc, protocol, EFS rootDirectory) taken out again."""
    members = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities",
               "runtimePlatform", "cpu", "memory", "volumes", "containerDefinitions")
    request = copy.deepcopy({key: exported[key] for key in members if key in exported})
    for container in request["containerDefinitions"]:
        for mapping in container.get("portMappings") or []:
            mapping.pop("hostPort", None)
            mapping.pop("protocol", None)
    for volume in request.get("volumes") or []:
        (volume.get("efsVolumeConfiguration") or {}).pop("rootDirectory", None)
    return request


def _described_with_tags(ecs: Any, family: str) -> dict[str, Any]:
    """DescribeTaskDefinition with include TAGS, merged as the console's JSON view shows it."""
    described = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    return {**described["taskDefinition"], "tags": described["tags"]}


def test_fargate_definition_comes_back_like_a_2026_console_export(ecs: Any) -> None:
    """REAL repo-taskdef-fargate-enable-fault-injection-2026: enableFaultInjection false, hostPort = containerPort
    under awsvpc (API PortMapping.hostPort), protocol tcp, cpu 0, placementConstraints []."""
    family = unique("nebula-")
    real = load("repo-taskdef-fargate-enable-fault-injection-2026", {"Nebula-Worker-Task": family})
    ecs.register_task_definition(**_request_from_export(real["response"]))
    assert differences(_described_with_tags(ecs, family), real["response"], known=REQUIRES_ATTRIBUTES) == []


def test_external_bridge_definition_comes_back_like_ecs_anywhere(ecs: Any) -> None:
    """REAL repo-register-task-definition-ecs-anywhere-bridge (ecsanywhere:5, 2021): an EXTERNAL task definition
    in bridge mode keeps networkMode bridge and is compatible with [EXTERNAL, EC2]. The sandbox answered awsvpc
    and [EC2, FARGATE], so every hako deploy of an ECS Anywhere app saw a change and registered a revision."""
    family = unique("ecsanywhere-")
    real = load("repo-register-task-definition-ecs-anywhere-bridge", {"ecsanywhere": family})
    for _ in range(real["response"]["taskDefinition"]["revision"]):
        answer = ecs.register_task_definition(**real["request"]["cli_input_json"])["taskDefinition"]
    for shown in (answer, ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]):
        assert differences(shown, real["response"]["taskDefinition"], newer=TASK_DEFINITION_NEWER,
                           known=REQUIRES_ATTRIBUTES) == []


def test_ec2_definition_comes_back_like_a_2024_firelens_one(ecs: Any) -> None:
    """REAL repo-describe-task-definition-ec2-firelens-2024 (wiki:48, 2024-07): requiresCompatibilities [EC2] in
    bridge mode is compatible with [EXTERNAL, EC2] (the sandbox answered [EC2]); sidecars get cpu 0 and every
    container systemControls []."""
    family = unique("wiki-")
    real = load("repo-describe-task-definition-ec2-firelens-2024", {"wiki": family})
    exported = real["response"]
    members = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu",
               "memory", "volumes", "containerDefinitions")
    request = copy.deepcopy({key: exported[key] for key in members})
    for container in request["containerDefinitions"]:
        container.pop("systemControls")  # filled by ECS
        if container["cpu"] == 0:
            container.pop("cpu")
    for _ in range(exported["revision"]):
        ecs.register_task_definition(**request)
    newer = {"enableFaultInjection": TASK_DEFINITION_NEWER["enableFaultInjection"] + "; this one was registered "
                                                                                     "2024-07-01"}
    assert differences(_described_with_tags(ecs, family), exported, newer=newer, known=REQUIRES_ATTRIBUTES) == []


def test_compatibilities_follow_the_network_mode(ecs: Any) -> None:
    """API TaskDefinition.compatibilities: "The task launch types the task definition was validated against",
    whatever it requires. REAL: bridge (or no networkMode) -> [EXTERNAL, EC2] (awscli-describe-task-definition-
    hello-world 2024, repo-describe-task-definition-ec2-firelens-2024, repo-register-task-definition-ecs-
    anywhere-bridge); a Fargate awsvpc definition -> [EC2, FARGATE, MANAGED_INSTANCES] today (repo-taskdef-
    fargate-enable-fault-injection-2026; [EC2, FARGATE] before Managed Instances launched in 2025)."""
    container = {"name": "app", "image": "busybox", "memory": 64}
    cases: dict[str, tuple[dict[str, Any], list[str]]] = {
        "none sent": ({}, ["EXTERNAL", "EC2"]),
        "EC2 bridge": ({"requiresCompatibilities": ["EC2"], "networkMode": "bridge"}, ["EXTERNAL", "EC2"]),
        "EXTERNAL": ({"requiresCompatibilities": ["EXTERNAL"]}, ["EXTERNAL", "EC2"]),
        "FARGATE": ({"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"},
                    ["EC2", "FARGATE", "MANAGED_INSTANCES"]),
    }
    for name, (request, expected) in cases.items():
        answer = ecs.register_task_definition(family=unique("compat-"), containerDefinitions=[container],
                                              **request)["taskDefinition"]
        assert (name, answer["compatibilities"]) == (name, expected)
        assert (name, answer.get("networkMode")) == (name, request.get("networkMode"))


def test_efs_definition_comes_back_like_a_2024_console_export(ecs: Any) -> None:
    """REAL repo-taskdef-fargate-efs-console-export: an EFS volume gets rootDirectory "/" (API
    EFSVolumeConfiguration.rootDirectory), the port mapping hostPort and protocol."""
    family = unique("flowise-")
    real = load("repo-taskdef-fargate-efs-console-export", {"flowise-ld-TaskDefinitionFlowise-AnWVUMNBJ1nU": family})
    exported = real["response"][0]
    for _ in range(exported["revision"]):  # the export is revision 2
        ecs.register_task_definition(**_request_from_export(exported))
    assert differences(_described_with_tags(ecs, family), exported, known={**REQUIRES_ATTRIBUTES,
                                                                           **BEFORE_MANAGED_INSTANCES},
                       newer=TASK_DEFINITION_NEWER) == []


def test_deregistered_and_deleted_revision_like_the_cli_example(ecs: Any) -> None:
    """CLI delete-task-definitions.rst (REAL awscli-delete-task-definitions-curltest-delete-in-progress):
    DELETE_IN_PROGRESS with deregisteredAt (API TaskDefinition.deregisteredAt)."""
    family = unique("curltest-")
    real = load("awscli-delete-task-definitions-curltest-delete-in-progress", {"curltest": family})
    expected = real["response"]["taskDefinitions"][0]
    request = _request_from_export(expected)
    request["containerDefinitions"][0].pop("cpu")  # filled by ECS
    for key in ("portMappings", "environment", "mountPoints", "volumesFrom"):
        request["containerDefinitions"][0].pop(key)
    ecs.register_task_definition(**request)
    deregistered = ecs.deregister_task_definition(taskDefinition=f"{family}:1")["taskDefinition"]
    assert deregistered["status"] == "INACTIVE"
    assert "deregisteredAt" in deregistered
    deleted = ecs.delete_task_definitions(taskDefinitions=[f"{family}:1"])["taskDefinitions"][0]
    assert "deregisteredAt" in deleted
    known = {"placementConstraints": "[] in every other corpus task definition (REAL awscli-register-task-"
                                     "definition-sleep360, repo-taskdef-fargate-enable-fault-injection-2026); "
                                     "this sample leaves it out", **BEFORE_MANAGED_INSTANCES}
    assert differences(deleted, expected, newer=TASK_DEFINITION_NEWER, known=known) == []


def test_task_cpu_and_memory_are_stored_as_integer_strings(ecs: Any) -> None:
    """API RegisterTaskDefinitionRequest.cpu ("1 vCPU or 1 vcpu ... String values are converted to an integer
    indicating the CPU units when the task definition is registered") and .memory ("1GB or 1 GB ... converted
    to an integer indicating the MiB"); REAL responses always show strings like "512"/"1024". Integer strings
    stay as they are."""
    for cpu, memory, units, mib in [("1 vCPU", "2 GB", "1024", "2048"), ("2 vcpu", "4GB", "2048", "4096"),
                                    ("512", "1024", "512", "1024")]:
        family = unique("units-")
        answer = ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                              cpu=cpu, memory=memory,
                                              containerDefinitions=[{"name": "app", "image": "busybox"}])
        assert (answer["taskDefinition"]["cpu"], answer["taskDefinition"]["memory"]) == (units, mib)
        described = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
        assert (described["cpu"], described["memory"]) == (units, mib)


def test_port_mappings_by_network_mode(ecs: Any) -> None:
    """API PortMapping.hostPort: under awsvpc "the hostPort is set to the same value as the containerPort";
    host mode likewise (amazon-ecs-agent issue #185); bridge mode is left alone (hostPort 0 echo: research
    low). API PortMapping.protocol: "The default is tcp"; a protocol sent stays."""
    mappings = [{"containerPort": 80}, {"containerPort": 53, "protocol": "udp"}]
    answers = {}
    for mode in ("awsvpc", "host", "bridge"):
        answers[mode] = ecs.register_task_definition(
            family=unique(f"ports-{mode}-"), networkMode=mode,
            containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64, "portMappings": mappings}],
        )["taskDefinition"]["containerDefinitions"][0]["portMappings"]
    for mode in ("awsvpc", "host"):
        assert answers[mode] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"},
                                 {"containerPort": 53, "hostPort": 53, "protocol": "udp"}]
    assert answers["bridge"] == [{"containerPort": 80, "protocol": "tcp"}, {"containerPort": 53, "protocol": "udp"}]


def test_what_was_sent_wins_over_defaults(ecs: Any) -> None:
    """Defaults fill only what is missing: a health check's own interval, an essential false sidecar,
    enableFaultInjection true and a sent networkMode come back as sent."""
    answer = ecs.register_task_definition(
        family=unique("sent-"), networkMode="bridge", enableFaultInjection=True,
        containerDefinitions=[
            {"name": "app", "image": "busybox", "memory": 64, "healthCheck": {"command": ["CMD", "true"], "interval": 10,
                                                                                "startPeriod": 5}},
            {"name": "side", "image": "busybox", "memory": 64, "essential": False, "cpu": 128},
        ])["taskDefinition"]
    app, side = answer["containerDefinitions"]
    assert app["healthCheck"] == {"command": ["CMD", "true"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 5}
    assert (side["essential"], side["cpu"]) == (False, 128)
    assert answer["enableFaultInjection"] is True
    assert answer["networkMode"] == "bridge"


def test_docker_and_efs_volume_defaults(ecs: Any) -> None:
    """dockerVolumeConfiguration: driver local and scope task when not sent (PRIOR eagletmt/hako
    ecs_volume_comparator.rb; ECS Developer Guide docker-volumes); efsVolumeConfiguration.rootDirectory "/"
    (API EFSVolumeConfiguration.rootDirectory)."""
    family = unique("volumes-")
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}],
                                 volumes=[{"name": "scratch", "dockerVolumeConfiguration": {}},
                                          {"name": "shared", "dockerVolumeConfiguration": {"scope": "shared",
                                                                                           "autoprovision": True}},
                                          {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])
    volumes = {v["name"]: v for v in ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["volumes"]}
    assert volumes["scratch"]["dockerVolumeConfiguration"] == {"driver": "local", "scope": "task"}
    assert volumes["shared"]["dockerVolumeConfiguration"] == {"driver": "local", "scope": "shared",
                                                              "autoprovision": True}
    assert volumes["efs"]["efsVolumeConfiguration"] == {"fileSystemId": "fs-1", "rootDirectory": "/"}


# revisions: a bare family is the latest ACTIVE one; INACTIVE ones are refused --------------------
def _register(ecs: Any, family: str, count: int, **extra: Any) -> list[str]:
    return [ecs.register_task_definition(family=family, containerDefinitions=[
        {"name": "app", "image": f"busybox:{n}", "memory": 64}], **extra)["taskDefinition"]["taskDefinitionArn"]
        for n in range(count)]


def test_bare_family_describes_the_latest_active_revision(ecs: Any) -> None:
    """API DescribeTaskDefinitionRequest.taskDefinition: "If a revision isn't specified, the latest ACTIVE
    revision is used" (moto took the latest revision, INACTIVE or not)."""
    family = unique("latest-")
    arns = _register(ecs, family, 3)
    ecs.deregister_task_definition(taskDefinition=arns[2])
    assert ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"] == arns[1]
    inactive = ecs.describe_task_definition(taskDefinition=arns[2])["taskDefinition"]  # by revision: still there
    assert inactive["status"] == "INACTIVE"
    for arn in arns[:2]:
        ecs.deregister_task_definition(taskDefinition=arn)
    with pytest.raises(ClientError) as refused:
        ecs.describe_task_definition(taskDefinition=family)
    assert refused.value.response["Error"]["Code"] == "ClientException"


def test_services_resolve_a_bare_family_to_the_latest_active_revision(ecs: Any) -> None:
    """API CreateServiceRequest.taskDefinition / operation UpdateService: a family without revision is its
    latest ACTIVE revision, stored as a full ARN (REAL repo-update-service-2026-rolling-strategy-alb:
    "retail-store-ecs-ui" -> ":4"). After a rollback deregistered :2, a deploy of the family runs :1 again."""
    cluster, family = unique("c-"), unique("rollback-")
    ecs.create_cluster(clusterName=cluster)
    arns = _register(ecs, family, 2)
    created = ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=0)
    assert created["service"]["taskDefinition"] == arns[1]
    ecs.deregister_task_definition(taskDefinition=arns[1])
    updated = ecs.update_service(cluster=cluster, service="web", taskDefinition=family)["service"]
    assert updated["taskDefinition"] == arns[0]
    described = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
    assert described["taskDefinition"] == arns[0]


def test_inactive_revisions_are_refused(ecs: Any, default_network: dict[str, Any]) -> None:
    """Operation DeregisterTaskDefinition: an INACTIVE revision runs no new tasks and no new services, and
    no service can be updated to it. UpdateService: "ClientException: TaskDefinition is inactive" (REAL
    operator log, research code-index 66045849313); RunTask: "InvalidParameterException: TaskDefinition is
    inactive" (DefangLabs/defang PR #775). CreateService's exact error is not published: the sandbox
    answers UpdateService's."""
    cluster, family = unique("c-"), unique("inactive-")
    ecs.create_cluster(clusterName=cluster)
    active, inactive = _register(ecs, family, 2, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512")
    ecs.deregister_task_definition(taskDefinition=inactive)
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=active, desiredCount=0,
                       launchType="FARGATE", networkConfiguration=default_network)
    calls: dict[str, Callable[[], Any]] = {
        "UpdateService": lambda: ecs.update_service(cluster=cluster, service="web", taskDefinition=inactive),
        "RunTask": lambda: ecs.run_task(cluster=cluster, taskDefinition=inactive, launchType="FARGATE",
                                        networkConfiguration=default_network),
        "CreateService": lambda: ecs.create_service(cluster=cluster, serviceName="web2", taskDefinition=inactive,
                                                    desiredCount=0, launchType="FARGATE",
                                                    networkConfiguration=default_network),
    }
    codes = {"UpdateService": "ClientException", "RunTask": "InvalidParameterException",
             "CreateService": "ClientException"}
    for operation, call in calls.items():
        with pytest.raises(ClientError) as refused:
            call()
        error = refused.value.response["Error"]
        assert (operation, error["Code"], error["Message"]) == (operation, codes[operation], "TaskDefinition is inactive")
    service = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
    assert service["taskDefinition"] == active


def test_run_task_takes_a_fargate_definition_with_task_level_memory_only(ecs: Any,
                                                                         default_network: dict[str, Any]) -> None:
    """API ContainerDefinition.memory: "If using the Fargate launch type, this parameter is optional" (moto
    answered HTTP 500: it adds up container memory). A bare family runs its latest ACTIVE revision."""
    cluster, family = unique("c-"), unique("taskmem-")
    ecs.create_cluster(clusterName=cluster)
    arns = _register(ecs, family, 2, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                     memory="512")
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                                 memory="512", containerDefinitions=[{"name": "app", "image": "busybox"},
                                                                     {"name": "side", "image": "busybox"}])
    answer = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                          networkConfiguration=default_network)
    assert answer["failures"] == []
    assert answer["tasks"][0]["taskDefinitionArn"].endswith(f"{family}:3")
    ecs.deregister_task_definition(taskDefinition=f"{family}:3")
    again = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                         networkConfiguration=default_network)
    assert again["tasks"][0]["taskDefinitionArn"] == arns[1]
