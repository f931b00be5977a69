"""Pickled messages over a socket: the link to a worker started as a fresh interpreter.

``multiprocessing.connection.Connection`` does the same, but importing multiprocessing
costs ~15 ms on each side, and both sides are on the critical path of every single-file
command (the CLI waits for its one evaluation). Pool workers, forked by multiprocessing's
forkserver, keep its ``Connection``; the pool needs only what both offer (:class:`Link`).
"""

from __future__ import annotations

import pickle
import socket
import struct
from typing import Any, Protocol

_LENGTH = struct.Struct("!Q")


class Link(Protocol):
    """What the pool and the worker use of a connection (``Channel`` or multiprocessing's)."""

    def send(self, obj: Any) -> None: ...

    def recv(self) -> Any: ...

    def fileno(self) -> int: ...

    def close(self) -> None: ...


class Channel:
    """Length-prefixed pickles over *sock*; ``recv`` raises ``EOFError`` once the peer is gone."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(_LENGTH.pack(len(data)))
        self.sock.sendall(data)

    def recv(self) -> Any:
        (length,) = _LENGTH.unpack(self._read(_LENGTH.size))
        return pickle.loads(self._read(length))

    def close(self) -> None:
        self.sock.close()

    def _read(self, size: int) -> bytes:
        buffer = bytearray(size)
        view = memoryview(buffer)
        done = 0
        while done < size:
            count = self.sock.recv_into(view[done:])
            if not count:
                raise EOFError
            done += count
        return bytes(buffer)
