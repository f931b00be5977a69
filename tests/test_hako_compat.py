"""hako-py as a drop-in for hako 2.18 (issue 17): definitions written for the original hako
load unchanged and render the requests hako sends.

Every expected value here comes from hako 2.18.0's own code (eagletmt/hako at commit
2658e49663469e7b9171d170cdac96093d898aa6), cited as ``file:line``; the definitions are our
own, written in hako's format, except the copies of hako's examples and spec fixtures in
``tests/fixtures/hako218`` (see its NOTICE).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from hako_py.errors import LoadError
from hako_py.loading import LoadOptions, load_definition
from tests.conftest import PROJECT_ROOT, Hako, Repo

HAKO218 = PROJECT_ROOT / "tests" / "fixtures" / "hako218"

SCHEDULER_YAML = "scheduler: {type: ecs, region: ap-northeast-1, cluster: eagletmt, desired_count: 1}\n"


def rendered(hako: Hako, file: str, *extra: str) -> dict[str, Any]:
    result = hako("render", *extra, file)
    assert result.code == 0, result
    data: dict[str, Any] = json.loads(result.out)
    return data


def environment(request: dict[str, Any], container: str = "app") -> dict[str, str]:
    definition = next(c for c in request["taskDefinition"]["containerDefinitions"] if c["name"] == container)
    return {e["name"]: e["value"] for e in definition.get("environment", [])}


# --- providers ------------------------------------------------------------------------------


def test_file_provider_keeps_values_exactly_as_hako(repo: Repo) -> None:
    # lib/hako/env_providers/file.rb:51-67: chomp!, lstrip!, '#' comments, split('=', 2); nothing
    # else is trimmed, a line without '=' is skipped, the last duplicate wins
    repo.write("apps/web.env", "  LEADING=x\nTRAILING=v a l  \nSPACED = y\n#C=no\n  # also=comment\nnoequals\n"
                               "EQ=a=b\nCRLF=z\r\nDUP=1\nDUP=2\nEMPTY=\n")
    repo.write("apps/a.jsonnet", """
        local p(k) = std.native('provide.file')(std.toString({ path: 'web.env' }), k);
        { l: p('LEADING'), t: p('TRAILING'), s: p('SPACED '), eq: p('EQ'), crlf: p('CRLF'), dup: p('DUP'),
          empty: p('EMPTY') }
    """)
    data = load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data
    assert data == {"l": "x", "t": "v a l  ", "s": " y", "eq": "a=b", "crlf": "z", "dup": "2", "empty": ""}
    for missing in ("C", "also", "noequals", "SPACED"):
        repo.write("apps/b.jsonnet", f"std.native('provide.file')(std.toString({{ path: 'web.env' }}), '{missing}')")
        with pytest.raises(LoadError, match=f"has no value for '{missing}'"):
            load_definition("apps/b.jsonnet", LoadOptions(expand=True))


def test_yaml_provider_flattens_as_hako(repo: Repo) -> None:
    # lib/hako/env_providers/yaml.rb:66-82 and spec/hako/env_providers/yaml_spec.rb:10-35, with
    # hako's own spec fixture env.yml
    shutil.copy(HAKO218 / "spec" / "fixtures" / "env.yml", repo.root / "apps" / "env.yml")
    repo.write("apps/a.jsonnet", """
        local y(k) = std.native('provide.yaml')(std.toString({ path: 'env.yml' }), k);
        local z(k) = std.native('provide.yaml')(std.toString({ path: 'env.yml', key_sep: '_', ary_sep: '/' }), k);
        { user: y('username'), host: y('host'), db: y('app.db.host'), port: y('app.db.port'),
          cache: y('app.cache.port'), host2: z('host'), db2: z('app_db_host') }
    """)
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {
        "user": "eagletmt", "host": "app-001,app-002", "db": "db-001", "port": "3306", "cache": "11211",
        "host2": "app-001/app-002", "db2": "db-001"}
    # without --expand, as hako's expand_variables: false (jsonnet_loader.rb:48): a placeholder
    assert load_definition("apps/a.jsonnet").data["db"] == "${app.db.host}"
    assert (repo.root / "apps" / "env.yml").resolve() in load_definition("apps/a.jsonnet").imported_files


def test_yaml_provider_spells_values_as_ruby_to_s(repo: Repo) -> None:
    # yaml.rb:78-80 `obj.to_s` and Array#join (nested arrays joined with the same separator)
    repo.write("apps/v.yml", "f: 1.50\nbig: 1.0e+20\nt: true\nn: ~\nempty: []\nnested: [[1, 2], 3, ~]\n"
                             "e: {}\ndeep: {k: {x: 'y'}}\n")
    repo.write("apps/a.jsonnet", """
        local y(k) = std.native('provide.yaml')(std.toString({ path: 'v.yml' }), k);
        { v: [y('f'), y('big'), y('t'), y('n'), y('empty'), y('nested'), y('deep.k.x')] }
    """)
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {
        "v": ["1.5", "1.0e+20", "true", "", "", "1,2,3,", "y"]}
    for absent in ("e", "deep", "deep.k"):  # an empty mapping gives no key, a mapping's own key no value
        repo.write("apps/b.jsonnet", f"std.native('provide.yaml')(std.toString({{ path: 'v.yml' }}), '{absent}')")
        with pytest.raises(LoadError, match="has no value"):
            load_definition("apps/b.jsonnet", LoadOptions(expand=True))


def test_yaml_provider_needs_a_mapping_and_stays_confined(repo: Repo) -> None:
    repo.write("apps/list.yml", "- a\n")
    repo.write("apps/a.jsonnet", "std.native('provide.yaml')(std.toString({ path: 'list.yml' }), 'a')")
    with pytest.raises(LoadError, match="root must be a mapping"):  # yaml.rb:18-20
        load_definition("apps/a.jsonnet", LoadOptions(expand=True))
    repo.write("apps/b.jsonnet", "std.native('provide.yaml')(std.toString({ path: '../../x.yml' }), 'a')")
    with pytest.raises(LoadError, match="escapes the repository root"):
        load_definition("apps/b.jsonnet", LoadOptions(expand=True))


# --- the legacy env form: '$providers' and #{NAME} ------------------------------------------

LEGACY_YAML = SCHEDULER_YAML + """\
app:
  image: busybox
  memory: 64
  env:
    $providers:
      - type: file
        path: hello.env
      - type: yaml
        path: env.yml
    MESSAGE: 'Hello, #{username} from #{app.db.host}:#{app.db.port}'
    PORT: '3000'
