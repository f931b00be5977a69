"""Hosts in URLs and on sockets: one rule for IPv6's brackets.

A URL writes an IPv6 address in brackets (``http://[::1]:4566``, RFC 3986 section 3.2.2);
sockets, ``urlsplit().hostname`` and ``server_address`` give it bare (``::1``). Building a URL
with ``f"http://{host}:{port}"`` printed ``http://::1:4566``, which no client parses, and
people type the bracketed form where a host is asked for: both go through here.
"""

from __future__ import annotations


def bare_host(host: str) -> str:
    """*host* as sockets take it: ``[::1]`` -> ``::1``; anything else unchanged."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def url_host(host: str) -> str:
    """*host* as a URL's authority writes it: an IPv6 address (bare or bracketed) in brackets."""
    bare = bare_host(host)
    return f"[{bare}]" if ":" in bare else bare


def host_port(host: str, port: int | str) -> str:
    """``HOST:PORT`` for a URL, a Host header or a message: ``[::1]:4566``, ``127.0.0.1:4566``."""
    return f"{url_host(host)}:{port}"


def http_url(host: str, port: int | str) -> str:
    """``http://HOST:PORT``, IPv6 bracketed."""
    return f"http://{host_port(host, port)}"
