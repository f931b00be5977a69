"""Scripts (lifecycle plugins) and hako verify, against the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, cast

import boto3
import pytest

from hako_py.sandbox.seed import image_manifest
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Hako, Repo, SandboxControl, unique

ACCOUNT = "123456789012"


def definition(cluster: str, subnet: str, group: str, *, name: str, scripts: str = "[]", secrets: str = "[]",
               extra_scheduler: str = "", image: str | None = None, log_group: str | None = None,
               launch: str = "launch_type: 'FARGATE',") -> str:
    image = image or f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{name}"
    log_group = log_group or f"/ecs/{name}"
    return f"""
    {{
      scheduler: {{
        type: 'ecs', region: 'us-east-1', cluster: '{cluster}', desired_count: 1, {launch}
        requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
        execution_role_arn: 'arn:aws:iam::{ACCOUNT}:role/{name}-exec',
        network_configuration: {{ awsvpc_configuration: {{ subnets: ['{subnet}'], security_groups: ['{group}'] }} }},
        {extra_scheduler}
      }},
      app: {{
        image: '{image}', tag: 'v1', memory: 256,
        secrets: {secrets},
        log_configuration: {{ log_driver: 'awslogs', options: {{ 'awslogs-group': '{log_group}',
                              'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' }} }},
      }},
      scripts: {scripts},
    }}
    """


class Env:
    """A definition plus the sandbox resources it needs (some can be left out on purpose)."""

    def __init__(self, repo: Repo, sandbox: Sandbox) -> None:
        self.repo = repo
        self.sandbox = sandbox
        self.name = unique("s")
        self.cluster, self.subnet, self.group = unique("c-"), unique("subnet-"), unique("sg-")
        self.path = f"apps/{self.name}.jsonnet"

    def write(self, seed: bool = True, skip: tuple[str, ...] = (), **kwargs: Any) -> str:
        from hako_py.pipeline import check_file
        from hako_py.sandbox.seed import Wanted
        from hako_py.sandbox.seed import seed as do_seed

        self.repo.write(self.path, definition(self.cluster, self.subnet, self.group, name=self.name, **kwargs))
        if seed:
            wanted = Wanted()
            wanted.add_app(check_file(self.path).app)
            for attribute in skip:
                getattr(wanted, attribute).clear()
            do_seed(self.sandbox.url, wanted)
        return self.path

    def client(self, service: str) -> Any:
        return cast(Any, boto3).client(service, region_name="us-east-1", endpoint_url=self.sandbox.url, aws_access_key_id="t",
                            aws_secret_access_key="t")


@pytest.fixture
def env(repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> Env:
    return Env(repo, sandbox)


@pytest.fixture
def hooks_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, Any]]]:
    path = tmp_path / "hooks.jsonl"
    monkeypatch.setenv("HAKO_RECORD_HOOKS", str(path))

    def read() -> list[dict[str, Any]]:
        if not path.exists():
            return []
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        path.unlink()
        return lines

    return read


class Recorder(BaseHTTPRequestHandler):
    """A tiny HTTP server serving Jenkins' JSON API shapes and recording webhook posts."""

    builds: ClassVar[dict[str, dict[str, Any]]] = {}
    posts: ClassVar[list[dict[str, Any]]] = []
    auth: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        Recorder.auth.append(self.headers.get("Authorization"))
        build = Recorder.builds.get(self.path)
        body = json.dumps(build).encode() if build else b"{}"
        self.send_response(200 if build else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        Recorder.posts.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    Recorder.builds, Recorder.posts, Recorder.auth = {}, [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_unknown_script_type_lists_installed_types(hako: Hako, repo: Repo) -> None:
    repo.write("apps/x.jsonnet", definition("c", "subnet-1", "sg-1", name="x", scripts="[{ type: 'ckpdecs' }]"))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    assert result.out.strip() == ("apps/x.jsonnet: scripts[0].type: unknown script type 'ckpdecs' (installed: "
                                  "create_aws_cloud_watch_logs_log_group, ecr_tag, jenkins_tag, notify_webhook, "
                                  "record_hooks)")


def test_script_options_are_validated_with_located_errors(hako: Hako, repo: Repo) -> None:
    repo.write("apps/x.jsonnet", definition("c", "subnet-1", "sg-1", name="x", scripts="""[
        { type: 'jenkins_tag', jbo: 'x' },
        { type: 'ecr_tag', pattern: 3 },
    ]"""))
    lines = hako("validate", "apps/x.jsonnet").out.splitlines()
    assert "apps/x.jsonnet: scripts[0].job: is required" in lines
    assert "apps/x.jsonnet: scripts[0].jbo: unknown key 'jbo'; did you mean 'job'?" in lines
    assert "apps/x.jsonnet: scripts[1].pattern: must be a string, got 3" in lines


def test_libsonnet_jenkins_tag_entry(repo: Repo) -> None:
    from hako_py.loading import load_definition

    repo.write("apps/x.jsonnet", "local h = import 'hako.libsonnet'; { a: h.jenkinsTag('job'), b: h.ecrTag('^v') }")
    assert load_definition("apps/x.jsonnet").data == {"a": {"type": "jenkins_tag", "job": "job"},
                                                      "b": {"type": "ecr_tag", "pattern": "^v"}}


def test_deploy_hooks_fire_in_order_and_the_tag_change_is_registered(
        hako: Hako, env: Env, hooks_file: Callable[[], list[dict[str, Any]]]) -> None:
    path = env.write(scripts="[{ type: 'record_hooks', tag: 'v9' }]")
    env.client("ecr").put_image(repositoryName=env.name, imageTag="v9", imageManifest=image_manifest(env.name, "v9"))
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    hooks = hooks_file()
    assert [h["hook"] for h in hooks] == ["configure", "deploy_starting", "before_writes", "deploy_started",
                                          "deploy_finished"]
    assert not any(h["dry_run"] for h in hooks)
    arn = hooks[-1]["task_definition"]
    image = env.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"][
        "containerDefinitions"][0]["image"]
    assert image.endswith(f"/{env.name}:v9")


def test_failed_deploy_and_rollback_hooks(hako: Hako, env: Env, aws: SandboxControl,
                                          hooks_file: Callable[[], list[dict[str, Any]]]) -> None:
    path = env.write(scripts="[{ type: 'record_hooks' }]")
    assert hako("deploy", path, *POLL).code == 0
    hooks_file()
    # the circuit breaker fails the rollout (without it a failing rollout stays IN_PROGRESS until --timeout)
    env.write(scripts="[{ type: 'record_hooks' }]", extra_scheduler="pid_mode: 'task', deployment_configuration: "
              "{ deployment_circuit_breaker: { enable: true, rollback: false } },")
    aws.call("POST", "fail-next-rollout", {"service": env.name, "cluster": env.cluster})
    assert hako("deploy", path, *POLL).code == 1
    names = [h["hook"] for h in hooks_file()]
    assert names == ["configure", "deploy_starting", "before_writes", "deploy_started", "deploy_failed",
                     "rollback_starting", "rollback_finished"]
    rolled = hako("rollback", path, *POLL)
    assert rolled.code == 1  # the failed revision was deregistered: nothing older than :1
    removed = hako("remove", path, "--yes")
    assert removed.code == 0
    assert [h["hook"] for h in hooks_file()] == ["configure", "configure", "remove_starting", "remove_finished"]


def test_oneshot_hooks(hako: Hako, env: Env, aws: SandboxControl,
                       hooks_file: Callable[[], list[dict[str, Any]]]) -> None:
    path = env.write(scripts="[{ type: 'record_hooks' }]")
    aws.call("POST", "next-task", {"family": f"{env.name}-oneshot", "exitCode": 4, "runSeconds": 0.1})
    assert hako("oneshot", path, *POLL, "true").code == 4
    hooks = hooks_file()
    assert [h["hook"] for h in hooks] == ["configure", "oneshot_starting", "before_writes", "oneshot_started",
                                          "oneshot_finished"]
    assert hooks[-1]["exit_code"] == 4


def test_dry_run_tells_scripts_and_writes_nothing(hako: Hako, env: Env, aws: SandboxControl,
                                                  hooks_file: Callable[[], list[dict[str, Any]]]) -> None:
    path = env.write(scripts="[{ type: 'record_hooks' }, { type: 'create_aws_cloud_watch_logs_log_group' }]",
                     skip=("log_groups",))
    aws.reset()
    result = hako("deploy", path, "--dry-run")
    assert result.code == 0, result.err
    assert "dry run: would create log group" in result.err
    assert all(h["dry_run"] for h in hooks_file())
    assert aws.requests()["writes"] == 0


def test_log_group_script_creates_missing_groups(hako: Hako, env: Env) -> None:
    path = env.write(scripts="[{ type: 'create_aws_cloud_watch_logs_log_group' }]", skip=("log_groups",))
    result = hako("deploy", "-v", path, *POLL)
    assert result.code == 0, result.err
    assert f"[OK] log group /ecs/{env.name}: missing; the create_aws_cloud_watch_logs_log_group script creates it" \
        in result.err
    assert f"created log group /ecs/{env.name} (us-east-1)" in result.err
    groups = env.client("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{env.name}")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [f"/ecs/{env.name}"]


def test_failing_script_stops_the_deploy_before_any_write(hako: Hako, env: Env, aws: SandboxControl,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = env.write(scripts="[{ type: 'jenkins_tag', job: 'app' }]")
    monkeypatch.setenv("JENKINS_URL", "http://127.0.0.1:9")
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 1
    assert result.err.startswith("jenkins_tag: http://127.0.0.1:9/job/app/lastSuccessfulBuild/api/json:")
    assert aws.requests()["writes"] == 0


def test_jenkins_tag_from_a_jenkins_api(hako: Hako, env: Env, http_server: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    Recorder.builds["/job/team/job/app/lastSuccessfulBuild/api/json"] = {
        "number": 42, "result": "SUCCESS",
        "actions": [{"_class": "hudson.model.CauseAction"},
                    {"_class": "hudson.plugins.git.util.BuildData", "lastBuiltRevision": {"SHA1": sha}}]}
    monkeypatch.setenv("JENKINS_USER", "bot")
    monkeypatch.setenv("JENKINS_TOKEN", "t0k3n")
    monkeypatch.setenv("JENKINS_URL", http_server)  # trusted: credentials may go there
    path = env.write(scripts=f"[{{ type: 'jenkins_tag', job: 'team/app', server: '{http_server}' }}]")
    rendered = json.loads(hako("render", path, "--with-scripts", "--only", "task-definition").out)
    assert rendered["containerDefinitions"][0]["image"].endswith(f"/{env.name}:{sha}")
    assert Recorder.auth[-1] == "Basic Ym90OnQwazNu"
    plain = json.loads(hako("render", path, "--only", "task-definition").out)
    assert plain["containerDefinitions"][0]["image"].endswith(":v1")
    env.write(scripts=f"[{{ type: 'jenkins_tag', job: 'team/app', server: '{http_server}', field: 'build_number' }}]")
    by_number = json.loads(hako("render", path, "--with-scripts", "--only", "task-definition").out)
    assert by_number["containerDefinitions"][0]["image"].endswith(":42")
    overridden = json.loads(hako("render", path, "--with-scripts", "--tag", "manual", "--only",
                                 "task-definition").out)
    assert overridden["containerDefinitions"][0]["image"].endswith(":manual")
    missing = hako("render", path.replace(env.name, env.name), "--with-scripts")
    assert missing.code == 0


def test_ecr_tag_picks_the_newest_matching_tag(hako: Hako, env: Env) -> None:
    path = env.write(scripts="[{ type: 'ecr_tag', pattern: 'release-[0-9]+' }]")
    ecr = env.client("ecr")
    for index, tag in enumerate(["release-1", "release-2", "dev-3"]):
        ecr.put_image(repositoryName=env.name, imageTag=tag, imageManifest=image_manifest(env.name, tag))
        time.sleep(0.01 * index)
    rendered = json.loads(hako("render", path, "--with-scripts", "--only", "task-definition").out)
    assert rendered["containerDefinitions"][0]["image"].endswith(f"/{env.name}:release-2")
    env.write(scripts="[{ type: 'ecr_tag', pattern: 'nothing-[0-9]+' }]", seed=False)
    none = hako("render", path, "--with-scripts")
    assert none.code == 1 and "no tag of" in none.err


def test_notify_webhook_posts_and_never_fails_the_deploy(hako: Hako, env: Env, http_server: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = env.write(scripts="[{ type: 'notify_webhook' }]")
    monkeypatch.setenv("HAKO_WEBHOOK_URL", http_server + "/hook")
    assert hako("deploy", path, *POLL).code == 0
    assert Recorder.posts[-1]["event"] == "deploy_finished"
    assert Recorder.posts[-1]["text"].startswith(f"[{env.name}] deployed {env.name}:")
    monkeypatch.setenv("HAKO_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    env.write(scripts="[{ type: 'notify_webhook' }]", extra_scheduler="pid_mode: 'task',")
    result = hako("deploy", path, *POLL)
    assert result.code == 0
    assert "notify_webhook: posting deploy_finished failed" in result.err


def test_verify_every_check_ok(hako: Hako, env: Env) -> None:
    secrets = (f"[{{ name: 'P', value_from: 'arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/verify/{env.name}/p' }},"
               f" {{ name: 'S', value_from: 'arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{env.name}/s:key::' }}]")
    path = env.write(secrets=secrets,
                     extra_scheduler="capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT' }],",
                     launch="")
    result = hako("verify", path)
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    assert lines == [
        f"[OK] cluster {env.cluster}",
        f"[OK] image {ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{env.name}:v1 (app)",
        f"[OK] secret P (app): SSM parameter /verify/{env.name}/p",
        f"[OK] secret S (app): Secrets Manager secret {env.name}/s",
        "[SKIP] secret S (app) JSON key key: cannot be checked without reading the secret's value",
        f"[OK] execution role {env.name}-exec: trusts ecs-tasks.amazonaws.com",
        f"[OK] log group /ecs/{env.name}",
        f"[OK] subnet {env.subnet}",
        f"[OK] security group {env.group}",
        "[OK] capacity provider FARGATE_SPOT: built in",
    ]


def test_verify_every_check_ng(hako: Hako, env: Env) -> None:
    secrets = (f"[{{ name: 'P', value_from: 'arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/missing/{env.name}' }},"
               f" {{ name: 'S', value_from: 'arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:missing-{env.name}' }}]")
    path = env.write(seed=False, secrets=secrets,
                     extra_scheduler=f"task_role_arn: 'arn:aws:iam::{ACCOUNT}:role/{env.name}-untrusted', "
                                     "capacity_provider_strategy: [{ capacity_provider: 'custom-cp' }],",
                     launch="")
    env.client("iam").create_role(RoleName=f"{env.name}-untrusted", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                               "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    result = hako("verify", path)
    assert result.code == 1
    lines = result.out.splitlines()
    assert f"[NG] cluster {env.cluster}: does not exist (or is not ACTIVE)" in lines
    assert f"[NG] image {ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{env.name}:v1 (app): no such image in ECR" in lines
    assert f"[NG] secret P (app): SSM parameter /missing/{env.name} does not exist (us-east-1)" in lines
    assert f"[NG] secret S (app): Secrets Manager secret missing-{env.name} does not exist (us-east-1)" in lines
    assert f"[NG] task role {env.name}-untrusted: does not trust ecs-tasks.amazonaws.com" in lines
    assert f"[NG] execution role {env.name}-exec: does not exist" in lines
    assert any(line.startswith(f"[NG] log group /ecs/{env.name}: does not exist") for line in lines)
    assert f"[NG] subnet {env.subnet}: does not exist" in lines
    assert f"[NG] security group {env.group}: does not exist" in lines
    assert "[NG] capacity provider custom-cp: does not exist" in lines
    assert len(lines) == 10


def test_verify_skips_images_outside_ecr(hako: Hako, env: Env) -> None:
    path = env.write(image="public.ecr.aws/nginx/nginx")
    lines = hako("verify", path).out.splitlines()
    assert "[SKIP] image public.ecr.aws/nginx/nginx:v1 (app): not an ECR image; cannot check without pulling it" \
        in lines


def test_deploy_stopped_by_a_missing_secret_sends_no_write(hako: Hako, env: Env, aws: SandboxControl) -> None:
    secrets = f"[{{ name: 'P', value_from: 'arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/absent/{env.name}' }}]"
    path = env.write(secrets=secrets, skip=("parameters",))
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 1
    assert f"[NG] secret P (app): SSM parameter /absent/{env.name} does not exist (us-east-1)" in result.err
    assert "verification failed: nothing was changed" in result.err
    assert aws.requests()["writes"] == 0
    skipped = hako("deploy", path, "--no-verify", *POLL)
    assert "verified: " not in skipped.err


def test_oneshot_stopped_by_verification_exits_125(hako: Hako, env: Env, aws: SandboxControl) -> None:
    path = env.write(skip=("images",))
    aws.reset()
    result = hako("oneshot", path, "true")
    assert result.code == 125
    assert "no such image in ECR" in result.err and "no task was started" in result.err
    assert aws.requests()["writes"] == 0


def test_example_package_is_documented_and_installed() -> None:
    from importlib.metadata import entry_points

    assert "record_hooks" in {ep.name for ep in entry_points(group="hako_py.scripts")}
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "examples/hako-script-example" in readme
    assert os.path.isfile(Path(__file__).resolve().parent.parent / "examples" / "hako-script-example" /
                          "pyproject.toml")
