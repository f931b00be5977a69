"""``hako validate``: located problems, all at once, warnings and exit codes."""

from __future__ import annotations

import json
import time

import pytest

from hako_py.errors import DefinitionError
from hako_py.pipeline import check_file
from tests.conftest import FARGATE_APP, Hako, HakoProcess, Repo


def fargate(**overrides: str) -> str:
    """FARGATE_APP with extra Jsonnet merged into scheduler/app."""
    scheduler = overrides.get("scheduler", "")
    app = overrides.get("app", "")
    extra = overrides.get("top", "")
    return f"({FARGATE_APP}) + {{ scheduler+: {{ {scheduler} }}, app+: {{ {app} }}, {extra} }}"


def problems_of(repo: Repo, text: str, name: str = "apps/x.jsonnet") -> list[str]:
    repo.write(name, text)
    with pytest.raises(DefinitionError) as info:
        check_file(name)
    return str(info.value).splitlines()


def test_valid_definition_passes(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 0, result
    assert result.out == ""
    assert "1 definition checked: all valid" in result.err


def test_unknown_key_suggests_the_right_one(repo: Repo) -> None:
    lines = problems_of(repo, fargate(app="memroy: 256"))
    assert lines == ["apps/x.jsonnet: app.memroy: unknown key 'memroy'; did you mean 'memory'?"]


def test_every_problem_is_reported_at_once(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", fargate(
        scheduler="launch_type: 'FARGAT', desired_count: 'two'",
        app="cpu: 'lots', port_mappings: [{ container_port: 80, protocl: 'tcp' }], health_check: {}",
    ))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 1
    lines = result.out.splitlines()
    assert "apps/x.jsonnet: app.cpu: must be an integer, got \"lots\"" in lines
    assert "apps/x.jsonnet: app.port_mappings[0].protocl: unknown key 'protocl'; did you mean 'protocol'?" in lines
    assert "apps/x.jsonnet: app.health_check.command: is required" in lines
    assert any(line.startswith("apps/x.jsonnet: scheduler.launch_type: \"FARGAT\" is not one of") and
               line.endswith("did you mean 'FARGATE'?") for line in lines)
    assert "apps/x.jsonnet: scheduler.desired_count: must be an integer, got \"two\"" in lines
    assert "Traceback" not in result.err


def test_nested_path_with_index(repo: Repo) -> None:
    lines = problems_of(repo, fargate(
        scheduler="network_configuration: { awsvpc_configuration: { subnets: [1] } }"))
    assert lines == ["apps/x.jsonnet: scheduler.network_configuration.awsvpc_configuration.subnets[0]: "
                     "must be a string, got 1"]


def test_hakos_old_name_of_sidecars_is_read_with_a_warning(repo: Repo, hako: Hako) -> None:
    # hako 2.18 still reads additional_containers when there is no sidecars
    # (lib/hako/definition_loader.rb:22); hako-py used to refuse it (issue 17)
    repo.write("apps/x.jsonnet", fargate(top="additional_containers: { log: { image_tag: 'fluentd:1' } }"))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 0, result
    assert ("apps/x.jsonnet: additional_containers: warning: is hako's old name of sidecars (hako 2.18 still reads "
            "it); rename it to sidecars") in result.out
    rendered = json.loads(hako("render", "apps/x.jsonnet").out)
    assert [c["name"] for c in rendered["taskDefinition"]["containerDefinitions"]] == ["app", "log"]


def test_required_sections(repo: Repo) -> None:
    lines = problems_of(repo, "{ app: { image: 'x', memory: 128 } }")
    assert lines == ["apps/x.jsonnet: scheduler: is required"]


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        ("'256'", "'4096'", "scheduler.memory: '4096' MiB is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)"),
        ("'300'", "'512'", "scheduler.cpu: '300' is not a Fargate CPU size"),
        ("'1 vCPU'", "'3 GB'", None),
        ("1024", "16384", "scheduler.memory: 16384 MiB is not valid with cpu 1024 on Fargate (valid: 2048-8192 "
         "in steps of 1024)"),
    ],
)
def test_fargate_cpu_memory_combinations(repo: Repo, cpu: str, memory: str, expected: str | None) -> None:
    text = fargate(scheduler=f"cpu: {cpu}, memory: {memory}")
    if expected is None:
        repo.write("apps/x.jsonnet", text)
        check_file("apps/x.jsonnet")
        return
    lines = problems_of(repo, text)
    assert any(line.startswith(f"apps/x.jsonnet: {expected}") for line in lines), lines


