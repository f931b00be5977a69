"""More credential shapes: the ones :mod:`hako_py.secret_detection`'s patterns miss.

A value carries a credential in many more spellings than a ``postgres://u:pw@h`` URL or an
``AKIA...`` key: a token in a query string (``?access_token=...``, ``&sig=...`` of an Azure
SAS URL), an ``Authorization: Bearer ...`` header in a health-check command, ``curl -u
user:pw``, ``mysql -psecret``, the prefixed tokens of GitLab, npm, OpenAI, Stripe, SendGrid,
Hugging Face and others, Discord webhooks, and a URL whose password holds an ``@``
(``postgres://app:p@ss@db``: the userinfo runs to the *last* ``@`` before the host). This
module finds them as character spans, so the caller hides only the secret part and the
command around it stays readable.

Every pattern is linear in the length of the text (no nested unbounded repetition, every
open-ended prefix bounded), since definitions come from pull requests: tests run each on a
1 MB adversarial input. This module is kept apart from ``secret_detection``'s own pattern
list so that both can change without touching each other.

It has no dependencies inside hako-py.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

Span = tuple[int, int]

# Not a letter or digit before a token's prefix (``\b`` would fail after ``_``: ``KEY_ghp_...``).
_START = r"(?<![A-Za-z0-9])"

# Well-known prefixed tokens, whole. Sources: each vendor's documentation of its token
# format (GitHub "About authentication", GitLab "Token overview", npm "About access tokens",
# OpenAI/Anthropic API keys, Stripe "API keys", SendGrid, Google API keys and OAuth access
# tokens, Hugging Face "User access tokens", DigitalOcean, Shopify, PyPI, HashiCorp Vault,
# Doppler, Postman, Grafana, New Relic, Sentry, Linear, Atlassian, Databricks, Mailgun,
# Square, Telegram bots, Terraform Cloud, Twilio, Slack, AWS unique ID prefixes).
_PREFIXED_TOKENS = [
    r"gh[pousr]_[A-Za-z0-9]{30,}",
    r"github_pat_[A-Za-z0-9_]{40,}",
    r"gl(?:pat|dt|rt|ptt|ft|imt|oas|cbt|soat|agent|ffct)-[A-Za-z0-9_-]{20,}",
    r"GR1348941[A-Za-z0-9_-]{20,}",
    r"npm_[A-Za-z0-9]{36,}",
    r"sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}",
    r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
    r"whsec_[A-Za-z0-9]{20,}",
    r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
    r"AIza[0-9A-Za-z_-]{35}",
    r"ya29\.[A-Za-z0-9_-]{20,}",
    r"hf_[A-Za-z0-9]{30,}",
    r"do[opr]_v1_[a-f0-9]{64}",
    r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
    r"pypi-AgE[A-Za-z0-9_-]{50,}",
    r"hv[sbr]\.[A-Za-z0-9_-]{24,}",
    r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,}",
    r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}",
    r"glc_[A-Za-z0-9+/=]{32,}",
    r"glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}",
    r"NRAK-[A-Z0-9]{27}",
    r"sntry[su]_[A-Za-z0-9+/=_-]{40,}",
    r"lin_api_[A-Za-z0-9]{40}",
    r"ATATT[A-Za-z0-9_=-]{20,}",
    r"dapi[a-f0-9]{32}",
    r"key-[0-9a-f]{32}",
    r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}",
    r"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}",
    r"SK[0-9a-f]{32}(?![0-9A-Za-z])",
    r"xox[abeoprs]-[A-Za-z0-9-]{10,}",
    r"xapp-\d-[A-Za-z0-9-]{10,}",
    r"(?:AKIA|ASIA|AROA|AIDA|AGPA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Z])",
]
# A value that is a reference, not a credential: a shell or provider variable, or a mask.
_NOT_A_VALUE = r"(?!\$)(?!<masked)"
_KV_WORDS = ("token", "secret", "password", "passwd", "pwd", "passphrase", "api_key", "api-key", "apikey",
             "access_key", "access-key", "accesskey", "accountkey", "private_key", "private-key", "sig", "signature",
             "credential", "credentials")
_JSON_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey")
# Credentials that follow a label; only the named group ``v`` is hidden, the label stays.
# Each pattern starts with a literal character (``=``, a quote, ``-``) or a two-letter set,
# so the regex engine skips to its candidates in C instead of trying every position.
_LABELLED = [
    # key=value pairs of query strings, connection strings and shell assignments, whatever
    # comes before the word (``access_token=``, ``client_secret=``, ``PGPASSWORD=``), and
    # Azure SAS signatures (``sig=``) and storage keys (``AccountKey=``)
    # (the one-character look-behind first: a run of '=' costs one test per character)
    "=(?<=[" + "".join(sorted({c for word in _KV_WORDS for c in (word[-1], word[-1].upper())})) + "]=)(?:"
    + "|".join(f"(?<=(?i:{re.escape(word)})=)" for word in _KV_WORDS) + ")"
    + _NOT_A_VALUE + r"(?P<v>[^\s;&'\"]+)",
    # the same as a JSON member inside a string: "password": "..."
    "[\"'](?:" + "|".join(f"(?<=(?i:{word})[\"'])" for word in _JSON_WORDS) + r")\s{0,9}:\s{0,9}[\"']"
    + _NOT_A_VALUE + r"(?P<v>[^\s\"']+)",
    # HTTP authorization headers (also Proxy-Authorization), also inside a health-check command
    r"[Aa](?i:uthorization)\s{0,9}[:=]\s{0,9}(?:(?i:bearer|basic|token|digest|bot|apikey|sso-key)\s{1,9})?+"
    + _NOT_A_VALUE + r"(?P<v>[^\s'\"]+)",
    r"[Bb](?<![A-Za-z0-9][Bb])(?i:earer)\s{1,9}" + _NOT_A_VALUE + r"(?P<v>[A-Za-z0-9._~+/=-]{8,})",
    # curl -u user:pw, --user user:pw (a uid:gid pair such as docker's -u 1000:1000 is no password)
    r"-(?<![\w-]-)(?:u\s{0,9}|-(?:proxy-)?user(?:\s{1,9}|=))['\"]?" + _NOT_A_VALUE
    + r"(?!\d+:\d+(?![^\s'\"]))(?P<v>[^\s:'\"]+:[^\s'\"]+)",
    # webhook URLs whose path is the credential
    r"[Dd](?i:iscord(?:app)?\.com/api/webhooks/)(?P<v>[0-9]+/[A-Za-z0-9_-]+)",
    r"\.(?i:webhook\.office\.com/webhookb2/)(?P<v>[A-Za-z0-9@/_-]+)",
]
# Candidates checked in Python (a regex alone would backtrack over their open-ended parts):
# an ``X-...: value`` header whose name says key, token, secret or auth, and ``-pVALUE``
# (a MySQL client's password glued to the flag) after a MySQL client on the same line.
_X_HEADER = re.compile(r"[Xx](?<![A-Za-z0-9-][Xx])-(?P<name>[A-Za-z0-9-]{1,40}+)\s{0,9}+:\s{0,9}+" + _NOT_A_VALUE
                       + r"(?P<v>[^\s'\"]+)")
_X_HEADER_SECRET = re.compile(r"(?i:key|token|secret|auth)")
_GLUED_P = re.compile(r"-(?<![\w-]-)p['\"]?" + _NOT_A_VALUE + r"(?P<v>[^\s'\"]+)")
_MYSQL_CLIENT = re.compile(r"(?i:\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlpump|mariadb|"
                           r"mariadb-dump)\b)")
# Terraform Cloud tokens: 14 characters, ".atlasv1.", 60 or more (found from the literal part)
_ATLAS = re.compile(r"\.atlasv1\.[A-Za-z0-9_-]{60,}")
_ATLAS_HEAD = 14
_COMMAND_END = re.compile(r"[\n;|&]")
_MYSQL_WINDOW = 200
# (the look-ahead first: most positions start no token, and one set test rules them out)
_TOKEN_FIRST = "[ADGNPSaghklnprswxyd0-9]"  # the first characters of the tokens above (a test checks each)
_TOKENS = re.compile(f"(?={_TOKEN_FIRST})" + _START + "(?:" + "|".join(_PREFIXED_TOKENS) + ")")
# one pattern per label: a single alternation would need distinct group names
_LABELS = [re.compile(pattern) for pattern in _LABELLED]
# A URL's authority: what follows ``://`` up to the path, query, fragment or a blank.
_AUTHORITY = re.compile(r"://([^\s/?#]*)")
# A user that is itself a key (a Sentry DSN's public key).
_KEY_USER = re.compile(r"[A-Za-z0-9_-]{16,}")
# Words of a command line that take a ``user:password`` next (``curl -u``) and MySQL
# clients whose ``-pPASSWORD`` is the password glued to the flag.
_USER_FLAGS = frozenset({"-u", "--user", "--proxy-user"})
_MYSQL_CLIENTS = re.compile(r"(?:^|/)(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlpump|"
                            r"mariadb|mariadb-dump)$")
_UID_GID = re.compile(r"\d+:\d+")


def credential_spans(text: str) -> list[Span]:
    """The (start, end) of every credential in *text* found by the shapes of this module."""
    spans = [match.span() for match in _TOKENS.finditer(text)]
    for label in _LABELS:
        spans.extend(match.span("v") for match in label.finditer(text))
    spans.extend(_userinfo_spans(text))
    spans.extend(_checked_spans(text))
    return spans


def has_credential(text: str) -> bool:
    """Whether *text* holds a credential by one of this module's shapes."""
    return _TOKENS.search(text) is not None or any(label.search(text) for label in _LABELS) or any(
        True for _ in _userinfo_spans(text)) or any(True for _ in _checked_spans(text))