sidecars:
  redis:
    image_tag: redis:3.0
    memory: 64
    env:
      $providers: [{type: yaml, path: env.yml}]
      WHO: '#{username}}'
"""


def _legacy_repo(repo: Repo) -> None:
    repo.write("apps/hello.env", "username=eagletmt\n")
    repo.write("apps/env.yml", "username: from-yaml\napp:\n  db: {host: db-001, port: 3306}\n")
    repo.write("apps/legacy.yml", LEGACY_YAML)


def test_legacy_providers_env_is_expanded_as_hako(repo: Repo, hako: Hako) -> None:
    # lib/hako/container.rb:250-273 and lib/hako/env_expander.rb:23-54,108-130: '$providers' is
    # removed, providers are asked in order (the first answer wins: username from hello.env),
    # the name ends at the first '}' (a stray '}' stays literal)
    _legacy_repo(repo)
    request = rendered(hako, "apps/legacy.yml", "--expand")
    assert environment(request) == {"MESSAGE": "Hello, eagletmt from db-001:3306", "PORT": "3000"}
    assert environment(request, "redis") == {"WHO": "from-yaml}"}


def test_legacy_providers_env_without_expand_keeps_the_text(repo: Repo, hako: Hako) -> None:
    # hako's dry-run uses the unexpanded env (container.rb:259-261); hako-py reads no provider
    # value unless expanding, but records the files for PR review
    _legacy_repo(repo)
    assert environment(rendered(hako, "apps/legacy.yml")) == {
        "MESSAGE": "Hello, #{username} from #{app.db.host}:#{app.db.port}", "PORT": "3000"}
    loaded = load_definition("apps/legacy.yml")
    assert {p.name for p in loaded.imported_files} == {"hello.env", "env.yml"}
    assert loaded.providers == {"file", "yaml"}
    # show-definition prints the definition as written, as hako's does (it never builds containers)
    shown = json.loads(hako("show-definition", "--expand", "apps/legacy.yml").out)
    assert shown["app"]["env"]["$providers"] == [{"type": "file", "path": "hello.env"},
                                                 {"type": "yaml", "path": "env.yml"}]


def test_legacy_providers_env_in_jsonnet(repo: Repo, hako: Hako) -> None:
    # container.rb applies to every container whatever the definition's language
    repo.write("apps/hello.env", "username=eagletmt\n")
    repo.write("apps/j.jsonnet", """{
      scheduler: { type: 'ecs', region: 'ap-northeast-1', desired_count: 1 },
      app: { image: 'busybox', memory: 64,
             env: { '$providers': [{ type: 'file', path: 'hello.env' }], MESSAGE: '#{username}-san' } },
    }""")
    assert environment(rendered(hako, "apps/j.jsonnet", "--expand")) == {"MESSAGE": "eagletmt-san"}


@pytest.mark.parametrize(("env", "message"), [
    ("{$providers: [{type: file, path: hello.env}], X: '#{nobody}'}",
     "app.env[\"$providers\"]: could not resolve #{nobody} from the providers (file)"),
    ("{$providers: [{type: file, path: hello.env}], X: 'a#{}b'}",
     "app.env.X: empty interpolation #{} is not allowed (as in hako)"),
    ("{$providers: [{path: hello.env}], X: 'x'}", "app.env[\"$providers\"][0].type: is required"),
    ("{$providers: [{type: file, path: none.env}], X: '#{a}'}",
     "app.env[\"$providers\"][0]: provider 'file': none.env does not exist"),
])
def test_legacy_providers_env_errors_are_located(repo: Repo, hako: Hako, env: str, message: str) -> None:
    # env_expander.rb:47-49 (unresolved), :120-121 (empty interpolation)
    repo.write("apps/hello.env", "username=eagletmt\n")
    repo.write("apps/bad.yml", SCHEDULER_YAML + f"app: {{image: busybox, memory: 64, env: {env}}}\n")
    result = hako("render", "--expand", "apps/bad.yml")
    assert result.code == 1
    assert f"apps/bad.yml: {message}" in result.err


def test_hash_brace_without_providers_stays_text(repo: Repo, hako: Hako) -> None:
    repo.write("apps/plain.yml", SCHEDULER_YAML + "app: {image: busybox, memory: 64, env: {RUBY: '#{x}'}}\n")
    assert environment(rendered(hako, "apps/plain.yml", "--expand")) == {"RUBY": "#{x}"}


# --- YAML merges ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["simple", "include", "shovel", "include_before", "include_after", "base"])
def test_hako_yaml_fixtures_load_as_hako_loads_them(name: str, hako: Hako, monkeypatch: pytest.MonkeyPatch) -> None:
    # spec/hako/yaml_loader_spec.rb:9-53: values and key order (JSON output keeps both)
    fixtures: dict[str, dict[str, Any]] = {
        "simple": {"scheduler": {"type": "ecs"}},
        "include": {"scheduler": {"type": "ecs"}, "app": {"image": "nginx"}},
        "shovel": {"scheduler": {"type": "ecs", "desired_count": 1}, "app": {"image": "nginx"}},
        "include_before": {"foo": 1, "bar": 3, "baz": 4},
        "include_after": {"bar": 2, "baz": 4, "foo": 1},
        "base": {"foo": 1, "bar": 2},
    }
    expected = fixtures[name]
    monkeypatch.chdir(HAKO218 / "spec" / "fixtures" / "yaml")
    shown = json.loads(hako("show-definition", f"{name}.yml").out)
    assert shown == expected
    assert list(shown) == list(expected)


def test_yaml_merges_follow_document_order_as_in_hako(repo: Repo, hako: Hako) -> None:
    # Psych merges `<<` where it stands (ToRuby#revive_hash) and hako rebuilds `<<: !include`
    # the same way (lib/hako/yaml_loader.rb:37-51): the last writer wins, a key keeps its first
    # position; in `<<: [*a, *b]` the earlier entry wins; of two `<<:` keys only the last counts
    repo.write("apps/base.yml", "foo: 1\nbar: 2\n")
    repo.write("apps/leaf.yml", "leaf: true\n")
    repo.write("apps/m.yml", """\
        c: &c {foo: 1, bar: 2}
        alias_after: {bar: 3, <<: *c, baz: 4}
        alias_list: {<<: [*c, {bar: 7, q: 1}]}
        mixed:
          bar: 3
          <<: !include base.yml
          baz: 4
          foo: 9
        two:
          <<: !include base.yml
          <<: !include leaf.yml
          k: 1
    """)
    shown = json.loads(hako("show-definition", "apps/m.yml").out)
    assert [(k, shown[k]) for k in ("alias_after", "alias_list", "mixed", "two")] == [
        ("alias_after", {"bar": 2, "foo": 1, "baz": 4}),
        ("alias_list", {"bar": 2, "q": 1, "foo": 1}),
        ("mixed", {"bar": 2, "foo": 9, "baz": 4}),
        ("two", {"leaf": True, "k": 1}),
    ]
    assert [list(shown[k]) for k in ("alias_after", "mixed")] == [["bar", "foo", "baz"], ["bar", "foo", "baz"]]


def test_include_after_explicit_keys_wins_in_the_rendered_service(repo: Repo, hako: Hako) -> None:
    # the case: desired_count written before `<<: !include` is overwritten by the include
    repo.write("apps/inc/sched.yml", "type: ecs\nregion: ap-northeast-1\ncluster: c\ndesired_count: 5\n")
    repo.write("apps/w.yml", "scheduler:\n  desired_count: 1\n  <<: !include inc/sched.yml\n"
                             "app: {image: busybox, memory: 64}\n")
    assert rendered(hako, "apps/w.yml")["service"]["desiredCount"] == 5


# --- the requests of hako's own examples ------------------------------------------------------
#
# tests/fixtures/hako218/requests.json holds what hako 2.18.0 itself sent for these examples
# (see its _source). hako spells out a few values hako-py leaves to ECS's identical defaults;
# they are dropped from hako's side before comparing, each for the reason given.

# lib/hako/container.rb:276-288: hako's defaults, sent for every container; ECS's own defaults
# are the same (API ContainerDefinition: cpu 0, privileged false, empty lists)
HAKO_CONTAINER_DEFAULTS = {"cpu": 0, "links": [], "portMappings": [], "mountPoints": [], "volumesFrom": [],
                           "privileged": False, "environment": []}
# the examples hako-py renders exactly as hako does without scripts (those with nginx_front are
# compared in tests/test_nginx_front.py; the others need a classic ELB, or ECS refuses them: see
# test_every_hako_example_and_fixture_validates)
RENDERED_LIKE_HAKO = ["hello-awslogs-driver", "hello-cap-add-app", "hello-fargate-batch", "hello-internal-nlb",
                      "hello-nofront", "hello-privileged-app", "hello-autoscaling-group", "ecs", "parameter_store",
                      "secretsmanager"]


def hako_requests() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HAKO218 / "requests.json").read_text())
    return loaded


def _example(name: str) -> Path:
    found = HAKO218 / "examples" / f"{name}.jsonnet"
    return found if found.exists() else HAKO218 / "spec" / "fixtures" / "jsonnet" / f"{name}.jsonnet"


def _as_hako_py_renders_task_definition(params: dict[str, Any]) -> dict[str, Any]:
    from hako_py.definition import strip_nulls
    from hako_py.ecs_model import load_model
    from hako_py.render.convert import to_api

    model = load_model()
    request: dict[str, Any] = to_api(model, model.operations["RegisterTaskDefinition"], strip_nulls(params))
    for container in request["containerDefinitions"]:
        for key, default in HAKO_CONTAINER_DEFAULTS.items():
            if container.get(key) == default:
                del container[key]
        # hako's own label (container.rb:291-295); carrying it over is the migration's business
        container.get("dockerLabels", {}).pop("cc.wanko.hako.version", None)
        if container.get("dockerLabels") == {}:
            del container["dockerLabels"]
        for mapping in container.get("portMappings", []):
            mapping["protocol"] = mapping["protocol"].lower()  # ECS's values; hako sent them as written
        capabilities = container.get("linuxParameters", {}).get("capabilities", {})
        for key in ("add", "drop"):  # container.rb:158-161 sends [] for the one not given: none
            if capabilities.get(key) == []:
                del capabilities[key]
    if request.get("volumes") == []:  # ecs.rb:663: no volumes
        del request["volumes"]
    return request


def _as_hako_py_renders_service(create: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    from hako_py.definition import strip_nulls
    from hako_py.ecs_model import load_model
    from hako_py.render.convert import to_api

    model = load_model()
    service: dict[str, Any] = to_api(model, model.operations["CreateService"], strip_nulls(create))
    # hako creates the service with desired count 0 and sets the count right after with
    # UpdateService (ecs.rb:1011-1013,952-989): hako-py's render shows the count it ends at
    service["desiredCount"] = update["desired_count"]
    service["taskDefinition"] = create["service_name"]  # the family, before a revision exists
    for key, default in (("placementConstraints", []), ("placementStrategy", []),
                         ("healthCheckGracePeriodSeconds", 0)):  # ECS's defaults (API CreateService)
        if service.get(key) == default:
            del service[key]
    for balancer in service.get("loadBalancers", []):  # render names target groups until deploy
        balancer["targetGroupArn"] = "{{target-group:" + balancer["targetGroupArn"].split("/")[-2] + "}}"
    return service


@pytest.mark.parametrize("name", RENDERED_LIKE_HAKO)
def test_hako_examples_render_the_requests_hako_sent(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from hako_py.oneshot.request import oneshot_task_definition
    from hako_py.pipeline import check_loaded

    sent = hako_requests()[name]
    path = _example(name)
    monkeypatch.chdir(path.parent)
    checked = check_loaded(load_definition(path.name, LoadOptions(expand=True)))
    if "deploy.register_task_definition" in sent:
        assert checked.rendered.task_definition == _as_hako_py_renders_task_definition(
            sent["deploy.register_task_definition"])
        assert checked.rendered.service == _as_hako_py_renders_service(sent["deploy.create_service"],
                                                                       sent["deploy.update_service"])
    else:  # hello-fargate-batch has no desired_count: a batch job, hako deploy refuses it (ecs.rb:140-142)
        assert checked.rendered.service is None
    assert oneshot_task_definition(checked.app, (), None) == _as_hako_py_renders_task_definition(
        sent["oneshot.register_task_definition"])


# --- which containers a oneshot runs ---------------------------------------------------------

# golden containers.txt of hako's DefinitionLoader#load(with: ...) on its spec fixtures, the
# same as spec/hako/definition_loader_spec.rb:33-82 expects (as sets; the order is hako's Hash order)
ONESHOT_CONTAINERS = {
    "default_with_links": {(): ["app", "redis", "memcached"], ("fluentd",): ["app", "fluentd", "redis", "memcached"],
                           ("memcached",): ["app", "memcached", "redis"]},
    "default_with_volumes_from": {(): ["app", "redis", "memcached"],
                                  ("fluentd",): ["app", "fluentd", "redis", "memcached"]},
    "default_with_depends_on": {(): ["app", "redis", "init2", "memcached", "init"],
                                ("init",): ["app", "init", "redis", "init2", "memcached"],
                                ("fluentd",): ["app", "fluentd", "redis", "init2", "memcached", "init"]},
}


@pytest.mark.parametrize("name", sorted(ONESHOT_CONTAINERS))
def test_oneshot_runs_every_container_the_app_reaches(repo: Repo, name: str) -> None:
    # lib/hako/definition_loader.rb:39-73 follows links, depends_on and volumes_from,
    # transitively; hako-py followed depends_on only (leaving links: ['redis'] dangling)
    from hako_py.oneshot.request import oneshot_task_definition
    from hako_py.pipeline import check_file

    shutil.copy(HAKO218 / "spec" / "fixtures" / "jsonnet" / f"{name}.jsonnet", repo.root / "apps" / "base.libsonnet")
    # hako's fixtures have no scheduler (hako's spec loads containers only): add one
    repo.write("apps/job.jsonnet", "(import 'base.libsonnet') + { scheduler: { type: 'ecs', region: "
                                   "'ap-northeast-1', memory: '512' } }")
    app = check_file("apps/job.jsonnet").app
    assert list(app.containers) == ["app", *sorted(set(app.containers) - {"app"})]  # all of them for deploy
    for requested, expected in ONESHOT_CONTAINERS[name].items():
        request = oneshot_task_definition(app, requested, None)
        assert [c["name"] for c in request["containerDefinitions"]] == expected, requested


def test_yaml_sidecars_keep_the_definitions_order(repo: Repo, hako: Hako) -> None:
    # hako lists app then the sidecars in the definition's order (definition_loader.rb:22-30);
    # a YAML mapping keeps its order (Jsonnet sorts object keys anyway)
    repo.write("apps/y.yml", SCHEDULER_YAML + "app: {image: busybox, memory: 64}\n"
                             "sidecars:\n  zeta: {image_tag: 'z:1', memory: 64}\n  alpha: {image_tag: 'a:1', memory: 64}\n")
    names = [c["name"] for c in rendered(hako, "apps/y.yml")["taskDefinition"]["containerDefinitions"]]
    assert names == ["app", "zeta", "alpha"]


# --- scheduler keys hako understands --------------------------------------------------------


def _validate(hako: Hako, repo: Repo, scheduler_extra: str, app_extra: str = "", top: str = "") -> Any:
    repo.write("apps/k.jsonnet", f"""{{
      scheduler: {{ type: 'ecs', region: 'ap-northeast-1', cluster: 'eagletmt', desired_count: 1, {scheduler_extra} }},
      app: {{ image: 'busybox', tag: '1', memory: 64, {app_extra} }},
      {top}
    }}""")
    return hako("validate", "apps/k.jsonnet")


def test_oneshot_capacity_keys_are_accepted_with_a_warning(repo: Repo, hako: Hako) -> None:
    # ecs.rb:56-61 reads them; hako-py does not implement what they do, and says so
    result = _validate(hako, repo, "autoscaling_group_for_oneshot: 'hako-batch-cluster', "
                                   "autoscaling_topic_for_oneshot: 'arn:aws:sns:ap-northeast-1:012345678901:scale', "
                                   "oneshot_notification_prefix: 's3://bucket/prefix', dynamic_port_mapping: false,")
    assert result.code == 0, result
    lines = result.out.splitlines()
    for key in ("autoscaling_group_for_oneshot", "autoscaling_topic_for_oneshot", "oneshot_notification_prefix"):
        assert any(line.startswith(f"apps/k.jsonnet: scheduler.{key}: warning: accepted as hako 2.18 defines it, "
                                   "but hako-py") for line in lines), result.out
    assert "dynamic_port_mapping" not in result.out
    # and none of them reaches a request
    assert "oneshot" not in json.dumps(rendered(hako, "apps/k.jsonnet")).replace("-oneshot", "")


def test_an_autoscaling_topic_needs_its_group_as_in_hako(repo: Repo, hako: Hako) -> None:
    # ecs.rb:58-60
    result = _validate(hako, repo, "autoscaling_topic_for_oneshot: 'arn:aws:sns:ap-northeast-1:012345678901:s',")
    assert result.code == 1
    assert ("apps/k.jsonnet: scheduler.autoscaling_group_for_oneshot: must be set when autoscaling_topic_for_oneshot "
            "is set (as in hako)") in result.out


def test_circuit_breaker_without_rollback_is_hakos_rollback_false(repo: Repo, hako: Hako) -> None:
    # ecs.rb:66-74: hako sends {enable:, rollback: false} and rolls back itself
    _validate(hako, repo, "deployment_configuration: { deployment_circuit_breaker: { enable: true } },")
    service = rendered(hako, "apps/k.jsonnet")["service"]
    assert service["deploymentConfiguration"] == {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}


def test_protocols_in_any_case(repo: Repo, hako: Hako) -> None:
    # hako passes protocols as written (container.rb:65-73, ecs_elb_v2.rb listeners);
    # examples/hello-internal-nlb.jsonnet:43 writes 'TCP' for a container port
    result = _validate(hako, repo, "", "port_mappings: [{ container_port: 80, host_port: 0, protocol: 'TCP' }, "
                                       "{ container_port: 53, host_port: 0, protocol: 'Udp' }],")
    assert result.code == 0, result
    mappings = rendered(hako, "apps/k.jsonnet")["taskDefinition"]["containerDefinitions"][0]["portMappings"]
    assert [m["protocol"] for m in mappings] == ["tcp", "udp"]


def test_hako_policy_types_and_names(repo: Repo, hako: Hako) -> None:
    # ecs_autoscaling.rb:168-197: policy_type 'StepScaling' (the default) or 'TargetTrackingScaling'
    # with a required name; examples/hello-autoscaling.jsonnet:26-59
    result = _validate(hako, repo, """autoscaling: {
        role_arn: 'arn:aws:iam::012345678901:role/ecsAutoscaleRole', min_capacity: 1, max_capacity: 4,
        policies: [
          { policy_type: 'StepScaling', alarms: ['scale-out'], cooldown: 300, adjustment_type: 'ChangeInCapacity',
            scaling_adjustment: 1, metric_interval_lower_bound: 0, metric_aggregation_type: 'Average' },
          { alarms: ['scale-in'], cooldown: 300, adjustment_type: 'ChangeInCapacity', scaling_adjustment: -1,
            metric_interval_upper_bound: 0, metric_aggregation_type: 'Average' },
          { policy_type: 'TargetTrackingScaling', name: 'hello-cpu', target_value: 50,
            predefined_metric_type: 'ECSServiceAverageCPUUtilization', scale_out_cooldown: 60,
            scale_in_cooldown: 300 },
        ] },""")
    assert result.code == 0, result
    policies = rendered(hako, "apps/k.jsonnet")["traffic"]["autoscaling"]["Policies"]
    assert [(p["PolicyName"], p["PolicyType"]) for p in policies] == [
        ("hello-cpu", "TargetTrackingScaling"), ("scale-in", "StepScaling"), ("scale-out", "StepScaling")]
    tracking = policies[0]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking == {"TargetValue": 50.0, "PredefinedMetricSpecification": {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}, "ScaleInCooldown": 300, "ScaleOutCooldown": 60}


def test_elb_v2_container_is_ignored_as_hako_ignored_it(repo: Repo, hako: Hako) -> None:
    # examples/hello-grpc.jsonnet:37 has `container: 50051`; hako reads container_port only
    # (ecs_elb_v2.rb:275-281), so its service routes to port 80
    elb = ("elb_v2: { vpc_id: 'vpc-1', subnets: ['subnet-1'], security_groups: ['sg-1'], "
           "listeners: [{ port: 80, protocol: 'http' }], container_name: 'app', container: 50051, %s },")
    result = _validate(hako, repo, elb % "", "port_mappings: [{ container_port: 50051, host_port: 0 }],")
    assert result.code == 1
    assert ("scheduler.elb_v2.container_port: container 'app' does not map port 80 (its port_mappings: 50051); "
            "elb_v2.container is ignored, as hako ignored it: did you mean container_port?") in result.out
    result = _validate(hako, repo, elb % "container_port: 50051", "port_mappings: [{ container_port: 50051 }],")
    assert result.code == 0, result
    assert ("scheduler.elb_v2.container: warning: ignored, as hako 2.18 ignored it: the traffic goes to "
            "container_port (50051); did you mean container_port?") in result.out
    assert rendered(hako, "apps/k.jsonnet")["traffic"]["elbV2"]["listeners"] == [{"Port": 80, "Protocol": "HTTP"}]


def test_front_port_comes_from_nginx_front(repo: Repo, hako: Hako) -> None:
    # hako's default elb_v2 container is 'front' (ecs_elb_v2.rb:279) and nginx_front adds its
    # port 80 mapping at deploy (nginx_front.rb:42-52): hako's examples do not map it themselves
    elb = ("elb_v2: { vpc_id: 'vpc-1', subnets: ['subnet-1'], security_groups: ['sg-1'], "
           "listeners: [{ port: 80, protocol: 'HTTP' }] },")
    sidecars = "sidecars: { front: { image_tag: 'hako-nginx', memory: 32 } },"
    scripts = "scripts: [{ type: 'nginx_front', backend_port: 3000, s3: { region: 'ap-northeast-1', bucket: 'b' } }],"
    without = _validate(hako, repo, elb, "", sidecars)
    assert "scheduler.elb_v2.container_port: container 'front' does not map port 80 (its port_mappings: none)" in \
        without.out
    with_script = _validate(hako, repo, elb, "", sidecars + scripts)
    assert "container_port" not in with_script.out
    assert rendered_service_balancers(hako, repo, elb, sidecars) == [
        {"targetGroupArn": "{{target-group:hako-k}}", "containerName": "front", "containerPort": 80}]


def rendered_service_balancers(hako: Hako, repo: Repo, elb: str, sidecars: str) -> Any:
    _validate(hako, repo, elb, "", sidecars.replace("memory: 32", "memory: 32, port_mappings: [{ container_port: 80 }]"))
    return rendered(hako, "apps/k.jsonnet")["service"]["loadBalancers"]


def test_scheduler_tags_go_to_the_task_definition_only(repo: Repo, hako: Hako) -> None:
    # ecs.rb:131,605: RegisterTaskDefinition tags (values to_s); CreateService and RunTask get
    # propagate_tags TASK_DEFINITION instead (ecs.rb:766,1009)
    _validate(hako, repo, "tags: { team: 'web', cost: 3, on: true },")
    request = rendered(hako, "apps/k.jsonnet")
    assert request["taskDefinition"]["tags"] == [{"key": "cost", "value": "3"}, {"key": "on", "value": "true"},
                                                 {"key": "team", "value": "web"}]
    assert "tags" not in request["service"] and request["service"]["propagateTags"] == "TASK_DEFINITION"
    assert "tags" not in request["runTask"] and request["runTask"]["propagateTags"] == "TASK_DEFINITION"


def test_hako_traffic_keys_are_sent_as_hako_sends_them(repo: Repo, hako: Hako, aws: Any, sandbox: Any) -> None:
    """Deployed into the sandbox (moto's ELBv2, Cloud Map, Application Auto Scaling over HTTP):
    elb_v2.protocol_version and matcher go to CreateTargetGroup (ecs_elb_v2.rb:92-108),
    dns_config.namespace_id to Cloud Map's CreateService DnsConfig (ecs_service_discovery.rb:161),
    hako's policy types to PutScalingPolicy (ecs_autoscaling.rb:46-112)."""
    import uuid

    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed
    from tests.conftest import POLL, service_app, unique
    from tests.test_traffic import client, default_subnets, vpc_id

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    app_id = "h" + uuid.uuid4().hex[:10]
    path = f"apps/{app_id}.jsonnet"
    repo.write(path, service_app(cluster, subnet, group))
    wanted = Wanted()
    wanted.add_app(check_file(path).app)
    wanted.roles.clear()
    seed(sandbox.url, wanted)
    own_vpc = client("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    client("servicediscovery").create_private_dns_namespace(Name=f"{app_id}.local", Vpc=own_vpc)
    namespace = next(n["Id"] for n in client("servicediscovery").list_namespaces()["Namespaces"]
                     if n["Name"] == f"{app_id}.local")
    client("cloudwatch").put_metric_alarm(AlarmName=f"{app_id}-high", MetricName="CPUUtilization",
                                          Namespace="AWS/ECS", Statistic="Average", Period=60, EvaluationPeriods=1,
                                          Threshold=80.0, ComparisonOperator="GreaterThanThreshold")
    extra = f"""
        elb_v2: {{
          vpc_id: '{vpc_id()}', subnets: {default_subnets()!r}, security_groups: ['{group}'],
          listeners: [{{ port: 80, protocol: 'HTTP' }}],
          protocol_version: 'GRPC', matcher: {{ grpc_code: '0-99' }},
          container_name: 'app', container_port: 8080,
        }},
        service_discovery: [{{
          container_name: 'app', container_port: 8080,
          service: {{ name: '{app_id}', namespace_id: '{namespace}',
                      dns_config: {{ namespace_id: '{namespace}', dns_records: [{{ type: 'SRV', ttl: 60 }}] }} }},
        }}],
        autoscaling: {{
          role_arn: 'arn:aws:iam::123456789012:role/ecsAutoscaleRole', min_capacity: 1, max_capacity: 4,
          policies: [
            {{ policy_type: 'StepScaling', alarms: ['{app_id}-high'], cooldown: 300,
               adjustment_type: 'ChangeInCapacity', scaling_adjustment: 1, metric_interval_lower_bound: 0,
               metric_aggregation_type: 'Average' }},
            {{ policy_type: 'TargetTrackingScaling', name: '{app_id}-cpu', target_value: 50,
               predefined_metric_type: 'ECSServiceAverageCPUUtilization' }},
          ],
        }},
    """
    repo.write(path, service_app(cluster, subnet, group, extra=extra).replace(
        "deployment_circuit_breaker: { enable: true, rollback: false }", "deployment_circuit_breaker: { enable: true }"))
    result = hako("deploy", path, *POLL)
    assert result.code == 0, result.out + result.err
    target_group = client("elbv2").describe_target_groups(Names=[f"hako-{app_id}"])["TargetGroups"][0]
    assert (target_group["ProtocolVersion"], target_group["Matcher"]) == ("GRPC", {"GrpcCode": "0-99"})
    services = client("servicediscovery").list_services(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace], "Condition": "EQ"}])["Services"]
    # by name: the sandbox's (moto's) ListServices ignores the namespace filter, so the name is
    # this test's own, never another test's 'svc'
    mine = [s for s in services if s["Name"] == app_id]
    assert len(mine) == 1
    dns = client("servicediscovery").get_service(Id=mine[0]["Id"])["Service"]["DnsConfig"]
    assert dns["NamespaceId"] == namespace
    policies = {p["PolicyName"]: p["PolicyType"] for p in client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=f"service/{cluster}/{app_id}")["ScalingPolicies"]}
    assert policies == {f"{app_id}-high": "StepScaling", f"{app_id}-cpu": "TargetTrackingScaling"}
    service = client("ecs").describe_services(cluster=cluster, services=[app_id])["services"][0]
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": False}
    aws.reset()
    again = hako("deploy", path, *POLL)
    assert again.code == 0 and "no changes" in again.err, again.err


