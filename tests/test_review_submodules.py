"""Review, validate and deploy --changed-since read a submodule's files at a revision at the
commit that revision records for it (its gitlink), from the submodule's own object store;
where that commit is not available locally they say so and what to run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Hako, Repo
from tests.test_review import app, git, gitrepo  # noqa: F401  (fixture)

L1 = "{ memory:: 256 }\n"
L2 = "{ memory:: 512 }\n"
FILE = ("-c", "protocol.file.allow=always")  # git refuses file-transport submodules by default


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The shared library's own repository, at L1."""
    root = tmp_path / "library"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    (root / "l.libsonnet").write_text(L1)
    commit_all(root, "L1")
    return root


@pytest.fixture
def superproject(gitrepo: Repo, library: Path) -> Repo:  # noqa: F811
    """An app importing vendor/l.libsonnet, where vendor is the library as a submodule."""
    git(gitrepo.root, *FILE, "submodule", "add", "-q", f"file://{library}", "vendor")
    gitrepo.write("apps/web.jsonnet", app("web", lib="../vendor/l.libsonnet"))
    commit_all(gitrepo.root, "vendor the library")
    return gitrepo


def bump(repo: Repo, library: Path, text: str = L2) -> str:
    """A new library commit, checked out in the submodule (not committed in the superproject)."""
    (library / "l.libsonnet").write_text(text)
    new = commit_all(library, "L2")
    git(repo.root / "vendor", *FILE, "fetch", "-q", "origin")
    git(repo.root / "vendor", "checkout", "-q", new)
    return new


def test_a_submodule_bump_shows_the_change_it_makes(hako: Hako, superproject: Repo, library: Path) -> None:
    bump(superproject, library)
    commit_all(superproject.root, "bump the library")
    result = hako("diff", "--base", "HEAD~1", "--exit-code")
    assert result.code == 2, result.out + result.err
    assert "== apps/web.jsonnet: changed (cpu/memory)" in result.out, result.out
    assert '-        "memory": 256,' in result.out and '+        "memory": 512,' in result.out
    assert "fixed" not in result.out and "not found" not in result.out


def test_the_checked_out_submodule_is_the_working_tree_side(hako: Hako, superproject: Repo, library: Path) -> None:
    bump(superproject, library)  # not committed: the working tree is ahead of HEAD
    changed = json.loads(hako("diff", "--base", "HEAD", "--format", "json").out)["apps"]
    assert [(a["file"], a["status"]) for a in changed] == [("apps/web.jsonnet", "changed")]


def test_an_empty_commit_after_a_bump_selects_nothing(hako: Hako, superproject: Repo, library: Path) -> None:
    bump(superproject, library)
    commit_all(superproject.root, "bump the library")
    git(superproject.root, "commit", "-q", "--allow-empty", "-m", "nothing")
    result = hako("diff", "--base", "HEAD~1", "--exit-code")
    assert result.code == 0, result.out + result.err
    assert "no changes" in result.out
    validated = hako("validate", "--changed-since", "HEAD~1")
    assert validated.code == 0 and "no definition can have changed since HEAD~1" in validated.out + validated.err
    deployed = hako("deploy", "--changed-since", "HEAD~1", "--dry-run")
    assert deployed.code == 0, deployed.out + deployed.err
    assert "Deploying 0 apps" in deployed.err and "web" not in deployed.out + deployed.err


