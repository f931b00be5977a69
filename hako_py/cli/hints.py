"""Definition warnings outside ``hako validate``: one line pointing there.

Warnings (a literal that looks like a secret, an unpinned image, ...) are about the file,
not about the deploy or oneshot at hand; printed in full by every command they drown the
output that matters. ``hako validate FILE`` prints them in full; other commands print
how many there are and that command (nothing under ``-q``), and ``--output json`` lists
them in its ``warnings`` key.
"""

from __future__ import annotations

import shlex
from typing import Any

from hako_py.reporter import Reporter


def warnings_hint(checked: Any, reporter: Reporter) -> None:
    count = len(checked.warnings)
    if count:
        reporter.line(f"{count} warning{'s' if count != 1 else ''}; "
                      f"run hako validate {shlex.quote(checked.loaded.file)}")