# --- every example and spec fixture of hako 2.18 ----------------------------------------------

DEFINITIONS = sorted(str(p.relative_to(HAKO218)) for p in HAKO218.rglob("*")
                     if p.suffix in (".jsonnet", ".yml") and p.name != "env.yml"
                     and p.parent.name not in ("app", "scheduler"))  # data files and included fragments
# What `hako validate` says of each file that is not (yet) valid, and why. Every other file is valid.
NOT_VALID = {
    # ECS refuses these as hako sends them: a load balancer or SRV record must name a container
    # port of the task definition (API LoadBalancer, ServiceRegistry: "a containerName and
    # containerPort combination from the task definition"). hello-grpc's `container: 50051` is
    # ignored by hako (ecs_elb_v2.rb:279 reads container_port), so it routes to port 80.
    "examples/hello-grpc.jsonnet": [
        "scheduler.elb_v2.container_port: container 'app' does not map port 80 (its port_mappings: 50051); "
        "elb_v2.container is ignored, as hako ignored it: did you mean container_port?"],
    "examples/hello-service-discovery.jsonnet": [
        "scheduler.service_discovery[0].container_port: container 'app' does not map port 80 (its port_mappings: "
        "3000)"],
    "spec/fixtures/jsonnet/ecs-elbv2.jsonnet": [
        "scheduler.elb_v2.container_port: container 'app' does not map port 80 (its port_mappings: none)"],
    "spec/fixtures/jsonnet/ecs-service-discovery.jsonnet": [
        "scheduler.service_discovery[0].container_port: container 'app' does not map port 80 (its port_mappings: "
        "none)"],
    # hako's own spec fixtures that are not definitions: hako's spec reads their containers or
    # their YAML (test_oneshot_runs_every_container_the_app_reaches, test_hako_yaml_fixtures_...);
    # hako itself cannot deploy them either (no scheduler: commander.rb:129-131 fetches it)
    "spec/fixtures/jsonnet/default.jsonnet": ["scheduler: is required", "sidecars.front.type: unknown key 'type'"],
    "spec/fixtures/jsonnet/default_with_depends_on.jsonnet": ["scheduler: is required"],
    "spec/fixtures/jsonnet/default_with_links.jsonnet": ["scheduler: is required"],
    "spec/fixtures/jsonnet/default_with_volumes_from.jsonnet": ["scheduler: is required"],
    "spec/fixtures/yaml/simple.yml": ["app: is required"],
    "spec/fixtures/yaml/base.yml": ["app: is required", "bar: unknown key 'bar'", "foo: unknown key 'foo'",
                                    "scheduler: is required"],
    "spec/fixtures/yaml/include_before.yml": ["app: is required", "bar: unknown key 'bar'", "baz: unknown key 'baz'",
                                              "foo: unknown key 'foo'", "scheduler: is required"],
    "spec/fixtures/yaml/include_after.yml": ["app: is required", "bar: unknown key 'bar'", "baz: unknown key 'baz'",
                                             "foo: unknown key 'foo'", "scheduler: is required"],
    # an EC2 container without memory or a task memory: ECS refuses to register it
    "spec/fixtures/yaml/include.yml": [
        "app.memory: set memory or memory_reservation (required when the task has no task-level memory)"],
    "spec/fixtures/yaml/shovel.yml": [
        "app.memory: set memory or memory_reservation (required when the task has no task-level memory)"],
}


