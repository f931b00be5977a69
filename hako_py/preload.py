"""Imported by the forkserver of the worker pools (validate, diff --base) to warm them up.

Workers are forked from a fresh forkserver process rather than from the CLI process,
because gojsonnet embeds the Go runtime, whose threads do not survive ``fork()``
(a forked child that evaluates Jsonnet deadlocks). This module loads everything except
gojsonnet, so each forked worker starts with the compiled validity check ready. The
jsonschema validator, which only locates the problems of an invalid definition, is built by
a worker the first time it meets one: building it here (~0.1 s, jsonschema's import
included) delayed every worker of a review or a validate of valid apps.
"""

import os

from hako_py.bytecode import cache_bytecode

cache_bytecode()  # before the imports below (see hako_py.bytecode)

# One Go thread per worker: the pool already uses every core, and Go runtimes whose
# garbage collectors each spread over all cores slow each other down.
os.environ.setdefault("GOMAXPROCS", "1")

from hako_py.pipeline import report_file  # noqa: E402
from hako_py.schema.validate import _fast_is_valid, use_fast_validation  # noqa: E402

use_fast_validation()
_fast_is_valid()

__all__ = ["report_file"]
