"""The comparison knows what ECS fills in (issue 14). Each case is a shape seen in a real
response (tests/corpus, docs/ecs-defaults.md) paired with the request that produced it:
unchanged must compare equal, and nothing may be planned for it."""

from __future__ import annotations

import datetime
import os
from typing import Any

import boto3
import pytest

from hako_py.compare.service import compare_services
from hako_py.compare.task_definition import compare_task_definitions, same_task_definition
from hako_py.deploy.plan import running_task_definition
from tests.conftest import POLL, Deployable, Hako, SandboxControl


def td(**extra: Any) -> dict[str, Any]:
    return {"family": "web", "containerDefinitions": [{"name": "app", "image": "repo:1", "memory": 256}], **extra}


def described(request: dict[str, Any], **filled: Any) -> dict[str, Any]:
    """What DescribeTaskDefinition returns for *request*: read-only fields plus what ECS fills."""
    containers = [{"cpu": 0, "essential": True, "environment": [], "mountPoints": [], "volumesFrom": [],
                   "portMappings": [], "systemControls": [], **c} for c in request["containerDefinitions"]]
    return {**request, "containerDefinitions": containers, "taskDefinitionArn": "arn:aws:ecs:r:1:task-definition/web:3",
            "revision": 3, "status": "ACTIVE", "compatibilities": ["EC2", "FARGATE", "MANAGED_INSTANCES"],
            "requiresAttributes": [{"name": "ecs.capability.task-eni"}], "placementConstraints": [], "volumes": [],
            "registeredAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "enableFaultInjection": False,
            **filled}


def test_enable_fault_injection_false_is_the_default() -> None:
    request = td()
    assert same_task_definition(request, described(request), [])


def test_cpu_and_memory_strings_compare_in_units() -> None:
    request = td(cpu="0.25 vCPU", memory="2 GB", requiresCompatibilities=["FARGATE"], networkMode="awsvpc")
    live = described({**request, "cpu": "256", "memory": "2048"})
    assert same_task_definition(request, live, [])
    assert not same_task_definition({**request, "memory": "1 GB"}, live, [])


def test_bridge_host_port_zero_is_a_dynamic_port() -> None:
    request = td(containerDefinitions=[{"name": "app", "image": "repo:1", "memory": 256,
                                        "portMappings": [{"containerPort": 80}]}])
    live = described(request)
    live["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]
    assert same_task_definition(request, live, [])


def test_awsvpc_host_port_is_the_container_port() -> None:
    request = td(networkMode="awsvpc", containerDefinitions=[{"name": "app", "image": "repo:1", "memory": 256,
                                                              "portMappings": [{"containerPort": 80}]}])
    live = described(request)
    live["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert same_task_definition(request, live, [])


def test_volume_defaults() -> None:
    request = td(volumes=[{"name": "cache", "dockerVolumeConfiguration": {}},
                          {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}},
                          {"name": "scratch", "host": {}}])
    live = described(request, volumes=[
        {"name": "scratch", "host": {}},
        {"name": "cache", "dockerVolumeConfiguration": {"scope": "task", "driver": "local"}},
        {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/"}},
    ])
    assert same_task_definition(request, live, [])


def test_a_revision_being_deleted_compares_without_crashing() -> None:
    request = td()
    moment = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    live = described(request, status="DELETE_IN_PROGRESS", deregisteredAt=moment, deleteRequestedAt=moment)
    comparison = compare_task_definitions(request, live, [])
    assert comparison.same


def test_proxy_configuration_properties_in_any_order() -> None:
    properties = [{"name": "AppPorts", "value": "8080"}, {"name": "IgnoredUID", "value": "1337"}]
    request = td(proxyConfiguration={"type": "APPMESH", "containerName": "envoy", "properties": properties})
    live = described(request, proxyConfiguration={"type": "APPMESH", "containerName": "envoy",
                                                  "properties": list(reversed(properties))})
    assert same_task_definition(request, live, [])


def test_a_field_aws_adds_later_causes_no_diff_unless_the_definition_sets_it() -> None:
    request = td()
    live = described(request, trustedExecutionConfiguration={"enabled": False}, someField2030="x")
    assert same_task_definition(request, live, [])
    wanted = td(trustedExecutionConfiguration={"enabled": True})
    assert not same_task_definition(wanted, live, [])


def test_aws_tags_are_not_the_definitions() -> None:
    request = td(tags=[{"key": "team", "value": "web"}])
    live = described(request)
    assert same_task_definition(request, live, [{"key": "team", "value": "web"},
                                                {"key": "aws:cloudformation:stack-name", "value": "x"}])


SERVICE: dict[str, Any] = {"cluster": "c", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
           "propagateTags": "TASK_DEFINITION",
           "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-2", "subnet-1"]}}}


