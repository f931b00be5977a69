"""Credentials never go where a definition points (issue 13).

A real HTTP listener on loopback plays the attacker's server (and a trusted Jenkins);
every test runs the real CLI and looks at what the listener received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import FARGATE_APP, POLL, Hako, Repo, SandboxControl

SHA = "0123456789abcdef0123456789abcdef01234567"
BUILD = {"number": 7, "actions": [{"lastBuiltRevision": {"SHA1": SHA}}]}


@dataclass
class Listener:
    """A loopback HTTP server recording each request's path and Authorization header."""

    url: str = ""
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    answer: Any = field(default_factory=lambda: BUILD)
    redirect_to: str | None = None

    @property
    def credentials_received(self) -> list[str]:
        return [auth for _, auth in self.seen if auth]


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    """Two independent listeners (attacker / trusted, or trusted / redirect target)."""
    made: list[tuple[Listener, ThreadingHTTPServer]] = []

    def serve(listener: Listener) -> ThreadingHTTPServer:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.seen.append((self.path, self.headers.get("Authorization")))
                if listener.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", listener.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps(listener.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                listener.seen.append((self.path, self.headers.get("Authorization")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        listener.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    pair = [Listener(), Listener()]
    for listener in pair:
        made.append((listener, serve(listener)))
    yield pair
    for _, server in made:
        server.shutdown()
        server.server_close()


def app_with(scripts: str) -> str:
    return FARGATE_APP.rstrip().rstrip("}") + f"  scripts: {scripts},\n}}\n"


@pytest.fixture
def jenkins_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JENKINS_USER", "deploy-bot")
    monkeypatch.setenv("JENKINS_TOKEN", "s3cr3t-jenkins-token")


