"""Errors are one located, actionable line, never ``internal error`` (issue 15).

Each case printed ``hako: internal error: ...`` (exit 70), a traceback, or a message that
did not name the user's file, before this change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FARGATE_APP, Hako, Repo, SandboxControl


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "internal error" not in text and "Traceback" not in text
    return lines[0]


def test_show_definition_of_a_definition_with_sidecars_as_a_list(hako: Hako, repo: Repo) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP.rstrip().rstrip("}") + "  sidecars: ['a'],\n}\n")
    result = hako("show-definition", "apps/x.jsonnet")
    assert result.code == 0, result.err
    assert json.loads(result.out)["sidecars"] == ["a"]


def test_yaml_include_of_a_name_with_a_nul_byte(hako: Hako, repo: Repo) -> None:
    repo.write("apps/y.yml", 'scheduler: {type: ecs}\napp: !include "a\\0b.yml"\n')
    result = hako("validate", "apps/y.yml")
    assert result.code == 1
    assert one_line(result.out) == "apps/y.yml:2:6: !include 'a\\x00b.yml': a file name cannot contain a NUL byte"


def test_jsonnet_import_of_a_name_with_a_nul_byte(hako: Hako, repo: Repo) -> None:
    # go-jsonnet hands the callback the name cut at the NUL byte; what matters is one located line
    repo.write("apps/x.jsonnet", "import 'a\\u0000b.libsonnet'")
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    assert one_line(result.out).startswith("apps/x.jsonnet:1:1: import 'a")


def test_toml_dates_become_iso_strings(hako: Hako, repo: Repo) -> None:
    repo.write("hako.toml", 'region = "ap-northeast-1"\nreleased = 1979-05-27T07:32:00Z\n[window]\nday = 1979-05-27\n')
    repo.write("apps/x.jsonnet", "local h = std.extVar('hako'); " + FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', env: { RELEASED: h.released, DAY: h.window.day },"))
    result = hako("render", "apps/x.jsonnet", "--only", "task-definition")
    assert result.code == 0, result.err
    env = {e["name"]: e["value"] for e in json.loads(result.out)["containerDefinitions"][0]["environment"]}
    assert env == {"RELEASED": "1979-05-27T07:32:00+00:00", "DAY": "1979-05-27"}


def test_a_toml_date_where_a_string_belongs(hako: Hako, repo: Repo) -> None:
    repo.write("hako.toml", "region = 1979-05-27\n")
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    assert one_line(result.out + result.err.replace("1 definition checked: 1 invalid", "")) == (
        "hako.toml: region: must be a string")


@pytest.mark.parametrize(("value", "message"), [
    ("notaurl", "--endpoint-url 'notaurl': not an http(s) URL (e.g. http://127.0.0.1:4566 for the sandbox)"),
    ("http://[::1", "--endpoint-url 'http://[::1': not a valid URL (Invalid IPv6 URL)"),
    ("http://a b", "--endpoint-url 'http://a b': not a valid URL (the host 'a b' is not a host name or IP address)"),
    ("http://a%b", "--endpoint-url 'http://a%b': not a valid URL (the host 'a%b' is not a host name or IP address)"),
])
def test_a_malformed_endpoint(hako: Hako, repo: Repo, value: str, message: str) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("status", "apps/x.jsonnet", "--endpoint-url", value)
    assert result.code == 2
    assert one_line(result.err) == message


@pytest.mark.parametrize("name", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"])
def test_a_malformed_endpoint_in_the_environment(hako: Hako, repo: Repo, name: str) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("status", "apps/x.jsonnet", env={name: "http://a%b"})
    assert result.code == 2
    # (AWS_ENDPOINT_URL is read as --endpoint-url's default)
    assert one_line(result.err).endswith("'http://a%b': not a valid URL (the host 'a%b' is not a host name or IP "
                                         "address)")


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1000"])
def test_a_malformed_max_attempts(hako: Hako, repo: Repo, value: str) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("status", "apps/x.jsonnet", "--endpoint-url", "http://127.0.0.1:9", env={"AWS_MAX_ATTEMPTS": value})
    assert result.code == 2
    assert one_line(result.err) == f"AWS_MAX_ATTEMPTS={value!r}: must be a whole number from 1 to 100 (default 8)"


def test_a_library_error_names_the_users_file_first(hako: Hako, repo: Repo) -> None:
    repo.write("hako.toml", 'account_id = "123456789012"\n')
    repo.write("apps/x.jsonnet", "local hako = import 'hako.libsonnet';\n" + FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', secrets: [hako.secret('DB_PASSWORD')],"))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "apps/x.jsonnet: app.secrets[0].value_from: hako.toml: set region to use secret()"
    assert lines[1].startswith("  raised at hako.libsonnet:")


def test_a_library_error_called_from_the_users_file_points_there(hako: Hako, repo: Repo) -> None:
    repo.write("apps/lib.libsonnet", "{ port(p):: std.parseInt(p) }")
    repo.write("apps/x.jsonnet", "local lib = import 'lib.libsonnet';\nlocal p = lib.port('eighty');\n"
               + FARGATE_APP.replace("memory: 256,", "memory: 256, port_mappings: [{ container_port: p }],"))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith("apps/x.jsonnet:2:11: "), first
    assert "raised at apps/lib.libsonnet:1:" in result.out


@pytest.mark.parametrize(("app", "path", "message"), [
    ("memory: 1e30", "app.memory", "must be at most 2147483647"),
    ("image: ''", "app.image", "must not be empty"),
    ("image: ':latest', tag: null", "app.image", "':latest' has no repository name"),
    ("image: 'repo@sha256:abc', tag: null", "app.image", "must be sha256: followed by 64 hexadecimal digits"),
])
def test_values_ecs_cannot_take_are_refused(hako: Hako, repo: Repo, app: str, path: str, message: str) -> None:
    repo.write("apps/x.jsonnet", f"({FARGATE_APP}) + {{ app+: {{ {app} }} }}")
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    assert any(line.startswith(f"apps/x.jsonnet: {path}: ") and message in line for line in result.out.splitlines()), \
        result.out


def test_no_docker_engine_says_why(hako: Hako, repo: Repo, tmp_path: Path) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    socket = tmp_path / "nothing.sock"
    result = hako("oneshot", "--local", "apps/x.jsonnet", "--", "true", env={"DOCKER_HOST": f"unix://{socket}"})
    assert result.code != 0
    assert one_line(result.err) == (f"no Docker engine reachable at unix://{socket}: No such file or directory "
                                    "(error while fetching server API version)")


def test_verify_without_credentials_says_so_once(hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    repo.write("apps/x.jsonnet", FARGATE_APP.replace(
        "cluster: 'test',", "cluster: 'test', execution_role_arn: 'arn:aws:iam::123456789012:role/exec',"))
    result = hako("verify", "apps/x.jsonnet")
    assert result.code == 1
    credentials = [line for line in result.out.splitlines() if "credentials" in line]
    assert credentials == ["[NG] AWS credentials: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                           "AWS_SECRET_ACCESS_KEY, or use --profile); the remaining checks were not run"]
    assert len(result.out.splitlines()) == 1


def test_a_check_that_cannot_run_keeps_its_label(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    """GetRole fails (HTTP 500) while the other checks run: an unreachable endpoint would end
    verify at its first check with one line about the endpoint instead."""
    from hako_py.sandbox.faults import FaultProxy, FaultRates

    repo.write("apps/x.jsonnet", FARGATE_APP.replace(
        "cluster: 'test',", "cluster: 'test', execution_role_arn: 'arn:aws:iam::123456789012:role/exec',"))
    proxy = FaultProxy(aws.url, FaultRates(error=0.99, operations=("GetRole",)), seed=0)
    try:
        result = hako("verify", "apps/x.jsonnet", "--endpoint-url", proxy.start(), env={"AWS_MAX_ATTEMPTS": "1"})
    finally:
        proxy.stop()
    labels = [line.split(":", 1)[0] for line in result.out.splitlines()]
    assert "[NG] execution role exec" in labels
    assert not any("executionRoleArn" in line or "describe_subnets" in line for line in result.out.splitlines())


YAML_APP = """\
scheduler:
  type: ecs
  region: us-east-1
  cluster: c
  launch_type: FARGATE
  requires_compatibilities: [FARGATE]
  network_mode: awsvpc
  cpu: '256'
  memory: '512'
  network_configuration: {awsvpc_configuration: {subnets: [subnet-1]}}
