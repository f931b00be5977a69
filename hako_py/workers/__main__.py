"""``python -P -m hako_py.workers ...``: a worker in a fresh interpreter (see launch.py)."""

import sys

from hako_py.workers.worker import main

main(sys.argv[1:])
