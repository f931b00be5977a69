"""A tokenizer for Jsonnet's lexical grammar (used to find what a file imports).

PR review must know every file a definition can read. A regex over the raw text cannot
know whether ``import`` sits in a comment or a string, nor decode ``'lib\\u002fx'``, so
this follows go-jsonnet's lexer (``internal/parser/lexer.go``) rule for rule: comments
``#``, ``//`` and ``/* */``; single- and double-quoted strings (escapes decoded as
go-jsonnet's parser does, surrogate pairs included); verbatim ``@'...'``/``@"..."``;
text blocks ``|||`` / ``|||-``; identifiers, keywords, numbers and operators.

Anything this module cannot tokenize raises :class:`LexError`; callers then assume the
worst. One pass over the text, each character looked at a bounded number of times: linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

IMPORT_KEYWORDS = frozenset({"import", "importstr", "importbin"})
KEYWORDS = frozenset({"assert", "else", "error", "false", "for", "function", "if", "import", "importstr",
                      "importbin", "in", "local", "null", "self", "super", "tailstrict", "then", "true"})

# Token kinds.
IDENT = "identifier"
KEYWORD = "keyword"
NUMBER = "number"
OPERATOR = "operator"
PUNCT = "punctuation"
STRING = "string"  # single or double quoted: value has escapes decoded
VERBATIM = "verbatim"  # @'...' / @"..."
BLOCK = "block"  # ||| text block

_SYMBOLS = frozenset("!$:~+-&|^=<>*/%")
_HEX = frozenset("0123456789abcdefABCDEF")
# The common tokens, matched in one step at the current position (speed only: each
# alternative is exactly what the character-by-character rules below would consume).
_FAST = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}\[\],.();])
  | (?P<plain>'[^'\\]*'|"[^"\\]*")
  | (?P<comment>(?:\#|//)[^\n]*|/\*.*?\*/)
""", re.VERBOSE | re.DOTALL)
_SIMPLE_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t"}


class LexError(Exception):
    """The text is not lexically valid Jsonnet; ``str()`` says where (line:column) and why."""


class Token(NamedTuple):
    kind: str
    value: str  # identifier/keyword/operator text, or a string literal's value
    offset: int


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def fail(text: str, offset: int, message: str) -> LexError:
    return LexError(f"{_where(text, offset)}: {message}")


def tokenize(text: str) -> list[Token]:
    """Every token of *text* (comments and whitespace dropped), or :class:`LexError`."""
    return list(tokens_from(text, 0))


def tokens_from(text: str, i: int) -> Iterator[Token]:
    """The tokens of *text* from offset *i* on (which must not be inside a token), lazily."""
    n = len(text)
    fast = _FAST.match
    while True:
        match = fast(text, i)
        while match is not None:
            kind = match.lastgroup
            if kind == "word":
                word = match.group()
                yield Token(KEYWORD if word in KEYWORDS else IDENT, word, i)
            elif kind == "punct":
                yield Token(PUNCT, match.group(), i)
            elif kind == "plain":
                yield Token(STRING, match.group()[1:-1], i)
            i = match.end()
            match = fast(text, i)
        if i >= n:
            return
        start = i
        c = text[i]
        if "0" <= c <= "9":
            i = _number(text, i)
            yield Token(NUMBER, text[start:i], start)
        elif c == '"' or c == "'":
            i = _quoted_end(text, i)
            yield Token(STRING, unescape(text[start + 1:i - 1], text, start), start)
        elif c == "@":
            value, i = _verbatim(text, i)
            yield Token(VERBATIM, value, start)
        elif c == "/" and text.startswith("*", i + 1):
            raise fail(text, start, "multi-line comment has no terminating */")
        elif c == "|" and text.startswith("||", i + 1):
            value, i = text_block(text, i)
            yield Token(BLOCK, value, start)
        elif c in _SYMBOLS:
            i = _operator_end(text, i)
            yield Token(OPERATOR, text[start:i], start)
        else:
            raise fail(text, start, f"could not lex the character {c!r}")


def _number(text: str, i: int) -> int:
    """End of the number at *i*: go-jsonnet's state machine, ``_`` digit separators included."""
    n = len(text)
    state = "zero" if text[i] == "0" else "int"
    j = i + 1
    while True:
        c = text[j] if j < n else ""
        digit = c != "" and "0" <= c <= "9"
        if state in ("zero", "int", "frac"):
            if c == "." and state != "frac":
                state = "dot"
            elif c in ("e", "E"):
                state = "e"
            elif digit and state != "zero":
                pass
            elif c == "_" and state == "zero":
                raise fail(text, j, "couldn't lex number, _ not allowed after leading 0")
            elif c == "_":
                state = "under"
            else:
                return j
        elif state == "dot":
            if not digit:
                raise fail(text, j, "couldn't lex number, junk after decimal point")
            state = "frac"
        elif state in ("under", "exp_under"):
            if c == "_":
                raise fail(text, j, "couldn't lex number, multiple consecutive _'s")
            if not digit:
                raise fail(text, j, "couldn't lex number, junk after '_'")
            state = "int" if state == "under" else "exp"
        elif state == "e":
            if c in ("+", "-"):
                state = "sign"
            elif digit:
                state = "exp"
            else:
                raise fail(text, j, "couldn't lex number, junk after 'E'")
        elif state == "sign":
            if not digit:
                raise fail(text, j, "couldn't lex number, junk after exponent sign")
            state = "exp"
        else:  # exp
            if c == "_":
                state = "exp_under"
            elif not digit:
                return j
        j += 1


