"""Issue 13, third round: review sees what a pull request changes even when it edits
hako.toml; definition text cannot act as a GitHub Actions workflow command."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Hako, Repo
from tests.test_review import app, gitrepo  # noqa: F401  (fixture)

# -- hako.toml cannot narrow what review looks at ---------------------------------------------


def _narrow_and_edit(repo: Repo) -> None:
    """The tester's bypass: point apps at the library folder and change an app."""
    text = (repo.root / "hako.toml").read_text()
    repo.write("hako.toml", text + 'apps = "apps/lib"\n')
    repo.write("apps/alpha.jsonnet", app("alpha").replace("tag: 'v1'", "tag: 'v9.9.9'"))


def test_a_narrowed_apps_folder_still_reviews_the_base_revisions_apps(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    _narrow_and_edit(gitrepo)
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 2, (result.out, result.err)
    assert "apps/alpha.jsonnet: changed" in result.out and "v9.9.9" in result.out
    assert 'apps: (not set) → "apps/lib"' in result.out.split("\n== apps/")[0]  # first, before the apps
    assert "hako.toml settings changed" in result.out.splitlines()[-1]

    markdown = hako("diff", "--base", "main", "--format", "markdown").out
    assert markdown.index("hako.toml changed") < markdown.index("<code>apps/alpha.jsonnet</code>")

    listed = json.loads(hako("diff", "--base", "main", "--format", "json").out)
    assert listed["settings"] == ['apps: (not set) → "apps/lib"']
    assert [a["file"] for a in listed["apps"]] == ["apps/alpha.jsonnet"]

    validate = hako("validate", "--changed-since", "main")
    assert "no definition can have changed" not in validate.err
    assert "4 definitions checked" in validate.err and "hako.toml changed" in validate.err


def test_a_setting_no_request_shows_is_reported_and_exits_2(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    """[scripts] allowed_servers changes no rendered request, but what hako trusts."""
    text = (gitrepo.root / "hako.toml").read_text()
    gitrepo.write("hako.toml", text + '\n[scripts]\nallowed_servers = ["https://ci.example.com"]\n')
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 2, (result.out, result.err)
    assert 'scripts: (not set) → {"allowed_servers": ["https://ci.example.com"]}' in result.out


def test_comments_in_hako_toml_are_no_setting_change(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    text = (gitrepo.root / "hako.toml").read_text()
    gitrepo.write("hako.toml", "# maintained by the platform team\n" + text)
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 0, (result.out, result.err)
    assert "hako.toml" not in result.out


@pytest.mark.parametrize("apps", ["apps/lib", "nowhere"])
def test_a_widened_or_moved_apps_folder_keeps_the_base_apps(hako: Hako, gitrepo: Repo, apps: str) -> None:  # noqa: F811
    gitrepo.write("hako.toml", (gitrepo.root / "hako.toml").read_text() + f'apps = "{apps}"\n')
    (gitrepo.root / "apps/beta.jsonnet").unlink()
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 2
    assert "apps/beta.jsonnet: removed" in result.out, result.out


# -- definition text cannot run GitHub Actions workflow commands ------------------------------

INJECTED = ("oops\\n::error title=Deploy approved::all checks passed\\nsee ##[add-mask]DescribeServices"
            "\\n\\t ::warning::tab\\u2028  ::notice::separator\\r::debug::cr\\u0085::group::nel")


def acted_on(output: str) -> list[str]:
    """Lines the Actions runner would take as workflow commands: '::' after leading
    whitespace (TrimStart), or '##[' anywhere; every Unicode line break counts."""
    lines = output.replace("\r\n", "\n")
    for separator in "\r\x85\u2028\u2029":
        lines = lines.replace(separator, "\n")
    return [line for line in lines.split("\n") if line.lstrip().startswith("::") or "##[" in line]


def test_workflow_commands_in_definitions_are_inert_in_every_output(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    gitrepo.write("apps/e.jsonnet", app("e", env=f"X: error '{INJECTED}'"))
    gitrepo.write("apps/v.jsonnet", app("v", env=f"X: '{INJECTED}'"))
    runs = [
        ("validate", "apps/e.jsonnet"), ("validate", "apps/"), ("validate", "-o", "json", "apps/e.jsonnet"),
        ("render", "apps/e.jsonnet"), ("render", "apps/v.jsonnet"),
        ("show-definition", "apps/e.jsonnet"), ("show-definition", "apps/v.jsonnet"),
        ("diff", "--base", "main"), ("diff", "--base", "main", "--format", "markdown"),
        ("deploy", "apps/e.jsonnet"),
    ]
    for args in runs:
        result = hako(*args)
        assert "add-mask" in result.out + result.err, (args, result.out, result.err)  # the text is shown...
        assert acted_on(result.out) == [] and acted_on(result.err) == [], (args, result.out, result.err)  # inert


def test_a_workflow_command_split_across_writes_is_inert() -> None:
    import io

    from hako_py.printable import InertStream

    sink = io.StringIO()
    stream = InertStream(sink)
    for piece in ("ok\n", "  ", ":", ":error::x\n", "a #", "#", "[add-mask]y\n", "\u2028:", ":set-output\n"):
        stream.write(piece)
    assert acted_on(sink.getvalue()) == []
    assert sink.getvalue().replace("\u200b", "") == "ok\n  ::error::x\na ##[add-mask]y\n\u2028::set-output\n"
    plain = io.StringIO()
    InertStream(plain).write("arn:aws:iam::123456789012:role/x\n  a::b\n")
    assert plain.getvalue() == "arn:aws:iam::123456789012:role/x\n  a::b\n"  # no other line changes
