"""Text from definitions, made safe to print on a terminal or into a CI log.

An error message can quote what a definition wrote (``error '...'``, a file name, a value),
so it can carry terminal escape sequences (``\\x1b]0;...\\x07`` retitles the terminal,
others rewrite what was printed before) or a line starting ``::`` that GitHub Actions reads
as a workflow command (``::error title=All clear::``). Control characters other than newline
and tab are shown as ``\\xNN``, and a line starting with ``::`` is indented.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_COMMAND = re.compile(r"^(?=::)", re.MULTILINE)


def printable(text: str) -> str:
    """*text* with control characters made visible and workflow commands defused."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    return _COMMAND.sub("  ", text)