def _quoted_end(text: str, i: int) -> int:
    """Index after the closing quote of the string opening at *i* (a backslash skips one character)."""
    quote = text[i]
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == quote:
            return j + 1
        j += 2 if c == "\\" and j + 1 < n else 1
    raise fail(text, i, "unterminated string")


def unescape(raw: str, text: str = "", offset: int = 0) -> str:
    """The value of a quoted string's body, as go-jsonnet decodes it (``\\uXXXX`` and pairs)."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= n:
            raise fail(text, offset, "truncated escape sequence in string literal")
        e = raw[i + 1]
        i += 2
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
        elif e == "u":
            code, i = _hex4(raw, i, text, offset)
            if 0xD800 <= code <= 0xDFFF:
                if i + 6 > n:
                    raise fail(text, offset, "truncated unicode surrogate pair escape sequence in string literal")
                if raw[i:i + 2] != "\\u":
                    raise fail(text, offset, "unicode surrogate pair escape sequence missing low surrogate")
                low, i = _hex4(raw, i + 2, text, offset)
                if code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                else:
                    code = 0xFFFD  # Go's utf16.DecodeRune for an invalid pair
            out.append(chr(code))
        else:
            raise fail(text, offset, f"unknown escape sequence in string literal: \\{e}")
    return "".join(out)


def _hex4(raw: str, i: int, text: str, offset: int) -> tuple[int, int]:
    digits = raw[i:i + 4]
    if len(digits) < 4:
        raise fail(text, offset, "truncated unicode escape sequence in string literal")
    if not all(d in _HEX for d in digits):  # int(..., 16) would accept "+041", " 041" and "0_41"
        raise fail(text, offset, f"unicode escape sequence was malformed: \\u{digits}")
    return int(digits, 16), i + 4


def _verbatim(text: str, i: int) -> tuple[str, int]:
    """``@'...'``: no escapes, a doubled quote stands for one."""
    quote = text[i + 1] if i + 1 < len(text) else ""
    if quote not in ("'", '"'):
        raise fail(text, i, "couldn't lex verbatim string, junk after '@'")
    parts: list[str] = []
    j = i + 2
    while True:
        end = text.find(quote, j)
        if end < 0:
            raise fail(text, i, "unterminated string")
        parts.append(text[j:end])
        if text.startswith(quote, end + 1):
            parts.append(quote)
            j = end + 2
        else:
            return "".join(parts), end + 1


def text_block(text: str, i: int) -> tuple[str, int]:
    """``|||`` (or ``|||-``), a new line, lines indented at least like the first, then ``|||``."""
    n = len(text)
    j = i + 3
    chomp = text.startswith("-", j)
    if chomp:
        j += 1
    while j < n and text[j] in " \t\r":
        j += 1
    if not text.startswith("\n", j):
        raise fail(text, i, "text block requires new line after |||")
    j += 1
    lines: list[str] = []
    while text.startswith("\n", j):
        lines.append("\n")
        j += 1
    k = j
    while k < n and text[k] in " \t":
        k += 1
    indent = text[j:k]
    if not indent:
        raise fail(text, i, "text block's first line must start with whitespace")
    while True:
        j += len(indent)
        end = text.find("\n", j)
        if end < 0:
            raise fail(text, i, "unexpected end of file in text block")
        lines.append(text[j:end + 1])
        j = end + 1
        while text.startswith("\n", j):
            lines.append("\n")
            j += 1
        if not text.startswith(indent, j):
            while j < n and text[j] in " \t":
                j += 1
            if not text.startswith("|||", j):
                raise fail(text, i, "text block not terminated with |||")
            value = "".join(lines)
            return (value[:-1] if chomp else value), j + 3


def _operator_end(text: str, i: int) -> int:
    """A run of symbol characters as go-jsonnet lexes it: never continued by ``/`` or by ``||``,
    and cut back to its first character when it would end in ``+ - ~ ! $``."""
    n = len(text)
    j = i + 1
    while j < n and text[j] in _SYMBOLS:
        if text[j] == "/":  # go-jsonnet never continues an operator with '/'
            break
        if text[j] == "|" and text.startswith("|", j + 1):
            break
        j += 1
    if j > i + 1 and text[j - 1] in "+-~!$":
        j = i + 1  # go-jsonnet winds back to the first character
    return j
