"""Unified diffs of normalized ECS objects (callers hide secrets first: :func:`hako_py.compare.masking.mask_pair`)."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from typing import Any


def dump(value: Any) -> list[str]:
    """The lines of ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)``.

    Built directly as lines: the standard encoder falls back to pure Python when indenting
    and was the largest cost of a 1,000-app review after evaluation itself.
    """
    if value is None:
        return []
    lines: list[str] = []
    _dump_into(lines, value, "", "", "\n")
    return lines


_SCALAR = json.JSONEncoder(ensure_ascii=False).encode


def _dump_into(lines: list[str], value: Any, indent: str, prefix: str, end: str) -> None:
    if isinstance(value, dict) and value:
        lines.append(prefix + "{\n")
        inner = indent + "  "
        keys = sorted(value)
        last = keys[-1]
        for key in keys:
            _dump_into(lines, value[key], inner, f"{inner}{_SCALAR(str(key))}: ", "\n" if key == last else ",\n")
        lines.append(indent + "}" + end)
    elif isinstance(value, list) and value:
        lines.append(prefix + "[\n")
        inner = indent + "  "
        for index, item in enumerate(value):
            _dump_into(lines, item, inner, inner, "\n" if index == len(value) - 1 else ",\n")
        lines.append(indent + "]" + end)
    else:
        lines.append(prefix + _SCALAR(value) + end)


# difflib's matching is quadratic in the worst case (12,000 environment entries took 67 s,
# 60,000 more than 15 minutes): past this many lines a side, the diff says how many lines
# differ instead of listing them.
MAX_DIFF_LINES = 10_000


def unified(left: Any, right: Any, left_label: str, right_label: str) -> str:
    """A unified diff of the two objects' JSON dumps ("" when they dump the same)."""
    old, new = dump(left), dump(right)
    if max(len(old), len(new)) <= MAX_DIFF_LINES:
        return "".join(difflib.unified_diff(old, new, left_label, right_label))
    if old == new:
        return ""
    before, after = Counter(old), Counter(new)
    removed, added = sum((before - after).values()), sum((after - before).values())
    return (f"--- {left_label}\n+++ {right_label}\n@@ too large to show ({len(old)} and {len(new)} lines): "
            f"{removed} lines only on the left, {added} only on the right @@\n")


def colorize(diff: str) -> str:
    """ANSI colours for a terminal: red removals, green additions, cyan hunk headers."""
    lines = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            lines.append(f"\033[1m{line.rstrip()}\033[0m\n")
        elif line.startswith("+"):
            lines.append(f"\033[32m{line.rstrip()}\033[0m\n")
        elif line.startswith("-"):
            lines.append(f"\033[31m{line.rstrip()}\033[0m\n")
        elif line.startswith("@@"):
            lines.append(f"\033[36m{line.rstrip()}\033[0m\n")
        else:
            lines.append(line)
    return "".join(lines)
