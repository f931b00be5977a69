"""Loading definitions: Jsonnet, YAML, ext vars, search path, confinement, providers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hako_py.errors import LoadError
from hako_py.loading import LoadOptions, load_definition
from tests.conftest import Hako, Repo


def test_jsonnet_gets_app_id_and_ext_vars(repo: Repo) -> None:
    repo.write("apps/web-api.jsonnet", """
        { id: std.extVar('appId'), s: std.extVar('stage'), n: std.extVar('replicas') + 1 }
    """)
    loaded = load_definition("apps/web-api.jsonnet",
                             LoadOptions(ext_str=(("stage", "prod"),), ext_code=(("replicas", "2"),)))
    assert loaded.app_id == "web-api"
    assert loaded.data == {"id": "web-api", "s": "prod", "n": 3}
    assert loaded.file == "apps/web-api.jsonnet"


def test_json_files_are_evaluated_too(repo: Repo) -> None:
    repo.write("apps/plain.json", '{"app": {"image": "x"}}')
    assert load_definition("apps/plain.json").data == {"app": {"image": "x"}}


def test_import_search_order_definition_dir_then_jpath_then_bundled(repo: Repo, tmp_path: Path) -> None:
    repo.write("apps/lib.libsonnet", "{ where: 'definition dir' }")
    repo.write("vendor/lib.libsonnet", "{ where: 'jpath' }")
    repo.write("vendor/only-here.libsonnet", "{ where: 'jpath only' }")
    repo.write("apps/a.jsonnet", """
        {
          a: (import 'lib.libsonnet').where,
          b: (import 'only-here.libsonnet').where,
          c: std.objectHas(import 'hako.libsonnet', 'config'),
        }
    """)
    loaded = load_definition("apps/a.jsonnet", LoadOptions(jpath=(repo.root / "vendor",)))
    assert loaded.data == {"a": "definition dir", "b": "jpath only", "c": False} or loaded.data["c"] is True
    assert loaded.data["a"] == "definition dir"
    assert loaded.data["b"] == "jpath only"


def test_bundled_library_is_importable_and_not_recorded(repo: Repo) -> None:
    repo.write("apps/a.jsonnet", "local h = import 'hako.libsonnet'; { s: h.secret('X') }")
    loaded = load_definition("apps/a.jsonnet")
    assert loaded.data["s"]["value_from"] == "arn:aws:ssm:ap-northeast-1:123456789012:parameter/hako/a/X"
    assert loaded.imported_files == frozenset()


def test_imported_files_are_recorded_transitively(repo: Repo) -> None:
    base = repo.write("apps/lib/base.libsonnet", "{ x: importstr 'data.txt', y: (import 'deep.libsonnet').z }")
    data = repo.write("apps/lib/data.txt", "hello")
    deep = repo.write("apps/lib/deep.libsonnet", "{ z: 1 }")
    repo.write("apps/lib/unused.libsonnet", "{}")
    repo.write("apps/a.jsonnet", "local b = import 'lib/base.libsonnet'; { v: b.x, w: b.y }")
    loaded = load_definition("apps/a.jsonnet")
    assert loaded.imported_files == {base.resolve(), data.resolve(), deep.resolve()}


@pytest.mark.parametrize(
    "expression",
    [
        "import '/etc/passwd'",
        "importstr '/etc/passwd'",
        "importbin '/etc/passwd'",
        "importstr '../../etc/passwd'",
        "importstr '../../../../../../../../etc/passwd'",
        "importstr 'lib/../../../outside.txt'",
    ],
)
def test_imports_outside_the_root_are_refused(repo: Repo, expression: str) -> None:
    (repo.root.parent / "outside.txt").write_text("secret")
    repo.write("apps/evil.jsonnet", f"{{ leak: {expression} }}")
    with pytest.raises(LoadError) as info:
        load_definition("apps/evil.jsonnet")
    message = str(info.value)
    assert message.startswith("apps/evil.jsonnet:1:")
    assert "not allowed" in message or "escapes the repository root" in message
    assert "secret" not in message and "root:x" not in message


def test_symlink_pointing_outside_the_root_is_refused(repo: Repo) -> None:
    outside = repo.root.parent / "credentials"
    outside.write_text("aws_secret_access_key=abc")
    os.symlink(outside, repo.root / "apps" / "creds.txt")
    repo.write("apps/evil.jsonnet", "{ leak: importstr 'creds.txt' }")
    with pytest.raises(LoadError, match="through a symlink"):
        load_definition("apps/evil.jsonnet")


def test_symlink_inside_the_root_is_fine(repo: Repo) -> None:
    target = repo.write("shared/common.libsonnet", "{ ok: true }")
    os.symlink(target, repo.root / "apps" / "common.libsonnet")
    repo.write("apps/a.jsonnet", "{ v: (import 'common.libsonnet').ok }")
    assert load_definition("apps/a.jsonnet").data == {"v": True}


def test_root_can_be_given_explicitly(repo: Repo) -> None:
    repo.write("apps/a.jsonnet", "{ v: importstr '../hako.toml' }")
    assert "region" in load_definition("apps/a.jsonnet").data["v"]
    with pytest.raises(LoadError, match="escapes the repository root"):
        load_definition("apps/a.jsonnet", LoadOptions(root=repo.root / "apps"))


def test_root_is_found_from_git_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "r" / ".git").mkdir(parents=True)
    (tmp_path / "r" / "apps").mkdir()
    (tmp_path / "r" / "top.libsonnet").write_text("{ v: 2 }")
    (tmp_path / "r" / "apps" / "a.jsonnet").write_text("{ v: (import '../top.libsonnet').v }")
    monkeypatch.chdir(tmp_path)
    assert load_definition("r/apps/a.jsonnet").data == {"v": 2}


def test_syntax_error_is_located(repo: Repo) -> None:
    repo.write("apps/bad.jsonnet", "{\n  app: {\n    cpu: 1,,\n  },\n}\n")
    with pytest.raises(LoadError) as info:
        load_definition("apps/bad.jsonnet")
    assert str(info.value).startswith("apps/bad.jsonnet:3:12: ")


def test_runtime_error_is_located_with_import_chain(repo: Repo) -> None:
    repo.write("apps/lib/l.libsonnet", "{\n  f(x):: error 'boom: ' + x,\n}\n")
    repo.write("apps/bad.jsonnet", "local l = import 'lib/l.libsonnet';\n{ a: l.f('here') }\n")
    with pytest.raises(LoadError) as info:
        load_definition("apps/bad.jsonnet")
    text = str(info.value)
    # located in the user's file first (issue 15), the library's frame after it
    assert text.startswith("apps/bad.jsonnet:2:")
    assert "boom: here" in text
    assert "raised at apps/lib/l.libsonnet:2:" in text


def test_missing_import_names_the_search_path(repo: Repo) -> None:
    repo.write("apps/bad.jsonnet", "{ a: import 'nope.libsonnet' }")
    with pytest.raises(LoadError, match=r"import 'nope\.libsonnet' not found"):
        load_definition("apps/bad.jsonnet")


def test_definition_must_be_an_object(repo: Repo) -> None:
    repo.write("apps/list.jsonnet", "[1, 2]")
    with pytest.raises(LoadError, match="must evaluate to an object, got array"):
        load_definition("apps/list.jsonnet")


@pytest.mark.parametrize("name", ["a.txt", "a.toml", "Makefile"])
def test_unsupported_file_type(repo: Repo, name: str) -> None:
    repo.write(f"apps/{name}", "x")
    with pytest.raises(LoadError, match="unsupported file type"):
        load_definition(f"apps/{name}")


def test_missing_file(repo: Repo) -> None:
    with pytest.raises(LoadError, match=r"apps/none\.jsonnet: no such file"):
        load_definition("apps/none.jsonnet")


def test_non_utf8_file(repo: Repo) -> None:
    (repo.root / "apps" / "bin.jsonnet").write_bytes(b"{ a: '\xff\xfe' }")
    with pytest.raises(LoadError, match="not UTF-8"):
        load_definition("apps/bin.jsonnet")


def test_yaml_with_include_and_merge(repo: Repo) -> None:
    repo.write("apps/inc/sched.yml", "type: ecs\nregion: us-east-1\ncluster: c\n")
    repo.write("apps/inc/env.yml", "A: '1'\n")
    repo.write("apps/w.yml", """
        scheduler:
          <<: !include inc/sched.yml
          desired_count: 2
        app:
          image: x
          env: !include inc/env.yml
          when: 2020-01-02
    """)
    loaded = load_definition("apps/w.yml")
    assert loaded.data["scheduler"] == {"type": "ecs", "region": "us-east-1", "cluster": "c", "desired_count": 2}
    assert loaded.data["app"]["env"] == {"A": "1"}
    assert loaded.data["app"]["when"] == "2020-01-02"
    assert {p.name for p in loaded.imported_files} == {"sched.yml", "env.yml"}


def test_yaml_include_outside_root_is_refused(repo: Repo) -> None:
    repo.write("apps/w.yml", "app: !include ../../../etc/passwd\n")
    with pytest.raises(LoadError, match="escapes the repository root"):
        load_definition("apps/w.yml")


def test_yaml_include_cycle_is_reported(repo: Repo) -> None:
    repo.write("apps/a.yml", "x: !include b.yml\n")
    repo.write("apps/b.yml", "y: !include a.yml\n")
    with pytest.raises(LoadError, match="cycle"):
        load_definition("apps/a.yml")


def test_yaml_syntax_error_is_located(repo: Repo) -> None:
    repo.write("apps/w.yml", "app:\n  image: [unclosed\n")
    with pytest.raises(LoadError) as info:
        load_definition("apps/w.yml")
    assert str(info.value).startswith("apps/w.yml:3:1: ")


def test_yaml_unsafe_tags_are_rejected(repo: Repo) -> None:
    repo.write("apps/w.yml", "app: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(LoadError, match=r"apps/w\.yml:1:6"):
        load_definition("apps/w.yml")


def test_env_provider_placeholder_and_expand(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAKO_TEST_USER", "alice")
    repo.write("apps/a.jsonnet", "{ u: std.native('provide.env')(std.toString({}), 'HAKO_TEST_USER') }")
    assert load_definition("apps/a.jsonnet").data == {"u": "${HAKO_TEST_USER}"}
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {"u": "alice"}


def test_file_provider_reads_relative_file_and_records_it(repo: Repo) -> None:
    env_file = repo.write("apps/web.env", "# comment\nNAME=hako\n\nEMPTY=\n")
    repo.write("apps/a.jsonnet", """
        local p(k) = std.native('provide.file')(std.toString({ path: 'web.env' }), k);
        { n: p('NAME'), e: p('EMPTY') }
    """)
    loaded = load_definition("apps/a.jsonnet", LoadOptions(expand=True))
    assert loaded.data == {"n": "hako", "e": ""}
    assert env_file.resolve() in loaded.imported_files


def test_provider_called_from_an_imported_library(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # The definition itself never mentions std.native: providers must still be registered.
    monkeypatch.setenv("HAKO_TEST_USER", "bob")
    repo.write("apps/lib/env.libsonnet", "{ user: std.native('provide.env')('{}', 'HAKO_TEST_USER') }")
    repo.write("apps/a.jsonnet", "local lib = import 'lib/env.libsonnet'; { u: lib.user, n: std.isString(lib.user) }")
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {"u": "bob", "n": True}


def test_provider_reached_without_spelling_native(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAKO_TEST_USER", "carol")
    repo.write("apps/a.jsonnet", "{ u: std['nat' + 'ive']('provide.env')('{}', 'HAKO_TEST_USER') }")
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {"u": "carol"}


def test_file_provider_is_confined(repo: Repo) -> None:
    repo.write("apps/a.jsonnet", "{ n: std.native('provide.file')(std.toString({ path: '../../x.env' }), 'K') }")
    with pytest.raises(LoadError, match="escapes the repository root"):
        load_definition("apps/a.jsonnet", LoadOptions(expand=True))


def test_provider_missing_key_is_a_clear_error(repo: Repo) -> None:
    repo.write("apps/a.jsonnet", "{ n: std.native('provide.env')('{}', 'HAKO_SURELY_UNSET_VAR') }")
    with pytest.raises(LoadError) as info:
        load_definition("apps/a.jsonnet", LoadOptions(expand=True))
    assert str(info.value) == "apps/a.jsonnet:1:6: provider 'env' has no value for 'HAKO_SURELY_UNSET_VAR'"


def test_repository_config_reaches_jsonnet(repo: Repo) -> None:
    repo.write("hako.toml", 'region = "eu-west-1"\naccount_id = "111122223333"\nparameter_prefix = "/t/{app_id}/"\n')
    repo.write("apps/cfg.jsonnet", "std.extVar('hako')")
    data = load_definition("apps/cfg.jsonnet").data
    assert data["region"] == "eu-west-1"
    assert data["account_id"] == "111122223333"
    assert data["parameter_prefix"] == "/t/cfg/"
    assert data["app_id"] == "cfg"


def test_invalid_hako_toml_is_reported(repo: Repo) -> None:
    repo.write("hako.toml", "region = \n")
    repo.write("apps/a.jsonnet", "{}")
    # no cache to clear: hako.toml is read again whenever the file changed
    with pytest.raises(Exception, match="invalid TOML"):
        load_definition("apps/a.jsonnet")


def test_show_definition_cli(repo: Repo, hako: Hako) -> None:
    repo.write("apps/a.jsonnet", "{ id: std.extVar('appId'), x: std.extVar('x') }")
    result = hako("show-definition", "apps/a.jsonnet", "--ext-str", "x=1")
    assert result.code == 0
    assert json.loads(result.out) == {"id": "a", "x": "1"}


def test_installed_provider_from_entry_point(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example package registers `upper` under hako_py.env_providers."""
    monkeypatch.setenv("HAKO_TEST_NAME", "shout")
    repo.write("apps/a.jsonnet", "{ n: std.native('provide.upper')(std.toString({}), 'HAKO_TEST_NAME') }")
    assert load_definition("apps/a.jsonnet", LoadOptions(expand=True)).data == {"n": "SHOUT"}
    assert load_definition("apps/a.jsonnet").data == {"n": "${HAKO_TEST_NAME}"}


