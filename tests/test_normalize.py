"""Comparison: a rendered request and what ECS reports for it compare equal."""

from __future__ import annotations

from hako_py.compare.service import compare_services
from hako_py.compare.task_definition import same_task_definition


def test_ecs_described_task_definition_equals_the_request() -> None:
    request = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{
            "name": "app",
            "image": "repo:1",
            "portMappings": [{"containerPort": 80}],
            "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
            "essential": True,
        }],
        "volumes": [{"name": "scratch", "host": {}}],
    }
    described = {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:3",
        "revision": 3,
        "status": "ACTIVE",
        "family": "web",
        "networkMode": "awsvpc",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "cpu": "256",
        "memory": "512",
        "registeredAt": "2026-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::1:user/x",
        "placementConstraints": [],
        "volumes": [{"name": "scratch", "host": {}}],
        "containerDefinitions": [{
            "name": "app",
            "image": "repo:1",
            "cpu": 0,
            "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
            "essential": True,
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "mountPoints": [],
            "volumesFrom": [],
            "systemControls": [],
        }],
    }
    assert same_task_definition(request, described, [])


def test_ecs_described_service_equals_the_request() -> None:
    request = {"cluster": "c", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
               "launchType": "FARGATE", "propagateTags": "TASK_DEFINITION",
               "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-2", "s-1"]}}}
    described = {
        "serviceName": "web", "desiredCount": 2, "launchType": "FARGATE", "platformVersion": "LATEST",
        "propagateTags": "TASK_DEFINITION", "schedulingStrategy": "REPLICA", "enableECSManagedTags": False,
        "enableExecuteCommand": False, "healthCheckGracePeriodSeconds": 0,
        "deploymentController": {"type": "ECS"}, "placementConstraints": [], "placementStrategy": [],
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                                    "alarms": {"alarmNames": [], "enable": False, "rollback": False}},
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-1", "s-2"], "securityGroups": [],
                                                         "assignPublicIp": "DISABLED"}},
    }
    comparison = compare_services(request, described)
    assert comparison.desired == comparison.live
    assert (comparison.updates, comparison.immutable) == ({}, ())


def test_real_changes_are_reported() -> None:
    live = {"desiredCount": 2, "launchType": "EC2"}
    comparison = compare_services({"desiredCount": 3, "launchType": "FARGATE"}, live)
    assert comparison.updates == {"desiredCount": 3}
    assert comparison.immutable == ("launchType: 'EC2' -> 'FARGATE' (UpdateService cannot change it)",)


def test_health_check_defaults_cause_no_diff() -> None:
    request = {"family": "f", "containerDefinitions": [{"name": "app", "image": "i",
                                                        "healthCheck": {"command": ["CMD", "true"]}}]}
    described = {"family": "f", "containerDefinitions": [{"name": "app", "image": "i", "essential": True, "cpu": 0,
                                                          "healthCheck": {"command": ["CMD", "true"], "interval": 30,
                                                                          "timeout": 5, "retries": 3}}]}
    assert same_task_definition(request, described, [])
