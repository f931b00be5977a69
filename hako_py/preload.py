"""Imported by the forkserver of ``hako validate``'s worker pool to warm it up.

Workers are forked from a fresh forkserver process rather than from the CLI process,
because gojsonnet embeds the Go runtime, whose threads do not survive ``fork()``
(a forked child that evaluates Jsonnet deadlocks). This module loads everything except
gojsonnet, so each forked worker starts with the schema validator ready.
"""

from hako_py.pipeline import report_file
from hako_py.schema.validate import _validator

_validator()

__all__ = ["report_file"]
