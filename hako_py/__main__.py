"""Allow ``python -m hako_py``."""

from hako_py.cli.launch import main

main()
