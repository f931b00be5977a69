"""One module per ``hako`` command, each defining a click command named like the module.

:mod:`hako_py.cli.main` lists them in its table and imports one only when it runs (see
:mod:`hako_py.cli.lazy_group`), so a module here imports what its command needs at its top.
"""
