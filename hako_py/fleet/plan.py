"""Which apps a fleet deploy touches, in which order: pure data, decided before any request.

The plan is frozen data (waves of :class:`Step`, each an instruction ``("deploy", file)``, or
``("oneshot", file, command)`` for an app a wave entry of ``hako.toml`` runs once, e.g. a
migration before the web services) built by :func:`plan_fleet` from the selected files,
``hako.toml``'s waves and the CI shard; :mod:`hako_py.fleet.runner` is the one function that
executes it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from hako_py.errors import UsageError
from hako_py.loading.repo import WaveOneshot
from hako_py.paths import app_id_for

DEPLOY = "deploy"
ONESHOT = "oneshot"


@dataclass(frozen=True)
class Step:
    """One instruction: *operation* on the definition *file* (as the user or review named it);
    a oneshot runs *command* in the app's container."""

    operation: str
    file: str
    command: tuple[str, ...] = ()

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


def wave_of(file: str, waves: Sequence[Sequence[str | WaveOneshot]]) -> int:
    """The first wave with a pattern matching the app id (a pattern with a ``/``: the path);
    apps in none come last."""
    return _placed(file, waves)[0]


def _placed(file: str, waves: Sequence[Sequence[str | WaveOneshot]]) -> tuple[int, WaveOneshot | None]:
    """The app's wave, and the oneshot entry that placed it there (None: it is deployed)."""
    posix = PurePosixPath(os.path.normpath(file).replace(os.sep, "/")).as_posix()
    for index, entries in enumerate(waves):
        for entry in entries:
            pattern = entry.pattern if isinstance(entry, WaveOneshot) else entry
            if fnmatchcase(posix, pattern) if "/" in pattern else fnmatchcase(app_id_for(file), pattern):
                return index, entry if isinstance(entry, WaveOneshot) else None
    return len(waves), None


def plan_fleet(files: Sequence[str], *, waves: Sequence[Sequence[str | WaveOneshot]] = (),
               shard: tuple[int, int] | None = None, removed: Sequence[str] = ()) -> FleetPlan:
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
        wave, oneshot = _placed(file, waves)
        grouped.setdefault(wave, []).append(Step(ONESHOT, file, oneshot.command) if oneshot else Step(DEPLOY, file))
    return FleetPlan(tuple(tuple(grouped[i]) for i in sorted(grouped)), tuple(sorted(removed)),
                     len(unique) - len(mine))
