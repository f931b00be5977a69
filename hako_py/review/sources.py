"""The working tree as the dependency scan reads it: bounded, like every other read.

A pull request can turn a library into a symlink to ``/dev/zero`` or into a FIFO; the
scan reads every file an import names, before any definition is evaluated, so its reads
go through :func:`hako_py.loading.reading.read_limited` too. A file that exists but is
refused (not a regular file, or too large) still counts as a dependency, with no imports
of its own, so the apps importing it are rendered and report the problem.
"""

from __future__ import annotations

import os

from hako_py.loading.confinement import ImportRefused
from hako_py.loading.reading import read_limited
from hako_py.review.deps import FileSource


def bounded_disk_source(root: str) -> FileSource:
    """Read repository-relative (or absolute) paths from the working tree, at most 16 MiB each."""

    def read(rel: str) -> str | None:
        path = rel if os.path.isabs(rel) else os.path.join(root, rel)
        if os.path.isdir(path):
            return None
        try:
            return read_limited(path).decode("utf-8", "replace")
        except ImportRefused:
            return ""
        except OSError:
            return None

    return read