def _checked_spans(text: str) -> Iterable[Span]:
    for match in _ATLAS.finditer(text):
        yield max(0, match.start() - _ATLAS_HEAD), match.end()
    for match in _X_HEADER.finditer(text):
        if _X_HEADER_SECRET.search(match.group("name")):
            yield match.span("v")
    for match in _GLUED_P.finditer(text):
        window = text[max(0, match.start() - _MYSQL_WINDOW):match.start()]
        command = _COMMAND_END.split(window)[-1]
        if _MYSQL_CLIENT.search(command):
            yield match.span("v")


def _userinfo_spans(text: str) -> Iterable[Span]:
    """A URL's userinfo, up to the last ``@`` of the authority (RFC 3986: the password may
    hold ``@``; ``postgres://app:p@ss@db`` has the password ``p@ss``), when it carries a
    password (``user:pw``, or an ``@`` inside) or a key as the user; a plain user
    (``ssh://git@host``) is no secret. Linear: authorities never overlap (each ends before
    the ``/`` of the next ``://``)."""
    for match in _AUTHORITY.finditer(text):
        authority = match.group(1)
        at = authority.rfind("@")
        if at <= 0:
            continue
        userinfo = authority[:at]
        if ":" in userinfo or "@" in userinfo or _KEY_USER.fullmatch(userinfo):
            yield match.start(1), match.start(1) + at


