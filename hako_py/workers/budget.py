"""The time and memory one evaluation may use, from the environment.

They are environment variables rather than ``hako.toml`` keys on purpose: ``hako.toml``
is part of the repository, so a pull request could raise the budget it is evaluated
under. CI sets the environment; the defaults suit real repositories (a definition
evaluates in milliseconds and a few MB; the largest seen take well under a second).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from hako_py.errors import UsageError

TIMEOUT_VARIABLE = "HAKO_EVAL_TIMEOUT"
MEMORY_VARIABLE = "HAKO_EVAL_MEMORY"
DEFAULT_SECONDS = 30.0
DEFAULT_MEMORY_MIB = 1024
SECONDS_RANGE = (0.5, 3600.0)
# A worker with Python, gojsonnet and the schema validators loaded uses ~150 MB.
MEMORY_MIB_RANGE = (256, 1024 * 1024)


@dataclass(frozen=True)
class Budget:
    """Wall-clock seconds per task and memory (MiB) per worker process."""

    seconds: float = DEFAULT_SECONDS
    memory_mib: int = DEFAULT_MEMORY_MIB

    @property
    def memory_bytes(self) -> int:
        return self.memory_mib * 1024 * 1024

    def time_limit(self) -> str:
        return f"the time limit of {self.seconds:g} s ({TIMEOUT_VARIABLE})"

    def memory_limit(self) -> str:
        return f"the memory limit of {self.memory_mib} MiB ({MEMORY_VARIABLE})"


def budget_from_environment(environ: Mapping[str, str] = os.environ) -> Budget:
    """The budget ``HAKO_EVAL_TIMEOUT`` (seconds) and ``HAKO_EVAL_MEMORY`` (MiB) set, or the
    defaults; a malformed or out-of-range value is a :class:`UsageError`."""
    seconds = _number(environ, TIMEOUT_VARIABLE, float, DEFAULT_SECONDS, SECONDS_RANGE, "seconds")
    memory = _number(environ, MEMORY_VARIABLE, int, DEFAULT_MEMORY_MIB, MEMORY_MIB_RANGE, "MiB")
    return Budget(seconds=float(seconds), memory_mib=int(memory))


def _number(environ: Mapping[str, str], name: str, kind: type[float] | type[int], default: float,
            bounds: tuple[float, float], unit: str) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    low, high = bounds
    if value is None or not low <= value <= high:
        noun = "a whole number of" if kind is int else "a number of"
        raise UsageError(f"{name}={raw!r}: expected {noun} {unit} from {low:.10g} to {high:.10g} "
                         f"(default {default:.10g})")
    return value
