"""Which local user opened a loopback TCP connection, on Linux.

Every local user can connect to a port on loopback: on a shared machine anyone could steer
someone else's sandbox, or read the secret values it holds. Both ends of a loopback
connection are sockets of this machine, and the kernel knows each socket's owner: the
client's end is the socket whose local address is our peer's address and whose remote
address is ours. The kernel is asked for that one socket (sock_diag, :mod:`sock_diag`), or,
where it does not answer that, its whole table of TCP sockets is read (/proc/net/tcp and
tcp6). Where neither can tell (macOS, Windows, a Linux without /proc),
``PeerCheck.available`` is False and the sandbox serves any local user.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import pwd
import socket
import struct
import threading
from pathlib import Path
from weakref import WeakKeyDictionary

from hako_py.sandbox import sock_diag

TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
UID_COLUMN = 7


def _spellings(host: str) -> set[str]:
    """How /proc/net/tcp{,6} write an address: its 32-bit words in hex, each in this machine's
    byte order; an IPv4 address may also appear IPv4-mapped in tcp6."""
    address = ipaddress.ip_address(host.split("%", 1)[0])
    forms: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = {address}
    if isinstance(address, ipaddress.IPv4Address):
        forms.add(ipaddress.IPv6Address(f"::ffff:{address}"))
    elif address.ipv4_mapped is not None:
        forms.add(address.ipv4_mapped)
    return {"".join(f"{word:08X}" for word in struct.unpack(f"={len(form.packed) // 4}I", form.packed))
            for form in forms}


_diag = {"answers": True}  # False once sock_diag failed in this process: the tables from then on


def socket_owner(client: tuple[str, int], server: tuple[str, int]) -> int | None:
    """The uid owning this machine's socket at *client* that is connected to *server*, or None
    when there is no such connection."""
    if _diag["answers"]:
        try:
            return sock_diag.tcp_socket_uid(client, server)
        except sock_diag.Unavailable:
            _diag["answers"] = False
    return table_owner(client, server)


def table_owner(client: tuple[str, int], server: tuple[str, int], tables: tuple[Path, ...] = TABLES) -> int | None:
    """What :func:`socket_owner` answers, from the kernel's tables of every TCP socket (the
    kernel writes the whole table for each read: ~10 µs per socket it holds)."""
    local = {f"{address}:{client[1]:04X}" for address in _spellings(client[0])}
    remote = {f"{address}:{server[1]:04X}" for address in _spellings(server[0])}
    for table in tables:
        try:
            rows = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > UID_COLUMN and fields[1] in local and fields[2] in remote:
                return int(fields[UID_COLUMN])
    return None


@functools.cache
def tables_name_owners() -> bool:
    """Whether this machine names a connection's owner (sock_diag or the socket tables), tried
    on a loopback connection of our own (once per process)."""
    if not hasattr(os, "geteuid"):
        return False
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            server = listener.getsockname()[:2]
            with socket.create_connection(server, timeout=5) as client:
                accepted, _ = listener.accept()
                with accepted:
                    return socket_owner(client.getsockname()[:2], server) == os.geteuid()
    except OSError:
        return False


def user_name(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


class PeerCheck:
    """Tells whether a connection comes from the user running this process (cached per connection)."""

    def __init__(self) -> None:
        self.available = tables_name_owners()
        self.uid = os.geteuid() if self.available else -1
        self._owners: WeakKeyDictionary[socket.socket, int] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def owner(self, connection: socket.socket) -> int | None:
        """The uid of the process that opened *connection*'s other end, if the tables say."""
        with self._lock:
            known = self._owners.get(connection)
        if known is not None:
            return known
        try:
            uid = socket_owner(connection.getpeername()[:2], connection.getsockname()[:2])
        except OSError:  # already closed
            return None
        if uid is not None:
            with self._lock:
                self._owners[connection] = uid
        return uid

    def stranger(self, connection: socket.socket | None) -> str | None:
        """Why *connection* must be refused (another user's, or nobody's we can tell), else None."""
        if not self.available:
            return None
        uid = None if connection is None else self.owner(connection)
        if uid == self.uid:
            return None
        if uid is None:
            return "hako sandbox cannot tell which local user opened this connection, so it refuses it"
        return (f"hako sandbox serves only {user_name(self.uid)}, who started it; this connection comes from "
                f"{user_name(uid)}")
