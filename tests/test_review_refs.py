"""How every command that takes a base revision (diff --base, validate/deploy --changed-since)
resolves it: a name that is no commit, git's null id and an ambiguous name each get a message
that says what happened, and reports say which commit the base was."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Hako, Repo
from tests.test_review import app, git, gitrepo  # noqa: F401  (fixture)

# every command that takes a ref, as a user types it (deploy selects before it talks to AWS)
COMMANDS = [("diff", "--base"), ("validate", "--changed-since"), ("deploy", "--changed-since")]


def short(repo: Repo, rev: str) -> str:
    return git(repo.root, "rev-parse", "--short", rev).strip()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("ref", ["HEAD~1:", "HEAD~1:apps", "main:apps/alpha.jsonnet", "HEAD^{tree}"])
def test_a_tree_or_file_of_a_revision_is_no_commit(hako: Hako, gitrepo: Repo, command: tuple[str, str],  # noqa: F811
                                                   ref: str) -> None:
    git(gitrepo.root, "commit", "-q", "--allow-empty", "-m", "second")
    result = hako(*command, ref)
    assert result.code == 1, result.out + result.err
    assert "fetch" not in result.err and "Traceback" not in result.err
    assert f"base revision '{ref}' names a" in result.err and "not a commit" in result.err, result.err
    if ":" in ref:
        assert f"e.g. '{ref.partition(':')[0]}'" in result.err


def test_a_path_of_a_missing_revision_says_so(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    result = hako("diff", "--base", "nosuch:")
    assert result.code == 1
    assert "REV:PATH names a file or folder of a revision, not a commit" in result.err and "fetch" not in result.err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("null", ["0" * 40, "0" * 64])
def test_the_null_id_means_no_previous_commit(hako: Hako, gitrepo: Repo, command: tuple[str, str],  # noqa: F811
                                              null: str) -> None:
    result = hako(*command, null)
    assert result.code == 1, result.out + result.err
    assert "there is no previous commit" in result.err and "hako deploy apps/" in result.err, result.err
    assert "fetch it first" not in result.err and "Traceback" not in result.err


def test_a_missing_revision_still_says_how_to_fetch_it(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    result = hako("diff", "--base", "origin/feature")
    assert result.code == 1
    assert "fetch it first (e.g. git fetch --depth=1 origin feature)" in result.err


def test_the_fetch_hint_quotes_the_ref_for_the_shell(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    result = hako("diff", "--base", "feature;$(touch pwned)")
    assert result.code == 1
    assert "(e.g. git fetch --depth=1 origin 'feature;$(touch pwned)')" in result.err


def test_a_ref_that_looks_like_an_option_is_a_revision(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    result = hako("diff", "--base=--output=x")
    assert result.code == 1
    assert "base revision '--output=x' not found" in result.err
    assert not (gitrepo.root / "x").exists()


@pytest.fixture
def ambiguous(gitrepo: Repo) -> Repo:  # noqa: F811
    """A tag ``main`` on the first commit beside the branch ``main``, which moved on."""
    git(gitrepo.root, "tag", "main")
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 128"))
    git(gitrepo.root, "commit", "-qam", "beta cpu")
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 256"))
    return gitrepo


def test_an_ambiguous_ref_is_resolved_as_git_does_with_its_warning(hako: Hako, ambiguous: Repo) -> None:
    tag = short(ambiguous, "refs/tags/main")
    result = hako("diff", "--base", "main")
    assert result.code == 0, result.err
    assert "warning: refname 'main' is ambiguous (refs/tags/main, refs/heads/main)" in result.err, result.err
    assert f"'main' resolved to {tag} through refs/tags/main, not refs/heads/main" in result.err
    assert f"(against main at {tag};" in result.out
    assert "+        \"cpu\": 256," in result.out and "-        \"cpu\": 128," not in result.out  # the tag's side
    explicit = hako("diff", "--base", "refs/heads/main")
    assert "ambiguous" not in explicit.err
    assert '-        "cpu": 128,' in explicit.out
    for command in COMMANDS[1:]:
        other = hako(*command, "main", "--dry-run" if command[0] == "deploy" else "--quiet")
        assert "warning: refname 'main' is ambiguous" in other.err, (command, other.err)


def test_every_report_says_which_commit_the_base_was(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: 128"))
    commit = git(gitrepo.root, "rev-parse", "main").strip()
    at = short(gitrepo, "main")
    text = hako("diff", "--base", "main")
    assert f"1 changed (against main at {at};" in text.out
    markdown = hako("diff", "--base", "main", "--format", "markdown")
    assert f"### hako diff against <code>main</code> (<code>{at}</code>)" in markdown.out
    data = json.loads(hako("diff", "--base", "main", "--format", "json").out)
    assert data["base"] == "main" and data["commit"] == commit and data["warnings"] == []
    by_id = hako("diff", "--base", commit[:10])
    assert f"(against {commit[:10]};" in by_id.out  # the id itself is not repeated
    git(gitrepo.root, "checkout", "-q", "apps/beta.jsonnet")
    unchanged = hako("validate", "--changed-since", "main")
    assert f"no definition can have changed since main at {at}" in unchanged.err + unchanged.out
    deployed = hako("deploy", "--changed-since", "main", "--dry-run")
    assert f"Deploying 0 apps changed since main at {at}," in deployed.err, deployed.err