def live_service(**fields: Any) -> dict[str, Any]:
    """DescribeServices as of 2026 (REAL repo-update-service-2026-rolling-strategy-alb shape)."""
    return {"serviceArn": "arn:aws:ecs:r:1:service/c/web", "serviceName": "web", "status": "ACTIVE",
            "desiredCount": 2, "runningCount": 2, "pendingCount": 0, "taskDefinition": "arn:...:web:3",
            "propagateTags": "TASK_DEFINITION", "schedulingStrategy": "REPLICA", "enableECSManagedTags": False,
            "enableExecuteCommand": False, "healthCheckGracePeriodSeconds": 0, "platformFamily": "Linux",
            "deploymentController": {"type": "ECS"}, "placementConstraints": [], "placementStrategy": [],
            "loadBalancers": [], "serviceRegistries": [], "availabilityZoneRebalancing": "ENABLED",
            "resourceManagementType": "CUSTOMER", "createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                                        "strategy": "ROLLING", "bakeTimeInMinutes": 0},
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1", "subnet-2"],
                                                             "securityGroups": [], "assignPublicIp": "DISABLED"}},
            **fields}


def assert_no_writes(desired: dict[str, Any], live: dict[str, Any]) -> None:
    comparison = compare_services(desired, live)
    assert comparison.updates == {}
    assert comparison.immutable == ()
    assert not comparison.tags
    assert comparison.desired == comparison.live


def test_2025_deployment_configuration_fields_are_defaults() -> None:
    assert_no_writes({**SERVICE, "launchType": "FARGATE"}, live_service(launchType="FARGATE",
                                                                       platformVersion="LATEST"))


def test_cluster_default_capacity_providers_are_left_alone() -> None:
    # Neither launchType nor capacityProviderStrategy: the cluster's default strategy applies
    # (API CreateServiceRequest.capacityProviderStrategy); sending [] would move the service off it.
    live = live_service(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
                        platformVersion="LATEST")
    assert_no_writes(SERVICE, live)
    assert_no_writes(SERVICE, live_service(launchType="EC2"))  # CLI create-service example 2


def test_a_capacity_provider_strategy_is_compared_when_set() -> None:
    desired = {**SERVICE, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
    live = live_service(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
                        platformVersion="LATEST")
    comparison = compare_services(desired, live)
    assert comparison.updates == {"capacityProviderStrategy": desired["capacityProviderStrategy"]}
    assert comparison.immutable == ()


def test_daemon_services_count_and_percent_are_ecs_s() -> None:
    desired = {**SERVICE, "schedulingStrategy": "DAEMON", "launchType": "EC2"}
    del desired["desiredCount"]
    live = live_service(schedulingStrategy="DAEMON", launchType="EC2", desiredCount=7,
                        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0})
    assert_no_writes(desired, live)


def test_external_controller_runs_its_primary_task_set() -> None:
    service = {"serviceName": "web", "deploymentController": {"type": "EXTERNAL"}, "taskSets": [
        {"status": "ACTIVE", "taskDefinition": "arn:...:web:1"}, {"status": "PRIMARY", "taskDefinition": "arn:...:web:2"}]}
    assert running_task_definition(service) == "arn:...:web:2"


def test_availability_zone_rebalancing_is_compared_when_set() -> None:
    desired = {**SERVICE, "launchType": "FARGATE", "availabilityZoneRebalancing": "DISABLED"}
    comparison = compare_services(desired, live_service(launchType="FARGATE", platformVersion="LATEST"))
    assert comparison.updates == {"availabilityZoneRebalancing": "DISABLED"}
    assert_no_writes({**SERVICE, "launchType": "FARGATE"}, live_service(launchType="FARGATE"))


def test_service_tags_are_read_and_changed_with_tag_resource() -> None:
    desired = {**SERVICE, "launchType": "FARGATE", "tags": [{"key": "team", "value": "web"},
                                                            {"key": "tier", "value": "front"}]}
    live = live_service(launchType="FARGATE", tags=[{"key": "team", "value": "ops"}, {"key": "old", "value": "1"},
                                                    {"key": "aws:ecs:clusterName", "value": "c"}])
    comparison = compare_services(desired, live)
    assert comparison.updates == {}
    assert comparison.tags.add == {"team": "web", "tier": "front"}
    assert comparison.tags.remove == ("old",)
    assert_no_writes({**SERVICE, "launchType": "FARGATE"}, live)  # no tags in the definition: not owned