@pytest.fixture
def shallow_clone(superproject: Repo, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CI checkout: the superproject after a bump, its submodule cloned at depth 1 (only L2)."""
    bump(superproject, library)
    commit_all(superproject.root, "bump the library")
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", f"file://{superproject.root}", str(clone))
    monkeypatch.chdir(clone)
    return clone


def test_a_submodule_commit_missing_locally_is_a_located_error(hako: Hako, shallow_clone: Path) -> None:
    git(shallow_clone, *FILE, "submodule", "update", "-q", "--init", "--depth", "1")
    old = git(shallow_clone, "rev-parse", "HEAD~1:vendor").strip()
    for args in (("diff", "--base", "HEAD~1"), ("validate", "--changed-since", "HEAD~1"),
                 ("deploy", "--changed-since", "HEAD~1", "--dry-run")):
        result = hako(*args)
        assert result.code == 1, (args, result.out, result.err)
        assert ("apps/web.jsonnet: vendor/l.libsonnet at the base revision: submodule vendor is at commit "
                f"{old[:12]} there, which is not available locally (its clone lacks that commit)") in result.err
        assert "git submodule update --init vendor" in result.err and f"fetch --depth=1 origin {old}" in result.err
        assert "fixed" not in result.out and "Traceback" not in result.err
    git(shallow_clone / "vendor", *FILE, "fetch", "-q", "--depth=1", "origin", old)  # as the message says
    assert "== apps/web.jsonnet: changed" in hako("diff", "--base", "HEAD~1").out


def test_a_submodule_no_app_reads_need_not_be_cloned(hako: Hako, shallow_clone: Path) -> None:
    git(shallow_clone, "rm", "-q", "apps/web.jsonnet")
    git(shallow_clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "no app reads vendor")
    (shallow_clone / "apps/other.jsonnet").write_text(app("other"))
    result = hako("diff", "--base", "HEAD", "--format", "json")
    assert result.code == 0, result.err
    assert {a["file"]: a["status"] for a in json.loads(result.out)["apps"]} == {"apps/other.jsonnet": "added"}


def test_an_app_rendered_only_at_the_base_says_its_submodule_is_missing(hako: Hako, shallow_clone: Path) -> None:
    (shallow_clone / "apps/web.jsonnet").unlink()  # removed: rendered at the base alone
    result = hako("diff", "--base", "HEAD")
    assert result.code == 1, result.out
    assert "apps/web.jsonnet: vendor/l.libsonnet at the base revision: submodule vendor" in result.err
    assert "(it is not cloned here)" in result.err and "removed" not in result.out


def test_a_submodule_reached_through_a_symlink_is_not_read(hako: Hako, superproject: Repo, library: Path,
                                                           tmp_path: Path) -> None:
    """A submodule whose git folder is gone is read from nowhere else: not through a working
    tree folder that is now a symlink to a clone outside the repository."""
    bump(superproject, library)
    commit_all(superproject.root, "bump the library")
    git(superproject.root, "submodule", "deinit", "-q", "-f", "vendor")
    git(superproject.root, "rm", "-q", "--cached", "vendor")  # the index no longer names it
    (superproject.root / ".git/modules/vendor").rename(tmp_path / "moved")
    (superproject.root / "vendor").rmdir()
    git(tmp_path, "clone", "-q", str(library), "outside")
    (superproject.root / "vendor").symlink_to(tmp_path / "outside")
    result = hako("diff", "--base", "HEAD~1")
    assert result.code == 1, result.out
    assert "submodule vendor is at commit" in result.err and "(it is not cloned here)" in result.err


def fed(root: Path, text: str, *args: str) -> str:
    """git with *text* on its standard input."""
    return subprocess.run(["git", *args], cwd=root, input=text, check=True, capture_output=True, text=True).stdout


def evil_commit(root: Path, entries: str) -> str:
    """A commit on HEAD's tree plus *entries* (``git ls-tree`` lines; ``{config}`` is a folder
    holding a file ``config``): git's own checks refuse to make one, ``git mktree`` does not."""
    blob = fed(root, "x\n", "hash-object", "-w", "--stdin").strip()
    config = fed(root, f"100644 blob {blob}\tconfig\n", "mktree").strip()
    tree = fed(root, git(root, "ls-tree", "HEAD") + entries.format(config=config), "mktree").strip()
    return git(root, "commit-tree", tree, "-p", "HEAD", "-m", "evil").strip()


