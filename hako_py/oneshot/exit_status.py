"""The app container's exit code as hako's own exit status.

A process exit status is 0-255, but ECS reports whatever the container runtime gave:
Windows containers exit with NTSTATUS values such as 3221225477 (0xC0000005, access
violation), and a runtime may report negative codes. Taken modulo 256, 256 would become 0
— success. hako never maps a failure to 0: codes outside 0-255 exit 1, and the true code
is printed and kept in ``--result-file`` (``containerExitCode``).
"""

from __future__ import annotations

OUT_OF_RANGE = 1


def exit_status(code: int) -> int:
    """*code* when it fits an exit status (0-255), else 1."""
    return code if 0 <= code <= 255 else OUT_OF_RANGE


def describe(code: int) -> str:
    """``3221225477 (0xC0000005)`` for codes that do not fit; Windows users know them in hex."""
    return f"{code} (0x{code & 0xFFFFFFFF:08X})"