def test_fargate_requires_awsvpc_and_task_size(repo: Repo) -> None:
    lines = problems_of(repo, """
        { scheduler: { type: 'ecs', launch_type: 'FARGATE', network_mode: 'bridge' },
          app: { image: 'x:1', memory: 128 } }
    """)
    assert "apps/x.jsonnet: scheduler.network_mode: Fargate requires network_mode 'awsvpc'" in lines
    assert "apps/x.jsonnet: scheduler.cpu: Fargate requires task-level cpu" in lines
    assert "apps/x.jsonnet: scheduler.memory: Fargate requires task-level memory" in lines


def warnings_of(repo: Repo, text: str, name: str = "apps/x.jsonnet") -> list[str]:
    """Warnings of a definition that must be valid (ECS registers it)."""
    repo.write(name, text)
    checked = check_file(name)
    return [w.format(name, severity="warning") for w in checked.warnings]


def test_container_sums_over_the_task_are_warnings(repo: Repo) -> None:
    # ECS registers such task definitions (a real FireLens task on EC2 reserves 2,098 MiB
    # under a 2,048 MiB task), so refusing them would lock users out.
    lines = warnings_of(repo, fargate(
        app="cpu: 200, memory: 300",
        top="sidecars: { s: { image_tag: 'y:1', cpu: 100, memory: 300 } }",
    ))
    assert any(line.startswith("apps/x.jsonnet: scheduler.cpu: warning: containers reserve 300 cpu units in total, "
                               "more than the task's 256") for line in lines)
    assert any(line.startswith("apps/x.jsonnet: scheduler.memory: warning: containers reserve 600 MiB in total, "
                               "more than the task's 512") for line in lines)


def test_ec2_container_needs_memory_without_task_memory(repo: Repo) -> None:
    lines = problems_of(repo, "{ scheduler: { type: 'ecs', network_mode: 'bridge' }, app: { image: 'x:1' } }")
    assert lines == ["apps/x.jsonnet: app.memory: set memory or memory_reservation (required when the task has "
                     "no task-level memory)"]


def test_name_in_env_and_secrets(repo: Repo) -> None:
    lines = problems_of(repo, fargate(
        app="env: { DB_URL: 'x' }, secrets: [{ name: 'DB_URL', value_from: 'arn:aws:ssm:::parameter/x' }]"))
    assert lines == ["apps/x.jsonnet: app.secrets[0].name: 'DB_URL' is also set in env; a variable comes either "
                     "from env or from secrets"]


def test_depends_on_missing_container_and_cycle(repo: Repo) -> None:
    lines = problems_of(repo, fargate(
        app="depends_on: [{ container_name: 'ghost', condition: 'START' }, { container_name: 's', condition: 'START' }]",
        top="sidecars: { s: { image_tag: 'y:1', memory: 64, depends_on: [{ container_name: 'app', condition: 'START' }] } }",
    ))
    assert "apps/x.jsonnet: app.depends_on[0].container_name: no container named 'ghost' (containers: app, s)" in lines
    assert "apps/x.jsonnet: depends_on forms a cycle: app -> s -> app" in lines


def test_awsvpc_host_port_must_equal_container_port(repo: Repo) -> None:
    lines = problems_of(repo, fargate(app="port_mappings: [{ container_port: 80, host_port: 8080 }]"))
    assert lines == ["apps/x.jsonnet: app.port_mappings[0].host_port: under network_mode awsvpc host_port must "
                     "equal container_port (80)"]


def test_mount_point_needs_a_volume_and_health_check_ranges(repo: Repo) -> None:
    lines = problems_of(repo, fargate(app="""
        mount_points: [{ source_volume: 'data', container_path: '/data' }],
        health_check: { command: ['curl', 'x'], interval: 1 },
    """))
    assert "apps/x.jsonnet: app.mount_points[0].source_volume: no volume named 'data' in volumes" in lines
    assert "apps/x.jsonnet: app.health_check.interval: must be between 5 and 300, got 1" in lines
    assert not any("health_check.command" in line for line in lines)  # ECS accepts it: a warning


def test_health_check_without_cmd_is_a_warning(repo: Repo) -> None:
    # ECS registers ['echo test'] (the App Mesh example) and runs it as CMD.
    lines = warnings_of(repo, fargate(app="health_check: { command: ['echo', 'test'] }"))
    assert any(line.startswith("apps/x.jsonnet: app.health_check.command[0]: warning: 'echo' is run as an "
                               "exec-form command (CMD)") for line in lines)


