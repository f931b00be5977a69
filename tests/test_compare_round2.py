"""Issue 14, second round: what an independent check against real ECS shapes found after
the first fixes (Service Connect, reverting console changes, removed settings, launch type
on capacity providers, --result-file on special files, a dry run during a rollout)."""

from __future__ import annotations

import copy
import json
import os
import threading
from pathlib import Path
from typing import Any

from hako_py.compare.service import compare_services
from hako_py.compare.task_definition import same_task_definition
from tests.conftest import Deployable, Hako, Job, SandboxControl
from tests.test_compare_ecs import SERVICE, described, live_service, td


def assert_no_writes(desired: dict[str, Any], live: dict[str, Any]) -> None:
    comparison = compare_services(desired, live)
    assert (comparison.updates, comparison.immutable, bool(comparison.tags)) == ({}, (), False), comparison


def update_request_problems(updates: dict[str, Any]) -> str:
    """What botocore's own validation says of the UpdateService these updates make."""
    import botocore.session
    from botocore.validate import ParamValidator

    shape = botocore.session.get_session().get_service_model("ecs").operation_model("UpdateService").input_shape
    assert shape is not None
    report = ParamValidator().validate({"cluster": "c", "service": "web", **updates}, shape)
    return str(report.generate_report()) if report.has_errors() else ""


# The AWS Service Connect nginx tutorial (2025): the request names only the port and an
# alias port; ECS reports the namespace as an ARN (from the cluster's default), the
# discovery name (the port name) and each alias's DNS name on the PRIMARY deployment.
SC_REQUEST = {"enabled": True, "services": [{"portName": "nginx", "clientAliases": [{"port": 80}]}]}
SC_REPORTED = {"enabled": True, "namespace": "arn:aws:servicediscovery:us-west-2:123456789012:namespace/ns-xmpl1234",
               "services": [{"portName": "nginx", "discoveryName": "nginx",
                             "clientAliases": [{"port": 80, "dnsName": "nginx.service-connect"}]}]}


def with_deployment(**settings: Any) -> dict[str, Any]:
    return live_service(launchType="FARGATE", deployments=[
        {"status": "PRIMARY", "taskDefinition": "arn:...:web:3", **settings}])


def test_service_connect_defaults_are_ecs_s() -> None:
    desired = {**SERVICE, "launchType": "FARGATE", "serviceConnectConfiguration": SC_REQUEST}
    assert_no_writes(desired, with_deployment(serviceConnectConfiguration=SC_REPORTED))
    named = {**desired, "serviceConnectConfiguration": {**SC_REQUEST, "namespace": "service-connect"}}
    assert_no_writes(named, with_deployment(serviceConnectConfiguration=SC_REPORTED))
    renamed = copy.deepcopy(desired)
    renamed["serviceConnectConfiguration"]["services"][0]["discoveryName"] = "web"
    assert compare_services(renamed, with_deployment(serviceConnectConfiguration=SC_REPORTED)).updates


def test_removed_deployment_settings_are_removed() -> None:
    volume = [{"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs", "sizeInGiB": 10}}]
    desired = {**SERVICE, "launchType": "FARGATE"}
    live = with_deployment(volumeConfigurations=volume, serviceConnectConfiguration=SC_REPORTED)
    comparison = compare_services(desired, live)
    assert comparison.updates == {"volumeConfigurations": [], "serviceConnectConfiguration": {"enabled": False}}
    assert update_request_problems(comparison.updates) == ""
    assert_no_writes(desired, with_deployment(serviceConnectConfiguration={"enabled": False}))


def test_reverting_a_console_change_sends_a_valid_request() -> None:
    live = live_service(launchType="FARGATE", deploymentConfiguration={"maximumPercent": 200,
                                                                      "minimumHealthyPercent": 50})
    comparison = compare_services({**SERVICE, "launchType": "FARGATE"}, live)
    assert comparison.updates["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert update_request_problems(comparison.updates) == ""  # alarms with its required alarmNames


def test_an_empty_tags_map_removes_every_tag() -> None:
    live = live_service(launchType="FARGATE", tags=[{"key": "k1", "value": "v"}, {"key": "aws:x", "value": "y"}])
    comparison = compare_services({**SERVICE, "launchType": "FARGATE", "tags": []}, live)
    assert comparison.tags.remove == ("k1",) and not comparison.tags.add
    assert_no_writes({**SERVICE, "launchType": "FARGATE"}, live)  # no tags key: not managed


def test_a_launch_type_on_a_capacity_provider_service_is_reported_once() -> None:
    live = live_service(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
                        platformVersion="LATEST")
    comparison = compare_services({**SERVICE, "launchType": "FARGATE"}, live)
    assert "capacityProviderStrategy" not in comparison.updates  # [] would move it off its providers
    assert len(comparison.immutable) == 1 and "runs on capacity providers (FARGATE)" in comparison.immutable[0]


def test_nested_empty_objects_are_empty() -> None:
    request = td()
    live = described(request)
    live["containerDefinitions"][0]["linuxParameters"] = {"capabilities": {"add": [], "drop": []}, "devices": [],
                                                         "tmpfs": []}
    assert same_task_definition(request, live, [])


def test_small_container_memory_is_a_warning(repo: Any) -> None:
    from hako_py.pipeline import check_file
    from tests.conftest import FARGATE_APP

    repo.write("apps/x.jsonnet", FARGATE_APP.replace("memory: 256,", "memory: 256, memory_reservation: 4,"))
    warnings = [w.message for w in check_file("apps/x.jsonnet").warnings]
    assert any("below the 6 MiB Docker reserves" in w for w in warnings)


def test_result_file_writes_through_links_and_special_files(hako: Hako, job: Job,
                                                            aws: SandboxControl, tmp_path: Path) -> None:
    path = job()
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    aws.call("POST", "next-task", {"family": f"{Path(path).stem}-oneshot", "exitCode": 3, "runSeconds": 0.1})
    assert hako("oneshot", path, "--poll-interval", "0.05", "--result-file", str(link), "true").code == 3
    assert link.is_symlink() and json.loads(real.read_text())["exitCode"] == 3
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    aws.call("POST", "next-task", {"family": f"{Path(path).stem}-oneshot", "exitCode": 4, "runSeconds": 0.1})
    assert hako("oneshot", path, "--poll-interval", "0.05", "--result-file", str(fifo), "true").code == 4
    reader.join(timeout=10)
    assert fifo.exists() and not fifo.is_file()  # still the FIFO
    assert json.loads(received[0])["exitCode"] == 4


def test_a_dry_run_during_a_rollout_says_the_deploy_would_refuse(hako: Hako, deployable: Deployable,
                                                                 aws: SandboxControl) -> None:
    path = deployable()
    aws.call("POST", "settings", {"rolloutSeconds": 30})
    try:
        assert hako("deploy", path, "--no-wait").code == 0
        deployable(env="{ MODE: 'next' }")
        aws.reset()
        result = hako("deploy", path, "--dry-run")
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert result.code == 1
    assert "has a deployment in progress" in result.err
    assert aws.requests()["writes"] == 0
