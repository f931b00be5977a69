"""PR review cannot be bypassed by how a dependency is spelled or reached.

Each test edits only a library (or a provider file) that an app reads through one legal
spelling, and checks that the review still selects the app (and shows the change).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import Hako, Repo
from tests.test_review import git

SCHEDULER = """\
{
  type: 'ecs', region: 'us-east-1', cluster: 'c', desired_count: 1, launch_type: 'FARGATE',
  requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
  network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'] } },
}
"""
IMAGE_LIB = "{ image:: 'example/web:v1' }\n"


def web_app(import_expr: str) -> str:
    return f"""\
local lib = {import_expr};
{{
  scheduler: import 'lib/scheduler.libsonnet',
  app: {{ image: lib.image, memory: 256 }},
}}
"""


@pytest.fixture
def librepo(repo: Repo) -> Repo:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    repo.write("apps/lib/scheduler.libsonnet", SCHEDULER)
    repo.write("apps/other.jsonnet", web_app("{ image:: 'example/other:v1' }"))
    return repo


def commit(repo: Repo, message: str = "base") -> None:
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", message)


def changed_files(hako: Hako, *args: str) -> dict[str, str]:
    result = hako("diff", "--base", "main", "--format", "json", *args)
    assert result.code in (0, 2), result.out + result.err
    return {a["file"]: a["status"] for a in json.loads(result.out)["apps"]}


SPELLINGS = {
    "block comment between": "import /* c */ 'lib/x.libsonnet'",
    "no space": "import'lib/x.libsonnet'",
    "escaped slash": r"import 'lib\/x.libsonnet'",
    "unicode escape": r"import 'lib\u002fx.libsonnet'",
    "unicode escape, double quotes": r'import "lib\u002Fx.libsonnet"',
    "verbatim, no space": "import@'lib/x.libsonnet'",
    "verbatim, doubled quote": "import @'lib/x''.libsonnet'",
    "hash comment with a decoy import": "import # import 'lib/decoy.libsonnet'\n  'lib/x.libsonnet'",
    "line comment with a decoy import": "import // import 'lib/decoy.libsonnet'\n  'lib/x.libsonnet'",
    "surrogate pair": r"import 'lib/\ud83d\ude00.libsonnet'",
    "newline escape in the name": r"import 'lib/x\n.libsonnet'",
}
FILE_NAMES = {"verbatim, doubled quote": "lib/x'.libsonnet", "surrogate pair": "lib/\U0001f600.libsonnet",
              "newline escape in the name": "lib/x\n.libsonnet"}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_every_import_spelling_is_followed(hako: Hako, librepo: Repo, spelling: str) -> None:
    name = FILE_NAMES.get(spelling, "lib/x.libsonnet")
    librepo.write(f"apps/{name}", IMAGE_LIB)
    librepo.write("apps/lib/decoy.libsonnet", "{}\n")
    librepo.write("apps/web.jsonnet", web_app(SPELLINGS[spelling]))
    commit(librepo)
    assert hako("render", "apps/web.jsonnet").code == 0
    librepo.write(f"apps/{name}", IMAGE_LIB.replace("v1", "v2"))
    assert changed_files(hako) == {"apps/web.jsonnet": "changed"}
    result = hako("validate", "--changed-since", "main")
    assert "no definition can have changed" not in result.err


def test_an_import_only_in_a_comment_or_string_is_not_a_dependency(hako: Hako, librepo: Repo) -> None:
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB)
    librepo.write("apps/web.jsonnet", "// import 'lib/x.libsonnet'\n# import 'lib/x.libsonnet'\n"
                  + web_app("{ image:: 'example/web:v1', note:: \"import 'lib/x.libsonnet'\" }"))
    commit(librepo)
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB.replace("v1", "v2"))
    result = hako("diff", "--base", "main")
    assert result.code == 0 and "0 renders" in result.out, result.out


YAML_APP = """\
scheduler:
  type: ecs
  region: us-east-1
  cluster: c
  desired_count: 1
  launch_type: FARGATE
  requires_compatibilities: [FARGATE]
  network_mode: awsvpc
  cpu: '256'
  memory: '512'
  network_configuration: {awsvpc_configuration: {subnets: [subnet-1]}}