def test_image_is_required_and_not_doubly_tagged(repo: Repo) -> None:
    lines = problems_of(repo, fargate(app="image: 'repo:1', tag: '2'",
                                      top="sidecars: { s: { memory: 64 } }"))
    assert "apps/x.jsonnet: app.tag: image already contains a tag; set the tag in one place" in lines
    assert "apps/x.jsonnet: sidecars.s.image_tag: is required (the container's image)" in lines


def test_launch_type_and_capacity_providers_conflict(repo: Repo) -> None:
    lines = problems_of(repo, fargate(scheduler="capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT' }]"))
    assert lines == ["apps/x.jsonnet: scheduler.capacity_provider_strategy: set either launch_type or "
                     "capacity_provider_strategy"]


def test_invalid_app_id(repo: Repo) -> None:
    lines = problems_of(repo, FARGATE_APP, name="apps/bad.name.jsonnet")
    assert lines[0].startswith("apps/bad.name.jsonnet: app id 'bad.name' (the file name) must be")


def test_invalid_sidecar_name(repo: Repo) -> None:
    lines = problems_of(repo, fargate(top="sidecars: { 'bad name': { image_tag: 'x:1', memory: 64 } }"))
    assert lines == ['apps/x.jsonnet: sidecars["bad name"]: invalid container name: use 1-255 letters, digits, '
                     "'-' and '_'"]


def test_null_means_unset(repo: Repo) -> None:
    repo.write("apps/x.jsonnet", fargate(scheduler="task_role_arn: null", app="command: null"))
    checked = check_file("apps/x.jsonnet")
    assert checked.rendered is not None
    assert "taskRoleArn" not in checked.rendered.task_definition


