"""Which apps a fleet deploy touches, in which order: pure data, decided before any request.

The plan is frozen data (waves of :class:`Step`, each an instruction ``("deploy", file)``, or
``("oneshot", file, command)`` for an app a wave entry of ``hako.toml`` runs once, e.g. a
migration before the web services) built by :func:`plan_fleet` from the selected files,
``hako.toml``'s waves, the wave selected (``--wave K``) and the CI shard;
:mod:`hako_py.fleet.runner` is the one function that executes it.

Everything here depends on what an app *is*, never on how its path was spelt: CI jobs of one
matrix run in different folders (CodeBuild's source folder changes per build), so a shard is
a hash of the app id and a wave pattern with a ``/`` matches the repository-relative path.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from hako_py.errors import UsageError
from hako_py.loading.repo import WaveOneshot
from hako_py.paths import app_id_clashes, app_id_for

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
    removed implicitly: only listed), how many selected apps other shards deploy and how many
    other waves (``--wave K``) do. *numbers*: each wave's number in ``hako.toml`` (the apps in
    no wave: one more than its last), the number ``--wave`` takes."""

    waves: tuple[tuple[Step, ...], ...]
    removed: tuple[str, ...] = ()
    other_shards: int = 0
    numbers: tuple[int, ...] = ()
    other_waves: int = 0

    def number(self, index: int) -> int:
        """The ``hako.toml`` number of the wave at *index* (0-based) of this plan."""
        return self.numbers[index] if index < len(self.numbers) else index + 1

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for wave in self.waves for step in wave)


_ASCII_NUMBER = re.compile(r"[0-9]+")  # str.isdigit() and int() take "１" (full-width) and "²" too


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N, ASCII digits) as (K, N)."""
    index, sep, count = text.partition("/")
    if (not sep or not _ASCII_NUMBER.fullmatch(index) or not _ASCII_NUMBER.fullmatch(count)
            or not 1 <= int(index) <= int(count)):
        raise UsageError(f"--shard {text!r}: expected K/N (ASCII digits) with 1 <= K <= N, e.g. --shard 2/4")
    return int(index), int(count)


def parse_wave(text: str, waves: Sequence[Sequence[str | WaveOneshot]]) -> int:
    """``--wave K``: 1 <= K <= the number of waves in ``hako.toml`` + 1 (the apps in none)."""
    last = len(waves) + 1
    if not _ASCII_NUMBER.fullmatch(text) or not 1 <= int(text) <= last:
        raise UsageError(f"--wave {text!r}: expected a number from 1 to {last} (hako.toml's [deploy] waves has "
                         f"{len(waves)}; wave {last} is the apps in none)")
    return int(text)


def shard_of(app: str, count: int) -> int:
    """The shard (1..count) of an app: a stable hash of its id (never Python's hash(), which
    changes from one process to the next; never the path as spelt, which differs between CI
    jobs run from other folders), so every CI job of a matrix agrees."""
    return int.from_bytes(hashlib.sha256(app.encode()).digest()[:8], "big") % count + 1


def repository_path(file: str, root: Path | None) -> str:
    """*file* as a POSIX path relative to the repository *root* (hako.toml's folder), whatever
    the working folder and however it was spelt; relative to the working folder without a root."""
    if root is not None:
        try:
            return Path(os.path.abspath(file)).relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            pass
    return PurePosixPath(os.path.normpath(file).replace(os.sep, "/")).as_posix()


def matches(entry: str | WaveOneshot, app: str, path: str) -> bool:
    """Whether a wave entry names an app: its id, or (a pattern with a ``/``) its repository path."""
    pattern = entry.pattern if isinstance(entry, WaveOneshot) else entry
    return fnmatchcase(path, pattern) if "/" in pattern else fnmatchcase(app, pattern)


def wave_of(file: str, waves: Sequence[Sequence[str | WaveOneshot]], root: Path | None = None) -> int:
    """The first wave (0-based) with a pattern matching the app id (a pattern with a ``/``: the
    repository path); apps in none come last."""
    return _placed(file, waves, root)[0]


def _placed(file: str, waves: Sequence[Sequence[str | WaveOneshot]],
            root: Path | None) -> tuple[int, WaveOneshot | None]:
    """The app's wave, and the oneshot entry that placed it there (None: it is deployed)."""
    path = repository_path(file, root)
    for index, entries in enumerate(waves):
        for entry in entries:
            if matches(entry, app_id_for(file), path):
                return index, entry if isinstance(entry, WaveOneshot) else None
    return len(waves), None


def plan_fleet(files: Sequence[str], *, waves: Sequence[Sequence[str | WaveOneshot]] = (),
               shard: tuple[int, int] | None = None, wave: int | None = None, removed: Sequence[str] = (),
               root: Path | None = None) -> FleetPlan:
    """The plan for *files* (deduplicated, in a stable order): this shard's apps of the selected
    *wave* (a ``hako.toml`` number; None: every wave), in waves. A shard of a selection that
    spans several waves is refused: CI jobs of a matrix run at the same time, so a shard could
    deploy a service while another shard's migration fails (run each wave as a job of its own
    with ``--wave``, the later ones needing the earlier)."""
    unique = sorted(dict.fromkeys(files))
    clashing = app_id_clashes(unique)
    if clashing:
        clashes = sorted({app_id_for(f) for f in clashing})
        raise UsageError(f"several definitions deploy the same app: {', '.join(clashes)} (an app id is the file's "
                         "base name)")
    placed = {file: _placed(file, waves, root) for file in unique}
    spanned = sorted({index for index, _ in placed.values()})
    if shard is not None and wave is None and len(spanned) > 1:
        raise UsageError(_shard_across_waves(shard, spanned, placed))
    chosen = [f for f in unique if wave is None or placed[f][0] == wave - 1]
    mine = [f for f in chosen if shard is None or shard_of(app_id_for(f), shard[1]) == shard[0]]
    grouped: dict[int, list[Step]] = {}
    for file in mine:
        index, oneshot = placed[file]
        grouped.setdefault(index, []).append(Step(ONESHOT, file, oneshot.command) if oneshot else Step(DEPLOY, file))
    return FleetPlan(tuple(tuple(grouped[i]) for i in sorted(grouped)), tuple(sorted(removed)),
                     len(chosen) - len(mine), tuple(i + 1 for i in sorted(grouped)), len(unique) - len(chosen))


def _shard_across_waves(shard: tuple[int, int], spanned: list[int],
                        placed: dict[str, tuple[int, WaveOneshot | None]]) -> str:
    """Why --shard is refused here, and the commands that do it in wave order."""
    listed = "; ".join(f"wave {i + 1}: " + ", ".join(app_id_for(f) for f, (w, _) in placed.items() if w == i)
                       for i in spanned)
    return (f"--shard {shard[0]}/{shard[1]}: the selected apps span {len(spanned)} waves ({listed}); shards run at "
            "the same time, so a shard could deploy a later wave's app while an earlier wave (a migration) fails. "
            "Deploy one wave per CI job with --wave K, each job needing the previous: e.g. --wave "
            f"{spanned[0] + 1}, then --wave {spanned[1] + 1} --shard K/N in a matrix "
            "(examples/ci/github-actions-deploy.yml)")
