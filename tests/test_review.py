"""hako diff --base and hako validate --changed-since on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, Hako, HakoProcess, Repo

LIB = """\
{
  scheduler(cluster):: {
    type: 'ecs', region: 'us-east-1', cluster: cluster, desired_count: 1, launch_type: 'FARGATE',
    requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'] } },
  },
  memory:: 256,
}
"""
OTHER_LIB = "{ memory:: 128 }\n"


def app(name: str, lib: str = "lib/base.libsonnet", extra: str = "", env: str = "") -> str:
    return f"""\
local lib = import '{lib}';
{{
  scheduler: (import 'lib/base.libsonnet').scheduler('c'),
  app: {{ image: 'example/{name}', tag: 'v1', memory: lib.memory, env: {{ NAME: '{name}', {env} }} {extra} }},
}}
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def gitrepo(repo: Repo) -> Repo:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/lib/other.libsonnet", OTHER_LIB)
    for name in ("alpha", "beta", "gamma"):
        repo.write(f"apps/{name}.jsonnet", app(name))
    repo.write("apps/delta.jsonnet", app("delta", lib="lib/other.libsonnet"))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")
    return repo


def test_nothing_changed(hako: Hako, gitrepo: Repo) -> None:
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 0
    assert "no changes" in result.out


def test_app_edit_shows_only_that_app(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 128"))
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 2
    assert "== apps/beta.jsonnet: changed (cpu/memory)" in result.out
    assert "alpha" not in result.out and "gamma" not in result.out
    assert '+        "cpu": 128,' in result.out
    assert "2 renders" in result.out


def test_library_edit_lists_exactly_the_affected_apps(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/lib/base.libsonnet", LIB.replace("memory:: 256", "memory:: 512"))
    result = hako("diff", "--base", "main", "--format", "json")
    data = json.loads(result.out)
    assert {a["file"] for a in data["apps"]} == {"apps/alpha.jsonnet", "apps/beta.jsonnet", "apps/gamma.jsonnet"}
    assert data["apps"][0]["changes"]["cpu/memory"] == ["app.memory: 256 → 512"]


def test_library_edit_that_changes_no_output_lists_nothing(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/lib/base.libsonnet", "// a comment\n" + LIB.replace("  memory:: 256,", "  memory:: 128 + 128,"))
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 0, result.out
    assert "8 renders" in result.out  # all four apps import base.libsonnet: rendered at both sides, none differs
    gitrepo.write("apps/lib/base.libsonnet", LIB)
    gitrepo.write("apps/lib/other.libsonnet", "{ memory:: 64 * 2 }\n")
    only_delta = hako("diff", "--base", "main", "--exit-code")
    assert only_delta.code == 0
    assert "2 renders" in only_delta.out  # only delta imports other.libsonnet


def test_formatting_only_change_is_no_diff(hako: Hako, gitrepo: Repo) -> None:
    text = (gitrepo.root / "apps/alpha.jsonnet").read_text()
    gitrepo.write("apps/alpha.jsonnet", "// reformatted\n" + text.replace("{ image", "{\n    image"))
    assert hako("diff", "--base", "main", "--exit-code").code == 0


def test_added_removed_and_renamed_apps(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/epsilon.jsonnet", app("epsilon"))
    (gitrepo.root / "apps/gamma.jsonnet").unlink()
    git(gitrepo.root, "mv", "apps/delta.jsonnet", "apps/delta2.jsonnet")
    result = hako("diff", "--base", "main", "--format", "json", "--exit-code")
    assert result.code == 2
    statuses = {a["file"]: a["status"] for a in json.loads(result.out)["apps"]}
    assert statuses == {"apps/epsilon.jsonnet": "added", "apps/gamma.jsonnet": "removed",
                        "apps/delta.jsonnet": "removed", "apps/delta2.jsonnet": "added"}


def test_broken_at_head_is_exit_1_and_broken_at_base_is_reported(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/alpha.jsonnet", "{ app: 1,, }")
    broken = hako("diff", "--base", "main", "--exit-code")
    assert broken.code == 1
    assert "== apps/alpha.jsonnet: broken" in broken.out and "apps/alpha.jsonnet:1:10" in broken.out
    git(gitrepo.root, "commit", "-qam", "break alpha")
    gitrepo.write("apps/alpha.jsonnet", app("alpha"))
    fixed = hako("diff", "--base", "main", "--exit-code")
    assert fixed.code == 2
    assert "== apps/alpha.jsonnet: fixed" in fixed.out


def test_secrets_are_masked_in_every_format(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/beta.jsonnet", app("beta", env="DB_PASSWORD: 'hunter2', API_TOKEN: 's3cr3t'"))
    for fmt in ("text", "markdown", "json"):
        out = hako("diff", "--base", "main", "--format", fmt).out
        assert "hunter2" not in out and "s3cr3t" not in out, fmt
        assert "DB_PASSWORD" in out and "<masked>" in out.replace("\\u003c", "<")


def test_markdown_output(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 64", env="NEW: '1'").replace("tag: 'v1'", "tag: 'v2'"))
    # the commit's id changes with the time of the commit: the snapshot has a placeholder
    at = git(gitrepo.root, "rev-parse", "--short", "main").strip()
    out = hako("diff", "--base", "main", "--format", "markdown").out.replace(at, "COMMIT")
    snapshot = PROJECT_ROOT / "tests" / "snapshots" / "review.md"
    if os.environ.get("HAKO_UPDATE_SNAPSHOTS"):
        snapshot.write_text(out)
    assert out == snapshot.read_text()


def test_very_long_diffs_are_shortened(hako: Hako, gitrepo: Repo) -> None:
    env = ", ".join(f"V{i}: '{i}'" for i in range(300))
    gitrepo.write("apps/beta.jsonnet", app("beta", env=env))
    out = hako("diff", "--base", "main", "--format", "markdown").out
    assert "more lines (see the full report or run hako diff --base locally)" in out
    assert len(out) < 60000


def test_missing_ref_is_a_clear_message(hako: Hako, gitrepo: Repo) -> None:
    result = hako("diff", "--base", "origin/nope", "--exit-code")
    assert result.code == 1
    assert result.err.strip() == ("base revision 'origin/nope' not found in this repository; fetch it first "
                                  "(e.g. git fetch --depth=1 origin nope)")


def test_working_tree_and_index_are_untouched(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 64"))
    git(gitrepo.root, "add", "apps/beta.jsonnet")
    gitrepo.write("apps/alpha.jsonnet", app("alpha", extra=", cpu: 32"))
    before = git(gitrepo.root, "status", "--porcelain"), git(gitrepo.root, "diff", "--cached")
    hako("diff", "--base", "main")
    assert (git(gitrepo.root, "status", "--porcelain"), git(gitrepo.root, "diff", "--cached")) == before


def test_shallow_clone_once_base_is_fetched(hako: Hako, gitrepo: Repo, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 64"))
    git(gitrepo.root, "commit", "-qam", "pr change")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{gitrepo.root}", str(clone)], check=True)
    monkeypatch.chdir(clone)
    missing = hako("diff", "--base", "HEAD~1")
    assert missing.code == 1 and "not found" in missing.err
    git(clone, "fetch", "-q", "--depth=2", "origin", "main")
    result = hako("diff", "--base", "HEAD~1", "--exit-code")
    assert result.code == 2, result.err
    assert "== apps/beta.jsonnet: changed" in result.out


def test_validate_changed_since(hako: Hako, gitrepo: Repo) -> None:
    assert hako("validate", "--changed-since", "main").code == 0
    gitrepo.write("apps/lib/other.libsonnet", "{ memory:: 'lots' }\n")
    result = hako("validate", "--changed-since", "main")
    assert result.code == 1
    assert result.out.startswith("apps/delta.jsonnet: app.memory: must be an integer")
    assert "1 definition checked: 1 invalid" in result.err


def test_hako_toml_change_affects_every_app(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("hako.toml", 'region = "eu-west-1"\naccount_id = "123456789012"\n')
    result = hako("diff", "--base", "main")
    assert "8 renders" in result.out


def test_shipped_pre_commit_hook() -> None:
    import yaml

    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "hako-validate")
    assert hook["entry"].startswith("hako validate") and hook["pass_filenames"] is False


def test_pre_commit_entry_runs(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/lib/base.libsonnet", LIB.replace("memory:: 256", "memory:: 'x'"))
    result = hako("validate", "--strict", "--changed-since", "HEAD")
    assert result.code == 1
    assert result.out.count("app.memory: must be an integer") == 3  # delta takes memory from other.libsonnet
    assert "4 definitions checked: 3 invalid" in result.err


def test_traffic_settings_are_reviewed_too(hako: Hako, gitrepo: Repo) -> None:
    lib = LIB.replace("desired_count: 1,", "desired_count: 1, autoscaling: { min_capacity: 1, max_capacity: 4 },")
    gitrepo.write("apps/lib/base.libsonnet", lib)
    git(gitrepo.root, "commit", "-qam", "autoscaling")
    gitrepo.write("apps/lib/base.libsonnet", lib.replace("max_capacity: 4", "max_capacity: 8"))
    result = hako("diff", "--base", "main", "--format", "json", "--exit-code")
    assert result.code == 2, result.out + result.err
    data = json.loads(result.out)
    assert len(data["apps"]) == 4  # every app takes its scheduler from base.libsonnet
    assert data["apps"][0]["changes"] == {"autoscaling": ["MaxCapacity"]}
    text = hako("diff", "--base", "main")
    assert '-      "MaxCapacity": 4,' in text.out and '+      "MaxCapacity": 8,' in text.out


def test_both_sides_from_one_evaluation_equal_each_side_alone(gitrepo: Repo, tmp_path: Path) -> None:
    from hako_py.review.compare import render_both, render_view
    from hako_py.review.git import resolve_ref
    from hako_py.review.revision import materialize, snapshot

    gitrepo.write("apps/lib/base.libsonnet", LIB.replace("memory:: 256", "memory:: 512"))
    files = snapshot(gitrepo.root, resolve_ref(gitrepo.root, "main").commit)
    base = tmp_path / "base"
    materialize(files, base, gitrepo.root)
    both = render_both("apps/alpha.jsonnet", str(base), str(gitrepo.root))
    assert both is not None, "one evaluation for both sides"
    assert both == (render_view("apps/alpha.jsonnet", str(base)), render_view("apps/alpha.jsonnet", str(gitrepo.root)))
    assert both[0] != both[1]
    # providers resolve files relative to each side's folder: those apps are evaluated side by side
    gitrepo.write("apps/alpha.jsonnet", app("alpha", env="USER: std.native('provide.env')('{}', 'USER')"))
    assert render_both("apps/alpha.jsonnet", str(base), str(gitrepo.root)) is None
    # a side that fails to evaluate makes each side be rendered alone (for its own located error)
    gitrepo.write("apps/alpha.jsonnet", "{ app: error 'broken' }")
    assert render_both("apps/alpha.jsonnet", str(base), str(gitrepo.root)) is None


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_library_turned_into_a_special_file_is_a_located_error(hako_process: HakoProcess, gitrepo: Repo,
                                                                 special: str) -> None:
    # The dependency scan reads every library an import names before anything is evaluated:
    # /dev/zero once filled the memory, a FIFO blocked forever.
    lib = gitrepo.root / "apps/lib/other.libsonnet"
    lib.unlink()
    if special == "fifo":
        os.mkfifo(lib)
        expected = "apps/lib/other.libsonnet is a FIFO, not a regular file"
    else:
        os.symlink(special, lib)
        expected = "resolves (through a symlink) to /dev/zero, outside the repository root"
    for args in (("diff", "--base", "main"), ("validate", "--changed-since", "main")):
        result = hako_process(*args, timeout=30)
        assert result.code == 1, result
        assert f"apps/delta.jsonnet:1:13: import 'lib/other.libsonnet' {expected}" in result.out or (
            f"apps/delta.jsonnet:1:13: {expected}" in result.out), result
        assert "Traceback" not in result.err and "internal error" not in result.err, result


def test_bombs_in_a_parallel_review_are_broken_entries_and_the_rest_is_compared(
        hako_process: HakoProcess, gitrepo: Repo) -> None:
    # 2 renders per app, so 9 apps are rendered by a budget pool (16+ renders)
    for name in ("e1", "e2", "e3", "e4", "e5"):
        gitrepo.write(f"apps/{name}.jsonnet", app(name))
    git(gitrepo.root, "add", "-A")
    git(gitrepo.root, "commit", "-qm", "more apps")
    for name in ("alpha", "beta", "e1", "e2", "e3", "e4", "e5"):
        gitrepo.write(f"apps/{name}.jsonnet", app(name, env="CHANGED: 'yes'"))
    gitrepo.write("apps/gamma.jsonnet", "{ x: std.length(std.makeArray(1e9, function(i) i)) }")
    gitrepo.write("apps/delta.jsonnet", "{ x: std.foldl(function(a, i) std.foldl(function(b, j) b + j, "
                                        "std.range(1, 1000), a), std.range(1, 100000), 0) }")
    # 5 s, not 1: the memory bomb must reach its limit first also on a loaded machine
    result = hako_process("diff", "--base", "main", "--format", "json", "-j", "2",
                          env={"HAKO_EVAL_TIMEOUT": "5", "HAKO_EVAL_MEMORY": "256"})
    assert result.code == 1, result
    apps = {a["file"]: (a["status"], a.get("error")) for a in json.loads(result.out)["apps"]}
    assert apps == {
        **{f"apps/{name}.jsonnet": ("changed", None) for name in ("alpha", "beta", "e1", "e2", "e3", "e4", "e5")},
        "apps/gamma.jsonnet": ("broken", "apps/gamma.jsonnet: evaluation exceeded the memory limit of 256 MiB "
                                         "(HAKO_EVAL_MEMORY)"),
        "apps/delta.jsonnet": ("broken", "apps/delta.jsonnet: evaluation exceeded the time limit of 5 s "
                                         "(HAKO_EVAL_TIMEOUT)"),
    }, result


def test_a_second_definition_of_an_existing_app_is_broken_not_a_new_app(hako: Hako, gitrepo: Repo) -> None:
    """``apps/beta.json`` beside ``apps/beta.jsonnet`` names the live service ``beta``: shown as
    an added app, a pull request replaced that service through ``deploy --changed-since``."""
    second = "apps/beta.json"  # a .json file is a definition (Jsonnet), as in hako 2.18
    gitrepo.write(second, app("beta", extra=", cpu: 1024").replace("example/beta", "attacker/backdoor"))
    result = hako("diff", "--base", "main")
    assert result.code == 1, result.out
    assert "added" not in result.out.split("\n", 1)[0], result.out
    assert f"{second}: app id 'beta' is also defined by apps/beta.jsonnet" in result.out
    assert "apps/beta.jsonnet: app id 'beta' is also defined by " + second in result.out
    git(gitrepo.root, "add", "-A")
    git(gitrepo.root, "commit", "-qm", "a second beta")
    deploy = hako("deploy", "--changed-since", "main~1", "--dry-run", "-o", "json")
    assert deploy.code != 0, deploy.out
    assert "attacker/backdoor" not in deploy.out + deploy.err
