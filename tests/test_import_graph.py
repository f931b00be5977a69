"""hako_py's imports stay layered: no cycles, no upward imports, the sandbox through the product's
public surface only and moto's internals only in moto_glue (``scripts/import_graph.py``).

The first test is the guard CI relies on; the others give the script small packages with
one known fault each, so a script that stopped finding one would not pass silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "import_graph.py"


def run_graph(root: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True,
                          timeout=120)


def test_hako_py_has_no_cycle_no_upward_import_and_no_moto_internals_outside_the_glue() -> None:
    result = run_graph()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cycles between components: 0" in result.stdout
    assert "cycles between modules: 0" in result.stdout
    assert "layer violations: 0" in result.stdout


def package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A tree holding a hako_py package made of *files* (path under hako_py/ -> source)."""
    for name, source in {"__init__.py": "", **files}.items():
        path = tmp_path / "hako_py" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(source)
    return tmp_path


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    root = package(tmp_path, {
        "checks/semantic.py": "def run():\n    from hako_py.checks.traffic import CHECKS\n",
        "checks/traffic.py": "from hako_py.checks.semantic import run\nCHECKS = ()\n",
    })
    result = run_graph(root)
    assert result.returncode == 1
    assert "cycles between modules: 1\n  checks.semantic <-> checks.traffic" in result.stdout
    assert "checks.semantic -> checks.traffic  (line 2, in a function)" in result.stdout


def test_an_upward_import_and_a_cycle_between_packages_are_found(tmp_path: Path) -> None:
    root = package(tmp_path, {
        "render/requests.py": "from hako_py.traffic.spec import attachments\n",
        "traffic/spec.py": "def attachments(): ...\n",
        "traffic/manager.py": "import hako_py.render.requests\n",
    })
    result = run_graph(root)
    assert result.returncode == 1
    assert "upward (render below traffic): render.requests -> traffic.spec  (hako_py/render/requests.py:1)" \
        in result.stdout
    assert "cycles between components: 1\n  render <-> traffic" in result.stdout


def test_plugins_and_the_sandbox_are_imported_only_by_who_may(tmp_path: Path) -> None:
    root = package(tmp_path, {
        "verify/prerequisites.py": "from hako_py.scripts.builtin.log_group import awslogs_groups\n",
        "scripts/builtin/log_group.py": "def awslogs_groups(): ...\n",
        "deploy/deployer.py": "from hako_py.sandbox.server import Sandbox\n",
        "sandbox/server.py": "from hako_py.aws.clients import new_session\nfrom hako_py.aws import AwsClients\n",
        "aws/clients.py": "",
    })
    out = run_graph(root).stdout
    assert "only scripts may import scripts.builtin: verify.prerequisites -> scripts.builtin.log_group" in out
    assert "only cli may import sandbox: deploy.deployer -> sandbox.server" in out
    assert "sandbox beyond the product's public surface: sandbox.server -> aws.clients" in out
    assert "sandbox.server -> aws " not in out  # hako_py.aws itself is public


def test_moto_objects_are_changed_only_by_the_glue(tmp_path: Path) -> None:
    simulator = (
        "from typing import Any\n"
        "from hako_py.sandbox import moto_glue as glue\n"
        "class Rollout:\n"
        "    phase: str = 'starting'\n"
        "def tick(rollout: Rollout, service: Any) -> None:\n"
        "    rollout.phase = 'done'\n"
        "    for task in glue.all_tasks(service):\n"
        "        task.started_at = glue.utcnow()\n"
        "    service.desired_count += 1\n"
        "    setattr(service, 'events', [])\n"
        "    glue.ecs_backend(service._account_id)\n"
    )
    glue = "def all_tasks(service):\n    service.running_count = 1\n    return []\n"
    root = package(tmp_path, {"sandbox/ecs_sim.py": simulator, "sandbox/moto_glue.py": glue})
    result = run_graph(root)
    assert result.returncode == 1
    reported = result.stdout.split("moto internals outside sandbox.moto_glue, sandbox.moto_ecs_hooks: ")[1]
    assert reported.splitlines() == [
        "4",
        "  sandbox.ecs_sim:8 sets task.started_at on an object of moto's (or of unknown type)",
        "  sandbox.ecs_sim:9 sets service.desired_count on an object of moto's (or of unknown type)",
        "  sandbox.ecs_sim:10 calls setattr on service",
        "  sandbox.ecs_sim:11 uses service._account_id, a private name of an object of moto's (or unknown)",
    ]