app:
  image: busybox
  tag: '1'
  memory: 128
  env:
    QUEUE: default
"""


@pytest.mark.parametrize(("text", "message"), [
    ("    NO: x\n", "apps/y.yml:17:5: key NO is read as false by YAML 1.1; quote it ('NO'): mapping keys must be strings"),
    ("    1: a\n", "apps/y.yml:17:5: key 1 is read as the number 1 by YAML; quote it ('1'): mapping keys must be "
                   "strings"),
    ("    null: y\n", "apps/y.yml:17:5: key null is read as null by YAML; quote it ('null'): mapping keys must be "
                      "strings"),
    ("  docker_labels: {on: a}\n", "apps/y.yml:17:19: key on is read as true by YAML 1.1; quote it ('on'): mapping "
                                   "keys must be strings"),
    ("  x: !!set {a, b}\n", "apps/y.yml:17:6: a !!set is not JSON-like data (a definition holds mappings, lists, "
                            "strings, numbers, booleans and null): write a list"),
    ("  x: !!omap [a: 1]\n", "apps/y.yml:17:6: a !!omap is not JSON-like data (a definition holds mappings, lists, "
                             "strings, numbers, booleans and null): write a mapping"),
])
@pytest.mark.parametrize("command", ["validate", "render", "show-definition"])
def test_yaml_keys_must_be_strings_and_values_json(hako: Hako, repo: Repo, text: str, message: str,
                                                   command: str) -> None:
    """YAML 1.1 reads NO as false, 1 as a number, !!set as a set: an env name 'False', or an
    internal error; a located error instead (issue 15)."""
    repo.write("apps/y.yml", YAML_APP + text)
    result = hako(command, "apps/y.yml")
    assert result.code == 1, result
    assert message in result.out + result.err
    assert "internal error" not in result.err


def test_yaml_env_values_that_yaml_changes_are_kept_with_a_warning(hako: Hako, repo: Repo) -> None:
    repo.write("apps/y.yml", YAML_APP + "    A: 012\n    B: 1.10\n    C: yes\n    D: '012'\n    E: 80\n    F: x\n")
    result = hako("validate", "apps/y.yml")
    assert result.code == 0, result
    assert [line for line in result.out.splitlines() if "warning" in line] == [
        'apps/y.yml: 17:8: warning: env A: YAML reads 012 as the number 10, so hako passes "10"; quote it (\'012\') '
        "to pass it as written",
        'apps/y.yml: 18:8: warning: env B: YAML reads 1.10 as the number 1.1, so hako passes "1.1"; quote it '
        "('1.10') to pass it as written",
        'apps/y.yml: 19:8: warning: env C: YAML reads yes as true, so hako passes "true"; quote it (\'yes\') to pass '
        "it as written"]
    rendered = json.loads(hako("render", "apps/y.yml").out)
    env = {e["name"]: e["value"] for e in rendered["taskDefinition"]["containerDefinitions"][0]["environment"]}
    assert env == {"QUEUE": "default", "A": "10", "B": "1.1", "C": "true", "D": "012", "E": "80", "F": "x"}
