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

from hako_py.secret_detection import hide_shapes, hide_spans, shape_spans

MASK = "<masked>"
# Shorter values would garble ordinary words in messages; such values are no secrets anyway.
MIN_LENGTH = 4

_known: set[str] = set()
_ordered: list[str] = []  # longest first, so a value containing another is replaced whole
# Secrets handed in under a secret-looking name (``--ext-str DB_PASSWORD=...``), lower-cased:
# hidden in every output too, also changed in case or cut (see :func:`fragment_spans`).
_secrets: set[str] = set()
# A piece of a secret this long is hidden wherever it appears; shorter pieces would hide
# ordinary words, and a secret shorter than this is hidden only whole.
FRAGMENT_LENGTH = 6


def remember_secret(values: Iterable[str]) -> None:
    """Hide these values from now on in every error *and* every output (render, diffs,
    reviews), whatever their case, and any piece of :data:`FRAGMENT_LENGTH` or more
    characters of them: ``error std.asciiUpper(pw)`` prints ``HUNTER2``, ``pw[1:]``
    prints ``unter2``. A value transformed otherwise (encoded, reversed, split into short
    pieces) cannot be recognised: secrets belong in ``secrets``, passed by reference."""
    values = list(values)
    remember(values)
    for value in values:
        value = value.strip().lower()
        if len(value) >= MIN_LENGTH:
            _secrets.add(value)


def fragment_spans(text: str) -> list[tuple[int, int]]:
    """Where *text* holds a remembered secret or a piece of one (case-insensitive)."""
    if not _secrets:
        return []
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for secret in _secrets:
        size = min(FRAGMENT_LENGTH, len(secret))
        for start in range(len(secret) - size + 1):
            piece = secret[start:start + size]
            found = lowered.find(piece)
            while found >= 0:
                spans.append((found, found + size))
                found = lowered.find(piece, found + 1)
    return spans


def holds_secret(text: str) -> bool:
    """Whether *text* holds a secret of :func:`remember_secret` or a piece of one."""
    return bool(_secrets) and bool(fragment_spans(text))


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


# Tokens of a Jsonnet source for :func:`secret_literals`: comments, text blocks, verbatim
# and ordinary strings (whole), words, operators (``==`` apart from ``=``), anything else.
_SOURCE_TOKEN = re.compile(
    r"""//[^\n]*|#[^\n]*|/\*[\s\S]*?(?:\*/|$)|\|\|\|[\s\S]*?(?:\|\|\||$)|@'(?:[^']|'')*'|@"(?:[^"]|"")*"|"""
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|[0-9]+|==|!=|<=|>=|\s+|.""")
_OPEN, _CLOSE = "([{", ")]}"


def secret_literals(source: str) -> list[str]:
    """The string literals of a Jsonnet (or JSON) *source* bound to a secret-looking name:
    the whole expression of a field (``DB_PASSWORD: std.parseInt('pw-1')``), a ``local``, a
    parameter default or a named argument (``pw = 'x'``) whose name looks secret. When an
    evaluation fails there is no definition whose values could be masked, yet the runtime
    error can quote such a literal (``pw-1 is not a base 10 integer``).

    One pass over the tokens, whatever the nesting: each open binding ends at a ``,`` or
    ``;`` at its own depth, or when its enclosing bracket closes."""
    from hako_py.secret_detection import looks_secret

    found: list[str] = []
    tokens = [t for t in _SOURCE_TOKEN.findall(source) if (not t.isspace() and t[:1] not in "#/") or t == "/"]
    depth = 0
    collecting: list[int] = []  # the depths of the bindings being collected, innermost last
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token[:1] in "'\"|@" and len(token) > 1:
            text = _literal_text(token)
            if collecting:
                found.append(text)
            if following in (":", "+") or following == "=":
                name = text
            else:
                continue
        elif token[:1].isalpha() or token[:1] == "_":
            name = token
        elif token in _OPEN:
            depth += 1
            continue
        elif token in _CLOSE:
            depth -= 1
            while collecting and collecting[-1] > depth:
                collecting.pop()
            continue
        elif token in ",;":
            while collecting and collecting[-1] >= depth:
                collecting.pop()
            continue
        else:
            continue
        # a name followed by ':' (a field, also '::', '+:') or by a single '=' (a local, a default)
        binds = following == "=" or following == ":" or (following == "+" and index + 2 < len(tokens)
                                                           and tokens[index + 2] == ":")
        if binds and looks_secret(name):
            collecting.append(depth)
    return found


def _literal_text(token: str) -> str:
    if token.startswith("|||"):
        return token[3:].removesuffix("|||").strip()
    if token.startswith("@"):
        quote = token[1]
        return token[2:-1].replace(quote * 2, quote)
    body = token[1:-1]
    try:
        import json

        return str(json.loads('"' + body.replace('"', '\\"').replace("\\'", "'") + '"')) if "\\" in body else body
    except ValueError:
        return body


def forget_all() -> None:
    """Start a new command with nothing remembered (the CLI runs each command in a fresh
    registry, also when several run in one process, as the tests do)."""
    _known.clear()
    _ordered.clear()
    _secrets.clear()


def redact(text: str) -> str:
    """*text* with remembered values and credential-shaped substrings replaced by ``<masked>``."""
    for value in _ordered:
        if value in text:
            text = text.replace(value, MASK)
    if _secrets:
        return hide_spans(text, fragment_spans(text) + shape_spans(text), MASK)
    return hide_shapes(text, MASK)
