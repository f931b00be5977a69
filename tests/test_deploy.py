"""hako deploy and the service commands, against the sandbox over HTTP, through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any, cast

import boto3
import pytest

from hako_py.sandbox.server import Sandbox
from tests.conftest import FARGATE_APP, POLL, PROJECT_ROOT, Deployable, Hako, Repo, SandboxControl, unique


def ecs() -> Any:
    return boto3.client("ecs", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        aws_access_key_id="t", aws_secret_access_key="t")


def service_of(path_cluster: str, name: str = "svc") -> dict[str, Any]:
    service: dict[str, Any] = ecs().describe_services(cluster=path_cluster, services=[name])["services"][0]
    return service


def cluster_of(repo: Repo, path: str) -> str:
    text = (repo.root / path).read_text()
    return text.split("cluster: '")[1].split("'")[0]


def test_first_deploy_creates_then_noop_sends_no_write(hako: Hako, deployable: Deployable,
                                                       aws: SandboxControl, repo: Repo) -> None:
    name = unique("svc-")  # its own family: another test may have registered svc's revision already
    path = deployable(name)
    first = hako("deploy", path, *POLL)
    assert first.code == 0, first.out + first.err
    assert f"registered task definition {name}:1" in first.err
    assert f"created service {name}" in first.err
    assert "has reached a steady state." in first.err
    assert first.err.rstrip().endswith(f"deployment completed: service {name} runs " +
                                       service_of(cluster_of(repo, path), name)["taskDefinition"].rsplit("/", 1)[-1])
    aws.reset()
    second = hako("deploy", path, *POLL)
    assert second.code == 0
    assert "no changes" in second.err
    counts = aws.requests()
    assert counts["writes"] == 0, counts
    assert counts["total"] <= 3, counts


def test_changed_env_gives_new_revision_followed_to_completion(hako: Hako, deployable: Deployable,
                                                               aws: SandboxControl, repo: Repo) -> None:
    path = deployable()
    assert hako("deploy", path, *POLL).code == 0
    revision = service_of(cluster_of(repo, path))["taskDefinition"]
    deployable(env="{ MODE: 'two' }")
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    assert '-          "value": "one"' in result.err and '+          "value": "two"' in result.err
    service = service_of(cluster_of(repo, path))
    assert service["taskDefinition"] != revision
    primary = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
    assert primary[0]["rolloutState"] == "COMPLETED"
    assert primary[0]["taskDefinition"] == service["taskDefinition"]
    writes = {k: v for k, v in aws.requests()["byOperation"].items() if not k.split(".")[1].startswith("Describe")}
    assert writes == {"ecs.RegisterTaskDefinition": 1, "ecs.UpdateService": 1}


def test_failed_rollout_is_rolled_back_by_hako(hako: Hako, deployable: Deployable,
                                               aws: SandboxControl, repo: Repo) -> None:
    path = deployable()
    assert hako("deploy", path, *POLL).code == 0
    cluster = cluster_of(repo, path)
    before = service_of(cluster)["taskDefinition"]
    deployable(env="{ MODE: 'broken' }")
    aws.call("POST", "fail-next-rollout", {"service": "svc", "cluster": cluster})
    result = hako("deploy", path, *POLL)
    assert result.code == 1
    assert "failed (FAILED)" in result.err
    assert "stopped: Essential container in task exited" in result.err
    assert "container app: exit code 1" in result.err
    assert f"rolling back service svc to {before.rsplit('/', 1)[-1]}" in result.err
    assert "rolled back: service svc runs" in result.err
    service = service_of(cluster)
    assert service["taskDefinition"] == before
    failed = before.rsplit(":", 1)[0] + ":" + str(int(before.rsplit(":", 1)[1]) + 1)
    assert ecs().describe_task_definition(taskDefinition=failed)["taskDefinition"]["status"] == "INACTIVE"


def test_circuit_breaker_rollback_by_ecs_is_followed(hako: Hako, deployable: Deployable,
                                                     aws: SandboxControl, repo: Repo) -> None:
    path = deployable(breaker_rollback=True)
    assert hako("deploy", path, *POLL).code == 0
    cluster = cluster_of(repo, path)
    before = service_of(cluster)["taskDefinition"]
    deployable(env="{ MODE: 'broken' }", breaker_rollback=True)
    aws.call("POST", "fail-next-rollout", {"service": "svc", "cluster": cluster})
    result = hako("deploy", path, *POLL)
    assert result.code == 1
    assert "ECS is rolling the service back" in result.err or "rolling back service svc" in result.err
    assert "rolled back: service svc runs" in result.err
    assert service_of(cluster)["taskDefinition"] == before


def test_timeout_rolls_back(hako: Hako, deployable: Deployable, aws: SandboxControl,
                            repo: Repo) -> None:
    path = deployable()
    assert hako("deploy", path, *POLL).code == 0
    before = service_of(cluster_of(repo, path))["taskDefinition"]
    deployable(env="{ MODE: 'slow' }")
    aws.call("POST", "settings", {"rolloutSeconds": 1.5})
    try:
        result = hako("deploy", path, "--timeout", "0.3", *POLL)
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert result.code == 1
    assert "failed (TIMEOUT)" in result.err
    assert "rolled back: service svc runs" in result.err
    assert service_of(cluster_of(repo, path))["taskDefinition"] == before


def test_a_stuck_rollout_times_out_and_rolls_back(hako: Hako, deployable: Deployable,
                                                  aws: SandboxControl, repo: Repo) -> None:
    """Without the circuit breaker a rollout whose tasks keep failing stays IN_PROGRESS (API
    DeploymentCircuitBreaker; the sandbox used to mark it FAILED as if the breaker were on): hako follows
    it until --timeout, says why the tasks stopped, rolls back to the previous revision and exits 1."""
    path = deployable(breaker=False)
    assert hako("deploy", path, *POLL).code == 0
    cluster = cluster_of(repo, path)
    before = service_of(cluster)["taskDefinition"]
    deployable(env="{ MODE: 'broken' }", breaker=False)
    aws.call("POST", "fail-next-rollout", {"service": "svc", "cluster": cluster})
    started = time.monotonic()
    result = hako("deploy", path, "--timeout", "1.5", *POLL)
    assert result.code == 1, result.err
    assert time.monotonic() - started >= 1.5
    assert "failed (TIMEOUT): the rollout did not complete within 1.5s" in result.err
    assert "stopped: Essential container in task exited" in result.err
    assert f"rolling back service svc to {before.rsplit('/', 1)[-1]}" in result.err
    assert "rolled back: service svc runs" in result.err
    service = service_of(cluster)
    assert service["taskDefinition"] == before
    assert [(d["status"], d["taskDefinition"], d["rolloutState"]) for d in service["deployments"]] == [
        ("PRIMARY", before, "COMPLETED")]


def test_no_rollback_leaves_the_service(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                        repo: Repo) -> None:
    path = deployable()
    assert hako("deploy", path, *POLL).code == 0
    cluster = cluster_of(repo, path)
    deployable(env="{ MODE: 'broken' }")
    aws.call("POST", "fail-next-rollout", {"service": "svc", "cluster": cluster})
    result = hako("deploy", path, "--no-rollback", *POLL)
    assert result.code == 1
    assert "not rolling back (--no-rollback)" in result.err


def test_a_redeploy_never_calls_a_failed_rollout_success(hako: Hako, deployable: Deployable,
                                                         aws: SandboxControl, repo: Repo) -> None:
    path = deployable()
    assert hako("deploy", path, *POLL).code == 0
    deployable(env="{ MODE: 'broken' }")
    aws.call("POST", "fail-next-rollout", {"service": "svc", "cluster": cluster_of(repo, path)})
    assert hako("deploy", path, "--no-rollback", *POLL).code == 1
    for extra in ((), ("--no-wait",), ("--dry-run",)):
        aws.reset()
        again = hako("deploy", path, *extra, *POLL)
        assert again.code == 1, (extra, again.err)
        assert "FAILED" in again.err and "no changes: service" not in again.err
        assert aws.requests()["writes"] == 0


def test_dry_run_never_follows_a_rollout_in_progress(hako: Hako, deployable: Deployable,
                                                     aws: SandboxControl) -> None:
    path = deployable()
    aws.call("POST", "settings", {"rolloutSeconds": 30})
    try:
        assert hako("deploy", path, "--no-wait").code == 0
        started = time.monotonic()
        result = hako("deploy", path, "--dry-run", *POLL)
        took = time.monotonic() - started
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert result.code == 0
    assert "still in progress (dry run: not following it" in result.err
    assert took < 10


def test_concurrent_deploy_is_refused_without_writes(hako: Hako, deployable: Deployable,
                                                     aws: SandboxControl, repo: Repo) -> None:
    path = deployable()
    # long enough to be in progress for the second deploy on a loaded machine; the finally ends it
    aws.call("POST", "settings", {"rolloutSeconds": 30})
    try:
        started = hako("deploy", path, "--no-wait")
        assert started.code == 0
        assert "not waiting" in started.err
        deployable(env="{ MODE: 'second' }")
        aws.reset()
        refused = hako("deploy", path, *POLL)
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert refused.code == 1
    assert "has a deployment in progress" in refused.err and "nothing was changed" in refused.err
    assert aws.requests()["writes"] == 0


def test_dry_run_sends_no_write(hako: Hako, deployable: Deployable, aws: SandboxControl) -> None:
    path = deployable(name="dry-run-only")
    aws.reset()
    result = hako("deploy", path, "--dry-run")
    assert result.code == 0
    assert "dry run: would send" in result.err
    assert "RegisterTaskDefinition family=dry-run-only" in result.err
    assert "CreateService dry-run-only" in result.err
    assert aws.requests()["writes"] == 0


def test_diff_status_rollback_stop_remove(hako: Hako, deployable: Deployable,
                                          aws: SandboxControl, repo: Repo) -> None:
    path = deployable(name="lifecycle")
    cluster = cluster_of(repo, path)
    missing = hako("status", path)
    assert missing.code == 1
    assert missing.err.strip() == (f"service lifecycle does not exist in cluster {cluster} "
                                   f"(deploy it with: hako deploy {path})")
    assert hako("deploy", path, *POLL).code == 0
    first = service_of(cluster, "lifecycle")["taskDefinition"]
    empty = hako("diff", path, "--exit-code")
    assert (empty.code, empty.out) == (0, "")
    deployable(name="lifecycle", env="{ MODE: 'two', DB_PASSWORD: 'hunter2' }")
    changed = hako("diff", path, "--exit-code")
    assert changed.code == 2
    assert '"value": "<masked>"' in changed.out and "hunter2" not in changed.out
    assert hako("deploy", path, *POLL).code == 0
    second = service_of(cluster, "lifecycle")["taskDefinition"]
    assert second != first

    status = hako("status", path)
    assert status.code == 0
    assert f"[PRIMARY] {second.rsplit('/', 1)[-1]} COMPLETED desired=2 pending=0 running=2" in status.out
    assert status.out.count("[RUNNING]") == 2
    assert "has reached a steady state." in status.out
    as_json = json.loads(hako("status", path, "--output", "json").out)
    assert as_json["taskDefinition"] == second and len(as_json["tasks"]) == 2 and len(as_json["events"]) <= 10

    rolled = hako("rollback", path, *POLL)
    assert rolled.code == 0, rolled.err
    assert service_of(cluster, "lifecycle")["taskDefinition"] == first
    assert ecs().describe_task_definition(taskDefinition=second)["taskDefinition"]["status"] == "INACTIVE"
    again = hako("rollback", path, *POLL)
    assert again.code == 1
    assert "no ACTIVE revision of lifecycle older than" in again.err

    stopped = hako("stop", path)
    assert stopped.code == 0
    assert service_of(cluster, "lifecycle")["desiredCount"] == 0
    refused = hako("remove", path)
    assert refused.code == 1 and "pass --yes" in refused.err
    removed = hako("remove", path, "--yes")
    assert removed.code == 0
    assert ecs().describe_services(cluster=cluster, services=["lifecycle"])["services"][0]["status"] == "INACTIVE"
    assert "nothing to remove" in hako("remove", path, "--yes").err


def test_rollback_to_a_given_revision(hako: Hako, deployable: Deployable, repo: Repo) -> None:
    path = deployable(name="rollto")
    cluster = cluster_of(repo, path)
    for mode in ("a", "b", "c"):
        deployable(name="rollto", env=f"{{ MODE: '{mode}' }}")
        assert hako("deploy", path, *POLL).code == 0
    first = service_of(cluster, "rollto")["taskDefinition"].rsplit(":", 1)
    target = int(first[1]) - 2
    result = hako("rollback", path, "--to", str(target), *POLL)
    assert result.code == 0, result.err
    assert service_of(cluster, "rollto")["taskDefinition"] == f"{first[0]}:{target}"


@pytest.mark.slow
def test_every_example_service_diffs_empty_after_deploy(hako: Hako, aws: SandboxControl, sandbox: Sandbox,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from hako_py.pipeline import check_file, expand_paths
    from hako_py.sandbox.seed import Wanted, seed

    monkeypatch.chdir(PROJECT_ROOT)
    wanted = Wanted()
    apps = [check_file(f).app for f in expand_paths(["apps"])]
    for app in apps:
        wanted.add_app(app)
    seed(sandbox.url, wanted)
    services = [app for app in apps if app.has_service]
    assert {a.app_id for a in services} == {"web", "worker", "legacy-ec2", "hello-lb-v2", "hello-shared-alb",
                                            "hello-service-discovery", "hello-autoscaling", "hello-internal-nlb"}
    for app in services:
        deployed = hako("deploy", app.file, *POLL)
        assert deployed.code == 0, deployed.out + deployed.err
        diff = hako("diff", app.file, "--exit-code")
        assert (diff.code, diff.out) == (0, ""), f"{app.file}: {diff.out}"
        tagged = hako("diff", app.file, "--exit-code", "--tag", "other")
        assert tagged.code == 2 and ":other" in tagged.out


def test_batch_only_app_cannot_be_deployed(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    repo.write("apps/job.jsonnet", f"({FARGATE_APP}) + {{ scheduler+: {{ desired_count:: null }} }}")
    result = hako("deploy", "apps/job.jsonnet")
    assert result.code == 1
    assert "defines no service" in result.err and "hako oneshot" in result.err


def test_unreachable_endpoint_is_one_line(hako: Hako, deployable: Deployable,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = deployable()
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = hako("deploy", path, "--endpoint-url", "http://127.0.0.1:9")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "cannot reach http://127.0.0.1:9" in result.err


def test_bad_credentials_are_one_line(hako: Hako, deployable: Deployable,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = deployable()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "INVALIDKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    result = hako("deploy", path)
    assert result.code == 1
    assert result.err.strip() == ("DescribeServices svc: UnrecognizedClientException: The security token included "
                                  "in the request is invalid.")
    profile = hako("status", path, "--profile", "no-such-profile")
    assert profile.code == 1
    assert "no-such-profile" in profile.err and profile.err.count("\n") == 1


def test_bad_credentials_are_one_line_for_every_protocol(hako: Hako, deployable: Deployable,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """verify asks EC2 and IAM (XML query protocol) too: the sandbox's refusal of an INVALID key
    used to be JSON for them, which botocore cannot parse (internal error, exit 70)."""
    path = deployable()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "INVALIDKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = hako("verify", path)
    assert result.code == 1, result.err
    assert result.err == ""  # no internal error (exit 70)
    # bad credentials fail every check alike: verify says so once, not once per check
    assert result.out.splitlines() == [
        "[NG] AWS credentials: UnrecognizedClientException: The security token included in the request is "
        "invalid.; the remaining checks were not run"], result.out
    from botocore.exceptions import ClientError

    for service, call, code in (("ec2", "describe_vpcs", "InvalidClientTokenId"),
                                ("iam", "list_roles", "InvalidClientTokenId"),
                                ("ecs", "list_clusters", "UnrecognizedClientException")):
        client = cast(Any, boto3).client(service, region_name="us-east-1", aws_access_key_id="INVALIDKEY",
                              aws_secret_access_key="x")
        with pytest.raises(ClientError) as raised:
            getattr(client, call)()
        assert raised.value.response["Error"]["Code"] == code


# Starts hako with SIGINT as it finds it in a terminal (default) or in a job a shell started in
# the background (ignored, which exec passes on): the test does not depend on how pytest was started.
LAUNCH_WITH_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, getattr(signal, sys.argv[1])); "
                      "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])")


@pytest.mark.parametrize(("signum", "sigint", "code"), [
    (signal.SIGINT, "SIG_DFL", 130),  # Ctrl-C in a terminal
    (signal.SIGINT, "SIG_IGN", 130),  # kill -INT to a job started in the background
    (signal.SIGTERM, "SIG_DFL", 143),  # kill, a cancelled CI job, a stopped container
], ids=["ctrl-c", "background-kill-int", "sigterm"])
def test_signal_while_following_stops_following_and_says_the_deployment_continues(
        deployable: Deployable, aws: SandboxControl, repo: Repo, signum: signal.Signals, sigint: str,
        code: int) -> None:
    path = deployable()
    aws.call("POST", "settings", {"rolloutSeconds": 5})
    try:
        process = subprocess.Popen([sys.executable, "-c", LAUNCH_WITH_SIGINT, sigint, "-m", "hako_py", "deploy", path,
                                    *POLL], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("Following the rollout"):
                break
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert process.returncode == code, out + err
    assert "stopped following; the deployment of svc:" in err and "continues in ECS" in err
    assert f"hako status {path}" in err
    assert "deployment completed" not in out + err


@pytest.mark.slow
def test_sandbox_command_prints_one_line_and_stops_on_sigterm(tmp_path: Any) -> None:
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", "--port", "0", "--seed",
                                str(PROJECT_ROOT / "apps")], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    try:
        assert line.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        ec2 = boto3.client("ec2", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="t",
                           aws_secret_access_key="t")
        subnets = ec2.describe_subnets(SubnetIds=["subnet-0a1b2c3d4e5f60001"])["Subnets"]
        assert subnets[0]["SubnetId"] == "subnet-0a1b2c3d4e5f60001"
        ssm = boto3.client("ssm", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="t",
                           aws_secret_access_key="t")
        assert ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/hako/web/DATABASE_URL"]}])[
            "Parameters"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out == ""


def test_ecs_anywhere_app_redeploys_as_no_change(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    """An EXTERNAL app in bridge mode (REAL repo-register-task-definition-ecs-anywhere-bridge): the sandbox
    refused CreateService launchType EXTERNAL, and answered networkMode awsvpc, so every deploy saw a
    changed task definition and registered a new revision."""
    cluster, name = unique("mydc-"), unique("anywhere-")
    ecs().create_cluster(clusterName=cluster)
    path = repo.write(f"apps/{name}.jsonnet", f"""
    {{
      scheduler: {{ type: 'ecs', region: 'us-east-1', cluster: '{cluster}', desired_count: 1,
                   launch_type: 'EXTERNAL', requires_compatibilities: ['EXTERNAL'], network_mode: 'bridge' }},
      app: {{ image: 'example/springboot', tag: 'v1', memory: 256, cpu: 256,
              port_mappings: [{{ container_port: 8080, host_port: 8080 }}] }},
    }}
    """).relative_to(repo.root).as_posix()
    first = hako("deploy", path, *POLL)
    assert first.code == 0, first.err
    assert service_of(cluster, name)["launchType"] == "EXTERNAL"
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0, again.err
    assert aws.requests()["writes"] == 0, again.err


def test_service_in_its_own_vpc_without_security_groups(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    """A Fargate service in a subnet of a VPC of one's own, naming no security group (API
    AwsVpcConfiguration.securityGroups: the VPC's default one is used). The sandbox answered CreateService
    with HTTP 500 (hako retried, then printed an HTML error page) and, with a security group, never started
    the service's tasks there (hako followed the rollout until its timeout)."""
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                       aws_access_key_id="t", aws_secret_access_key="t")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"]
    cluster, name = unique("c-"), unique("own-vpc-")
    ecs().create_cluster(clusterName=cluster)
    path = repo.write(f"apps/{name}.jsonnet", f"""
    {{
      scheduler: {{ type: 'ecs', region: 'us-east-1', cluster: '{cluster}', desired_count: 1, launch_type: 'FARGATE',
                   requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
                   network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'] }} }} }},
      app: {{ image: 'example/app', tag: 'v1', memory: 256 }},
    }}
    """).relative_to(repo.root).as_posix()
    first = hako("deploy", path, "--timeout", "20", *POLL)
    assert first.code == 0, first.err
    assert "deployment completed" in first.err
    assert service_of(cluster, name)["runningCount"] == 1
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0, again.err
    assert aws.requests()["writes"] == 0, again.err
