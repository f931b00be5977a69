"""Task cpu and memory amounts as ECS reads them: numbers or strings with a unit.

API RegisterTaskDefinitionRequest.cpu/memory: "as a string using vCPUs (for example,
1 vCPU or 1 vcpu)" / "using GB (for example, 1GB or 1 GB)", "converted to an integer
indicating the CPU units / MiB when the task definition is registered". hako converts
them itself before sending (fractions such as '0.25 vCPU' are not documented by ECS) and
compares in the converted form, since that is what ECS reports back.
"""

from __future__ import annotations

import re

__all__ = ["cpu_units", "memory_mib"]

_VCPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE | re.ASCII)
_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gi?b\s*$", re.IGNORECASE | re.ASCII)
_MB = re.compile(r"^\s*(\d+)\s*mi?b\s*$", re.IGNORECASE | re.ASCII)


def _amount(value: object, unit: re.Pattern[str], scale: int) -> int | None:
    """An integer, a string of digits, or "<number> <unit>" times *scale*."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip().isascii() and value.strip().isdigit():  # int() also reads "１０２４"
            return int(value)
        match = unit.match(value)
        if match:
            amount = float(match.group(1)) * scale
            return int(amount) if amount.is_integer() else None  # no fractions of a unit
    return None


def cpu_units(value: object) -> int | None:
    """Task cpu in units: 1024, '1024' or '1 vCPU'."""
    return _amount(value, _VCPU, 1024)


def memory_mib(value: object) -> int | None:
    """Task memory in MiB: 2048, '2048', '2 GB' (or GiB) or '512 MiB' (or MB)."""
    return _amount(value, _GB, 1024) or _amount(value, _MB, 1)


