"""Where credentials may be sent: the one rule every HTTP call carrying them goes through.

Definitions come from pull requests, so a definition must never choose where a token goes
(``jenkins_tag`` with ``server: 'http://attacker:8080'`` once received ``$JENKINS_TOKEN``).
The rule:

- a URL that receives credentials comes from the environment or ``hako.toml`` (trusted:
  maintainers own them), or — when a definition names it — must match an entry of
  ``hako.toml``'s ``[scripts] allowed_servers``;
- credentials go over https only, or plain http to a loopback address;
- a URL never carries credentials itself (``https://user:pw@host``) and credentials never
  follow a redirect (they are attached as an *unredirected* header);
- a definition may still name a server that receives no credentials.
"""

from __future__ import annotations

import ipaddress
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from hako_py.errors import HakoError
from hako_py.hosts import url_host

_DEFAULT_PORTS = {"http": 80, "https": 443}


class OutboundError(HakoError):
    """A request was refused by the credential rule, or failed; the message says which."""


@dataclass(frozen=True)
class Destination:
    """A URL and where it came from: ``trusted`` when from the environment or ``hako.toml``."""

    url: str
    trusted: bool
    origin: str  # shown in errors: "$JENKINS_URL", "hako.toml [scripts.jenkins_tag] server", ...


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise OutboundError(f"{url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise OutboundError(f"{url!r} is not an http(s) URL")
    return parts


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_allowed_server(url: str) -> None:
    """An ``allowed_servers`` entry must itself satisfy the transport rule."""
    parts = _split(url)
    problem = _transport_problem(parts)
    if problem:
        raise OutboundError(f"{_shown(parts)}: {problem}")


def _transport_problem(parts: SplitResult) -> str | None:
    if parts.username is not None or parts.password is not None:
        return "credentials must not be part of the URL"
    if parts.scheme != "https" and not is_loopback_host(parts.hostname or ""):
        return "credentials are only sent over https (plain http only to loopback)"
    return None


def display_url(url: str) -> str:
    """*url* as printable in logs: without userinfo, query or fragment (they may hold secrets)."""
    try:
        return _shown(urlsplit(url))
    except ValueError:
        return "<malformed URL>"


def _shown(parts: SplitResult) -> str:
    """The URL without userinfo, query or fragment (they may hold secrets)."""
    host = url_host(parts.hostname or "")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _port(parts: SplitResult) -> int:
    return parts.port or _DEFAULT_PORTS[parts.scheme]


def matches_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """Same scheme, host and port as an allowed server, and a path below its path."""
    parts = _split(url)
    if "/.." in parts.path or "%2e" in parts.path.lower():
        return False  # a server may normalise it out of the allowed path
    for entry in allowed:
        base = _split(entry)
        if (parts.scheme, (parts.hostname or "").lower(), _port(parts)) != (
                base.scheme, (base.hostname or "").lower(), _port(base)):
            continue
        prefix = base.path.rstrip("/")
        if not prefix or parts.path == prefix or parts.path.startswith(prefix + "/"):
            return True
    return False


def credential_problem(destination: Destination, allowed: tuple[str, ...]) -> str | None:
    """Why credentials may not be sent to *destination*, or None when they may."""
    parts = _split(destination.url)
    problem = _transport_problem(parts)
    if problem is None and not destination.trusted and not matches_allowed(destination.url, allowed):
        problem = (f"it comes from {destination.origin} and is not in hako.toml's [scripts] allowed_servers; "
                   "credentials are only sent to servers from the environment, hako.toml, or that list")
    return problem


# What a script's server may answer: the answer of a definition-named server is untrusted,
# and a tag lookup needs a few kilobytes (a 3 GB answer once took 5.9 GB of memory).
MAX_RESPONSE_BYTES = 1024 * 1024


def _read_bounded(response: Any, deadline: float, parts: SplitResult) -> bytes:
    """The body, at most MAX_RESPONSE_BYTES, read before *deadline*: a socket timeout bounds
    each read, not a server that sends one byte every ten seconds."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise OutboundError(f"{_shown(parts)}: the answer took too long")
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise OutboundError(f"{_shown(parts)}: the answer is larger than {MAX_RESPONSE_BYTES // 1024} KiB")
        chunks.append(chunk)


def send(destination: Destination, *, allowed: tuple[str, ...], credentials: Mapping[str, str] | None = None,
         secret_url: bool = False, headers: Mapping[str, str] | None = None, data: bytes | None = None,
         method: str | None = None, timeout: float = 15) -> bytes:
    """One HTTP request; *credentials* (header name → value) only where the rule allows and
    never along a redirect. ``secret_url``: the URL itself is the credential (a webhook's
    token in its path): the same rule applies and errors name only its host. Otherwise
    errors name the URL without userinfo or query."""
    try:
        parts = _split(destination.url)
    except OutboundError:
        if secret_url:  # never echo a secret URL, even a malformed one
            raise OutboundError(f"{destination.origin} is not an http(s) URL") from None
        raise
    if secret_url:
        parts = parts._replace(path="/...")
    if credentials or secret_url:
        problem = credential_problem(destination, allowed)
        if problem:
            raise OutboundError(f"{_shown(parts)}: {problem}")
    request = urllib.request.Request(destination.url, data=data, headers=dict(headers or {}), method=method)
    for name, value in (credentials or {}).items():
        request.add_unredirected_header(name, value)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _read_bounded(response, deadline, parts)
    except urllib.error.HTTPError as exc:
        raise OutboundError(f"{_shown(parts)}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OutboundError(f"{_shown(parts)}: {getattr(exc, 'reason', exc)}") from None
