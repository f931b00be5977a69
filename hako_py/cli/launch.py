"""The ``hako`` program's entry point: bytecode set up before anything else is imported.

A module of its own, so that importing :mod:`hako_py.cli.main` (as the tests do) leaves the
importing process's bytecode settings alone (see :mod:`hako_py.bytecode`).
"""

from __future__ import annotations

from hako_py.bytecode import cache_bytecode


def main() -> None:
    cache_bytecode()
    from hako_py.cli.main import main as run  # after: its imports are the ones worth caching

    run()
