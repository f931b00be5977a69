"""Compiled bytecode for hako's processes, whatever the user's bytecode setting.

``PYTHONDONTWRITEBYTECODE`` (common in containers and CI images, and set where hako is
developed) makes Python compile every module from source at every start: the ``hako``
process, the forkserver of its worker pools and its shared worker each paid ~0.3 s for it
before a review of 1,000 apps could start (``hako diff --base`` imports ~250 modules). The
user's setting is about their own source folders, so hako keeps
its bytecode away from them: under a folder of the environment's ``site-packages``
(``sys.pycache_prefix``, which mirrors each source file's absolute path), where installers
put bytecode anyway. Nothing is written outside it, and when it cannot be written (a
read-only environment) hako runs as before, compiling in memory.

Only hako's own entry points call :func:`cache_bytecode` (the ``hako`` program, ``python -m
hako_py``, the worker processes): a program importing hako_py as a library keeps its settings.
"""

from __future__ import annotations

import os
import sys

#: the folder under site-packages (a name no distribution uses: not importable, no dist-info)
FOLDER = "__hako_pycache__"


def cache_bytecode() -> None:
    """Read and write bytecode under site-packages when the user's setting turned writing off
    (a ``PYTHONPYCACHEPREFIX`` the user chose is kept)."""
    if not sys.dont_write_bytecode or sys.pycache_prefix is not None:
        return
    import sysconfig

    site_packages = sysconfig.get_path("purelib")
    if not site_packages or not os.access(site_packages, os.W_OK):
        return
    sys.pycache_prefix = os.path.join(site_packages, FOLDER)
    sys.dont_write_bytecode = False