"""


@pytest.mark.parametrize("spelling", ["!include lib/app.yml", "!<!include> lib/app.yml", "%TAG"])
def test_yaml_include_by_any_tag_spelling(hako: Hako, librepo: Repo, spelling: str) -> None:
    if spelling == "%TAG":
        text = "%TAG !i! !inc\n---\n" + YAML_APP + "app: !i!lude lib/app.yml\n"
    else:
        text = YAML_APP + f"app: {spelling}\n"
    librepo.write("apps/web.yml", text)
    librepo.write("apps/lib/app.yml", "image: example/web:v1\nmemory: 256\n")
    commit(librepo)
    assert hako("render", "apps/web.yml").code == 0
    librepo.write("apps/lib/app.yml", "image: example/web:v2\nmemory: 256\n")
    assert changed_files(hako) == {"apps/web.yml": "changed"}


@pytest.mark.parametrize("call", [
    "std.native('provide.fi' + 'le')",
    "std['native']('provide.file')",
    "(local s = std; s.native('provide.file'))",
    "std.native(@'provide.file')",
])
def test_any_native_but_literal_env_depends_on_everything(hako: Hako, librepo: Repo, call: str) -> None:
    librepo.write("apps/web.env", "RELEASE=1\n")
    librepo.write("apps/web.jsonnet", web_app("{ image:: 'example/web:v1' }").replace(
        "memory: 256", f"memory: 256, env: {{ RELEASE: {call}(std.toString({{ path: 'web.env' }}), 'RELEASE') }}"))
    librepo.write("apps/envonly.jsonnet", web_app("{ image:: 'example/web:v1' }").replace(
        "memory: 256", "memory: 256, env: { U: std.native('provide.env')(std.toString({}), 'USER') }"))
    commit(librepo)
    librepo.write("apps/web.env", "RELEASE=2\n")
    result = hako("validate", "--changed-since", "main")
    assert result.code == 0, result.out + result.err
    assert "1 definition checked" in result.err, result.err  # web, not envonly nor other


@pytest.mark.parametrize("form", ["yaml", "'$providers'", "'$' + 'provid\\u0065rs'"])
def test_hakos_legacy_providers_env_depends_on_everything(hako: Hako, librepo: Repo, form: str) -> None:
    # hako's legacy env form reads provider files (hako_py.loading.legacy_env): like a native
    # provider, the app is checked whenever anything changed
    librepo.write("apps/web.env", "RELEASE=1\n")
    if form == "yaml":
        librepo.write("apps/web.yml", YAML_APP + "app:\n  image: example/web:v1\n  memory: 256\n  env:\n"
                                                "    $providers: [{type: file, path: web.env}]\n    R: '#{RELEASE}'\n")
    else:
        librepo.write("apps/web.jsonnet", web_app("{ image:: 'example/web:v1' }").replace(
            "memory: 256", f"memory: 256, env: {{ [{form}]: [{{ type: 'file', path: 'web.env' }}], R: '#{{RELEASE}}' }}"))
    commit(librepo)
    librepo.write("apps/web.env", "RELEASE=2\n")
    result = hako("validate", "--changed-since", "main")
    assert result.code == 0, result.out + result.err
    assert "1 definition checked" in result.err, result.err  # web, not other


def test_a_jsonnet_app_with_the_legacy_providers_env_is_compared(hako: Hako, librepo: Repo) -> None:
    # both revisions are evaluated one by one (their '$providers' env is resolved per file),
    # not together: the change shows, nothing is "broken"
    librepo.write("apps/web.env", "RELEASE=1\n")
    legacy = web_app("{ image:: 'example/web:v1' }").replace(
        "memory: 256", "memory: 256, env: { '$providers': [{ type: 'file', path: 'web.env' }], R: 'r#{RELEASE}' }")
    librepo.write("apps/web.jsonnet", legacy)
    commit(librepo)
    librepo.write("apps/web.jsonnet", legacy.replace("'r#{RELEASE}'", "'s#{RELEASE}'"))
    assert changed_files(hako) == {"apps/web.jsonnet": "changed"}


@pytest.mark.parametrize("layout", ["symlinked folder", "symlinked file", "symlink inside a --jpath folder"])
def test_a_library_reached_through_a_symlink(hako: Hako, librepo: Repo, layout: str) -> None:
    librepo.write("shared/x.libsonnet", IMAGE_LIB)
    args: tuple[str, ...] = ()
    if layout == "symlinked folder":
        os.symlink("../../shared", librepo.root / "apps/lib/shared")
        librepo.write("apps/web.jsonnet", web_app("import 'lib/shared/x.libsonnet'"))
    elif layout == "symlinked file":
        os.symlink("../../shared/x.libsonnet", librepo.root / "apps/lib/x.libsonnet")
        librepo.write("apps/web.jsonnet", web_app("import 'lib/x.libsonnet'"))
    else:
        (librepo.root / "vendor").mkdir()
        os.symlink("../shared", librepo.root / "vendor/lib")
        librepo.write("apps/web.jsonnet", web_app("import 'lib/x.libsonnet'"))
        args = ("-J", "vendor")
    commit(librepo)
    assert hako("render", "apps/web.jsonnet", *args).code == 0
    librepo.write("shared/x.libsonnet", IMAGE_LIB.replace("v1", "v2"))
    assert changed_files(hako, *args) == {"apps/web.jsonnet": "changed"}


def test_a_symlink_retargeted_by_the_change(hako: Hako, librepo: Repo) -> None:
    librepo.write("shared/v1/x.libsonnet", IMAGE_LIB)
    librepo.write("shared/v2/x.libsonnet", IMAGE_LIB.replace("v1", "v2"))
    os.symlink("../../shared/v1", librepo.root / "apps/lib/current")
    librepo.write("apps/web.jsonnet", web_app("import 'lib/current/x.libsonnet'"))
    commit(librepo)
    os.unlink(librepo.root / "apps/lib/current")
    os.symlink("../../shared/v2", librepo.root / "apps/lib/current")
    assert changed_files(hako) == {"apps/web.jsonnet": "changed"}


def test_the_base_side_renders_every_file_it_imports(hako: Hako, librepo: Repo) -> None:
    # the app changes too, so it is selected either way: its base side must still import the library
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB)
    librepo.write("apps/web.jsonnet", web_app("import'lib/x.libsonnet'"))
    commit(librepo)
    librepo.write("apps/web.jsonnet", web_app("import'lib/x.libsonnet'").replace("memory: 256", "memory: 512"))
    assert changed_files(hako) == {"apps/web.jsonnet": "changed"}


def test_a_file_git_ignores_that_shadows_a_library(hako: Hako, librepo: Repo) -> None:
    librepo.write(".gitignore", "apps/lib/x.libsonnet\n")
    librepo.write("vendor/lib/x.libsonnet", IMAGE_LIB)
    librepo.write("apps/web.jsonnet", web_app("import 'lib/x.libsonnet'"))
    commit(librepo)
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB.replace("v1", "v9"))  # found before the -J folder
    assert changed_files(hako, "-J", "vendor") == {"apps/web.jsonnet": "changed"}


def test_unanalysable_library_counts_as_depending_on_everything(tmp_path: Path) -> None:
    from hako_py.review.deps import ALWAYS, DependencyScanner

    (tmp_path / "apps").mkdir()
    (tmp_path / "apps/web.jsonnet").write_text("import 'a.libsonnet'")
    (tmp_path / "apps/a.libsonnet").write_text("{ x: import ('b' + '.libsonnet') }")
    (tmp_path / "apps/ok.jsonnet").write_text("import 'ok.libsonnet'")
    (tmp_path / "apps/ok.libsonnet").write_text("{}")
    (tmp_path / "apps/bad.yml").write_text("a: [")
    scanner = DependencyScanner(str(tmp_path))
    assert ALWAYS in scanner.dependencies("apps/web.jsonnet")
    assert ALWAYS in scanner.dependencies("apps/bad.yml")
    # every hako.toml on the way down counts: the outermost one present is the app's settings
    assert scanner.dependencies("apps/ok.jsonnet") == {"apps/ok.jsonnet", "apps/ok.libsonnet", "hako.toml",
                                                       "apps/hako.toml"}


def test_a_revision_scanned_from_memory_equals_it_written_out(librepo: Repo, tmp_path: Path) -> None:
    """The base revision is scanned before it is written; both views must agree exactly."""
    from hako_py.review.deps import DependencyScanner
    from hako_py.review.git import resolve_ref
    from hako_py.review.revision import materialize, snapshot
    from hako_py.review.tree import SnapshotTree

    librepo.write("shared/v1/x.libsonnet", IMAGE_LIB)
    librepo.write("shared/v1/y.libsonnet", "import '../../apps/lib/scheduler.libsonnet'")
    os.symlink("../../shared/v1", librepo.root / "apps/lib/current")
    os.symlink(str(librepo.root / "shared"), librepo.root / "apps/lib/absolute")
    os.symlink("current/../current", librepo.root / "apps/lib/twisty")
    os.symlink("nowhere", librepo.root / "apps/lib/dangling")
    os.symlink("loop", librepo.root / "apps/lib/loop")
    for name, expr in {"a": "import 'lib/current/x.libsonnet'", "b": "import 'lib/absolute/v1/x.libsonnet'",
                       "c": "import 'lib/twisty/y.libsonnet'", "d": "import 'lib/dangling/x.libsonnet'",
                       "e": "import 'lib/loop/x.libsonnet'", "f": "importstr 'lib/current/../v1/x.libsonnet'"}.items():
        librepo.write(f"apps/{name}.jsonnet", web_app(expr))
    commit(librepo)
    files = snapshot(librepo.root, resolve_ref(librepo.root, "main").commit)
    written = tmp_path / "base"
    materialize(files, written, librepo.root)
    on_disk = DependencyScanner(str(written))
    in_memory = DependencyScanner(str(written), tree=SnapshotTree(files, str(written), str(librepo.root)))
    for name in "abcdef":
        app_file = f"apps/{name}.jsonnet"
        assert in_memory.dependencies(app_file) == on_disk.dependencies(app_file), app_file
    assert on_disk.files_in("apps") == in_memory.files_in("apps")
    assert "shared/v1/x.libsonnet" in on_disk.dependencies("apps/b.jsonnet")  # absolute link, rewritten


def test_symlinks_are_resolved_as_realpath_does(tmp_path: Path) -> None:
    import random

    from hako_py.review.tree import DiskTree, Walker

    root = Path(os.path.realpath(tmp_path))
    (root / "a/b/c").mkdir(parents=True)
    (root / "x/y").mkdir(parents=True)
    os.symlink("../x", root / "a/l")
    os.symlink(str(tmp_path), root / "a/abs")
    os.symlink("b/c/..", root / "a/m")
    os.symlink("../../a/l/y", root / "a/b/n")
    parts = ["a", "b", "c", "..", ".", "l", "y", "abs", "m", "n", "x", "", "zz"]
    chooser = random.Random(7)
    walker = Walker(DiskTree())
    for _ in range(3000):
        path = str(root) + "/" + "/".join(chooser.choice(parts) for _ in range(chooser.randint(1, 6)))
        assert walker.trace(path)[0] == os.path.realpath(path), path


def test_an_ext_code_snippet_that_imports_selects_every_app(hako: Hako, librepo: Repo) -> None:
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB)
    librepo.write("apps/web.jsonnet", web_app("{ image:: std.extVar('img').image }"))
    commit(librepo)
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB.replace("v1", "v2"))
    args = ("--ext-code", "img=import 'lib/x.libsonnet'")
    assert changed_files(hako, *args) == {"apps/web.jsonnet": "changed"}


def test_the_base_side_cannot_read_the_working_tree(hako: Hako, librepo: Repo) -> None:
    """Both revisions of an app are evaluated in one VM; each side must still be confined to its
    own folder. A base revision that, only when evaluated from the temporary folder, imports the
    working tree's copy of its library would hide a change to that library."""
    from hako_py.review.reviewer import _fast_tmp

    temporary = Path(_fast_tmp() or __import__("tempfile").gettempdir())
    depth = len(temporary.resolve().parts)  # the base revision is written to <temporary>/hako-base-*/
    escape = "../" * (depth + 1) + str(librepo.root.relative_to("/")) + "/apps/lib/x.libsonnet"
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB)
    librepo.write("apps/web.jsonnet", web_app(
        f"if std.startsWith(std.thisFile, '{temporary.resolve()}/') then import '{escape}' "
        "else import 'lib/x.libsonnet'"))
    commit(librepo)
    assert hako("render", "apps/web.jsonnet").code == 0
    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB.replace("v1", "v2"))
    assert changed_files(hako) == {"apps/web.jsonnet": "fixed"}  # at the base its import is refused