def test_deployment_settings_on_the_primary_deployment() -> None:
    volume = [{"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs", "sizeInGiB": 10}}]
    desired = {**SERVICE, "launchType": "FARGATE", "volumeConfigurations": volume}
    live = live_service(launchType="FARGATE", deployments=[
        {"status": "PRIMARY", "taskDefinition": "arn:...:web:3", "volumeConfigurations": volume}])
    assert_no_writes(desired, live)
    changed = [{"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs", "sizeInGiB": 20}}]
    assert compare_services({**desired, "volumeConfigurations": changed}, live).updates == {
        "volumeConfigurations": changed}


def test_real_changes_still_show() -> None:
    live = live_service(launchType="FARGATE")
    comparison = compare_services({**SERVICE, "launchType": "FARGATE", "desiredCount": 3,
                                   "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True,
                                                                                            "rollback": True}}}, live)
    assert comparison.updates["desiredCount"] == 3
    assert comparison.updates["deploymentConfiguration"] == {"deploymentCircuitBreaker": {"enable": True,
                                                                                          "rollback": True}}
    removed = compare_services({**SERVICE, "launchType": "FARGATE"},
                               live_service(launchType="FARGATE", healthCheckGracePeriodSeconds=60))
    assert removed.updates == {"healthCheckGracePeriodSeconds": 0}


def test_service_tags_are_applied_to_an_existing_service(hako: Hako, deployable: Deployable, aws: SandboxControl) -> None:

    path = deployable(extra="service_tags: { team: 'a', old: 'x' },")
    assert hako("deploy", path, *POLL).code == 0
    path = deployable(extra="service_tags: { team: 'b', tier: 'front' },")
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    assert "tagged service svc: team, tier" in result.err
    assert "untagged service svc: old" in result.err
    calls = aws.requests()["byOperation"]
    assert calls.get("ecs.TagResource") == 1 and calls.get("ecs.UntagResource") == 1
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err


def test_scheduler_tags_tag_the_task_definition_not_the_service(hako: Hako, deployable: Deployable,
                                                                aws: SandboxControl) -> None:
    # As in hako 2.18 (issue 17): scheduler tags go to RegisterTaskDefinition only
    # (lib/hako/schedulers/ecs.rb:131,605), the service gets propagate_tags TASK_DEFINITION
    # (ecs.rb:1009); hako-py used to tag the service too (TagResource/UntagResource): that is
    # service_tags now.

    path = deployable(extra="tags: { team: 'a', old: 'x' },")
    assert hako("deploy", path, *POLL).code == 0
    path = deployable(extra="tags: { team: 'b', tier: 'front' },")
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    calls = aws.requests()["byOperation"]
    # a tag change is no new revision (TagResource takes task definitions): nothing restarts
    assert calls.get("ecs.TagResource") == 1 and "ecs.UntagResource" not in calls, calls
    assert "ecs.RegisterTaskDefinition" not in calls and "ecs.UpdateService" not in calls, calls
    assert "tagged task definition svc:1: team, tier" in result.err
    assert "service svc runs svc:1 as defined; only its tags changed" in result.err
    tags = ecs_client().describe_task_definition(taskDefinition="svc:1", include=["TAGS"])["tags"]
    # a key the definition no longer names is not known to be its own: left alone
    assert {t["key"]: t["value"] for t in tags} == {"team": "b", "tier": "front", "old": "x"}
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err


def ecs_client() -> Any:
    return boto3.client("ecs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


@pytest.mark.parametrize("tags", ["", "tags: { team: 'a' },"])
def test_tags_added_from_outside_change_nothing(hako: Hako, deployable: Deployable, aws: SandboxControl, tags: str) -> None:
    """Tagging automation (cost allocation) tags the live revision: no key of the definition's,
    so no deploy registers, restarts or untags for it (issue 14)."""
    from tests.conftest import POLL

    path = deployable(extra=tags)
    assert hako("deploy", path, *POLL).code == 0
    arn = ecs_client().describe_task_definition(taskDefinition="svc")["taskDefinition"]["taskDefinitionArn"]
    ecs_client().tag_resource(resourceArn=arn, tags=[{"key": "CostCenter", "value": "123"}])
    aws.reset()
    dry = hako("deploy", "--dry-run", "--no-verify", path)
    assert dry.code == 0 and "no changes" in dry.err, dry.err
    diff = hako("diff", "--exit-code", path)
    assert diff.code == 0 and diff.out == "", diff.out
    deploy = hako("deploy", path, *POLL)
    assert deploy.code == 0 and "no changes" in deploy.err, deploy.err
    assert aws.requests()["writes"] == 0, aws.requests()
