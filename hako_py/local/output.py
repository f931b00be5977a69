"""A container's output, whole and in the order it was written (``oneshot --local``, the sandbox's
Docker mode).

Order: Docker reads a container's stdout and stderr through two pipes, one goroutine each,
so ``sh -c 'echo 1; echo 2 >&2; echo 3'`` is logged 1 3 2 about half the time; no timestamp
can restore the order afterwards. A pseudo-terminal would keep it but changes the program's
world (stdin blocks forever, isatty is true). So the container's program runs as
``/bin/sh -c 'exec "$@" 2>&1' hako-merged-output PROGRAM...``: the shell points stderr at
stdout's pipe and replaces itself with the program (same PID, signals, environment, working
directory and user). An image without ``/bin/sh`` cannot do that: its container runs as
written, with the two streams read apart (:func:`lacks_shell` tells the caller).

Speed and completeness: docker-py's ``logs(stream=True)`` makes two socket reads per log
line (~4 s for 200,000 lines); :func:`follow_output` reads the HTTP response in the chunks it
arrives in and splits Docker's frames itself, with the docker-py client's own request helpers
(``_get``, ``_url``, ``_raise_for_status``, ``_disable_socket_timeout``, which its ``logs`` uses).
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Iterator
from typing import Any

MERGE_ENTRYPOINT = ["/bin/sh", "-c", 'exec "$@" 2>&1', "hako-merged-output"]
FRAME_HEADER = struct.Struct(">BxxxI")  # stream (0 stdin, 1 stdout, 2 stderr), payload length


def merged_program(api: Any, image: str, entrypoint: list[str] | None,
                   command: list[str] | None) -> tuple[list[str], list[str]] | None:
    """(entrypoint, command) that run what Docker would run for *image* with *entrypoint* and
    *command* (as a task definition gives them), stderr merged into stdout; None when there is
    nothing to wrap. Docker's rule: an entrypoint given replaces the image's entrypoint and
    command; a command given replaces the image's command only."""
    config = api.inspect_image(image).get("Config") or {}
    if entrypoint:
        program = [*entrypoint, *(command or [])]
    else:
        program = [*(config.get("Entrypoint") or []), *(command or config.get("Cmd") or [])]
    if not program:
        return None
    return list(MERGE_ENTRYPOINT), [str(part) for part in program]


def lacks_shell(exc: BaseException) -> bool:
    """Whether a container failed to start because its image has no /bin/sh (the wrapper's)."""
    text = str(exc)
    return "/bin/sh" in text and ("no such file" in text.lower() or "not found" in text.lower())


def follow_output(api: Any, container_id: str) -> Iterator[bytes]:
    """The container's output (stdout and stderr, in the order Docker logged them) until it has
    exited and all of it was read. Docker may end a followed log stream before it sent all a
    container wrote (Docker 20.10, when the reader lags as the container exits: 31,797 of
    200,000 lines), so once the stream ends the output is read again without following, and
    what the stream missed is sent. Raises on a broken stream, never ends early in silence."""
    sent = 0
    while True:
        running = bool(api.inspect_container(container_id)["State"].get("Running"))
        skip = sent
        for data in _read(api, container_id, follow=running):
            if skip >= len(data):
                skip -= len(data)
                continue
            data, skip = data[skip:], 0
            sent += len(data)
            yield data
        if not running:
            return


def _read(api: Any, container_id: str, *, follow: bool) -> Iterator[bytes]:
    """One logs request's payloads, as they arrive (frames of non-terminal containers split)."""
    response = api._get(api._url("/containers/{0}/logs", container_id),
                        params={"stdout": 1, "stderr": 1, "follow": int(follow)}, stream=True)
    api._raise_for_status(response)
    if follow:  # a quiet container is no timeout (docker-py does the same for its streams)
        api._disable_socket_timeout(api._get_raw_response_socket(response))
    tty = bool(api.inspect_container(container_id)["Config"].get("Tty"))
    pending = bytearray()
    try:
        for data in response.raw.stream(2**16, decode_content=False):  # each chunk as it arrives
            if tty:  # a terminal's output is not framed
                yield bytes(data)
                continue
            pending += data
            payloads, used = _frames(pending)
            del pending[:used]
            if payloads:
                yield b"".join(payloads)
    finally:
        response.close()
    if pending:
        raise OSError(f"the log stream of container {container_id[:12]} ended inside a frame "
                      f"({len(pending)} bytes unread)")


def _frames(buffer: bytearray) -> tuple[list[bytes], int]:
    """The complete frames' payloads at the start of *buffer*, and how many bytes they took."""
    payloads: list[bytes] = []
    position = 0
    header = FRAME_HEADER.size
    while len(buffer) - position >= header:
        _, length = FRAME_HEADER.unpack_from(buffer, position)
        end = position + header + length
        if end > len(buffer):
            break
        payloads.append(bytes(buffer[position + header:end]))
        position = end
    return payloads, position


class Lines:
    """Bytes in, whole lines out: UTF-8 decoded across chunk boundaries (a character split
    between two reads is not mangled), the last unterminated line kept until :meth:`end`."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._partial = ""

    def feed(self, data: bytes) -> list[str]:
        text = self._partial + self._decoder.decode(data)
        *lines, self._partial = text.split("\n")
        return lines

    def end(self) -> list[str]:
        rest = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        return [rest] if rest else []
