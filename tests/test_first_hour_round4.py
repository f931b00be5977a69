"""Issue 15, fourth round: what an outside tester found on a fresh clone, each through the CLI."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    FARGATE_APP,
    HAKO_BIN,
    POLL,
    Deployable,
    Hako,
    HakoProcess,
    Job,
    Repo,
    SandboxControl,
    aws_client,
    family,
    unique,
)
from tests.test_local import job as local_job
from tests.test_traffic import traffic_app  # noqa: F401  (fixture)

# -- botocore errors while clients are made: one line, never an internal error -------------------


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("command", ["deploy", "status", "diff", "stop", "rollback"])
def test_partial_credentials_are_one_line(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                          command: str) -> None:
    path = deployable()
    result = hako(command, path, env={"AWS_ACCESS_KEY_ID": "x"})  # no secret key, no profile
    assert result.code == 1, result.err
    assert "internal error" not in result.err
    assert _one_line(result.err) == (
        "AWS credentials: Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY")


def test_partial_credentials_in_verify_and_oneshot_are_one_check(hako: Hako, deployable: Deployable,
                                                                 aws: SandboxControl) -> None:
    path = deployable()
    verify = hako("verify", path, env={"AWS_ACCESS_KEY_ID": "x"})
    assert verify.code == 1
    assert _one_line(verify.out) == ("[NG] AWS credentials: Partial credentials found in env, missing: "
                                     "AWS_SECRET_ACCESS_KEY; the remaining checks were not run")
    oneshot = hako("oneshot", path, "--", "true", env={"AWS_ACCESS_KEY_ID": "x"})
    assert oneshot.code == 125 and "internal error" not in oneshot.err
    assert oneshot.err.count("Partial credentials") == 1


def test_a_failing_credential_process_is_one_line(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                                  tmp_path: Path) -> None:
    path = deployable()
    config = tmp_path / "config"
    config.write_text("[profile broken]\ncredential_process = /bin/false\n")
    result = hako("status", path, env={"AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "broken"})
    assert result.code == 1 and "internal error" not in result.err
    assert _one_line(result.err).startswith("AWS credentials: Error when retrieving credentials from custom-process")


@pytest.mark.parametrize(("config", "profile", "expected"), [
    ("[default\nregion = x\n", None, ": Unable to parse config file: "),
    ("", "nope", ": The config profile (nope) could not be found"),
])
def test_a_broken_config_or_unknown_profile_is_one_line(hako: Hako, deployable: Deployable, aws: SandboxControl,
                                                        tmp_path: Path, config: str, profile: str | None,
                                                        expected: str) -> None:
    path = deployable()
    (tmp_path / "config").write_text(config)
    env = {"AWS_CONFIG_FILE": str(tmp_path / "config"), **({"AWS_PROFILE": profile} if profile else {})}
    result = hako("diff", path, env=env)
    assert result.code == 1 and "internal error" not in result.err
    assert expected in _one_line(result.err)


def test_a_botocore_error_no_handler_caught_is_still_one_line() -> None:
    """The class, whatever call raises it: the CLI's last resort turns botocore's errors into
    one line (exit 1), not an internal error."""
    from botocore.exceptions import PartialCredentialsError

    from hako_py.aws.errors import escaped_botocore_error

    error = escaped_botocore_error(PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"))
    assert error is not None and error.exit_code == 1
    assert str(error) == "AWS: Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY"
    assert escaped_botocore_error(ValueError("x")) is None


# -- verify against an endpoint that cannot be reached: one line ---------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_verify_says_once_that_the_endpoint_cannot_be_reached(hako: Hako, deployable: Deployable,
                                                              aws: SandboxControl) -> None:
    path = deployable()
    url = f"http://127.0.0.1:{_closed_port()}"
    env = {"AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "2"}
    result = hako("verify", path, env=env)
    assert result.code == 1  # as documented: 1 when a check is NG
    assert _one_line(result.out) == (f"[NG] AWS endpoint: cannot reach {url}/ (is the endpoint up? check "
                                     "--endpoint-url / AWS_ENDPOINT_URL); the remaining checks were not run")
    quiet = hako("verify", "-q", path, env=env)
    assert quiet.out == result.out
    oneshot = hako("oneshot", path, "--", "true", env=env)
    assert oneshot.code == 125 and oneshot.err.count("cannot reach") == 1


# -- -q: problems only (and the job's own output), on every path that prints progress -----------


def test_local_oneshot_quiet_prints_only_the_jobs_output(hako: Hako, repo: Repo, docker_client: Any) -> None:
    app_id = unique("job-")
    repo.write(f"apps/{app_id}.jsonnet", local_job())
    path = f"apps/{app_id}.jsonnet"
    normal = hako("oneshot", "--local", path, "--", "sh", "-c", "echo $GREETING")
    assert normal.code == 0 and "started container app" in normal.err
    quiet = hako("oneshot", "--local", "-q", path, "--", "sh", "-c", "echo $GREETING")
    assert (quiet.code, quiet.out, quiet.err) == (0, "hi\n", "")
    failed = hako("oneshot", "--local", "-q", path, "--", "sh", "-c", "exit 3")
    assert failed.code == 3
    assert failed.err == "  container app: exit code 3\n"  # how it ended is a problem to see


def test_scripts_say_only_problems_under_quiet(hako: Hako, job: Job, aws: SandboxControl) -> None:
    """A script's progress (the log group it created) is progress like hako's own."""
    path = job()
    text = Path(path).read_text()
    group = f"/ecs/{unique('batch-')}"
    Path(path).write_text(text.replace("'/ecs/batch'", f"'{group}'").replace(
        "sidecars: {}", "sidecars: {}, scripts: [{ type: 'create_aws_cloud_watch_logs_log_group' }]"))
    aws.call("POST", "next-task", {"family": family(path), "exitCode": 0, "logLines": ["hi"], "runSeconds": 0.1})
    quiet = hako("oneshot", "-q", path, "--poll-interval", "0.05", "true")
    assert (quiet.code, quiet.out, quiet.err) == (0, "hi\n", "")
    logs = aws_client(aws.url, "logs")
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [group]


# -- IPv6 hosts: [::1] accepted where a host is asked, bracketed in every URL built ---------------


@pytest.mark.slow
def test_sandbox_takes_the_bracketed_ipv6_host_and_prints_a_url() -> None:
    from hako_py.sandbox.client import control

    process = subprocess.Popen([str(HAKO_BIN), "sandbox", "--host", "[::1]", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"AWS_ENDPOINT_URL=http://\[::1\]:\d+", line), line
        assert "api" in control(line.split("=", 1)[1], "")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_a_port_in_use_is_said_with_the_ipv6_host_bracketed(hako_process: HakoProcess) -> None:
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for host in ("::1", "[::1]"):
            result = hako_process("sandbox", "--host", host, "--port", str(port))
            assert result.code == 1
            assert result.err.strip() == f"cannot listen on [::1]:{port}: Address already in use"


def test_a_scripts_error_shows_an_ipv6_server_bracketed(hako: Hako, job: Job, aws: SandboxControl) -> None:
    path = job()
    text = Path(path).read_text()
    Path(path).write_text(text.replace("sidecars: {}", "sidecars: {}, scripts: [{ type: 'jenkins_tag', job: 'j' }]"))
    result = hako("oneshot", path, "true", env={"JENKINS_URL": "http://[::1]:9"})
    assert result.code == 125
    assert "jenkins_tag: http://[::1]:9/job/j/lastSuccessfulBuild/api/json: " in result.err, result.err


def test_urls_of_hosts_bracket_ipv6() -> None:
    from hako_py.hosts import bare_host, host_port, http_url
    from hako_py.outbound import display_url

    assert http_url("::1", 4566) == http_url("[::1]", 4566) == "http://[::1]:4566"
    assert http_url("127.0.0.1", 1) == "http://127.0.0.1:1" and host_port("localhost", 2) == "localhost:2"
    assert bare_host("[::1]") == "::1" and bare_host("::1") == "::1"
    assert display_url("http://user:pw@[::1]:8080/x?token=1") == "http://[::1]:8080/x"


# -- a revision ECS rolled back is not "never deployed" -------------------------------------------


def test_a_revision_the_circuit_breaker_rolled_back_is_said_to_have_been_deployed(
        hako: Hako, deployable: Deployable, aws: SandboxControl, repo: Repo) -> None:
    from tests.test_deploy import breaking_change, service_of

    path, cluster, before = breaking_change(hako, deployable, aws, repo)
    started = hako("deploy", path, "--no-wait", *POLL)  # hako does not follow: ECS rolls back alone
    assert started.code == 0, started.err
    deadline = time.monotonic() + 30
    while not (service_of(cluster)["taskDefinition"] == before
               and [d["rolloutState"] for d in service_of(cluster)["deployments"]] == ["COMPLETED"]):
        assert time.monotonic() < deadline, service_of(cluster)
        time.sleep(0.05)
    again = hako("deploy", path, *POLL)
    assert "never deployed" not in again.err
    # the revision the failed deploy registered, as it said (the family may have other revisions
    # in a shared sandbox: not before + 1)
    registered = re.search(r"registered task definition (\S+)", started.err)
    assert registered is not None, started.err
    failed = registered.group(1)
    assert (f"task definition {failed} is already registered (deployed before, then the service "
            f"went back to {before.rsplit('/', 1)[-1]} (rolled back): its tasks stopped (Essential container in task "
            "exited)); using it") in again.err, again.err


# -- git's folder is refused however a case-insensitive file system spells it ---------------------


@pytest.mark.parametrize("folder", [".GIT", ".Git", ".git.", ".git ", "GIT~1", ".g\u200cit", ".gi\ufefft"])
def test_imports_of_git_files_are_refused_in_any_spelling(hako: Hako, repo: Repo, folder: str) -> None:
    """On macOS's and Windows' default file systems ``.GIT/config`` is ``.git/config`` (which
    may hold a token); here the folder is made under that name to stand for it."""
    repo.write(f"{folder}/config", "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    repo.write("apps/x.jsonnet", FARGATE_APP.replace("tag: 'v1',", f"tag: 'v1', env: {{ C: importstr '../{folder}/config' }},"))
    result = hako("render", "apps/x.jsonnet")
    assert result.code == 1
    assert "reads git's own files (.git); definitions may not" in result.err
    assert "c2VjcmV0" not in result.out


def test_yaml_includes_and_file_providers_refuse_git_files_in_any_spelling(hako: Hako, repo: Repo) -> None:
    repo.write(".Git/HEAD", "FOO=ref: refs/heads/main\n")
    repo.write("apps/y.yml", "scheduler: !include ../.Git/HEAD\n")
    assert "reads git's own files (.git)" in hako("render", "apps/y.yml").err
    from hako_py.loading.confinement import Confinement, ImportRefused
    from hako_py.loading.providers import FileProvider

    with pytest.raises(ImportRefused, match=r"reads git's own files \(\.git\)"):  # deploy reads providers' values
        FileProvider(repo.root / "apps", {"path": "../.Git/HEAD"}, Confinement(repo.root))


# -- image references follow Docker's grammar (distribution/reference) ---------------------------


@pytest.mark.parametrize(("app", "path", "message"), [
    ("tag: ':x'", "app.tag", "tag ':x' is not a Docker image tag (1 to 128 letters, digits, '_', '.' or '-', not "
                             "starting with '.' or '-')"),
    ("tag: '-rc1'", "app.tag", "tag '-rc1' is not a Docker image tag"),
    ("tag: null, image: 'busybox:'", "app.image", "'busybox:' ends its name with ':' and no tag; write the tag after "
                                                  "it, or leave out the ':' (which means latest)"),
    ("tag: null, image: 'Example/App:1'", "app.image", "repository 'Example/App' must be lowercase"),
    ("tag: null, image: 'example/a b'", "app.image", "repository 'example/a b' is not a Docker repository name"),
    ("tag: null, image: 'bad_host.example.com/app:1'", "app.image",
     "registry 'bad_host.example.com' is not a host name or address with an optional :PORT"),
])
def test_image_references_docker_cannot_parse_are_located_errors(hako: Hako, repo: Repo, app: str, path: str,
                                                                  message: str) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ app+: {{ {app} }} }}")
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    assert any(line.startswith(f"apps/x.jsonnet: {path}: ") and message in line for line in result.out.splitlines()), \
        result.out


def test_sidecar_image_tags_are_checked_and_registry_ports_are_no_tags(hako: Hako, repo: Repo) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ sidecars: {{ db: {{ image_tag: 'redis:', memory: 64 }} }} }}")
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1 and "apps/x.jsonnet: sidecars.db.image_tag: 'redis:' ends its name" in result.out
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ sidecars: {{ db: {{ image_tag: 'localhost:5000/redis:7', "
                                 "memory: 64 } } }")
    assert hako("validate", "apps/x.jsonnet").code == 0


def test_a_placeholder_ecs_registered_stays_accepted(hako: Hako, repo: Repo) -> None:
    """tests/corpus holds a task definition ECS registered with ``${AWS_ACCOUNT_ID}`` in its image
    (a placeholder a tool substitutes before registering)."""
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ app+: {{ tag: null, image: "
                                 "'${AWS_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/app:1' } }")
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 0, result.out


@pytest.mark.parametrize("command", ["deploy", "diff", "render", "verify", "oneshot"])
def test_tag_options_are_checked_before_anything_runs(hako: Hako, repo: Repo, command: str) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako(command, "--tag", "a b", "apps/x.jsonnet", *(["--", "true"] if command == "oneshot" else []))
    assert result.code == 2
    assert ("Invalid value for '-t' / '--tag': tag 'a b' is not a Docker image tag (1 to 128 letters, digits, "
            "'_', '.' or '-', not starting with '.' or '-')") in result.err


# -- RunTask on EC2 without container instances: ECS's 400, hako's "could not start" --------------


def test_a_task_on_an_ec2_cluster_without_instances_could_not_start(hako: Hako, job: Job,
                                                                    aws: SandboxControl) -> None:
    path = job()
    text = Path(path).read_text()
    Path(path).write_text(text.replace("launch_type: 'FARGATE',", "launch_type: 'EC2',").replace(
        "requires_compatibilities: ['FARGATE'],", "requires_compatibilities: ['EC2'],"))
    result = hako("oneshot", path, "--poll-interval", "0.05", "true")
    assert result.code == 125, result.err  # the README's "could not start"
    assert "internal error" not in result.err and "500" not in result.err
    assert result.err.splitlines()[-1].endswith(
        "InvalidParameterException: No Container Instances were found in your cluster."), result.err
    ecs = aws_client(aws.url, "ecs")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="No Container Instances were found"):
        ecs.run_task(cluster=text.split("cluster: '")[1].split("'")[0], taskDefinition=family(path),
                     launchType="EC2")


# -- Cloud Map ListServices filters by namespace, as AWS does -------------------------------------


def test_sandbox_cloud_map_list_services_filters_by_namespace(aws: SandboxControl) -> None:
    discovery = aws_client(aws.url, "servicediscovery")
    ec2 = aws_client(aws.url, "ec2")
    ids = []
    for name in (unique("a") + ".local", unique("b") + ".local"):
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]  # moto: one private namespace per VPC
        discovery.create_private_dns_namespace(Name=name, Vpc=vpc)
        namespace = next(n for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == name)
        discovery.create_service(Name="api", NamespaceId=namespace["Id"])
        ids.append((namespace["Id"], namespace["Arn"]))
    for namespace_id, arn in ids:
        for value in (namespace_id, arn):
            listed = discovery.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [value], "Condition": "EQ"}])
            assert [(s["Name"], discovery.get_service(Id=s["Id"])["Service"]["NamespaceId"])
                    for s in listed["Services"]] == [("api", namespace_id)]  # a summary has no NamespaceId
    assert discovery.list_services(Filters=[{"Name": "RESOURCE_OWNER", "Values": ["OTHER_ACCOUNTS"]}])["Services"] == []
    with pytest.raises(discovery.exceptions.InvalidInput):
        discovery.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [ids[0][0], ids[1][0]]}])


def test_deploy_creates_its_cloud_map_service_though_another_namespace_has_one_of_that_name(
        hako: Hako, traffic_app: Callable[..., tuple[str, str]], aws: SandboxControl) -> None:  # noqa: F811
    path, app_id = traffic_app()
    discovery = aws_client(aws.url, "servicediscovery")
    other = unique("other") + ".local"
    vpc = aws_client(aws.url, "ec2").create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    discovery.create_private_dns_namespace(Name=other, Vpc=vpc)
    other_id = next(n["Id"] for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == other)
    discovery.create_service(Name="svc", NamespaceId=other_id)  # the name the app's service takes
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.err
    assert "CreateService (Cloud Map) svc" in result.err
    mine = next(n["Id"] for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == f"{app_id}.local")
    listed = discovery.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [mine]}])["Services"]
    assert [s["Name"] for s in listed] == ["svc"]


# -- the README's oneshot examples run as written against the seeded sandbox ----------------------

PROJECT = Path(__file__).resolve().parent.parent


def readme_oneshot_commands() -> list[list[str]]:
    """The commands of the README's first code block under "## Oneshot tasks", as argv."""
    import shlex

    section = (PROJECT / "README.md").read_text().split("## Oneshot tasks", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "hako":
            commands.append(words[1:words.index(">")] if ">" in words else words[1:])  # stdout is captured
    return commands


def test_the_readmes_oneshot_examples_run_against_the_seeded_sandbox(hako: Hako, tmp_path: Path,
                                                                     aws: SandboxControl,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from hako_py.pipeline import check_file, expand_paths
    from hako_py.sandbox.seed import Wanted, seed

    commands = readme_oneshot_commands()
    assert len(commands) == 3 and all(c[0] == "oneshot" for c in commands), commands
    shutil.copytree(PROJECT / "apps", tmp_path / "apps")
    shutil.copy(PROJECT / "hako.toml", tmp_path / "hako.toml")
    monkeypatch.chdir(tmp_path)
    wanted = Wanted()
    for path in expand_paths(["apps"]):
        wanted.add_app(check_file(path).app)
    seed(aws.url, wanted)  # what `hako sandbox --seed apps/` does
    monkeypatch.setenv("HAKO_LOG_GRACE", "0.2")  # the simulated task writes no log lines to wait for
    for command in commands:
        result = hako(command[0], "--poll-interval", "0.05", *command[1:])  # options after FILE go to the job
        assert result.code == 0, (command, result.err)
        assert "jenkins_tag" not in result.err