def secret_arguments(items: list[object]) -> set[int]:
    """Indexes of the words of an exec-form command (``["curl", "-u", "admin:pw", ...]``)
    that are credentials: the ``user:password`` after ``-u``/``--user``, and a MySQL
    client's ``-pPASSWORD``."""
    found: set[int] = set()
    mysql = False
    for index, item in enumerate(items):
        if not isinstance(item, str):
            continue
        word = item.strip()
        mysql = mysql or _MYSQL_CLIENTS.search(word) is not None
        if mysql and word.startswith("-p") and len(word) > 2 and not word.startswith("-p$"):
            found.add(index)
        after_user_flag = index > 0 and str(items[index - 1]).strip() in _USER_FLAGS
        if after_user_flag and ":" in word and not _UID_GID.fullmatch(word) and not word.startswith("$"):
            found.add(index)
    return found


# A long run of the characters of base64, base64url or hex: how keys, tokens and encoded
# files (a kubeconfig's base64) look when nothing else tells.
_ENCODED_RUN = re.compile(r"[A-Za-z0-9+/=_-]{32,}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGIT, _UPPER, _LOWER = re.compile("[0-9]"), re.compile("[A-Z]"), re.compile("[a-z]")
_ENTROPY_SAMPLE = 4096
# bits per character above which a run reads as random rather than as words: a random
# base64 run of 32+ characters has about 4.5-5, identifiers and paths stay below 4.
_RANDOM_BITS = 4.2


def looks_random(value: str) -> bool:
    """Whether *value* holds a long random-looking string: 32 or more hex digits (a SHA-1
    or SHA-256, an API key), or 32 or more base64 characters mixing upper case, lower case
    and digits with the entropy of random data. Errs on the side of *yes*: a commit SHA is
    refused too, and the caller says how to allow a name."""
    for match in _ENCODED_RUN.finditer(value):
        run = match.group(0)
        if not _DIGIT.search(run):
            continue
        if _HEX.fullmatch(run):
            return True
        # the entropy of a prefix says it as well, and bounds the work on a long run
        if _UPPER.search(run) and _LOWER.search(run) and _entropy(run[:_ENTROPY_SAMPLE]) >= _RANDOM_BITS:
            return True
    return False


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
