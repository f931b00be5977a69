"""Text from definitions, made safe to print on a terminal or into a CI log.

An error message can quote what a definition wrote (``error '...'``, a file name, a value),
so it can carry terminal escape sequences (``\\x1b]0;...\\x07`` retitles the terminal,
others rewrite what was printed before) or GitHub Actions workflow commands. Control
characters other than newline and tab are shown as ``\\xNN`` (:func:`printable`).

Workflow commands are defused on every line hako writes, to stdout and stderr alike
(:class:`InertStream`, installed by the CLI around every command), whatever wrote it.
The Actions runner acts on a line whose first characters after leading whitespace
(``TrimStart``: spaces, tabs, U+2028, ...) are ``::``, and on ``##[`` anywhere in a line
(``IndexOf("##[")``). hako writes a zero-width space (U+200B, which ``TrimStart`` keeps)
between those two colons and between ``##`` and ``[``: the text reads the same, and the
runner ignores the line. Line breaks are ``\\n``, ``\\r`` (alone too), U+0085, U+2028 and
U+2029, so a definition cannot start a fresh line the runner sees that hako does not.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# C0 and C1 controls but newline and tab; and the invisible characters that move text: the
# line and paragraph separators (U+2028/U+2029, line breaks to editors and the Actions
# runner) and the bidirectional marks, embeddings, overrides and isolates (U+200E/U+200F,
# U+202A-U+202E, U+2066-U+2069: "Trojan Source", CVE-2021-42574), which reorder what a
# terminal or a diff view shows
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
ZERO_WIDTH = "\u200b"
LINE_BREAKS = "\n\r\x85\u2028\u2029"
# "::" as a line's first non-blank characters (the blank run stops at a line break, so the
# pattern is linear), and "##[" anywhere
_LINE_COMMAND = re.compile(rf"((?:^|[{LINE_BREAKS}])[^\S{LINE_BREAKS}]*:)(?=:)")
_INLINE_COMMAND = re.compile(r"##(?=\[)")


def printable(text: str) -> str:
    """*text* with control characters made visible and workflow commands defused."""
    return defuse(visible_controls(text))


_C1 = re.compile("[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")  # what JSON leaves raw of _CONTROL


def json_text(text: str) -> str:
    """JSON written with ``ensure_ascii=False``, its C1 control characters (U+0080-U+009F:
    U+009B is CSI to some terminals), DEL, the separators and the bidirectional controls as
    ``\\u`` escapes. JSON escapes only U+0000-U+001F
    itself; these can appear only inside strings, so the document parses to the same data."""
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def visible_controls(text: str) -> str:
    """*text* with control characters other than newline and tab shown as ``\\xNN``, and the
    separators and bidirectional controls as ``\\uNNNN``."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def defuse(text: str) -> str:
    """*text*, starting a line, with every workflow command made inert (see the module)."""
    text = _LINE_COMMAND.sub(rf"\1{ZERO_WIDTH}", text)
    return _INLINE_COMMAND.sub(f"##{ZERO_WIDTH}", text)


class InertStream:
    """A text stream that defuses workflow commands in everything written to it, also when a
    command is split across writes (``"  :"`` then ``":error::"``): it remembers whether the
    current line holds only blanks so far, and the last two characters written."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._blank_line = True  # only whitespace written since the last line break
        self._colon = False  # ...and then one ':' as the line's first non-blank character
        self._tail = ""  # the last two characters written

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return self.stream.write(text)
        out = self._defused(text)
        self.stream.write(out)
        return len(text)

    def _defused(self, text: str) -> str:
        prefix = ""
        if (self._colon and text[0] == ":") or (self._tail.endswith("##") and text[0] == "["):
            prefix = ZERO_WIDTH
        elif self._tail.endswith("#") and text.startswith("#["):
            text = "#" + ZERO_WIDTH + text[1:]
        # (a line that so far holds only blanks continues: the pattern sees a line start)
        body = _LINE_COMMAND.sub(rf"\1{ZERO_WIDTH}", ("\n" if self._blank_line else "x") + text)[1:]
        body = _INLINE_COMMAND.sub(f"##{ZERO_WIDTH}", body)
        self._remember(text)
        return prefix + body

    def _remember(self, text: str) -> None:
        last_break = max(text.rfind(c) for c in LINE_BREAKS)
        rest = text[last_break + 1:]
        stripped = rest.lstrip()
        if last_break >= 0:
            self._blank_line, self._colon = True, False
        if stripped:
            self._colon = self._blank_line and stripped == ":"
            self._blank_line = False
        self._tail = (self._tail + text)[-2:]

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno, ...
        return getattr(self.stream, name)
