"""hako's ``nginx_front`` script (eagletmt/hako v2.18.0, ``lib/hako/scripts/nginx_front.rb``):
the front container it shapes and the nginx.conf it uploads, compared with what hako itself
produced (``tests/fixtures/hako218/nginx_front``, see its NOTICE), and deployed into the sandbox
over HTTP: the upload is a planned write, so an unchanged deploy writes nothing."""

from __future__ import annotations

import json
import shutil
from typing import Any

import boto3
import pytest

from hako_py.sandbox.server import Sandbox
from hako_py.scripts.builtin.nginx_conf import render_nginx_conf
from tests.conftest import POLL, PROJECT_ROOT, Hako, Repo, SandboxControl, unique

HAKO218 = PROJECT_ROOT / "tests" / "fixtures" / "hako218"
GOLDEN = HAKO218 / "nginx_front"
EXAMPLES = ["hello", "hello-fargate", "hello-lb-v2", "hello-shared-alb"]  # hako's examples using nginx_front

# the options each golden file was rendered from (tests/fixtures/hako218/NOTICE)
CONFS: dict[str, tuple[dict[str, Any], str]] = {
    "default-bridge": ({"backend_port": 3000}, "backend"),
    "default-awsvpc": ({"backend_port": 3000}, "localhost"),
    "allow_only_from": ({"backend_port": 3000, "locations": {"/": {"allow_only_from": ["10.0.0.0/24"]}}}, "backend"),
    "client_max_body_size-nested-allow-two-locations": (
        {"backend_port": 8080, "client_max_body_size": "1G",
         "locations": {"/": {"allow_only_from": ["127.0.0.1", ["10.0.0.0/24"]]}, "/admin": {}}}, "backend"),
}


@pytest.mark.parametrize("name", sorted(CONFS))
def test_nginx_conf_is_hakos_byte_for_byte(name: str) -> None:
    # nginx_front.rb:100-172 with templates/nginx.conf.erb and nginx.location.conf.erb (ERB, trim_mode '-')
    options, backend_host = CONFS[name]
    assert render_nginx_conf(options, backend_host=backend_host) == (GOLDEN / f"{name}.conf").read_text()


def test_nginx_conf_edge_cases_as_ruby() -> None:
    # `locations ||= {'/' => {}}` (nginx_front.rb:60) keeps an empty mapping; an empty
    # allow_only_from still denies all (nginx.location.conf.erb:1-6: [] is truthy in Ruby)
    assert "location" not in render_nginx_conf({"backend_port": 1, "locations": {}}, backend_host="backend")
    conf = render_nginx_conf({"backend_port": "80", "locations": {"/": {"allow_only_from": []}}},
                             backend_host="localhost")
    assert "    deny all;\n    \n    proxy_pass http://localhost:80;\n" in conf
    assert "allow" not in conf


# --- the front container, as hako registers it -----------------------------------------------

def hako_sent(name: str) -> dict[str, Any]:
    sent: dict[str, Any] = json.loads((GOLDEN / "requests.json").read_text())[name]
    return sent


