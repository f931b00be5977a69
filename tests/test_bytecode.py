"""hako's processes keep compiled bytecode under site-packages when the user's setting turned
writing it off (hako_py.bytecode), and nowhere else; a prefix the user chose is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from hako_py.bytecode import FOLDER

SHOW = ("import sys; from hako_py.bytecode import cache_bytecode; cache_bytecode(); "
        "print(sys.pycache_prefix, sys.dont_write_bytecode)")
PREFIX = os.path.join(sysconfig.get_path("purelib"), FOLDER)


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**environ, **env}).stdout.strip()


def test_bytecode_goes_under_site_packages_when_the_user_turned_writing_off() -> None:
    assert _run(SHOW, PYTHONDONTWRITEBYTECODE="1") == f"{PREFIX} False"


def test_a_prefix_the_user_chose_is_kept(tmp_path: Path) -> None:
    chosen = str(tmp_path / "pyc")
    assert _run(SHOW, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=chosen) == f"{chosen} True"


def test_importing_hako_as_a_library_changes_no_setting() -> None:
    code = "import sys; import hako_py.cli.main, hako_py.pipeline; print(sys.pycache_prefix, sys.dont_write_bytecode)"
    assert _run(code, PYTHONDONTWRITEBYTECODE="1") == "None True"


def test_the_hako_program_keeps_its_bytecode_under_site_packages_only() -> None:
    """Where the program's modules' bytecode is read and written (importlib's own answer), and
    that it is there after a run: never beside the sources."""
    code = ("import importlib.util, sys\n"
            "sys.argv = ['hako', '--version']\n"
            "from hako_py.cli.launch import main\n"
            "try:\n"
            "    main()\n"
            "except SystemExit:\n"
            "    pass\n"
            "import hako_py.cli.main\n"
            "print(importlib.util.cache_from_source(hako_py.cli.main.__file__))\n")
    cached = _run(code, PYTHONDONTWRITEBYTECODE="1").splitlines()[-1]
    assert cached.startswith(PREFIX + os.sep), cached
    assert Path(cached).is_file()