@pytest.mark.parametrize("command", [
    ("render", "--with-scripts"),
    ("deploy", "--dry-run", "--no-verify"),
    ("oneshot", "--dry-run", "--no-verify"),
])
def test_a_server_named_by_the_definition_never_receives_credentials(
        hako: Hako, repo: Repo, listeners: list[Listener], jenkins_env: None, aws: SandboxControl,
        monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    attacker, trusted = listeners
    monkeypatch.setenv("JENKINS_URL", trusted.url)
    repo.write("apps/web.jsonnet", app_with(f"[{{ type: 'jenkins_tag', job: 'x', server: '{attacker.url}' }}]"))
    args = [command[0], "apps/web.jsonnet", *command[1:]]
    if command[0] == "oneshot":
        args += ["--", "true"]
    result = hako(*args)
    assert attacker.credentials_received == []
    assert result.code != 0
    assert "is not in hako.toml's [scripts] allowed_servers" in result.err + result.out
    assert "s3cr3t-jenkins-token" not in result.err + result.out


def test_an_allowed_server_receives_credentials(hako: Hako, repo: Repo, listeners: list[Listener],
                                                jenkins_env: None) -> None:
    jenkins, _ = listeners
    repo.write("hako.toml", (repo.root / "hako.toml").read_text()
               + f'\n[scripts]\nallowed_servers = ["{jenkins.url}/ci"]\n')
    repo.write("apps/web.jsonnet", app_with(f"[{{ type: 'jenkins_tag', job: 'x', server: '{jenkins.url}/ci' }}]"))
    result = hako("render", "apps/web.jsonnet", "--with-scripts", "--only", "task-definition")
    assert result.code == 0, result.err
    assert json.loads(result.out)["containerDefinitions"][0]["image"].endswith(":" + SHA)
    assert jenkins.credentials_received == ["Basic ZGVwbG95LWJvdDpzM2NyM3QtamVua2lucy10b2tlbg=="]


def test_hako_toml_server_is_trusted(hako: Hako, repo: Repo, listeners: list[Listener],
                                     jenkins_env: None) -> None:
    jenkins, _ = listeners
    repo.write("hako.toml", (repo.root / "hako.toml").read_text()
               + f'\n[scripts.jenkins_tag]\nserver = "{jenkins.url}"\n')
    repo.write("apps/web.jsonnet", app_with("[{ type: 'jenkins_tag', job: 'x' }]"))
    result = hako("render", "apps/web.jsonnet", "--with-scripts", "--only", "task-definition")
    assert result.code == 0, result.err
    assert len(jenkins.credentials_received) == 1


def test_a_definition_server_without_credentials_is_fine(hako: Hako, repo: Repo,
                                                         listeners: list[Listener],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    public, _ = listeners
    for name in ("JENKINS_USER", "JENKINS_TOKEN", "JENKINS_URL"):
        monkeypatch.delenv(name, raising=False)
    repo.write("apps/web.jsonnet", app_with(f"[{{ type: 'jenkins_tag', job: 'x', server: '{public.url}' }}]"))
    result = hako("render", "apps/web.jsonnet", "--with-scripts", "--only", "task-definition")
    assert result.code == 0, result.err
    assert public.seen and public.credentials_received == []


def test_credentials_never_go_over_plain_http_except_to_loopback(
        hako: Hako, repo: Repo, jenkins_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JENKINS_URL", "http://jenkins.example.invalid:8080")
    repo.write("apps/web.jsonnet", app_with("[{ type: 'jenkins_tag', job: 'x' }]"))
    result = hako("render", "apps/web.jsonnet", "--with-scripts")
    assert result.code == 1
    assert "credentials are only sent over https (plain http only to loopback)" in result.err


def test_credentials_do_not_follow_a_redirect(hako: Hako, repo: Repo, listeners: list[Listener],
                                              jenkins_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    trusted, elsewhere = listeners
    trusted.redirect_to = elsewhere.url
    monkeypatch.setenv("JENKINS_URL", trusted.url)
    repo.write("apps/web.jsonnet", app_with("[{ type: 'jenkins_tag', job: 'x' }]"))
    hako("render", "apps/web.jsonnet", "--with-scripts")
    assert len(trusted.credentials_received) == 1
    assert elsewhere.seen and elsewhere.credentials_received == []


def test_a_tag_answered_by_the_server_must_be_a_tag(hako: Hako, repo: Repo,
                                                    listeners: list[Listener], monkeypatch: pytest.MonkeyPatch) -> None:
    jenkins, _ = listeners
    jenkins.answer = {"actions": [{"lastBuiltRevision": {"SHA1": "x\n```\n<!-- hidden"}}]}
    monkeypatch.setenv("JENKINS_URL", jenkins.url)
    repo.write("apps/web.jsonnet", app_with("[{ type: 'jenkins_tag', job: 'x' }]"))
    result = hako("render", "apps/web.jsonnet", "--with-scripts")
    assert result.code == 1
    assert "is not a Docker image tag" in result.err


def test_webhook_variable_cannot_be_chosen_by_the_definition(hako: Hako, repo: Repo,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw-LEAK@db/x")
    repo.write("apps/web.jsonnet", app_with("[{ type: 'notify_webhook', url_env: 'DATABASE_URL' }]"))
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 1
    assert "scripts[0].url_env" in result.out
    assert "pw-LEAK" not in result.out + result.err


def test_webhook_url_is_a_credential(hako: Hako, env_app: str, aws: SandboxControl,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAKO_WEBHOOK_URL", "http://hooks.example.invalid/services/T000/B000/SECRETPATH")
    result = hako("deploy", env_app, *POLL)
    assert result.code == 0
    assert "credentials are only sent over https" in result.err  # progress and scripts say it on stderr
    assert "SECRETPATH" not in result.out + result.err


@pytest.fixture
def env_app(repo: Repo, sandbox: Any, aws: SandboxControl) -> str:
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed
    from tests.conftest import service_app, unique

    cluster, subnet, group = unique("c-"), unique("subnet-"), unique("sg-")
    text = service_app(cluster, subnet, group, desired=1).rstrip().rstrip("}")
    repo.write("apps/hook.jsonnet", text + "  scripts: [{ type: 'notify_webhook' }],\n}\n")
    wanted = Wanted()
    wanted.add_app(check_file("apps/hook.jsonnet").app)
    seed(sandbox.url, wanted)
    return "apps/hook.jsonnet"


@pytest.mark.parametrize(("url", "allowed", "expected"), [
    ("https://ci.example.com/job/x", ("https://ci.example.com",), True),
    ("https://ci.example.com:443/job/x", ("https://ci.example.com",), True),
    ("https://CI.example.com/jenkins/job/x", ("https://ci.example.com/jenkins",), True),
    ("https://ci.example.com/jenkinsX/job/x", ("https://ci.example.com/jenkins",), False),
    ("https://ci.example.com/jenkins/../admin", ("https://ci.example.com/jenkins",), False),
    ("https://ci.example.com.evil.io/job/x", ("https://ci.example.com",), False),
    ("http://ci.example.com/job/x", ("https://ci.example.com",), False),
    ("https://ci.example.com:8443/job/x", ("https://ci.example.com",), False),
])
def test_allow_list_matching(url: str, allowed: tuple[str, ...], expected: bool) -> None:
    from hako_py.outbound import matches_allowed

    assert matches_allowed(url, allowed) is expected


def test_userinfo_in_a_trusted_url_is_refused() -> None:
    from hako_py.outbound import Destination, credential_problem

    problem = credential_problem(Destination("https://u:p@ci.example.com", True, "$JENKINS_URL"), ())
    assert problem == "credentials must not be part of the URL"


def test_allowed_servers_must_be_https(repo: Repo, hako: Hako) -> None:
    repo.write("hako.toml", (repo.root / "hako.toml").read_text()
               + '\n[scripts]\nallowed_servers = ["http://ci.example.com"]\n')
    repo.write("apps/web.jsonnet", FARGATE_APP)
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 1
    assert "scripts.allowed_servers: http://ci.example.com: credentials are only sent over https" in (
        result.out + result.err)