def _shaped(name: str) -> tuple[dict[str, Any], Any]:
    """The task definition a deploy of hako's example *name* registers, and its nginx_front script."""
    from hako_py.loading import LoadOptions, load_definition
    from hako_py.pipeline import check_loaded
    from hako_py.render import RenderOptions, render_app
    from hako_py.scripts.base import ScriptContext
    from hako_py.scripts.runner import ScriptSet

    checked = check_loaded(load_definition(f"{name}.jsonnet", LoadOptions(expand=True)))
    # dynamic port mapping or awsvpc: the front port needs no AWS request (ecs.rb:449-455)
    scripts = ScriptSet(checked.app, ScriptContext(checked.app, aws=None))
    app = scripts.prepared("deploy_starting")
    return render_app(app, RenderOptions()).task_definition, scripts.scripts[0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_hako_examples_register_hakos_front_and_upload_hakos_conf(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_hako_compat import _as_hako_py_renders_task_definition

    monkeypatch.chdir(HAKO218 / "examples")
    task_definition, script = _shaped(name)
    sent = hako_sent(name)
    # the whole task definition, front included: env (nginx_front.rb:30-37), link (:42-47),
    # port mapping 80 -> front port (:48, :73-75; 0 with dynamic port mapping, 80 under awsvpc)
    assert task_definition == _as_hako_py_renders_task_definition(sent["deploy.register_task_definition"])
    put = sent["deploy.s3_put_object"]
    assert (script.region, script.bucket, script.key) == (put["region"], put["bucket"], put["key"])
    assert script.conf == put["body"]


# --- deployed into the sandbox ----------------------------------------------------------------

BUCKET, BUCKET_REGION = "nanika", "ap-northeast-1"  # examples/front.libsonnet


def s3(sandbox: Sandbox) -> Any:
    return boto3.client("s3", region_name=BUCKET_REGION, endpoint_url=sandbox.url, aws_access_key_id="t",
                        aws_secret_access_key="t")


def make_bucket(sandbox: Sandbox, bucket: str = BUCKET) -> None:
    client = s3(sandbox)
    if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": BUCKET_REGION})


def example_app(repo: Repo, sandbox: Sandbox, name: str, *edits: tuple[str, str]) -> tuple[str, str]:
    """hako's example *name* as apps/APP_ID.jsonnet (a fresh app id: hako's is the file name)
    with *edits* (old, new) made, and what it needs seeded; (path, app id)."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    app_id = unique(f"{name}-")
    for helper in ("front.libsonnet", "hello.env"):
        shutil.copy(HAKO218 / "examples" / helper, repo.root / "apps" / helper)
    text = (HAKO218 / "examples" / f"{name}.jsonnet").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = f"apps/{app_id}.jsonnet"
    repo.write(path, text)
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    seed(sandbox.url, wanted)
    return path, app_id


def stored_conf(sandbox: Sandbox, key: str, bucket: str = BUCKET) -> str:
    return str(s3(sandbox).get_object(Bucket=bucket, Key=key)["Body"].read().decode())


@pytest.mark.parametrize("name", EXAMPLES)
def test_hako_examples_deploy_and_redeploy_without_a_write(name: str, repo: Repo, hako: Hako, aws: SandboxControl,
                                                           sandbox: Sandbox) -> None:
    make_bucket(sandbox)
    path, app_id = example_app(repo, sandbox, name)
    key = f"hako/front_config/{app_id}.conf"
    aws.reset()
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    assert f"Uploaded front configuration to s3://{BUCKET}/{key}" in result.err
    # the object hako would have put (nginx_front.rb:83-98), through the configured endpoint
    assert stored_conf(sandbox, key) == hako_sent(name)["deploy.s3_put_object"]["body"]
    assert aws.requests()["byOperation"][f"s3.PUT /{BUCKET}/{key}"] == 1
    # nothing changed: no write at all (hako uploaded on every deploy), and nothing to show
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0, aws.requests()
    shown = hako("diff", path)
    assert shown.code == 0 and "no differences" in shown.err + shown.out, shown.out + shown.err
    assert drift_of(hako, path) == ("in-sync", None)


def drift_of(hako: Hako, path: str) -> tuple[str, str | None]:
    """hako drift's status and diff for the app of *path* (which compares as hako diff does)."""
    result = hako("drift", "--format", "json", path)
    assert result.code == 0, result.out + result.err
    app = json.loads(result.out)["apps"][0]
    return app["status"], app["diff"]


def test_a_changed_configuration_is_shown_then_uploaded_alone(repo: Repo, hako: Hako, aws: SandboxControl,
                                                             sandbox: Sandbox) -> None:
    make_bucket(sandbox)
    path, app_id = example_app(repo, sandbox, "hello")
    key = f"hako/front_config/{app_id}.conf"
    assert hako("deploy", path, *POLL).code == 0
    repo.write(path, (repo.root / path).read_text().replace("backend_port: 3000", "backend_port: 3001"))
    aws.reset()
    shown = hako("diff", path)
    assert shown.code == 0, shown.err
    assert (f"--- s3://{BUCKET}/{key} (in S3)\n+++ s3://{BUCKET}/{key} (nginx_front)\n" in shown.out
            and "-    proxy_pass http://backend:3000;\n+    proxy_pass http://backend:3001;\n" in shown.out), shown.out
    status, diff = drift_of(hako, path)
    assert status == "drifted" and "+    proxy_pass http://backend:3001;" in str(diff), diff
    dry = hako("deploy", "--dry-run", path, *POLL)
    assert dry.code == 0, dry.err
    assert f"  PutObject s3://{BUCKET}/{key} (nginx_front: the front's nginx.conf)" in dry.err.splitlines(), dry.err
    assert aws.requests()["writes"] == 0
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    assert "only its scripts' objects changed" in result.err, result.err
    assert aws.requests()["writes"] == 1  # the task definition did not change: PutObject alone
    assert "proxy_pass http://backend:3001;" in stored_conf(sandbox, key)


def test_a_fixed_front_port_is_allocated_as_hako_allocates_it(repo: Repo, hako: Hako, aws: SandboxControl,
                                                              sandbox: Sandbox) -> None:
    # dynamic_port_mapping: false (ecs.rb:49,449-501): the service's own front port, else one
    # more than the cluster's highest, 10000 for the first
    make_bucket(sandbox)
    cluster = unique("c-")
    edits = (("cluster: 'eagletmt',", f"cluster: '{cluster}', dynamic_port_mapping: false,"),)

    def front_port(path: str) -> Any:
        result = hako("render", "--with-scripts", path)
        assert result.code == 0, result.err
        front = next(c for c in json.loads(result.out)["taskDefinition"]["containerDefinitions"]
                     if c["name"] == "front")
        return front["portMappings"]

    first, _ = example_app(repo, sandbox, "hello", *edits)
    assert front_port(first) == [{"containerPort": 80, "hostPort": 10000, "protocol": "tcp"}]
    assert hako("deploy", first, *POLL).code == 0
    second, _ = example_app(repo, sandbox, "hello", *edits)
    assert front_port(second) == [{"containerPort": 80, "hostPort": 10001, "protocol": "tcp"}]
    aws.reset()
    again = hako("deploy", first, *POLL)
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0


def test_the_bucket_chooses_the_object_never_the_endpoint(repo: Repo, hako: Hako, aws: SandboxControl,
                                                          sandbox: Sandbox) -> None:
    # a bucket that looks like a host name still goes to the configured endpoint (path-style
    # addresses): the definition cannot send the deploy's credentials anywhere else
    bucket = "front.example.com"
    make_bucket(sandbox, bucket)
    path, app_id = example_app(repo, sandbox, "hello",
                               ("(import 'front.libsonnet') + {", f"(import 'front.libsonnet') + {{ s3+: {{ bucket: '{bucket}' }},"))
    aws.reset()
    assert hako("deploy", path, *POLL).code == 0
    assert aws.requests()["byOperation"][f"s3.PUT /{bucket}/hako/front_config/{app_id}.conf"] == 1
    assert "proxy_pass http://backend:3000;" in stored_conf(sandbox, f"hako/front_config/{app_id}.conf", bucket)


def test_verify_checks_the_bucket_and_deploy_stops_before_any_write(repo: Repo, hako: Hako, aws: SandboxControl,
                                                                    sandbox: Sandbox) -> None:
    missing = unique("missing-")
    path, _ = example_app(repo, sandbox, "hello", ("(import 'front.libsonnet') + {",
                                                   f"(import 'front.libsonnet') + {{ s3+: {{ bucket: '{missing}' }},"))
    result = hako("verify", path)
    assert result.code == 1
    assert f"[NG] S3 bucket {missing}: does not exist (ap-northeast-1); a script writes to it" in result.out.splitlines()
    aws.reset()
    deploy = hako("deploy", path, *POLL)
    assert deploy.code == 1 and "verification failed" in deploy.err, deploy.err
    assert aws.requests()["writes"] == 0
    make_bucket(sandbox)
    present, _ = example_app(repo, sandbox, "hello")
    aws.reset()
    assert "[OK] S3 bucket nanika" in hako("verify", present).out.splitlines()
    assert aws.requests()["byOperation"]["s3.HEAD /nanika"] == 1
    assert aws.requests()["writes"] == 0  # HeadBucket is a read (the sandbox counts REST HEADs as such)


def test_options_are_validated_as_hako_reads_them(repo: Repo, hako: Hako) -> None:
    front = "sidecars: { front: { image_tag: 'hako-nginx', memory: 32 } },"
    app = ("{ scheduler: { type: 'ecs', region: 'ap-northeast-1', cluster: 'c', desired_count: 1 }, "
           "app: { image: 'busybox:1', memory: 64 }, %s scripts: [%s] }")
    repo.write("apps/a.jsonnet", app % (front, "{ type: 'nginx_front', s3: { region: 'ap-northeast-1', "
                                               "bucket: 'Bad_Bucket', prefix: '../x' }, "
                                               "locations: { '/ { return 200; }': {} } }"))
    result = hako("validate", "-q", "apps/a.jsonnet")
    assert result.code == 1
    errors = sorted(line.split(": ", 1)[1] for line in result.out.splitlines() if ": warning: " not in line)
    # backend_port is required (nginx_front.rb:110 fetch); a location cannot add directives; S3's
    # bucket naming rules; a prefix without '..' segments
    assert [e.split(": ")[0] for e in errors] == ["scripts[0].backend_port", "scripts[0].locations",
                                                  "scripts[0].s3.bucket", "scripts[0].s3.prefix"], errors
    # nginx_front.rb:31,43 containers.fetch('front') (hako: a KeyError during the deploy), and the
    # backend it links (:61, :65-67; ECS would refuse the link)
    repo.write("apps/b.jsonnet", app % ("", "{ type: 'nginx_front', backend_port: 3000, backend: 'web', "
                                            "s3: { region: 'ap-northeast-1', bucket: 'b-1' } }"))
    result = hako("validate", "-q", "apps/b.jsonnet")
    assert result.code == 1
    assert [line for line in result.out.splitlines() if ": warning: " not in line] == [
        "apps/b.jsonnet: scripts[0]: nginx_front configures the sidecar named 'front'; the definition has none",
        "apps/b.jsonnet: scripts[0].backend: no container named 'web' (containers: app)"]


def test_the_upload_runs_in_the_deploy_plan_where_the_dry_run_lists_it(repo: Repo, hako: Hako, aws: SandboxControl,
                                                                       sandbox: Sandbox) -> None:
    # the upload is one of the plan's instructions (no callable): listed and counted by the dry
    # run with the other writes, sent by the one executor after verification and before the
    # task definition is registered (so the front finds its configuration when it starts)
    make_bucket(sandbox)
    path, app_id = example_app(repo, sandbox, "hello")
    put = f"PutObject s3://{BUCKET}/hako/front_config/{app_id}.conf (nginx_front: the front's nginx.conf)"
    dry = hako("deploy", "--dry-run", path, *POLL)
    assert dry.code == 0, dry.err
    listed = [line[2:] for line in dry.err.splitlines() if line.startswith("  ")]
    register = next(i for i, line in enumerate(listed) if line.startswith("RegisterTaskDefinition"))
    assert put in listed[:register], dry.err
    assert f"dry run: {len(listed)} writes not sent" in dry.err, dry.err
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    said = result.err.splitlines()
    uploaded = said.index(f"Uploaded front configuration to s3://{BUCKET}/hako/front_config/{app_id}.conf")
    verified = next(i for i, line in enumerate(said) if line.startswith("verified: "))
    registered = next(i for i, line in enumerate(said) if line.startswith("registered task definition"))
    assert verified < uploaded < registered, result.err


@pytest.mark.parametrize("name", ["hello-lb", "hello-autoscaling"])
def test_hako_classic_load_balancer_examples_deploy_unchanged_and_redeploy_without_a_write(
        name: str, repo: Repo, hako: Hako, aws: SandboxControl, sandbox: Sandbox) -> None:
    """hako's two examples with a classic load balancer (`scheduler.elb`) and nginx_front: the
    load balancer created as hako does (ecs_elb.rb), the front's port fixed (no dynamic port
    mapping with `elb`, ecs.rb:49) and its configuration uploaded; a second deploy writes nothing."""
    make_bucket(sandbox)
    path, app_id = example_app(repo, sandbox, name)
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    assert f"Uploaded front configuration to s3://{BUCKET}/hako/front_config/{app_id}.conf" in result.err
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err, again.err
    assert aws.requests()["writes"] == 0, aws.requests()