@pytest.mark.parametrize("name", DEFINITIONS)
def test_every_hako_example_and_fixture_validates(name: str, hako: Hako, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HAKO218)
    result = hako("validate", "-q", name)
    errors = [line.removeprefix(f"{name}: ") for line in result.out.splitlines() if ": warning: " not in line]
    assert errors == NOT_VALID.get(name, []), result.out
    assert result.code == (1 if name in NOT_VALID else 0)


@pytest.mark.parametrize("name", sorted(p.stem for p in (HAKO218 / "show-definition").glob("*.json")))
def test_every_hako_example_and_fixture_shows_as_in_hako(name: str, hako: Hako,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # what hako's show-definition printed for it (JSON.pretty_generate: the same JSON)
    app, _, expand = name.partition("--")
    path = _example(app)
    monkeypatch.chdir(path.parent)
    result = hako("show-definition", *(["--expand"] if expand else []), path.name)
    assert result.code == 0, result
    assert json.loads(result.out) == json.loads((HAKO218 / "show-definition" / f"{name}.json").read_text())


def test_hako_spellings_of_the_wrong_type_are_schema_errors_not_crashes(hako: Hako, repo: Repo) -> None:
    # found by the mutation property: policy_type: [] raised TypeError (unhashable) in compat
    repo.write("apps/w.jsonnet", """{ scheduler: { type: 'ecs', region: 'us-east-1', cluster: 'c', desired_count: 1,
        autoscaling: { min_capacity: 1, max_capacity: 2, policies: [{ policy_type: [], name: 'x' }] } },
      app: { image: 'busybox:1', memory: 64 } }""")
    repo.write("apps/s.jsonnet", "{ scheduler: 5, app: { image: 'busybox:1', memory: 64 } }")
    for name in ("w", "s"):
        result = hako("validate", f"apps/{name}.jsonnet")
        assert result.code == 1, result
        assert "internal error" not in result.err and f"apps/{name}.jsonnet" in result.out, result