def test_unknown_provider_lists_installed(repo: Repo) -> None:
    repo.write("apps/a.jsonnet", "{ n: std.native('provide.nope')('{}', 'K') }")
    with pytest.raises(LoadError, match=r"apps/a\.jsonnet:1:6: unknown provider nope \(installed: env, file, "):
        load_definition("apps/a.jsonnet", LoadOptions(expand=True))


def test_a_repository_reached_through_a_symlink_works(repo: Repo, hako: Hako, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths are compared as real paths: the root is found (and resolved) from the definition,
    # while the importing file's folder still named the symlink, so every import "escaped".
    from tests.conftest import FARGATE_APP

    repo.write("apps/lib/base.libsonnet", FARGATE_APP)
    repo.write("apps/lib/env.yml", "A: '1'\n")
    repo.write("apps/web.env", "RELEASE=r1\n")
    repo.write("apps/svc.jsonnet", """
        local provide(key) = std.native('provide.file')(std.toString({ path: 'web.env' }), key);
        (import 'lib/base.libsonnet') + { app+: { env: { R: provide('RELEASE'), T: std.length(importstr '../hako.toml') > 0 } } }
    """)
    repo.write("apps/w.yml", "scheduler: {type: ecs, region: us-east-1, cluster: c, desired_count: 1}\n"
                             "app: {image: busybox, memory: 128, env: !include lib/env.yml}\n")
    os.symlink(repo.root, tmp_path / "repo-link")
    monkeypatch.chdir(tmp_path)
    for extra in ((), ("--root", "repo-link")):
        result = hako("validate", *extra, "repo-link/apps/svc.jsonnet", "repo-link/apps/w.yml")
        assert result.code == 0, result
    assert json.loads(hako("show-definition", "--expand", "repo-link/apps/svc.jsonnet").out)["app"]["env"] == {
        "R": "r1", "T": True}
    # a symlink pointing out of the repository, and climbing out of it, are still refused
    (tmp_path / "outside.libsonnet").write_text("{ stolen: 'SECRET' }")
    os.symlink(tmp_path / "outside.libsonnet", repo.root / "apps" / "out.libsonnet")
    repo.write("apps/evil.jsonnet", "{ a: import 'out.libsonnet' }")
    repo.write("apps/climb.jsonnet", "{ a: import '../../outside.libsonnet' }")
    result = hako("validate", "repo-link/apps/evil.jsonnet", "repo-link/apps/climb.jsonnet")
    assert result.out.splitlines() == [
        f"repo-link/apps/evil.jsonnet:1:6: import 'out.libsonnet' resolves (through a symlink) to "
        f"{os.path.realpath(tmp_path / 'outside.libsonnet')}, outside the repository root {repo.root.resolve()}",
        f"repo-link/apps/climb.jsonnet:1:6: import '../../outside.libsonnet' escapes the repository root "
        f"{repo.root.resolve()}",
    ], result


def test_a_garbled_callback_error_is_replaced_whole() -> None:
    # Seen in CI under load: gojsonnet returned an importer error whose head was garbled and
    # followed by a lone "}" from the source, which `hako validate` printed as its own line.
    from hako_py.loading.errors import format_jsonnet_error
    from hako_py.loading.jsonnet import restore_callback_message

    garbled = "RUNTIME ERROR: \x7f\x01impo\n}\n\tapps/evil.jsonnet:1:6-26\tobject <anonymous>\n\tDuring manifestation\t\n"
    restored = restore_callback_message(garbled, "import 'out.libsonnet' escapes the repository root /r")
    assert format_jsonnet_error(restored, "apps/evil.jsonnet").splitlines() == [
        "apps/evil.jsonnet:1:6: import 'out.libsonnet' escapes the repository root /r"]
    assert restore_callback_message("RUNTIME ERROR: x", "lost") == "RUNTIME ERROR: lost"