def test_warnings_for_literal_secrets_and_latest(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", fargate(app="tag: 'latest', env: { QUEUERY_TOKEN: 'thisisatoken', PORT: '80' }"))
    result = hako("validate", "apps/x.jsonnet")
    assert result.code == 0
    lines = result.out.splitlines()
    assert any(line.startswith("apps/x.jsonnet: app.env.QUEUERY_TOKEN: warning: looks like a secret") for line in lines)
    assert any(line.startswith("apps/x.jsonnet: app.image: warning: image has no tag or uses 'latest'")
               for line in lines)
    assert not any("PORT" in line for line in lines)
    assert "thisisatoken" not in result.out + result.err
    assert "1 definition checked: all valid, 2 warnings" in result.err
    strict = hako("validate", "--strict", "apps/x.jsonnet")
    assert strict.code == 1


def test_tag_resolving_script_silences_the_latest_warning(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", fargate(app="tag: null", top="scripts: [{ type: 'jenkins_tag', job: 'x' }]"))
    result = hako("validate", "--strict", "apps/x.jsonnet")
    assert result.code == 0, result.out


def test_validate_a_folder_and_mixed_results(repo: Repo, hako: Hako) -> None:
    repo.write("apps/good.jsonnet", FARGATE_APP)
    repo.write("apps/bad.jsonnet", "{ app: 1,, }")
    repo.write("apps/lib/helper.libsonnet", "error 'libraries are not definitions'")
    repo.write("apps/helper.libsonnet", "error 'libraries are not definitions'")
    result = hako("validate", "apps")
    assert result.code == 1
    assert result.out.startswith("apps/bad.jsonnet:1:10: ")
    assert "2 definitions checked: 1 invalid" in result.err


def test_validate_many_files_in_parallel_matches_serial(repo: Repo, hako: Hako) -> None:
    for i in range(70):
        repo.write(f"apps/app{i:02d}.jsonnet", FARGATE_APP if i % 7 else "{ app: { memroy: 1 } }")
    serial = hako("validate", "-j", "1", "apps")
    parallel = hako("validate", "apps")
    assert serial.code == parallel.code == 1
    assert serial.out == parallel.out
    assert parallel.out.count("unknown key 'memroy'") == 10


def test_validate_reports_missing_files_without_traceback(repo: Repo, hako: Hako) -> None:
    result = hako("validate", "apps/nope.jsonnet")
    assert result.code == 1
    assert result.out == "apps/nope.jsonnet: no such file\n"


def test_service_keys_come_from_the_ecs_model(repo: Repo) -> None:
    # CreateService members hako has no code for (Service Connect, EBS volumes, registries by
    # ARN) are accepted, rendered into CreateService and not into RunTask.
    repo.write("apps/x.jsonnet", fargate(scheduler="""
        service_connect_configuration: { enabled: true, namespace: 'internal' },
        volume_configurations: [{ name: 'data', managed_ebs_volume: { role_arn: 'arn:aws:iam::1:role/ebs',
                                                                      size_in_gi_b: 10 } }],
        service_registries: [{ registry_arn: 'arn:aws:servicediscovery:us-east-1:1:service/srv-1' }],"""))
    rendered = check_file("apps/x.jsonnet").rendered
    assert rendered.service is not None
    assert rendered.service["serviceConnectConfiguration"] == {"enabled": True, "namespace": "internal"}
    assert rendered.service["volumeConfigurations"][0]["managedEBSVolume"]["sizeInGiB"] == 10
    assert rendered.service["serviceRegistries"] == [
        {"registryArn": "arn:aws:servicediscovery:us-east-1:1:service/srv-1"}]
    assert "volumeConfigurations" not in rendered.run_task


def test_registries_by_arn_and_service_discovery_exclude_each_other(repo: Repo) -> None:
    lines = problems_of(repo, fargate(scheduler="""
        service_registries: [{ registry_arn: 'arn:aws:servicediscovery:us-east-1:1:service/srv-1' }],
        service_discovery: [{ service: { name: 'x', namespace: 'internal.local',
                                          dns_config: { dns_records: [{ type: 'A', ttl: 60 }] } } }],"""))
    assert any("scheduler.service_registries: set either service_registries" in line for line in lines)


def test_bombs_in_a_parallel_validate_cost_only_their_own_results(repo: Repo, hako_process: HakoProcess) -> None:
    # A worker that died (Go abort, memory limit) broke the whole process pool: every result
    # was lost. Now each bomb is its own file's error and the pool replaces the worker.
    for i in range(67):
        repo.write(f"apps/app{i:02d}.jsonnet", FARGATE_APP)
    repo.write("apps/deep.jsonnet", "[" * 50000 + "]" * 50000)
    repo.write("apps/memory.jsonnet", "{ x: std.length(std.makeArray(1e9, function(i) i)) }")
    repo.write("apps/time.jsonnet", "{ x: std.foldl(function(a, i) std.foldl(function(b, j) b + j, std.range(1, 1000), "
                                    "a), std.range(1, 100000), 0) }")
    started = time.monotonic()
    # 5 s: the memory bomb fills 256 MiB in about 0.5 s of CPU, which takes longer than 1 s on a
    # loaded machine (the suite runs in parallel); the time bomb runs far longer than 5 s
    result = hako_process("validate", "apps", env={"HAKO_EVAL_TIMEOUT": "5", "HAKO_EVAL_MEMORY": "256"})
    assert time.monotonic() - started < 30
    assert result.err == "70 definitions checked: 3 invalid\n", result
    assert result.out.splitlines() == [
        "apps/deep.jsonnet:1:1001: brackets, braces and parentheses nested deeper than 1000 levels (hako's limit; "
        "go-jsonnet would exhaust its stack)",
        "apps/memory.jsonnet: evaluation exceeded the memory limit of 256 MiB (HAKO_EVAL_MEMORY)",
        "apps/time.jsonnet: evaluation exceeded the time limit of 5 s (HAKO_EVAL_TIMEOUT)",
    ], result
    assert result.code == 1


@pytest.mark.parametrize(("toml", "message"), [
    ('[deploy]\nwavez = [["web"]]\n', "hako.toml:2: deploy.wavez: unknown key (did you mean 'waves'?)"),
    ('[deplyo]\nwaves = [["web"]]\n', "hako.toml:1: deplyo: unknown key (did you mean 'deploy'?"),
    ('[providers.env]\nalow = ["X"]\n', "hako.toml:2: providers.env.alow: unknown key (did you mean 'allow'?)"),
    ('[providers]\nenvs = { allow = [] }\n', "hako.toml:2: providers.envs: unknown key (did you mean 'env'?)"),
    ('regoin = "us-east-1"\n', "hako.toml:1: regoin: unknown key (did you mean 'region'?"),
])
def test_unknown_hako_toml_keys_are_located_errors(hako: Hako, repo: Repo, toml: str, message: str) -> None:
    repo.write("hako.toml", toml)
    repo.write("apps/web.jsonnet", FARGATE_APP)
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 1
    assert message in result.out + result.err


def test_other_top_level_hako_toml_keys_stay_values_for_jsonnet(hako: Hako, repo: Repo) -> None:
    repo.write("hako.toml", 'team = "payments"\n[deploy]\nwaves = [["web"]]\n')
    repo.write("apps/x.jsonnet", "{ team: std.extVar('hako').team }")
    result = hako("show-definition", "apps/x.jsonnet")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"team": "payments"}
