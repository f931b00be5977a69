"""``--dry-run``: show the plan that would run, instruction by instruction, sending nothing.

The lines are the plan's own write texts (the same ones the executor says and records), so
a dry run cannot drift from what a real run does.
"""

from __future__ import annotations

from collections.abc import Callable

from hako_py.plan.instructions import Plan


def show(plan: Plan, say: Callable[[str], None], *, header: str | None = None, prefix: str = "  ",
         sent: Callable[[str], None] | None = None) -> list[str]:
    """Say *header* (when there are writes) and each write after *prefix*; the writes."""
    return show_writes(plan.writes, say, header=header, prefix=prefix, sent=sent)


def show_writes(writes: list[str], say: Callable[[str], None], *, header: str | None = None, prefix: str = "  ",
                sent: Callable[[str], None] | None = None) -> list[str]:
    """:func:`show` for write texts already taken from plans."""
    if header is not None and writes:
        say(header)
    for write in writes:
        say(f"{prefix}{write}")
        if sent is not None:
            sent(write)
    return writes
