"""Imported by the forkserver of the worker pools (validate, diff --base) to warm them up.

Workers are forked from a fresh forkserver process rather than from the CLI process,
because gojsonnet embeds the Go runtime, whose threads do not survive ``fork()``
(a forked child that evaluates Jsonnet deadlocks). This module loads everything except
gojsonnet, so each forked worker starts with the schema validators ready.
"""

import os

from hako_py.bytecode import cache_bytecode

cache_bytecode()  # before the imports below (see hako_py.bytecode)

# One Go thread per worker: the pool already uses every core, and Go runtimes whose
# garbage collectors each spread over all cores slow each other down.
os.environ.setdefault("GOMAXPROCS", "1")

from hako_py.pipeline import report_file  # noqa: E402
from hako_py.schema.validate import _fast_is_valid, _validator, use_fast_validation  # noqa: E402

use_fast_validation()
_validator()
_fast_is_valid()

__all__ = ["report_file"]
