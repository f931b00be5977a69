"""Ask the Linux kernel who owns one TCP socket, by its addresses (NETLINK_SOCK_DIAG).

The sandbox asks this for every new connection (see :mod:`hako_py.sandbox.peers`). Reading
/proc/net/tcp answers too, but the kernel writes the whole table for each read: with the
1,900 sockets a busy machine holds (TIME_WAIT included), that was 18 ms of CPU per
connection, a tenth of the test suite's CPU. sock_diag looks one socket up by its four-tuple:
~0.03 ms.

The wire format is the kernel's (linux/sock_diag.h, linux/inet_diag.h; man 7 sock_diag): a
netlink header, then ``inet_diag_req_v2`` (family, protocol, extensions, pad, a state mask and
the ``inet_diag_sockid``: ports big-endian, addresses as 4 × 32-bit words, interface and a
cookie, ``INET_DIAG_NOCOOKIE`` for "any"). Without ``NLM_F_DUMP`` the kernel looks up the one
socket whose local end is ``src:sport`` and remote end ``dst:dport``, and answers with an
``inet_diag_msg`` (family, state, timer, retrans, the sockid, expires, rqueue, wqueue, uid,
inode) or an ``NLMSG_ERROR`` (``-ENOENT``: no such socket).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLMSG_ERROR = 0x2
INET_DIAG_NOCOOKIE = 0xFFFFFFFF
ALL_STATES = 0xFFFFFFFF

_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
_REQUEST = struct.Struct("=BBBBI")  # inet_diag_req_v2 before its sockid
_PORTS = struct.Struct("!HH")  # idiag_sport, idiag_dport (network byte order)
_TAIL = struct.Struct("=III")  # idiag_if, idiag_cookie[2]
_MESSAGE_UID = _HEADER.size + 4 + 48 + 12  # inet_diag_msg: 4 bytes, sockid (48), expires/rqueue/wqueue
_UID = struct.Struct("=I")
_ERROR = struct.Struct("=i")


class Unavailable(Exception):
    """This kernel (or its sandboxing: seccomp, a non-Linux OS) does not answer sock_diag."""


def tcp_socket_uid(local: tuple[str, int], remote: tuple[str, int]) -> int | None:
    """The uid owning the TCP socket of this machine whose local end is *local* and remote end
    *remote*; None when there is none. An IPv4 address is also looked up IPv4-mapped among
    IPv6 sockets (a dual-stack client). Raises :class:`Unavailable` when sock_diag cannot be asked."""
    for family, source, destination in _forms(ipaddress.ip_address(local[0].split("%", 1)[0]),
                                              ipaddress.ip_address(remote[0].split("%", 1)[0])):
        uid = _ask(family, (source, local[1]), (destination, remote[1]))
        if uid is not None:
            return uid
    return None


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _forms(local: Address, remote: Address) -> list[tuple[int, bytes, bytes]]:
    """(family, local, remote) spellings of one connection, each address padded to 16 bytes."""
    def v4(address: Address) -> ipaddress.IPv4Address | None:
        return address if isinstance(address, ipaddress.IPv4Address) else address.ipv4_mapped

    def v6(address: Address) -> ipaddress.IPv6Address:
        return address if isinstance(address, ipaddress.IPv6Address) else ipaddress.IPv6Address(f"::ffff:{address}")

    forms: list[tuple[int, bytes, bytes]] = []
    local4, remote4 = v4(local), v4(remote)
    if local4 is not None and remote4 is not None:
        forms.append((socket.AF_INET, local4.packed.ljust(16, b"\0"), remote4.packed.ljust(16, b"\0")))
    forms.append((socket.AF_INET6, v6(local).packed, v6(remote).packed))
    return forms


def _ask(family: int, local: tuple[bytes, int], remote: tuple[bytes, int]) -> int | None:
    sockid = (_PORTS.pack(local[1], remote[1]) + local[0] + remote[0]
              + _TAIL.pack(0, INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE))
    body = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, ALL_STATES) + sockid
    request = _HEADER.pack(_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0) + body
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as link:
            link.settimeout(2)
            link.sendto(request, (0, 0))
            answer = link.recv(8192)
    except (OSError, AttributeError) as exc:  # AttributeError: no AF_NETLINK on this OS
        raise Unavailable(str(exc)) from None
    if len(answer) < _HEADER.size:
        raise Unavailable("a short answer")
    kind = _HEADER.unpack_from(answer)[1]
    if kind == NLMSG_ERROR:
        code = -_ERROR.unpack_from(answer, _HEADER.size)[0]
        if code == errno.ENOENT:
            return None
        raise Unavailable(errno.errorcode.get(code, str(code)))
    if kind != SOCK_DIAG_BY_FAMILY or len(answer) < _MESSAGE_UID + _UID.size:
        raise Unavailable(f"an answer of type {kind}")
    uid: int = _UID.unpack_from(answer, _MESSAGE_UID)[0]
    return uid
