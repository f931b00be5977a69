"""Who the sandbox serves: its own local user's AWS SDKs, CLIs and scripts, never a web page.

The sandbox listens on loopback, yet a web page in its user's browser can send requests to
loopback, and other local users can connect to it. What each check stops:

- cross-origin requests (fetch, forms, images): refused when they carry an ``Origin`` header
  or a ``Sec-Fetch-Site`` other than ``none`` (no AWS SDK sends either); CORS preflights
  (OPTIONS) are refused and no answer carries ``Access-Control-*`` headers (moto's flask app
  adds them), so a page can neither send a non-simple request nor read an answer;
- DNS rebinding (a page's own host name re-resolved to 127.0.0.1, which makes its requests
  same-origin): refused because its ``Host`` header names the page's site, not a loopback name;
- a plain GET from a browser too old to send ``Sec-Fetch-Site``: AWS requests must carry a
  Signature Version 4 ``Authorization`` header, which a page cannot add without a preflight;
- moto's own ``/moto-api/`` (reset, dashboard, data dumps with secret values, recorder
  replay; several act on a GET): not served at all;
- other local users: :class:`hako_py.sandbox.peers.PeerCheck`, where the OS can tell.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import unquote, urlsplit

from hako_py.sandbox.peers import PeerCheck
from hako_py.sandbox.replies import Reply, aws_error, closing, json_reply, status_line, uses_json_protocol

_HOST = re.compile(r"(?P<name>[^:\[\]]+|\[[^\]]+\])(?::(?P<port>\d{1,5}))?")
CONTROL_PREFIX = "/_sandbox"
MOTO_API_PREFIX = "/moto-api"
SIGV4_PREFIX = "AWS4-"  # AWS4-HMAC-SHA256 (SigV4), AWS4-ECDSA-P256-SHA256 (SigV4a)
NOT_LOOPBACK = ("{host} is not a loopback address: the sandbox serves only its own local user, so it listens only "
                "on loopback (127.0.0.1, ::1 or localhost)")


@dataclass(frozen=True)
class Refusal:
    """Why a request is not served; ``code`` is the query protocol's spelling (AccessDenied)."""

    message: str
    code: str = "AccessDenied"
    status: int = 403


@dataclass(frozen=True)
class Request:
    """What the checks look at: method, decoded path, headers (lower-case names, repeats joined by ",")."""

    method: str
    path: str
    headers: Mapping[str, str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> Request:
        headers = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        return cls(str(environ.get("REQUEST_METHOD", "GET")).upper(), str(environ.get("PATH_INFO", "")), headers)

    @classmethod
    def from_message(cls, method: str, target: str, message: Message) -> Request:
        """From an http.server request line and headers (the fault proxy)."""
        headers: dict[str, str] = {}
        for name, value in message.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else str(value)
        return cls(method.upper(), unquote(urlsplit(target).path), headers)


# the checks, each about one way in ------------------------------------------------------------
def is_loopback_address(host: str) -> bool:
    """Whether the sandbox may listen on *host*: a loopback address, or the name localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_loopback_host_header(value: str) -> bool:
    """``127.0.0.1``, ``localhost`` or ``[::1]`` (any 127.x address too), with or without a port:
    literal addresses and the one name no DNS answer can rebind."""
    match = _HOST.fullmatch(value)
    if match is None or (match.group("port") is not None and int(match.group("port")) > 65535):
        return False
    name = match.group("name").lower()
    if name in ("localhost", "[::1]"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return isinstance(address, ipaddress.IPv4Address) and address.is_loopback


def _shown(value: str) -> str:
    return repr(value[:100] + ("..." if len(value) > 100 else ""))


def host_refusal(request: Request) -> Refusal | None:
    host = request.headers.get("host")
    if host is not None and _is_loopback_host_header(host):
        return None
    said = f"its Host header {_shown(host)}" if host is not None else "it has no Host header"
    return Refusal(f"hako sandbox refused this request: {said} is not a loopback name (127.0.0.1, localhost or "
                   "[::1], with or without a port). It serves only its local user; a web site's name that resolves "
                   "to 127.0.0.1 (DNS rebinding) is refused.")


def browser_refusal(request: Request) -> Refusal | None:
    if request.method == "OPTIONS":
        return Refusal("hako sandbox refused an OPTIONS request: it answers no CORS preflight, so that no web page "
                       "can call it")
    origin = request.headers.get("origin")
    if origin is not None:
        return Refusal(f"hako sandbox refused a request from a web page (Origin {_shown(origin)}): AWS SDKs send no "
                       "Origin header, and no web page may drive the sandbox")
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.lower() != "none":
        return Refusal(f"hako sandbox refused a request a web page made (Sec-Fetch-Site {_shown(site)}): no web "
                       "page may drive the sandbox")
    return None


def moto_api_refusal(request: Request) -> Refusal | None:
    if not request.path.startswith(MOTO_API_PREFIX):
        return None
    return Refusal("hako sandbox does not serve moto's own API (/moto-api/): it resets and dumps the state the "
                   "simulator works on, secret values included; use the control API at /_sandbox/")


def signature_refusal(request: Request) -> Refusal | None:
    if request.path.startswith(CONTROL_PREFIX) or request.headers.get("authorization", "").startswith(SIGV4_PREFIX):
        return None
    return Refusal("hako sandbox serves only AWS requests signed with Signature Version 4 (an Authorization "
                   "header, as every AWS SDK and the AWS CLI send); this one is not signed",
                   code="MissingAuthenticationToken")


CHECKS: tuple[Callable[[Request], Refusal | None], ...] = (host_refusal, browser_refusal, moto_api_refusal,
                                                          signature_refusal)


class Guard:
    """All the checks, with this process's check of the connecting user."""

    def __init__(self, peers: PeerCheck | None = None) -> None:
        self.peers = peers or PeerCheck()

    def refusal(self, request: Request, connection: socket.socket | None) -> Refusal | None:
        stranger = self.peers.stranger(connection)
        if stranger is not None:
            return Refusal(stranger)
        for check in CHECKS:
            refused = check(request)
            if refused is not None:
                return refused
        return None


# answers -----------------------------------------------------------------------------------------
def refusal_reply(refusal: Refusal, request: Request) -> Reply:
    """The refusal in a shape the caller parses: the control API's JSON, or the AWS protocol's error."""
    if request.path.startswith((CONTROL_PREFIX, MOTO_API_PREFIX)):
        reply = json_reply(status_line(refusal.status), {"error": refusal.message})
    else:
        json_protocol = uses_json_protocol(request.headers.get("x-amz-target", ""),
                                           request.headers.get("content-type", ""))
        code = f"{refusal.code}Exception" if json_protocol else refusal.code
        reply = aws_error(refusal.status, code, refusal.message, json_protocol=json_protocol)
    return closing(reply)


def without_cors(start_response: Any) -> Any:
    """*start_response* dropping ``Access-Control-*`` headers: no web page may read an answer."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
        return start_response(status, kept, exc_info) if exc_info else start_response(status, kept)

    return start
