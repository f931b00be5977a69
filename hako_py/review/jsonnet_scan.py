"""What a Jsonnet file can read: its imports, and whether it may call a file-reading provider.

go-jsonnet parses ``import`` as ``import <expression>`` and refuses anything but a plain
string literal (no text block, no computed path), so in a file go-jsonnet accepts, every
import is an ``import``/``importstr``/``importbin`` keyword token followed by a string
token. Finding them needs the exact extent of every comment, string and text block
(``jsonnet_lexer``'s rules); the tokens in between cannot hide one, so they are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from hako_py.review.jsonnet_lexer import (
    BLOCK,
    IDENT,
    IMPORT_KEYWORDS,
    PUNCT,
    STRING,
    VERBATIM,
    Token,
    fail,
    text_block,
    tokens_from,
    unescape,
)


class Scan(NamedTuple):
    """What a Jsonnet file can read: import paths by keyword, and whether it may call a provider
    that reads files (``std.native`` other than a literal ``std.native('provide.env')`` call)."""

    imports: tuple[tuple[str, str], ...]  # (keyword, path)
    reads_anything: bool


SAFE_NATIVES = frozenset({"provide.env"})
_STRINGS = (STRING, VERBATIM)
_NATIVE_NAMES = (STRING, VERBATIM, BLOCK)
# What can hide or be an import: comments, strings, text blocks, and the words ``import``,
# ``importstr``, ``importbin`` and ``std`` (whole: not inside a longer identifier, nor
# glued to a number, which no valid program has). Everything else is skipped by the regex
# engine, which is sound: none of it can begin a string or a comment. Unterminated forms
# match the last alternative and are errors.
_LANDMARKS = re.compile(r"""
    (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|@'(?:[^']|'')*'|@"(?:[^"]|"")*")
  | (?P<block>\|\|\|)
  | (?<![A-Za-z0-9_])(?P<word>import(?:str|bin)?|std)(?![A-Za-z0-9_])
  | (?P<open>/\*|['"@])
""", re.VERBOSE | re.DOTALL)


# Shortcuts for the usual forms, exact because only whitespace stands between the tokens:
# an import's plain string, and ``std.NAME``.
_PLAIN_NEXT = re.compile(r"""[ \t\r\n]*(?:'([^'\\]*)'|"([^"\\]*)")""")
_STD_FIELD = re.compile(r"[ \t\r\n]*\.[ \t\r\n]*([A-Za-z_][A-Za-z0-9_]*)")


def scan(text: str) -> Scan:
    """Imports and native use of a Jsonnet file; :class:`LexError` when it cannot be read.

    Every comment, string and text block is delimited exactly as go-jsonnet does, so a
    word found outside them is a real token; the tokens after ``import`` and ``std`` are
    then lexed precisely. ``std`` used other than as ``std.NAME`` (an alias,
    ``std['native']``, ``std.get(std, ..)``) could reach ``std.native`` by a computed name,
    so it counts as reading anything. (Errors go-jsonnet would report elsewhere in the
    file are not looked for: such a file is never evaluated, so it reads nothing.)
    """
    imports: list[tuple[str, str]] = []
    reads_anything = False
    search = _LANDMARKS.search
    match = search(text, 0)
    while match is not None:
        kind = match.lastgroup
        position = match.end()
        if kind == "word":
            word = match.group()
            plain = _PLAIN_NEXT.match(text, position) if word != "std" else None
            if plain is not None:
                imports.append((word, plain.group(1) if plain.group(1) is not None else plain.group(2)))
            elif word in IMPORT_KEYWORDS:
                following = next(tokens_from(text, position), None)
                if following is None or following.kind not in _STRINGS:
                    # go-jsonnet refuses this (computed import, text block); assume the worst
                    raise fail(text, match.start(), f"{word} must be followed by a string literal")
                imports.append((word, following.value))
            elif word == "std" and not reads_anything and not _field_named_std(text, match.start()):
                field = _STD_FIELD.match(text, position)
                if field is None or field.group(1) == "native":
                    reads_anything = not _harmless_std_use(tokens_from(text, position))
        elif kind == "string" and not reads_anything:
            reads_anything = _names_legacy_providers(match.group(), text, match.start())
        elif kind == "block":
            value, position = text_block(text, match.start())
            reads_anything = reads_anything or LEGACY_PROVIDERS in value
        elif kind == "open":
            if match.group() == "/*":
                raise fail(text, match.start(), "multi-line comment has no terminating */")
            if match.group() == "@":
                raise fail(text, match.start(), "couldn't lex verbatim string, junk after '@'")
            raise fail(text, match.start(), "unterminated string")
        match = search(text, position)
    return Scan(tuple(imports), reads_anything)


# hako's legacy env form names file-reading providers under an env key '$providers'
# (hako_py.loading.legacy_env). A string holding the word may build that key (`'$' +
# 'providers'`), so the file counts as reading anything; a false alarm only renders more.
LEGACY_PROVIDERS = "providers"


def _names_legacy_providers(raw: str, text: str, offset: int) -> bool:
    """Whether the string literal *raw* (quotes included) holds the word :data:`LEGACY_PROVIDERS`
    once decoded; an escape could only hide it, and every escape spells it out decoded."""
    if raw.startswith("@"):
        quote = raw[1]
        return LEGACY_PROVIDERS in raw[2:-1].replace(quote * 2, quote)
    return LEGACY_PROVIDERS in unescape(raw[1:-1], text, offset)


def _field_named_std(text: str, start: int) -> bool:
    """``x.std``: a field, not the standard library. Only when ``.`` stands just before on the
    same line (so no comment can be between them, and that ``.`` cannot be in one)."""
    i = start - 1
    while i >= 0 and text[i] in " \t\r":
        i -= 1
    return i >= 0 and text[i] == "."


def _harmless_std_use(following: Iterator[Token]) -> bool:
    """``std.NAME`` with NAME not ``native``, or exactly ``std.native(<literal safe provider>)``."""
    window: list[Token] = []
    for token in following:
        window.append(token)
        if len(window) == 5:
            break
    if len(window) < 2 or window[0] != (PUNCT, ".", window[0].offset) or window[1].kind != IDENT:
        return False
    if window[1].value != "native":
        return True
    return (len(window) == 5 and window[2].kind == PUNCT and window[2].value == "("
            and window[3].kind in _NATIVE_NAMES and window[3].value in SAFE_NATIVES
            and window[4].kind == PUNCT and window[4].value == ")")
