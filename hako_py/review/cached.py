"""Review's renders through the render cache: a revision already rendered costs a lookup.

A side of a review (one app at one revision) is its normalized requests, which depend on
the bytes it read, the paths its imports did not find, the ext vars and codes, and which
``hako.toml`` applies (the outermost one between the root and the app's folder, see
``loading.repo.find_root``): every ``hako.toml`` that could apply is an input when it exists
and an absent path when it does not. See :mod:`hako_py.loading.render_cache` for why a hit
is never stale.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Any

from hako_py.loading.render_cache import Entry, FileHashes, RenderCache, open_cache
from hako_py.loading.repo import CONFIG_NAME
from hako_py.review.compare import Rendered

_caches: dict[str, dict[str, RenderCache | None]] = {}


def side_cache(root: str, run: str) -> RenderCache | None:
    """The review cache for files under *root*, one per review *run*: files are hashed and
    cache folders listed once per run."""
    if run not in _caches:
        _caches.clear()  # one review at a time per process: the previous run's hashes may be stale
        _caches[run] = {}
    caches = _caches[run]
    if root not in caches:
        cache = open_cache("review", root)
        if cache is not None:
            shared = next((c.hashes for c in caches.values() if c is not None), None)
            cache.hashes = shared or FileHashes()
        caches[root] = cache
    return caches[root]


def side_key(cache: RenderCache, file: str, jpath: tuple[str, ...], ext_str: tuple[tuple[str, str], ...],
             ext_code: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"file": file, "jpath": cache.file_names(os.path.join(cache.root, p) for p in jpath),
            "extStr": ext_str, "extCode": ext_code}


def _configs(root: str, file: str) -> list[str]:
    """Every ``hako.toml`` that could decide the settings of *file*."""
    folders = PurePosixPath(file).parents
    return [os.path.join(root, str(folder), CONFIG_NAME) if str(folder) != "." else os.path.join(root, CONFIG_NAME)
            for folder in folders]


def cached_side(cache: RenderCache | None, key: dict[str, Any]) -> Rendered | None:
    """The stored render of a side whose inputs are unchanged, else None."""
    hit = cache.lookup(key) if cache is not None else None
    if not isinstance(hit, dict):
        return None
    return Rendered(view=hit["view"], providers=tuple(hit["providers"]), read=tuple(hit["read"]))


def store_side(cache: RenderCache | None, key: dict[str, Any], file: str, rendered: Rendered) -> None:
    """Remember a side that rendered (errors are not stored: they may be this run's budget);
    the entry is handed on to the review's process (see :func:`handed_on`), which writes it."""
    if cache is None or rendered.error is not None or rendered.view is None:
        return
    configs = _configs(cache.hashes.realpath(cache.root), file)
    inputs = [*rendered.inputs, *(c for c in configs if cache.hashes.exists(c))]
    absent = [*rendered.absent, *(c for c in configs if not cache.hashes.exists(c))]
    cache.store(key, inputs, absent, {"view": rendered.view, "providers": list(rendered.providers),
                                      "read": list(rendered.read)}, hand_on=True)


def handed_on(run: str) -> list[Entry]:
    """The entries this process made for review *run*: a worker returns them with its result."""
    return [entry for cache in _caches.get(run, {}).values() if cache is not None for entry in cache.take()]


def keep(run: str, entries: list[Entry]) -> None:
    """Write *entries* with this process's pack of the render cache (as the command ends)."""
    cache = next((c for c in _caches.get(run, {}).values() if c is not None), None)
    if cache is not None and entries:
        cache.add(entries)