def test_a_revision_reads_the_same_from_loose_and_packed_objects(librepo: Repo) -> None:
    from hako_py.review.git import resolve_ref
    from hako_py.review.revision import snapshot

    librepo.write("apps/lib/x.libsonnet", IMAGE_LIB)
    (librepo.root / "apps/big.bin").write_bytes(bytes(range(256)) * 4000)
    os.symlink("x.libsonnet", librepo.root / "apps/lib/y.libsonnet")
    commit(librepo)
    commit_id = resolve_ref(librepo.root, "main").commit
    loose = snapshot(librepo.root, commit_id)
    git(librepo.root, "gc", "-q", "--prune=now")  # now packed: read through git cat-file
    packed = snapshot(librepo.root, commit_id)
    assert loose.entries == packed.entries
    blob = git(librepo.root, "rev-parse", "main:apps/lib/x.libsonnet").strip()
    damaged = librepo.root / ".git" / "objects" / blob[:2] / blob[2:]
    damaged.parent.mkdir(exist_ok=True)
    damaged.write_bytes(__import__("zlib").compress(b"blob 5\0evil!"))  # does not hash to its id: not taken
    assert snapshot(librepo.root, commit_id).entries == loose.entries
    assert loose.entries["apps/lib/y.libsonnet"].kind == "link" and len(loose.entries) == 6
