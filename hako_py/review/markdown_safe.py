"""Untrusted text (file names, error messages, values from definitions) in a GitHub comment.

A pull request writes its definitions, and the review posts what they render: text from
them must read as text. Outside code blocks every character Markdown or HTML could take
as markup becomes a numeric character reference (CommonMark treats those as literal
text), so no tag, comment, emphasis, link or table cell border can come from a
definition. Blocks are fenced with more backticks than any run inside them, so nothing
inside can close the fence.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from hako_py.printable import visible_controls

_PLAIN = frozenset(string.ascii_letters + string.digits + " .,/=+-%();?")
_VISIBLE_CONTROLS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
ELLIPSIS = "…"


def size(text: str) -> int:
    """What counts against GitHub's limit, measured strictly: UTF-8 bytes are never fewer than
    characters or UTF-16 units."""
    return len(text.encode("utf-8", "surrogatepass"))


def _piece(char: str) -> str:
    if char in _PLAIN:
        return char
    if char in _VISIBLE_CONTROLS:
        return "".join(f"&#{ord(c)};" for c in _VISIBLE_CONTROLS[char])
    if not char.isprintable():  # controls, format characters (bidi overrides), lone surrogates
        return "".join(f"&#{ord(c)};" for c in f"\\u{ord(char):04x}")
    return char if ord(char) > 127 else f"&#{ord(char)};"


# GitHub also links text that is no markup: www.x / scheme:// (autolinks), user@host
# (mailto), @name (mentions), #1 (issue references). A zero-width space after the @, # or
# "www" and inside "://" breaks each of them while the text reads the same.
_BREAK = "&#8203;"


def _breaks_before(text: str, index: int) -> bool:
    """Whether a zero-width space goes before text[index]."""
    char = text[index]
    previous = text[index - 1] if index else ""
    if previous and previous in "@#":
        return True
    if char == "." and text[max(0, index - 3):index].lower() == "www":
        return True
    return char == "/" and previous == ":" and text[index:index + 2] == "//"


def inline(text: str, limit: int | None = None) -> str:
    """*text* as inert inline content (a table cell, ``<summary>``, a heading), at most *limit*
    characters of output (cut with an ellipsis)."""
    out: list[str] = []
    used = 0
    for index, char in enumerate(text):
        piece = (_BREAK if _breaks_before(text, index) else "") + _piece(char)
        if limit is not None and used + len(piece) > limit - 1:
            out.append(ELLIPSIS)
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def fenced(text: str, info: str = "") -> str:
    """*text* as a fenced code block that nothing inside can end (NUL, which Markdown would
    replace anyway, is shown as ``\\0``), with control characters shown as ``\\xNN``: the
    report is also printed on terminals and CI logs, where an escape sequence from a
    definition would act."""
    body = visible_controls(text.replace("\0", "\\0"))
    if not body.endswith("\n"):
        body += "\n"
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return f"{fence}{info}\n{body}{fence}\n"


def shorten(text: str, max_lines: int, max_chars: int, hint: str) -> tuple[str, bool]:
    """At most *max_lines* lines and about *max_chars* characters of *text*, and whether it was cut."""
    lines = text.splitlines()
    kept: list[str] = []
    used = 0
    for line in lines[:max_lines]:
        if used + len(line) + 1 > max_chars:
            break
        kept.append(line)
        used += len(line) + 1
    if len(kept) == len(lines):
        return text, False
    return "\n".join(kept) + f"\n... {len(lines) - len(kept)} more lines ({hint})\n", True


#: GitHub refuses comments and issue bodies over 65,536 characters; measured in UTF-8 bytes (see :func:`size`)
MAX_MARKDOWN_CHARS = 60_000


def fit(top: str, head: str, rows: list[str], block_of: Callable[[int], tuple[str, bool] | None], *,
        limit: int | None, full_note: str) -> str:
    """*top*, then a table (*head* and as many *rows* as fit), then the collapsible details
    *block_of(i)* gives for the listed rows (the block and whether it was cut itself), all in
    *limit* (None: everything). What is left out is said, with *full_note* (where the rest is).
    Shared by the review comment and the drift issue body, both bound by GitHub's limit."""
    full = limit is None
    budget = (limit or 0) - size(top) - size(full_note) - 400  # room for the notes below
    table = [head]
    used = size(head)
    listed = 0
    for row in rows:
        if not full and used + size(row) > budget:
            break
        table.append(row)
        used += size(row)
        listed += 1
    blocks: list[str] = []
    with_blocks = 0
    shortened = listed < len(rows)
    for index in range(listed):
        made = block_of(index)
        if made is None:
            continue
        with_blocks += 1
        block, cut = made
        if not full and used + size(block) + 1 > budget:
            shortened = True
            continue
        blocks.append(block)
        used += size(block) + 1
        shortened = shortened or cut
    notes = []
    if listed < len(rows):
        notes.append(f"{len(rows) - listed} more apps are not listed here.")
    if len(blocks) < with_blocks:
        notes.append(f"The details of {with_blocks - len(blocks)} listed apps are left out.")
    if shortened:
        notes.append(full_note)
    note = ("\n" + " ".join(notes) + "\n") if notes else ""
    result = top + note + "\n" + "".join(table) + "\n" + "\n".join(blocks)
    if limit is not None and size(result) > limit:  # not with the budget above; never an oversize comment
        return top + "\n" + full_note + "\n"
    return result
