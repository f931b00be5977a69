"""Secrets stay secret (issue 13): values hidden by their shape as well as their name, and
never quoted back by an error message or a report. Every test runs the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FARGATE_APP, Hako, Repo

# One value per credential shape (all fake), each carrying a LEAK marker to search for.
SHAPED = {
    "DATABASE_URL": "postgres://app:LEAK1pw@db.internal/app",
    "SENTRY_DSN": "https://LEAK2abcdef0123456789@o1.ingest.sentry.io/1",
    "UPSTREAM": "AKIALEAK3XYZ0123456Z",
    "GH": "ghp_LEAK4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "CHAT": "xoxb-LEAK5-0123456789-abcdefghij",
    "SIGNER": "-----BEGIN RSA PRIVATE KEY-----LEAK6...",
    "HOOK": "https://hooks.slack.com/services/T0/B0/LEAK7xxxxxxx",
}
NAMED = {"DB_PASS": "LEAK8pw", "MY_PWD": "LEAK9pw"}
MARKERS = [f"LEAK{n}" for n in range(1, 11)]


def leaky_app() -> str:
    env = ", ".join(f"{name}: {json.dumps(value)}" for name, value in {**SHAPED, **NAMED}.items())
    return FARGATE_APP.replace("memory: 256,\n  },", "memory: 256,\n    env: { " + env + ", PORT: '3000' },\n"
                               "    log_configuration: { log_driver: 'awsfirelens', options: { Name: 'datadog', "
                               "apikey: 'LEAK10key' } },\n  },")


def assert_clean(text: str) -> None:
    found = [marker for marker in MARKERS if marker in text]
    assert not found, f"secret values printed: {found}"


def test_values_are_masked_by_shape_in_render_and_show_definition(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", leaky_app())
    render = hako("render", "apps/web.jsonnet")
    assert render.code == 0, render.err
    assert_clean(render.out + render.err)
    environment = json.loads(render.out)["taskDefinition"]["containerDefinitions"][0]["environment"]
    assert {e["name"]: e["value"] for e in environment}["PORT"] == "3000"  # ordinary values stay visible
    shown = hako("show-definition", "apps/web.jsonnet", "--format", "yaml")
    assert shown.code == 0
    assert_clean(shown.out + shown.err)
    revealed = hako("render", "apps/web.jsonnet", "--reveal-secrets")
    assert all(marker in revealed.out for marker in MARKERS)


def test_validate_warns_with_located_messages(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", leaky_app())
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 0
    for name in [*SHAPED, *NAMED]:
        assert f"apps/web.jsonnet: app.env.{name}: warning: " in result.out, name
        assert "move it to secrets" in result.out
    assert "app.log_configuration.options.apikey: warning:" in result.out
    assert_clean(result.out + result.err)


def test_pr_review_masks_values_by_shape_in_every_format(hako: Hako, repo: Repo) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo.root, check=True)
    repo.write("apps/web.jsonnet", FARGATE_APP)
    subprocess.run(["git", "add", "-A"], cwd=repo.root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=repo.root,
                   check=True)
    repo.write("apps/web.jsonnet", leaky_app())
    for fmt in ("text", "markdown", "json"):
        result = hako("diff", "--base", "main", "--format", fmt)
        assert result.code == 0, result.err
        assert "apps/web.jsonnet" in result.out
        assert_clean(result.out + result.err)


def test_a_changed_shaped_secret_shows_as_changed(hako: Hako, repo: Repo) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo.root, check=True)
    repo.write("apps/web.jsonnet", leaky_app())
    subprocess.run(["git", "add", "-A"], cwd=repo.root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=repo.root,
                   check=True)
    repo.write("apps/web.jsonnet", leaky_app().replace("LEAK1pw", "LEAK1other"))
    result = hako("diff", "--base", "main")
    assert '"value": "postgres://<masked, changed>@db.internal/app"' in result.out  # only the secret part hidden
    assert_clean(result.out)


@pytest.mark.parametrize(("args", "code"), [
    (("--ext-str", "DB_PASSWORD=pw-NNN456"), "std.parseInt(std.extVar('DB_PASSWORD'))"),
    (("--ext-code", "DB_PASSWORD=hunter2"), "std.extVar('DB_PASSWORD')"),
    (("--ext-str", "PLAIN=LEAKplain-value"), "std.parseInt(std.extVar('PLAIN'))"),
])
def test_ext_var_values_never_appear_in_errors(hako: Hako, repo: Repo, args: tuple[str, str], code: str) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace("tag: 'v1',", f"tag: 'v1', cpu: {code},"))
    value = args[1].partition("=")[2]
    for command in (("render",), ("validate",), ("show-definition",)):
        result = hako(*command, "apps/web.jsonnet", *args)
        assert result.code == 1
        assert "apps/web.jsonnet" in result.out + result.err
        assert value not in result.out + result.err
        assert "<masked>" in result.out + result.err


def test_provider_values_never_appear_in_errors(hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAKO_TEST_PROVIDED", "LEAK-provided-value")
    repo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', cpu: std.parseInt(std.native('provide.env')('{}', 'HAKO_TEST_PROVIDED')),"))
    result = hako("render", "--expand", "apps/web.jsonnet")
    assert result.code == 1
    assert "not a base 10 integer" in result.err
    assert "LEAK-provided-value" not in result.err


def test_review_error_text_hides_ext_var_values(hako: Hako, repo: Repo) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo.root, check=True)
    repo.write("apps/web.jsonnet", FARGATE_APP)
    subprocess.run(["git", "add", "-A"], cwd=repo.root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=repo.root,
                   check=True)
    repo.write("apps/web.jsonnet", FARGATE_APP.replace("tag: 'v1',", "tag: 'v1', cpu: std.parseInt(std.extVar('T')),"))
    result = hako("diff", "--base", "main", "--format", "markdown", "--ext-str", "T=LEAK-token-x")
    assert "broken" in result.out
    assert "LEAK-token-x" not in result.out + result.err


def test_show_definition_of_an_invalid_file_masks_environment_pairs(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace(
        "memory: 256,\n  },", "memory: 256,\n    environment: [{ name: 'DB_PASSWORD', value: 'LEAK-pair' }],\n  },"))
    result = hako("show-definition", "apps/web.jsonnet")
    assert result.code == 0
    assert "LEAK-pair" not in result.out
    assert '"value": "<masked>"' in result.out


@pytest.mark.parametrize("container", [
    "secrets: [{ name: '', value_from: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/x' }]",
    "env: { '': 'value' }",
    "env: { 'A=B': 'value' }",
])
def test_variable_names_that_cannot_exist_are_refused(hako: Hako, repo: Repo, container: str) -> None:
    repo.write("apps/web.jsonnet", FARGATE_APP.replace("memory: 256,\n  },", f"memory: 256,\n    {container},\n  }},"))
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 1
    assert "variable name" in result.out


def test_redaction_hides_remembered_values_in_any_error() -> None:
    script = ("from hako_py.redaction import remember, redact\n"
              "remember(['hunter2-secret'])\n"
              "print(redact('Docker: invalid env entry DB_PASSWORD=hunter2-secret and postgres://u:pw@h/x'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert "hunter2-secret" not in out and "u:pw@" not in out
    assert out.count("<masked>") == 2
