"""A cheap guard against deeply nested Jsonnet, run before go-jsonnet sees a file.

go-jsonnet's parser recurses once per bracket: 50,000 nested ``[`` overflow the Go stack,
which aborts the whole process (nothing can catch it), and 20,000 take 2.6 GB. This
linear scan finds how deeply brackets, braces and parentheses nest outside strings and
comments and refuses more than :data:`MAX_NESTING` levels. Deeper than about 500 levels
go-jsonnet fails anyway ("max stack frames exceeded"), and real definitions nest a few
dozen at most, so the limit refuses nothing that could evaluate; at 1,000 levels parsing
still costs under 0.1 s and 80 MB.

The scan does not need to be exact: it over-counts rather than under-counts (a closing
bracket never takes the depth below 0), and a file it misjudges still evaluates within
the time and memory budget of :mod:`hako_py.workers`. Files with few brackets are passed
after counting them; others are reduced to their brackets by regular expressions (C
speed), so a generated 5 MB JSON file is scanned in 0.15 s and 16 MiB of brackets in 0.3 s;
a token-by-token scan, which can take seconds, only locates a refused bracket in files up
to 1 MiB.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_NESTING = 1000

_TOKEN = re.compile(r"""[\[({]+|[\])}]+|//|/\*|\#|@["']|["']|\|\|\|""")
_STRING_END = {
    '"': re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL),
    "'": re.compile(r"[^'\\]*(?:\\.[^'\\]*)*'", re.DOTALL),
    '@"': re.compile(r'[^"]*(?:""[^"]*)*"'),
    "@'": re.compile(r"[^']*(?:''[^']*)*'"),
}
_INDENT = re.compile(r"[ \t]*")
_OPENING = ("[", "{", "(")
# Comments, strings and text blocks (the indentation of a text block's first line must
# start every later line; the closing ||| is on the first line that lacks it).
_SKIP = re.compile(r"""
    //[^\n]* | \#[^\n]* | /\*(?s:.*?)(?:\*/|\Z)
  | @"[^"]*(?:""[^"]*)*"? | @'[^']*(?:''[^']*)*'?
  | "[^"\\]*(?:\\(?s:.)[^"\\]*)*"? | '[^'\\]*(?:\\(?s:.)[^'\\]*)*'?
  | \|\|\|-?[ \t]*\n(?:[ \t]*\n)*(?P<indent>[ \t]+)[^\n]*\n(?:(?:(?P=indent)[^\n]*)?\n)*?
    (?!(?P=indent))[ \t]*\|\|\|
""", re.VERBOSE)
_NOT_BRACKET = re.compile(r"[^\[\](){}]+")
_AS_PARENS = str.maketrans("[{]}", "(())")
_RUN = re.compile(r"\(+|\)+")
_PAIR_PASSES = 16
_LOCATE_BYTES = 1024 * 1024


def nesting_problem(text: str, name: str, limit: int = MAX_NESTING) -> str | None:
    """``NAME:LINE:COLUMN: message`` (``NAME: message`` in a large file) when brackets nest
    deeper than *limit*, else None."""
    if sum(text.count(c) for c in _OPENING) <= limit or _deepest(text) <= limit:
        return None
    message = (f"brackets, braces and parentheses nested deeper than {limit} levels "
               "(hako's limit; go-jsonnet would exhaust its stack)")
    where = _locate(text, limit) if len(text) <= _LOCATE_BYTES else None
    return f"{name}:{where}: {message}" if where else f"{name}: {message}"


def bytes_nesting_problem(content: bytes, name: str | Callable[[], str], limit: int = MAX_NESTING) -> str | None:
    """:func:`nesting_problem` for a file's bytes (imports reach the callback as bytes); *name*
    may be a function giving it, called only for a file with enough brackets to be checked
    (an import callback runs for every import of every app a review renders)."""
    if sum(content.count(c.encode()) for c in _OPENING) <= limit:
        return None
    # latin-1 maps each byte to one character, so brackets and quotes stay where they are.
    return nesting_problem(content.decode("latin-1"), name if isinstance(name, str) else name(), limit)


def _deepest(text: str) -> int:
    """How deeply brackets nest outside strings and comments (0 never goes below 0)."""
    parens = _NOT_BRACKET.sub("", _SKIP.sub(" ", text)).translate(_AS_PARENS)
    # Each pass removes the innermost pairs, which lowers the deepest nesting by exactly one,
    # so the token loop below only sees what is nested deeper than the passes made.
    passes = 0
    while passes < _PAIR_PASSES and "()" in parens:
        parens = parens.replace("()", "")
        passes += 1
    depth = deepest = 0
    for run in _RUN.findall(parens):
        if run[0] == "(":
            depth += len(run)
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - len(run))
    return passes + deepest


def _locate(text: str, limit: int) -> str | None:
    """``LINE:COLUMN`` of the first bracket nested too deep, scanning token by token."""
    depth = 0
    pos = 0
    end = len(text)
    while pos < end:
        match = _TOKEN.search(text, pos)
        if match is None:
            return None
        token = match.group()
        pos = match.end()
        if token[0] in "[{(":
            depth += len(token)
            if depth > limit:
                return _line_column(text, pos - (depth - limit))
        elif token[0] in "]})":
            depth = max(0, depth - len(token))
        elif token in ("//", "#"):
            pos = _after(text, "\n", pos)
        elif token == "/*":
            pos = _after(text, "*/", pos)
        elif token == "|||":
            pos = _end_of_text_block(text, pos)
        else:
            string_end = _STRING_END[token].match(text, pos)
            pos = string_end.end() if string_end else end
    return None


def _after(text: str, what: str, pos: int) -> int:
    found = text.find(what, pos)
    return len(text) if found < 0 else found + len(what)


def _end_of_text_block(text: str, pos: int) -> int:
    """Where a ``|||`` text block ends: at the first non-empty line without its indentation."""
    line = _after(text, "\n", pos)
    indent = _INDENT.match(text, line)
    if indent is None or not indent.group():
        return line
    prefix = indent.group()
    while line < len(text):
        if text.startswith(prefix, line) or text.startswith("\n", line):
            line = _after(text, "\n", line)
            continue
        return _after(text, "|||", line)
    return len(text)


def _line_column(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"
