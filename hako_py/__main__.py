"""Allow ``python -m hako_py``."""

from hako_py.cli.main import main

main()
