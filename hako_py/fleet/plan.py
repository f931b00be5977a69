"""Which apps a fleet deploy touches, in which order: pure data, decided before any request.

The plan is frozen data (waves of :class:`Step`, each an instruction ``("deploy", file)``)
built by :func:`plan_fleet` from the selected files, ``hako.toml``'s waves and the CI shard;
:mod:`hako_py.fleet.runner` is the one function that executes it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from hako_py.errors import UsageError
from hako_py.paths import app_id_for

DEPLOY = "deploy"


@dataclass(frozen=True)
class Step:
    """One instruction: *operation* on the definition *file* (as the user or review named it)."""

    operation: str
    file: str

    @property
    def app(self) -> str:
        return app_id_for(self.file)


@dataclass(frozen=True)
class FleetPlan:
    """Waves of steps (a wave starts when the previous one succeeded), the removed apps (never
    removed implicitly: only listed) and how many selected apps other shards deploy."""

    waves: tuple[tuple[Step, ...], ...]
    removed: tuple[str, ...] = ()
    other_shards: int = 0

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for wave in self.waves for step in wave)


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) as (K, N)."""
    index, sep, count = text.partition("/")
    if not sep or not index.isdigit() or not count.isdigit() or not 1 <= int(index) <= int(count):
        raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 2/4")
    return int(index), int(count)


def shard_of(file: str, count: int) -> int:
    """The shard (1..count) of a definition: a stable hash of its path (never Python's hash(),
    which changes from one process to the next), so every CI job of a matrix agrees."""
    name = PurePosixPath(os.path.normpath(file).replace(os.sep, "/")).as_posix()
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


def wave_of(file: str, waves: Sequence[Sequence[str]]) -> int:
    """The first wave with a pattern matching the app id (a pattern with a ``/``: the path);
    apps in none come last."""
    posix = PurePosixPath(os.path.normpath(file).replace(os.sep, "/")).as_posix()
    for index, patterns in enumerate(waves):
        if any(fnmatchcase(posix, p) if "/" in p else fnmatchcase(app_id_for(file), p) for p in patterns):
            return index
    return len(waves)


def plan_fleet(files: Sequence[str], *, waves: Sequence[Sequence[str]] = (), shard: tuple[int, int] | None = None,
               removed: Sequence[str] = ()) -> FleetPlan:
    """The plan for *files* (deduplicated, in a stable order): this shard's apps, in waves."""
    unique = sorted(dict.fromkeys(files))
    apps = {app_id_for(f): f for f in unique}
    if len(apps) != len(unique):
        clashes = sorted({app_id_for(f) for f in unique if sum(app_id_for(g) == app_id_for(f) for g in unique) > 1})
        raise UsageError(f"several definitions deploy the same app: {', '.join(clashes)} (an app id is the file's "
                         "base name)")
    mine = [f for f in unique if shard is None or shard_of(f, shard[1]) == shard[0]]
    grouped: dict[int, list[Step]] = {}
    for file in mine:
        grouped.setdefault(wave_of(file, waves), []).append(Step(DEPLOY, file))
    return FleetPlan(tuple(tuple(grouped[i]) for i in sorted(grouped)), tuple(sorted(removed)),
                     len(unique) - len(mine))
