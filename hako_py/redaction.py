"""Keep secret values out of error messages and reports.

Error texts quote values: go-jsonnet prints the string ``std.parseInt`` choked on, an
unknown ``--ext-code`` expression is echoed as ``Unknown variable: hunter2``, JSON Schema
messages repeat the offending value, Docker's errors quote environment entries. Those
texts end up in CI logs and PR comments, so every value hako was handed from outside the
definition (``--ext-str``/``--ext-code`` values, provider values, secrets read for a local
run) is remembered here and replaced by ``<masked>`` in every error hako shows, and
credential-shaped text (``postgres://u:pw@h``, ``AKIA...``) is hidden whatever its origin.

The registry is per process: each worker process remembers what it was handed itself
(loading a definition remembers its ext vars), so no secret crosses a process boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hako_py.secret_detection import hide_shapes

MASK = "<masked>"
# Shorter values would garble ordinary words in messages; such values are no secrets anyway.
MIN_LENGTH = 4

_known: set[str] = set()
_ordered: list[str] = []  # longest first, so a value containing another is replaced whole


def remember(values: Iterable[str]) -> None:
    """Hide these values from now on in every text passed to :func:`redact`."""
    added = False
    for value in values:
        for candidate in (value, value.strip()):
            if len(candidate) >= MIN_LENGTH and candidate not in _known:
                _known.add(candidate)
                added = True
    if added:
        _ordered[:] = sorted(_known, key=len, reverse=True)


# Tokens of a Jsonnet snippet: quoted strings (whole; an unterminated one runs to the end, so a
# failed string never makes the next quote rescan the rest: n²), words, anything else one character.
_TOKEN = re.compile(r"""'(?:[^'\\]|\\.)*+(?:'|\\?\Z)|"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[A-Za-z0-9_]+|\s+|.""",
                    re.DOTALL)
_FIELD_COLON = re.compile(r"\s*:")
_KEYWORDS = frozenset({"assert", "else", "error", "false", "for", "function", "if", "import", "importstr",
                       "importbin", "in", "local", "null", "self", "super", "tailstrict", "then", "true", "std"})


def code_literals(code: str) -> list[str]:
    """The values in an ``--ext-code`` snippet worth hiding: the snippet, its string literals
    and its bare words that are not keywords or field names (``{user: "app", password:
    hunter2}`` gives ``app`` and ``hunter2``): an error can quote any one of them."""
    found = [code]
    for match in _TOKEN.finditer(code):
        token = match.group(0)
        if token.isspace() or (len(token) == 1 and not token.isalnum()):
            continue
        if _FIELD_COLON.match(code, match.end()):
            continue  # a field name
        quoted = token[0] in "'\""  # a string literal, closed or running to the end
        text = (token[1:-1] if len(token) > 1 and token[-1] == token[0] else token[1:]) if quoted else token
        if text and text not in _KEYWORDS:
            found.append(text)
    return found


def forget_all() -> None:
    """Start a new command with nothing remembered (the CLI runs each command in a fresh
    registry, also when several run in one process, as the tests do)."""
    _known.clear()
    _ordered.clear()


def redact(text: str) -> str:
    """*text* with remembered values and credential-shaped substrings replaced by ``<masked>``."""
    for value in _ordered:
        if value in text:
            text = text.replace(value, MASK)
    return hide_shapes(text, MASK)
