"""The CLI as a user meets it: the installed `hako` command, help, errors, start-up imports."""

from __future__ import annotations

import ast
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest

import hako_py.cli.commands
from hako_py import __version__
from hako_py.cli.lazy_group import load_command
from hako_py.cli.main import COMMANDS, CONTEXT, cli
from tests.conftest import FARGATE_APP, PROJECT_ROOT, Hako, Repo

HEAVY = ("boto3", "botocore", "moto", "docker", "rich", "jsonschema", "_gojsonnet")


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(flag: str) -> None:
    code = (
        "import sys\n"
        "from hako_py.cli.main import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "HEAVY=", f"{flag} imported {out.splitlines()[-1]}"


def test_deploy_help_imports_nothing_a_deploy_runs() -> None:
    """``hako deploy --help`` pays for click and the command's options, not for the pipeline,
    the AWS facade, the planners or the executor (they are imported when a deploy runs)."""
    code = (
        "import sys\n"
        "from hako_py.cli.main import main\n"
        "try:\n"
        "    main(['deploy', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED=' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{HEAVY!r} or m.startswith(('hako_py.pipeline', 'hako_py.aws', 'hako_py.plan', 'hako_py.deploy', "
        "'hako_py.traffic', 'hako_py.schedules', 'hako_py.loading', 'hako_py.render')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert "--dry-run" in out
    assert lines[-1] == "LOADED=", f"hako deploy --help imported {lines[-1]}"


def test_help_lists_every_command_without_importing_one() -> None:
    code = (
        "import sys\n"
        "from hako_py.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('COMMANDS=' + ','.join(m for m in sys.modules if m.startswith('hako_py.cli.commands.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[-1] == "COMMANDS="
    listed = lines[lines.index("Commands:") + 1:-1]
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)


def test_command_table_is_every_command_with_its_own_short_help() -> None:
    modules = {info.name for info in pkgutil.iter_modules(hako_py.cli.commands.__path__)}
    assert {name.replace("-", "_") for name in COMMANDS} == modules
    for name, entry in COMMANDS.items():
        command = load_command(name, entry)
        assert command.name == name
        assert entry.help == command.get_short_help_str(limit=10**6), f"update the help of {name} in cli/main.py"


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_help_lists_commands_as_click_would_with_them_imported(width: int) -> None:
    eager = click.Group("hako", params=cli.params, help=cli.help, context_settings=CONTEXT,
                        commands={name: load_command(name, entry) for name, entry in COMMANDS.items()},
                        invoke_without_command=True)
    lazy_help = cli.get_help(click.Context(cli, info_name="hako", terminal_width=width, **CONTEXT))
    eager_help = eager.get_help(click.Context(eager, info_name="hako", terminal_width=width, **CONTEXT))
    assert lazy_help == eager_help


WRITERS = {"print", "click.echo", "click.secho", "click.confirm", "click.prompt", "sys.stdout.write",
           "sys.stderr.write", "Reporter"}


def test_the_cli_writes_only_through_its_output_module() -> None:
    cli_folder = PROJECT_ROOT / "hako_py" / "cli"
    found = []
    for path in sorted(cli_folder.rglob("*.py")):
        if path == cli_folder / "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in WRITERS:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {ast.unparse(node.func)}")
    assert found == [], "write through hako_py/cli/output.py"


def test_installed_console_script_runs() -> None:
    hako = shutil.which("hako", path=str(Path(sys.executable).parent))
    assert hako, "the console script `hako` is installed next to the interpreter"
    result = subprocess.run([hako, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"hako, version {__version__}"
    result = subprocess.run([hako, "validate", "apps/"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help(hako: Hako) -> None:
    top = hako("--help")
    assert top.code == 0
    for command in ("validate", "render", "show-definition", "schema"):
        assert command in top.out
    for taught in ("`schedules`", "hako schedule list", "hako schedule run", "hako drift", "hako deploy apps/",
                   "--changed-since"):
        assert taught in top.out, taught
        result = hako(command, "--help")
        assert result.code == 0
        assert "Usage: hako " + command in result.out


def test_schema_command_is_valid_and_describes_every_field(hako: Hako) -> None:
    result = hako("schema")
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    missing: list[str] = []

    def walk(node: dict[str, Any], path: str) -> None:
        """Visit schema positions only (a field may itself be called `properties`)."""
        for name, prop in dict(node.get("properties") or {}).items():
            if "description" not in prop:
                missing.append(f"{path}.{name}")
            walk(prop, f"{path}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], f"{path}[{key}]")

    walk(schema, "")
    for name, definition in schema["$defs"].items():
        walk(definition, f"$defs.{name}")
    assert missing == []


def test_committed_schema_matches_the_generator(hako: Hako) -> None:
    committed = json.loads((PROJECT_ROOT / "schemas" / "definition.schema.json").read_text())
    current = json.loads(hako("schema").out)
    if committed["$comment"] == current["$comment"]:
        assert committed == current, "run `make schema`"
    else:  # another botocore: every committed field must still exist
        assert set(committed["$defs"]) <= set(current["$defs"])
        assert set(committed["properties"]["scheduler"]["properties"]) <= set(
            current["properties"]["scheduler"]["properties"]
        )


def test_bad_option_values_are_one_line_errors(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", FARGATE_APP)
    result = hako("render", "apps/x.jsonnet", "--ext-str", "=oops")
    assert result.code == 2
    assert result.err.strip() == "--ext-str: expected KEY=VALUE, got '=' followed by a value"
    assert "oops" not in result.err  # the value may be a secret
    result = hako("render", "apps/x.jsonnet", "--ext-str", "HAKO_NOT_SET_ANYWHERE")
    assert result.code == 2
    assert "KEY naming a set environment variable" in result.err
    result = hako("render", "apps/x.jsonnet", "--only", "nope")
    assert result.code == 2
    assert "Invalid value for '--only'" in result.err


def test_ext_str_key_alone_reads_the_environment(repo: Repo, hako: Hako) -> None:
    repo.write("apps/x.jsonnet", "{ v: std.extVar('HAKO_STAGE') }")
    result = hako("show-definition", "apps/x.jsonnet", "--ext-str", "HAKO_STAGE", env={"HAKO_STAGE": "qa"})
    assert json.loads(result.out) == {"v": "qa"}


def test_ext_code_and_jpath(repo: Repo, hako: Hako) -> None:
    repo.write("vendor/v.libsonnet", "{ n: 41 }")
    repo.write("apps/x.jsonnet", "{ v: (import 'v.libsonnet').n + std.extVar('one') }")
    result = hako("show-definition", "apps/x.jsonnet", "--ext-code", "one=1", "-J", "vendor")
    assert json.loads(result.out) == {"v": 42}


def test_unknown_command_is_a_usage_error(hako: Hako) -> None:
    result = hako("deploi")
    assert result.code == 2
    assert "No such command 'deploi'" in result.err


@pytest.mark.parametrize("args", [("deploy", "apps", "--rate", "inf"), ("deploy", "apps", "--rate", "nan"),
                                  ("drift", "--rate", "inf"), ("drift", "--rate", "nan"),
                                  ("deploy", "apps/x.jsonnet", "--timeout", "nan"),
                                  ("oneshot", "apps/x.jsonnet", "--poll-interval", "inf", "--", "true"),
                                  ("rollback", "apps/x.jsonnet", "--timeout", "inf")])
def test_float_options_refuse_inf_and_nan_as_usage_errors(hako: Hako, args: tuple[str, ...]) -> None:
    result = hako(*args)
    assert result.code == 2, result  # a usage error, not an internal error (70)
    assert "is not a finite number" in result.err
