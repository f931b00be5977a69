"""Review never lists, renders or names a file outside the repository, whatever hako.toml
(written by the pull request) or a PATH argument says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Hako, Repo
from tests.test_review import app, git, gitrepo  # noqa: F401  (fixture)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Definitions beside the repository, which review must never show."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    for place in (folder, tmp_path):
        (place / "secret.jsonnet").write_text("{ app: { image: 'x' } }\n")
    return folder


@pytest.mark.parametrize("apps", ["../..", "..", "/"])
def test_hako_toml_apps_outside_the_repository(hako: Hako, gitrepo: Repo, outside: Path, apps: str) -> None:  # noqa: F811
    gitrepo.write("hako.toml", f'region = "us-east-1"\napps = "{apps}"\n')
    for args in (("diff", "--base", "main"), ("diff", "--base", "main", "--format", "markdown"),
                 ("validate", "--changed-since", "main")):
        result = hako(*args)
        assert result.code == 1, (args, result.out, result.err)
        assert f"hako.toml: apps: '{apps}' escapes the repository root" in result.err, result.err
        assert "secret" not in result.out + result.err and "Traceback" not in result.err


def test_hako_toml_apps_through_a_symlink_out_of_the_repository(hako: Hako, gitrepo: Repo,  # noqa: F811
                                                                 outside: Path) -> None:
    os.symlink(outside, gitrepo.root / "defs")
    gitrepo.write("hako.toml", 'region = "us-east-1"\napps = "defs"\n')
    result = hako("diff", "--base", "main")
    assert result.code == 1
    assert "hako.toml: apps: 'defs' resolves (through a symlink) to" in result.err
    assert "outside the repository root" in result.err and "secret.jsonnet" not in result.out


def test_base_revision_apps_folder_symlinked_out_of_the_repository(hako: Hako, gitrepo: Repo,  # noqa: F811
                                                                    outside: Path) -> None:
    gitrepo.write("hako.toml", 'region = "us-east-1"\napps = "defs"\n')
    os.symlink(outside, gitrepo.root / "defs")
    git(gitrepo.root, "add", "-A")
    git(gitrepo.root, "commit", "-qm", "apps folder is a symlink out of the repository")
    git(gitrepo.root, "branch", "-f", "old")
    os.unlink(gitrepo.root / "defs")
    (gitrepo.root / "defs").mkdir()
    result = hako("diff", "--base", "old")
    assert result.code == 1 and "Traceback" not in result.err
    assert "defs (at old): resolves (through a symlink) outside the repository root" in result.err
    assert "secret.jsonnet" not in result.out


def test_a_path_argument_outside_the_repository(hako: Hako, gitrepo: Repo, outside: Path) -> None:  # noqa: F811
    for args in (("diff", "--base", "main", str(outside)), ("validate", "--changed-since", "main", str(outside))):
        result = hako(*args)
        assert result.code != 0, (args, result.out)
        assert "outside the repository" in result.err and "secret" not in result.out


def test_hako_toml_symlinked_out_of_the_repository(hako: Hako, gitrepo: Repo, tmp_path: Path) -> None:  # noqa: F811
    elsewhere = tmp_path / "credentials.toml"
    elsewhere.write_text('[registry]\ntoken = "s3cr3t-token"\n')
    (gitrepo.root / "hako.toml").unlink()
    os.symlink(elsewhere, gitrepo.root / "hako.toml")
    gitrepo.write("apps/beta.jsonnet", "local h = std.extVar('hako');\n" + app("beta", env="T: h.registry.token"))
    for args in (("diff", "--base", "main"), ("render", "apps/beta.jsonnet")):
        result = hako(*args)
        assert result.code == 1, (args, result.out)
        assert "s3cr3t-token" not in result.out + result.err
        assert "hako.toml: 'hako.toml' resolves (through a symlink) to" in result.err + result.out, result.err
