"""``python -P -m hako_py.workers ...``: a worker in a fresh interpreter (see launch.py)."""

import sys

from hako_py.bytecode import cache_bytecode

cache_bytecode()  # before the worker's imports (see hako_py.bytecode)

from hako_py.workers.worker import main  # noqa: E402

main(sys.argv[1:])
