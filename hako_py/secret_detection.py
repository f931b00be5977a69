"""Recognise secret values: by the name they are stored under, and by their own shape.

Rendered requests, diffs and PR comments are printed and posted publicly, so hako hides
any value that looks like a credential. Names catch ``DB_PASSWORD: 'pw'``; shapes catch
what a name does not tell: ``DATABASE_URL: 'postgres://app:pw@db/x'`` (URL userinfo),
``SENTRY_DSN: 'https://key@o1.ingest.sentry.io/1'``, AWS access keys, GitHub and Slack
tokens, JWTs and private key blocks. Both are heuristics that err on the side of hiding.

This module has no dependencies inside hako-py, so checks, masking and error reporting
can all use it without importing each other.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hako_py.credential_shapes import credential_spans, has_credential

SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PASSCODE|PRIVATE|CREDENTIAL|API[_.-]?KEY|ACCESS[_.-]?KEY|AUTH|DSN|"
    r"(^|[_.-])(KEY|PASS|PWD|PW|SALT|COOKIE|SIGNING)($|[_.-])|(PASS|PWD|PW)$)",
    re.IGNORECASE,
)
# Never hidden, whatever the name: empty, ``${KEY}`` provider placeholders and ARNs (a
# secret's *location*, e.g. a Secrets Manager ARN, is not a secret).
REFERENCE_VALUE = re.compile(r"^(|\$\{[^}]*\}|arn:\S+)$")
# Not worth a warning under a secret-looking name: also flags, placeholders, small numbers.
HARMLESS_VALUE = re.compile(
    r"^(|\$\{[^}]*\}|arn:\S+|true|false|none|null|changeme|dummy|[0-9]{1,5})$", re.IGNORECASE
)

# Each alternative is a well-known credential format; sources: AWS access key IDs
# (AKIA/ASIA + 16 upper-case alphanumerics, IAM user guide "Understanding unique ID
# prefixes"), GitHub token prefixes (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_, GitHub docs
# "About authentication to GitHub"), Slack tokens (xoxb-/xoxp-/xoxa-/xoxr-/xoxs-) and
# incoming-webhook URLs, JSON Web Tokens (base64url header starting eyJ), PEM private keys,
# Stripe live keys, Google API keys (AIza + 35 characters).
#
# Definition text is untrusted and these run on all of it, in the main process and outside
# any evaluation budget, so each must run in linear time (tests/test_regex_cost.py runs
# them on adversarial megabytes): a pattern that can *fail* after an unbounded run must not
# share that run between many start positions, or ``'a://:' * 40000`` costs n² (it did:
# 200 KB took 80 s). Runs that a failure can follow are therefore bounded (a URL scheme is
# at most 32 characters, its user and password 256 each, a JWT header 512), and the
# others are possessive or end the match as soon as they reach their minimum.
MAX_URL_PART = 256
_SHAPES = [
    # URL userinfo: user:password@ (the user may be empty, the password hold '/'), any scheme case
    rf"(?i:\b[a-z][a-z0-9+.-]{{0,31}}://[^\s/?#@:]{{0,{MAX_URL_PART}}}:[^\s@]{{1,{MAX_URL_PART}}}@)",
    rf"(?i:\b[a-z][a-z0-9+.-]{{0,31}}://[A-Za-z0-9_\-]{{16,{MAX_URL_PART}}}@)",  # a key as the user (Sentry DSN)
    r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b",
    r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}",
    r"\bgithub_pat_[A-Za-z0-9_]{40,}",
    r"\bxox[abeprs]-[A-Za-z0-9-]{10,}",
    r"\bxapp-\d-[A-Za-z0-9-]{10,}",  # Slack app-level tokens
    r"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{8,}",
    r"\beyJ[A-Za-z0-9_-]{8,512}\.eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}",
    # a PEM private key, header to footer (or to the end): the key material is the secret
    r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[^-]*+-----|$)",
    r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}",
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    # key=value connection strings (JDBC, ODBC, ADO: Password=...;) — the value only
    r"(?i:\b(?:password|passwd|pwd|secret|token|api_?key)=)(?P<value>[^;&\s]+)",
]
SECRET_SHAPE = re.compile("|".join(f"(?:{shape})" for shape in _SHAPES))
# Strings shorter than the shortest shape above cannot match; skipping them keeps masking
# a 1,000-app review cheap.
_MIN_SHAPE_LENGTH = 10


def hide_shapes(value: str, mask: str) -> str:
    """*value* with each credential-shaped part replaced by *mask*, the rest kept: a command
    with a token in it stays readable (``curl ... | sh # <masked>``), so hiding the token
    cannot hide what the command does."""
    if len(value) < _MIN_SHAPE_LENGTH:
        return value
    return hide_spans(value, shape_spans(value), mask)


def hide_spans(value: str, spans: list[tuple[int, int]], mask: str) -> str:
    """*value* with each of *spans* (overlapping ones merged) replaced by *mask*."""
    spans = _merged(spans)
    if not spans:
        return value
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += [value[last:start], mask]
        last = end
    parts.append(value[last:])
    return "".join(parts)


def shape_spans(value: str) -> list[tuple[int, int]]:
    """Where the credentials in *value* are: this module's shapes (only the value of a
    ``Password=...`` pair, only the userinfo of a URL) and :mod:`hako_py.credential_shapes`'."""
    spans: list[tuple[int, int]] = []
    for match in SECRET_SHAPE.finditer(value):
        if match.group("value") is not None:  # keep "Password=" of a key=value pair
            spans.append(match.span("value"))
            continue
        text = match.group(0)
        if "://" in text and text.endswith("@"):  # keep the scheme and the "@host"
            spans.append((match.start() + text.index("://") + 3, match.end() - 1))
        else:
            spans.append(match.span())
    spans.extend(credential_spans(value))
    return spans


