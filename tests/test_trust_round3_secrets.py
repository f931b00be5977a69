"""Issue 13, third round: secrets an outside tester still saw printed.

Each class is tested through the real CLI (render, show-definition, validate, PR review):
credential shapes the earlier patterns missed, secrets quoted by error messages, the
``env`` provider handing over credentials by a name or value it did not recognise, and
``--ext-str`` secrets printed once transformed."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FARGATE_APP, Hako, Repo


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def committed(repo: Repo, text: str = FARGATE_APP) -> None:
    """A git repository whose base commit holds *text* as apps/web.jsonnet."""
    git(repo.root, "init", "-q", "-b", "main")
    repo.write("apps/web.jsonnet", text)
    git(repo.root, "add", "-A")
    git(repo.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")


def with_app(fields: str) -> str:
    """FARGATE_APP with more fields in its app container."""
    return FARGATE_APP.replace("memory: 256,\n  },", f"memory: 256,\n    {fields}\n  }},")


# --- credential shapes: one value per shape (all fake), each with a marker to look for -----

SHAPED_ENV = {
    "CALLBACK": "https://api.example.com/cb?access_token=LEAKa1&x=1",
    "HOOK_URL": "https://h.example.com/cb?auth_token=LEAKa2",
    "OAUTH_URL": "https://id.example.com/t?client_secret=LEAKa3&client_id=web",
    "GITLAB": "glpat-LEAKa4xxxxxxxxxxxxxxxx",
    "NPM": "npm_LEAKa5xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "OPENAI": "sk-proj-LEAKa6xxxxxxxxxxxxxxxxxxxxxx",
    "GH": "ghs_LEAKa7xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "STRIPE": "rk_live_LEAKa8xxxxxxxxxxxxxx",
    "SENDGRID": "SG.LEAKa9xxxxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    "HF": "hf_LEAKb1xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "DISCORD": "https://discord.com/api/webhooks/123456789/LEAKb2xxxx",
    "BLOB": "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=LEAKb3%3D",
    "DATABASE_URL": "postgres://app:p@LEAKb4ss@db.internal/app",
    "UPSTREAM": "ASIALEAKB5XYZ0123456",
    "GOOGLE": "AIzaLEAKb6xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
}
SHAPED_COMMANDS = {
    "health_check": "{ command: ['CMD-SHELL', \"curl -fsS -H 'Authorization: Bearer LEAKc1token' "
                    "http://localhost/health || exit 1\"] }",
    "command": "['sh', '-c', 'curl -u admin:LEAKc2pw http://localhost:8080/ && mysql -h db -uroot -pLEAKc3pw -e x']",
    "entry_point": "['curl', '-u', 'admin:LEAKc4pw', 'http://localhost/']",
}
SHAPE_MARKERS = ["LEAKa", "LEAKb", "LEAKB", "LEAKc"]


def shaped_app() -> str:
    env = ", ".join(f"{name}: {json.dumps(value)}" for name, value in SHAPED_ENV.items())
    commands = " ".join(f"{key}: {value}," for key, value in SHAPED_COMMANDS.items())
    return with_app(f"env: {{ {env}, PORT: '3000' }}, {commands}")


def assert_no_shape_leaks(text: str) -> None:
    found = [line for line in text.splitlines() if any(marker in line for marker in SHAPE_MARKERS)]
    assert not found, f"credentials printed: {found}"


def test_credential_shapes_are_masked_in_render_and_show_definition(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", shaped_app())
    for command in (("render",), ("show-definition",), ("render", "--format", "yaml")):
        result = hako(*command, "apps/web.jsonnet")
        assert result.code == 0, result.err
        assert_no_shape_leaks(result.out + result.err)
    rendered = json.loads(hako("render", "apps/web.jsonnet").out)["taskDefinition"]["containerDefinitions"][0]
    environment = {e["name"]: e["value"] for e in rendered["environment"]}
    # only the credential is hidden: what the value and the command do stays readable
    assert environment["CALLBACK"] == "https://api.example.com/cb?access_token=<masked>&x=1"
    assert environment["DATABASE_URL"] == "postgres://<masked>@db.internal/app"
    assert environment["PORT"] == "3000"
    assert "Authorization: Bearer <masked>" in rendered["healthCheck"]["command"][1]
    assert rendered["entryPoint"] == ["curl", "-u", "<masked>", "http://localhost/"]
    revealed = hako("render", "--reveal-secrets", "apps/web.jsonnet").out
    assert all(marker in revealed for marker in ("LEAKa1", "LEAKb4", "LEAKc1", "LEAKc4"))


def test_validate_warns_for_each_credential_shape(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", shaped_app())
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 0, result.out
    for name in SHAPED_ENV:
        assert f"apps/web.jsonnet: app.env.{name}: warning: holds a credential-shaped value" in result.out, name
    for where in ("app.health_check.command[1]", "app.command[2]", "app.entry_point[2]"):
        assert f"apps/web.jsonnet: {where}: warning: looks like a credential" in result.out, where
    assert_no_shape_leaks(result.out + result.err)


def test_pr_review_masks_every_credential_shape(hako: Hako, repo: Repo) -> None:
    committed(repo)
    repo.write("apps/web.jsonnet", shaped_app())
    for fmt in ("text", "markdown", "json"):
        result = hako("diff", "--base", "main", "--format", fmt)
        assert result.code == 0, result.err
        assert "apps/web.jsonnet" in result.out
        assert_no_shape_leaks(result.out + result.err)


@pytest.mark.parametrize("text", [
    "ssh://git@github.com/org/repo", "docker run -u 1000:1000 app", "mkdir -p /var/app && exec app",
    "curl -H 'Authorization: Bearer $TOKEN' http://localhost/", "https://example.com/list?page=2&sort=asc",
])
def test_ordinary_values_are_no_credentials(text: str) -> None:
    from hako_py.secret_detection import has_secret_shape, hide_shapes

    assert not has_secret_shape(text)
    assert hide_shapes(text, "<masked>") == text


ADVERSARIAL = {
    "letters": "a" * 1_000_000, "underscores": "_" * 1_000_000, "mysql": "mysql " * 170_000,
    "flags": "-u " * 330_000, "dashes": "sk-" * 330_000, "colons": "://" + ":" * 1_000_000,
    "userinfo": "://" + "a:@" * 330_000, "urls": "a://b@" * 170_000, "pairs": "token=" * 170_000,
    "bearer": "bearer " * 150_000, "headers": "x-" * 500_000, "authorization": "authorization " * 70_000,
    "prefixes": "ghp_" * 250_000, "quotes": '"password" ' * 100_000, "base64": "Ab9+" * 250_000,
    "hex": "0123456789abcdef" * 62_500, "glued": "-p" * 500_000, "discord": "discord.com/api/webhooks/" * 40_000,
}


def _components() -> dict[str, Callable[[str], object]]:
    """Each pattern and function of hako_py.credential_shapes on its own."""
    from hako_py import credential_shapes as shapes

    found: dict[str, Callable[[str], object]] = {
        "tokens": lambda text: list(shapes._TOKENS.finditer(text)),
        "userinfo": lambda text: list(shapes._userinfo_spans(text)),
        "checked": lambda text: list(shapes._checked_spans(text)),
        "looks_random": shapes.looks_random,
        "secret_arguments": lambda text: shapes.secret_arguments(list(text[:200_000])),
    }
    for index, label in enumerate(shapes._LABELS):
        found[f"label {index}"] = lambda text, label=label: list(label.finditer(text))  # type: ignore[misc]
    return found


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_each_new_shape_is_linear_on_a_megabyte(name: str) -> None:
    text = ADVERSARIAL[name]
    for component, check in _components().items():
        started = time.process_time()  # CPU time: a loaded machine does not count against it
        check(text)
        assert time.process_time() - started < 1.0, (name, component)


@pytest.mark.parametrize("token", [
    "ghp_" + "a" * 36, "gho_" + "a" * 36, "ghs_" + "a" * 36, "github_pat_" + "a" * 60, "glpat-" + "a" * 20,
    "npm_" + "a" * 36, "sk-proj-" + "a" * 40, "sk-ant-api03-" + "a" * 40, "sk_live_" + "a" * 24,
    "rk_live_" + "a" * 24, "whsec_" + "a" * 32, "SG." + "a" * 22 + "." + "b" * 43, "AIza" + "a" * 35,
    "ya29." + "a" * 40, "hf_" + "a" * 34, "dop_v1_" + "a" * 64, "shpat_" + "a" * 32, "pypi-AgE" + "a" * 60,
    "hvs." + "a" * 24, "dp.pt." + "a" * 43, "PMAK-" + "a" * 24 + "-" + "b" * 34, "glsa_" + "a" * 32 + "_" + "b" * 8,
    "NRAK-" + "A" * 27, "lin_api_" + "a" * 40, "ATATT" + "a" * 40, "dapi" + "a" * 32, "key-" + "a" * 32,
    "sq0atp-" + "a" * 22, "123456789:AA" + "a" * 33, "abcdefghijklmn.atlasv1." + "a" * 60, "SK" + "a" * 32,
    "xoxp-" + "1" * 20, "xoxb-" + "1" * 20, "AKIA" + "A" * 16, "ASIA" + "A" * 16,
])
def test_well_known_tokens_are_recognised_after_any_separator(token: str) -> None:
    from hako_py.secret_detection import has_secret_shape, hide_shapes

    for text in (token, f"KEY_{token}", f"x={token}&y=1", f"Token {token} here"):
        assert has_secret_shape(text), text
        assert token not in hide_shapes(text, "<masked>"), text


# --- the env provider: names and values that say "credential" in other words --------------

ENV_APP = FARGATE_APP.replace("tag: 'v1',", "tag: 'v1', env: { K: std.native('provide.env')('{}', '%s') },")
KUBE_CONFIG = "YXBpVmVyc2lvbjogdjEKY2x1c3RlcnM6Ci0gY2x1c3RlcjoKICAgIGNlcnRpZmljYXRlLWF1dGhvcml0eS1kYXRhOiBMUzB0"


@pytest.mark.parametrize(("name", "value"), [
    ("KUBE_CONFIG_DATA", KUBE_CONFIG),
    ("DOCKERHUB_CREDS", "user:pw123"),
    ("SONAR_LOGIN", "0123456789abcdef0123456789abcdef01234567"),
    ("KUBECONFIG", "/home/ci/.kube/config"),
    ("SIGNING_CERT", "MIIB"),
    ("BUILD_METADATA", "x8Kq2LmZ7vR4tY9pW3sN6bH1cJ5dF0gA"),  # random-looking under an innocent name
    ("DEPLOY_HASH", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),  # 64 hex digits
    ("NOTIFY", "https://h.example.com/x?access_token=abcdef"),  # credential-shaped
])
def test_provide_env_refuses_credentials_by_name_shape_or_randomness(
        hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    repo.write("apps/web.jsonnet", ENV_APP % name)
    refused = hako("render", "--expand", "apps/web.jsonnet")
    assert refused.code == 1
    assert f"${name} cannot be read by a definition" in refused.err
    assert f'[providers.env] allow = ["{name}"]' in refused.err  # says how to allow it
    assert value not in refused.out + refused.err
    repo.write("hako.toml", (repo.root / "hako.toml").read_text() + f'[providers.env]\nallow = ["{name}"]\n')
    allowed = hako("render", "--expand", "--reveal-secrets", "--only", "task-definition", "apps/web.jsonnet")
    assert allowed.code == 0, allowed.err
    assert json.loads(allowed.out)["containerDefinitions"][0]["environment"] == [{"name": "K", "value": value}]


@pytest.mark.parametrize(("name", "value"), [
    ("RELEASE_NAME", "r42"), ("APP_ENV", "production"), ("HAKO_TEST_PATH", "/usr/local/bin:/usr/bin:/bin"),
    ("BUILD_LABEL", "my-service-name-production-2024-01-02"),
])
def test_provide_env_still_reads_ordinary_values(
        hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    repo.write("apps/web.jsonnet", ENV_APP % name)
    result = hako("render", "--expand", "--only", "task-definition", "apps/web.jsonnet")
    assert result.code == 0, result.err
    assert json.loads(result.out)["containerDefinitions"][0]["environment"] == [{"name": "K", "value": value}]


# --- errors and warnings never print what render hides ---------------------------------------

ERROR_CASES = {
    # evaluation fails: no definition exists, the literal bound to a secret-looking name is hidden
    "parse-int": ("hunter-NNN456", with_app("env: { DB_PASSWORD: std.parseInt('hunter-NNN456') },")),
    "local": ("hunter-local-pw", "local db_pass = 'hunter-local-pw';\n" + FARGATE_APP.replace(
        "tag: 'v1',", "tag: 'v1', cpu: std.parseInt(db_pass),")),
    "shaped": ("LEAKshape", with_app("cpu: std.parseInt('glpat-LEAKshapexxxxxxxxxxxxxxx'),")),
    # the definition evaluates but is invalid: the values render would hide are hidden
    "validation": ("hunter2secret", "local pw = 'hunter2secret';\n" + with_app("env: { DB_PASSWORD: pw }, cpu: pw,")),
    "validation-shape": ("LEAKuserinfo", "local url = 'postgres://app:p@LEAKuserinfo@db/x';\n"
                         + with_app("env: { DATABASE_URL: url }, essential: url,")),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_never_quote_a_secret(hako: Hako, repo: Repo, case: str) -> None:
    secret, text = ERROR_CASES[case]
    committed(repo)
    repo.write("apps/web.jsonnet", text)
    for command in (("render", "apps/web.jsonnet"), ("validate", "apps/web.jsonnet"),
                    ("validate", "--output", "json", "apps/web.jsonnet"),
                    ("diff", "--base", "main", "--format", "markdown"), ("diff", "--base", "main", "--format", "json")):
        result = hako(*command)
        assert result.code == 1 or "broken" in result.out, (command, result.out, result.err)
        assert "<masked>" in result.out + result.err, (command, result.out, result.err)
        assert secret not in result.out + result.err, command


def test_warnings_never_quote_a_secret(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", "local pw = 'hunter2warned';\n" + with_app(
        "env: { DB_PASSWORD: pw }, health_check: { command: [pw, 'x'] },"))
    result = hako("validate", "apps/web.jsonnet")
    assert result.code == 0, result.out
    assert "app.health_check.command[0]: warning: '<masked>' is run as an exec-form command" in result.out
    assert "hunter2warned" not in result.out + result.err


def test_secret_literals_follow_bindings_not_text() -> None:
    from hako_py.redaction import secret_literals

    source = """
    local secret = @'ver''b', other = 'visible1';
    { a: 'visible2', DB_PASSWORD: std.parseInt('pw-' + "q\\u0041"), c: { password:: { k: 'deep' }, d: 'visible3' },
      'API_KEY': |||
        block
      |||, e: f(token='named', z='visible4') } // password: 'comment'
    """
    found = secret_literals(source)
    assert found == ["ver'b", "pw-", "qA", "deep", "block", "named"]
    nested = "{ password: " * 20_000 + "'x'" + "}" * 20_000
    started = time.process_time()
    assert secret_literals(nested) == ["x"]
    assert time.process_time() - started < 2.0  # one pass, whatever the nesting


# --- --ext-str secrets: hidden in every output, also changed in case or cut --------------------

EXT_CASES = {
    "verbatim": ("env: { A: std.extVar('DB_PASSWORD') },", 0),
    "upper": ("env: { A: 'x-' + std.asciiUpper(std.extVar('DB_PASSWORD')) + '-y' },", 0),
    "slice": ("env: { A: std.extVar('DB_PASSWORD')[1:] },", 0),
    "error-upper": ("cpu: error std.asciiUpper(std.extVar('DB_PASSWORD')),", 1),
    "error-slice": ("cpu: error std.extVar('DB_PASSWORD')[1:],", 1),
}


@pytest.mark.parametrize("case", sorted(EXT_CASES))
def test_ext_str_secrets_are_hidden_in_every_report(hako: Hako, repo: Repo, case: str) -> None:
    fields, code = EXT_CASES[case]
    committed(repo)
    repo.write("apps/web.jsonnet", with_app(fields))
    leaks = ("hunter2", "HUNTER2", "unter2")
    for command in (("render", "apps/web.jsonnet"), ("show-definition", "apps/web.jsonnet"),
                    ("validate", "apps/web.jsonnet"), ("diff", "--base", "main", "--format", "markdown"),
                    ("diff", "--base", "main", "--format", "json")):
        result = hako(*command, "--ext-str", "DB_PASSWORD=hunter2")
        if command[0] != "diff":
            assert result.code == (code if command[0] != "validate" or code else 0), (command, result.err)
        text = result.out + result.err
        assert not [leak for leak in leaks if leak in text], (command, text)
        if command[0] != "validate":
            assert "<masked>" in text, (command, text)


def test_ext_str_values_under_ordinary_names_stay_visible(hako: Hako, repo: Repo) -> None:
    repo.write("apps/web.jsonnet", with_app("env: { STAGE: std.extVar('stage') },"))
    result = hako("render", "--only", "task-definition", "apps/web.jsonnet", "--ext-str", "stage=production")
    assert json.loads(result.out)["containerDefinitions"][0]["environment"] == [{"name": "STAGE",
                                                                               "value": "production"}]


def test_fragments_of_a_secret_are_found_in_any_case() -> None:
    from hako_py import redaction

    redaction.forget_all()
    try:
        redaction.remember_secret(["Hunter2pass"])
        assert redaction.redact("got HUNTER2PASS, unter2p and ter2pa; hunt is fine") == (
            "got <masked>, <masked> and <masked>; hunt is fine")
        assert redaction.holds_secret("xx-hunter-yy") and not redaction.holds_secret("hunte")
    finally:
        redaction.forget_all()
