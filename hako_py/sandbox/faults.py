"""A fault-injecting HTTP proxy on loopback, between hako and the sandbox.

For each AWS request it draws (from a seeded RNG, so a run can be replayed) whether to
answer with a throttling error, an HTTP 500/503, reset the connection before or after the
sandbox handled the request (a *lost response*: the write happened, the client never
heard), answer slowly, or cut the response body short. ``stall`` holds one operation's
requests until released, which lets tests kill hako at an exact step.

Used by the reliability tests, ``bench/fault_soak.py`` and ``hako sandbox --faults``.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from hako_py.hosts import host_port, http_url
from hako_py.sandbox import control_input
from hako_py.sandbox.control import MAX_AWS_BODY_BYTES, operation_of
from hako_py.sandbox.guard import Guard, Request, refusal_reply
from hako_py.sandbox.replies import Reply, aws_error, closing

KINDS = ("throttle", "error", "reset", "lost", "slow", "truncate")


@dataclass(frozen=True)
class FaultRates:
    """Probability of each fault per request (their sum must stay below 1)."""

    throttle: float = 0.0
    error: float = 0.0
    reset: float = 0.0
    lost: float = 0.0
    slow: float = 0.0
    truncate: float = 0.0
    slow_seconds: float = 0.2
    services: tuple[str, ...] = ()  # only requests to these services (empty: all)
    operations: tuple[str, ...] = ()  # only these operations, e.g. ("RunTask",) (empty: all)
    limit: int | None = None  # inject at most this many faults

    @classmethod
    def uniform(cls, rate: float, **kwargs: Any) -> FaultRates:
        """Every kind of fault at *rate*."""
        return cls(throttle=rate, error=rate, reset=rate, lost=rate, slow=rate, truncate=rate, **kwargs)


@dataclass
class _Stall:
    operation: str
    after: int
    seen: int = 0
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    drop: bool = False  # on release, close the connection instead of forwarding the request


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class FaultProxy:
    """``url`` is what AWS_ENDPOINT_URL should be; ``injected`` counts the faults by kind."""

    def __init__(self, upstream: str, rates: FaultRates, *, seed: int = 0, guard: Guard | None = None) -> None:
        parsed = urlparse(upstream)
        self.guard = guard or Guard()  # its own: behind the proxy, the sandbox sees only the proxy
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.rates = rates
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self.by_operation: Counter[str] = Counter()
        self.stalls: list[_Stall] = []
        self._server: ThreadingHTTPServer | None = None

    # control -----------------------------------------------------------------------------
    def stall(self, operation: str, after: int = 0, *, drop: bool = False) -> _Stall:
        """Hold the (after+1)-th request of *operation* (e.g. 'UpdateService') until released;
        with *drop* it then never reaches the sandbox (the client was killed meanwhile)."""
        stall = _Stall(operation, after, drop=drop)
        with self.lock:
            self.stalls.append(stall)
        return stall

    def release_all(self) -> None:
        for stall in self.stalls:
            stall.release.set()

    def _draw(self, service: str, operation: str) -> str | None:
        rates = self.rates
        if rates.services and service not in rates.services:
            return None
        if rates.operations and operation not in rates.operations:
            return None
        with self.lock:
            if rates.limit is not None and sum(self.injected.values()) >= rates.limit:
                return None
            roll = self.random.random()
        for kind in KINDS:
            rate = float(getattr(rates, kind))
            if roll < rate:
                return kind
            roll -= rate
        return None

    # server ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        address, port = self._server.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        return http_url(host, port)

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                proxy._handle(self)

            do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

        # on the sandbox's own loopback address: `hako sandbox --host ::1 --faults` listens on ::1
        server_class = _IPv6Server if ":" in self.upstream[0] else ThreadingHTTPServer
        self._server = server_class((self.upstream[0], 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="hako-fault-proxy", daemon=True).start()
        return self.url

    def stop(self) -> None:
        self.release_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # one request -------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        request = Request.from_message(handler.command, handler.path, handler.headers)
        refusal = self.guard.refusal(request, handler.connection)
        if refusal is not None:  # the same refusals as the sandbox's, before the proxy's Host replaces the client's
            self._reply(handler, refusal_reply(refusal, request))
            return
        try:
            length = control_input.content_length({"CONTENT_LENGTH": handler.headers.get("Content-Length")},
                                                  limit=MAX_AWS_BODY_BYTES)
        except control_input.BadInput as exc:
            self._reply(handler, closing(aws_error(exc.status, "InvalidRequest", str(exc), json_protocol=False)))
            return
        body = handler.rfile.read(length) if length else b""
        environ = {"HTTP_AUTHORIZATION": handler.headers.get("Authorization", ""),
                   "HTTP_X_AMZ_TARGET": handler.headers.get("X-Amz-Target", ""),
                   "REQUEST_METHOD": handler.command, "PATH_INFO": handler.path}
        control = handler.path.startswith("/_sandbox")
        service, operation, _ = operation_of(environ, body) if not control else ("", "", "")
        if not control:
            with self.lock:
                self.requests += 1
                self.by_operation[f"{service}.{operation}"] += 1
            if not self._maybe_stall(operation):
                self._reset(handler)
                return
        fault = None if control else self._draw(service, operation)
        if fault is not None:
            with self.lock:
                self.injected[fault] += 1
        json_protocol = bool(handler.headers.get("X-Amz-Target"))
        if fault == "throttle":
            self._error(handler, 400, json_protocol, "ThrottlingException" if json_protocol else "Throttling",
                        "Rate exceeded")
            return
        if fault == "error":
            status = 503 if self.random.random() < 0.5 else 500
            self._error(handler, status, json_protocol, "ServiceUnavailable" if status == 503 else "InternalFailure",
                        "injected by the fault proxy")
            return
        if fault == "reset":
            self._reset(handler)
            return
        if fault == "slow":
            time.sleep(self.rates.slow_seconds)
        status, reason, headers, payload = self._forward(handler, body)
        if fault == "lost":
            self._reset(handler)
            return
        handler.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        if fault == "truncate" and len(payload) > 1:
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(payload[: len(payload) // 2])
            handler.wfile.flush()
            self._reset(handler)
            return
        handler.end_headers()
        handler.wfile.write(payload)

    def _maybe_stall(self, operation: str) -> bool:
        """False when a stalled request must be dropped."""
        for stall in list(self.stalls):
            if stall.operation != operation:
                continue
            with self.lock:
                stall.seen += 1
                hold = stall.seen == stall.after + 1
            if hold:
                stall.reached.set()
                stall.release.wait()
                if stall.drop:
                    return False
        return True

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("connection", "host")}
            headers["Host"] = host_port(*self.upstream)
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            connection.close()

    @staticmethod
    def _error(handler: BaseHTTPRequestHandler, status: int, json_protocol: bool, code: str, message: str) -> None:
        FaultProxy._reply(handler, aws_error(status, code, message, json_protocol=json_protocol))

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        code, _, reason = reply.status.partition(" ")
        handler.send_response(int(code), reason)
        for name, value in reply.headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(reply.body)

    @staticmethod
    def _reset(handler: BaseHTTPRequestHandler) -> None:
        """Close with a TCP reset, as a dropped connection looks to the client."""
        handler.close_connection = True
        sock: socket.socket = handler.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