@pytest.mark.parametrize("name", [".GIT", ".git.", "git~1", ".g\u200cit", ".."])
def test_a_path_git_would_not_check_out_is_refused_in_a_submodule(hako: Hako, superproject: Repo, library: Path,
                                                                  name: str) -> None:
    git(library, "branch", "evil", evil_commit(library, f"040000 tree {{config}}\t{name}\n"))
    git(superproject.root / "vendor", *FILE, "fetch", "-q", "origin", "evil")
    evil = git(library, "rev-parse", "evil").strip()
    git(superproject.root, "update-index", "--cacheinfo", f"160000,{evil},vendor")
    git(superproject.root, "commit", "-qm", "point vendor at it")
    result = hako("diff", "--base", "HEAD")
    assert result.code == 1, result.out
    assert f"'vendor/{name}/config' at the base revision: not a path git checks out" in result.err, result.err


@pytest.mark.parametrize("name", [".GIT", ".."])
def test_a_path_git_would_not_check_out_is_refused_in_the_repository_too(hako: Hako, gitrepo: Repo,  # noqa: F811
                                                                         name: str) -> None:
    git(gitrepo.root, "branch", "evil", evil_commit(gitrepo.root, f"040000 tree {{config}}\t{name}\n"))
    result = hako("diff", "--base", "evil")
    assert result.code == 1, result.out
    assert f"'{name}/config' at the base revision: not a path git checks out" in result.err, result.err
    assert not (gitrepo.root.parent / "config").exists()


def test_a_submodule_inside_a_submodule_is_read_at_its_recorded_commit(hako: Hako, gitrepo: Repo,  # noqa: F811
                                                                      library: Path, tmp_path: Path) -> None:
    """vendor (a submodule) holds inner (its own submodule) holding the library: a bump of the
    innermost, recorded through both, shows as the change it makes."""
    middle = tmp_path / "middle"
    middle.mkdir()
    git(middle, "init", "-q", "-b", "main")
    git(middle, *FILE, "submodule", "add", "-q", f"file://{library}", "inner")
    git(middle, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "inner")
    git(gitrepo.root, *FILE, "submodule", "add", "-q", f"file://{middle}", "vendor")
    git(gitrepo.root, *FILE, "submodule", "update", "-q", "--init", "--recursive")
    gitrepo.write("apps/web.jsonnet", app("web", lib="../vendor/inner/l.libsonnet"))
    commit_all(gitrepo.root, "vendor through two submodules")
    inner = gitrepo.root / "vendor/inner"
    (library / "l.libsonnet").write_text(L2)
    new = commit_all(library, "L2")
    git(inner, *FILE, "fetch", "-q", "origin")
    git(inner, "checkout", "-q", new)
    git(gitrepo.root / "vendor", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "bump inner")
    commit_all(gitrepo.root, "bump vendor")
    result = hako("diff", "--base", "HEAD~1")
    assert "== apps/web.jsonnet: changed (cpu/memory)" in result.out, result.out + result.err
    assert '+        "memory": 512,' in result.out
    git(gitrepo.root, "commit", "-q", "--allow-empty", "-m", "nothing")
    assert "no changes" in hako("diff", "--base", "HEAD~1").out


def test_a_path_inside_a_symlink_of_the_same_revision_is_refused(hako: Hako, gitrepo: Repo,  # noqa: F811
                                                                tmp_path: Path) -> None:
    """A crafted tree with a symlink ``x`` and a folder ``x`` (or a submodule ``x``) beside it:
    writing ``x/config`` would follow the symlink out of the folder the revision is written to."""
    outside = tmp_path / "outside"
    outside.mkdir()
    link = fed(gitrepo.root, str(outside), "hash-object", "-w", "--stdin").strip()
    git(gitrepo.root, "branch", "evil", evil_commit(gitrepo.root, f"120000 blob {link}\tx\n040000 tree {{config}}\tx\n"))
    result = hako("diff", "--base", "evil")
    assert result.code == 1, result.out
    assert "'x/config' at the base revision: inside 'x', which is a file, a symlink or a submodule" in result.err
    assert not (outside / "config").exists()