def shape_parts(value: str) -> list[str]:
    """The credential-shaped parts of *value*, as :func:`hide_shapes` would hide them."""
    return [value[start:end] for start, end in _merged(shape_spans(value))] if len(value) >= _MIN_SHAPE_LENGTH else []


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one (two shapes may find the same credential)."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


# A command-line flag naming a secret: its value (the next argument, or after '=') is one.
# (the secret word is looked for in a lookahead, and the flag then taken possessively: two
# unbounded runs around the word would try every occurrence of it against the rest, n²)
SECRET_FLAG = re.compile(
    r"^(?=--?[\w.-]*?(?:password|passwd|pwd|token|secret|api[-_]?key|access[-_]?key|credentials?))"
    r"(?P<flag>--?[\w.-]*+)(?:=(?P<value>.+))?$", re.IGNORECASE)


# Reviews and fleets ask about the same short names and values for every app (``RAILS_ENV``,
# ``production``, a shared image): answers for texts up to this length are remembered.
_REMEMBERED_LENGTH = 256


@lru_cache(maxsize=4096)
def _looks_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def looks_secret(name: str) -> bool:
    """Whether an environment variable's (or option's) *name* suggests a secret value."""
    return _looks_secret(name) if len(name) <= _REMEMBERED_LENGTH else bool(SECRET_NAME.search(name))


@lru_cache(maxsize=4096)
def _has_secret_shape(value: str) -> bool:
    return len(value) >= _MIN_SHAPE_LENGTH and (SECRET_SHAPE.search(value) is not None or has_credential(value))


def has_secret_shape(value: str) -> bool:
    """Whether *value* contains something formatted like a credential, whatever its name."""
    if len(value) <= _REMEMBERED_LENGTH:
        return _has_secret_shape(value)
    return SECRET_SHAPE.search(value) is not None or has_credential(value)


def is_harmless(value: object) -> bool:
    """A value not worth a warning even under a secret-looking name (see ``HARMLESS_VALUE``)."""
    return bool(HARMLESS_VALUE.match(str(value)))


def secret_entry(name: str, value: object) -> bool:
    """Whether ``name = value`` (an env entry, a log option, a label) must be hidden in output.

    Errs on hiding: under a secret-looking name only references stay visible (a four-digit
    PIN is a secret), and a credential-shaped value is hidden under any name.
    """
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    text = str(value)
    if has_secret_shape(text):
        return True
    return looks_secret(name) and not REFERENCE_VALUE.match(text)
