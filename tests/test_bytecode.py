"""hako's processes keep compiled bytecode under site-packages when the user's setting turned
writing it off (hako_py.bytecode), and nowhere else; a prefix the user chose is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from hako_py.bytecode import FOLDER
from tests.conftest import HAKO_BIN, PROJECT_ROOT

SHOW = ("import sys; from hako_py.bytecode import cache_bytecode; cache_bytecode(); "
        "print(sys.pycache_prefix, sys.dont_write_bytecode)")


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**environ, **env}).stdout.strip()


def test_bytecode_goes_under_site_packages_when_the_user_turned_writing_off() -> None:
    prefix = os.path.join(sysconfig.get_path("purelib"), FOLDER)
    assert _run(SHOW, PYTHONDONTWRITEBYTECODE="1") == f"{prefix} False"


def test_a_prefix_the_user_chose_is_kept(tmp_path: Path) -> None:
    chosen = str(tmp_path / "pyc")
    assert _run(SHOW, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=chosen) == f"{chosen} True"


def test_importing_hako_as_a_library_changes_no_setting() -> None:
    code = "import sys; import hako_py.cli.main, hako_py.pipeline; print(sys.pycache_prefix, sys.dont_write_bytecode)"
    assert _run(code, PYTHONDONTWRITEBYTECODE="1") == "None True"


def test_the_hako_program_writes_no_bytecode_beside_its_sources() -> None:
    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    environ.pop("PYTHONPYCACHEPREFIX", None)
    subprocess.run([str(HAKO_BIN), "validate", "apps/web.jsonnet"], cwd=PROJECT_ROOT, env=environ,
                   capture_output=True, check=True)
    assert not list((PROJECT_ROOT / "hako_py").rglob("__pycache__"))
    cached = Path(sysconfig.get_path("purelib"), FOLDER, *(PROJECT_ROOT / "hako_py").parts[1:])
    assert (cached / "cli" / f"main.{sys.implementation.cache_tag}.pyc").exists()
