"""Which definitions a fleet deploy selects, from which repository: read before any request.

The folders and files named, or what review finds changed since REF (``hako diff --base``);
a file removed since REF whose app id is still defined is a move, not a removal; per-app
overrides are refused for many apps. ``hako.toml`` is read here once for the whole fleet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hako_py.cli.options import build_load_options
from hako_py.cli.output import say
from hako_py.errors import UsageError
from hako_py.loading.repo import RepoConfig, config_root, find_root, load_config
from hako_py.paths import app_id_for, display_path, expand_paths


@dataclass(frozen=True)
class Selected:
    files: list[str]
    removed: list[str]
    broken: list[tuple[str, str]]
    moved: list[tuple[str, str]] = field(default_factory=list)  # (before, now): the app is still defined
    #: the base as named and the commit it resolved to (``main at 1a2b3c4``), with --changed-since
    since: str = ""


def select(paths: list[str], changed_since: str | None, loader: dict[str, Any], jobs: int | None,
           defined: list[str]) -> Selected:
    """The definitions to deploy: those named (folders expanded), or those review finds changed.
    *defined*: the repository's definitions in the working tree, so that a file removed since
    REF whose app id is still defined (``git mv``, ``.jsonnet`` → ``.yml``) is a move, not an
    app to remove from ECS (review compares by path: it sees one removed and one added)."""
    if changed_since is None:
        return Selected(expand_paths(paths), [], [])
    from hako_py.review.git import toplevel
    from hako_py.review.report import against, warnings
    from hako_py.review.reviewer import review

    root = toplevel(Path.cwd())
    result = review(paths, changed_since, build_load_options(**loader), jobs=jobs)
    if result.revision is not None and result.revision.warnings:
        say(warnings(result), nl=False)
    named: dict[str, list[str]] = {}
    for change in result.changes:
        named.setdefault(change.status, []).append(change.file)
    files = [display_path(root / f) for f in (*named.get("added", []), *named.get("changed", []),
                                             *named.get("fixed", []))]
    broken = [(display_path(root / c.file), c.error or "broken") for c in result.broken]
    now = {app_id_for(f): f for f in [*defined, *files]}
    gone = [display_path(root / f) for f in named.get("removed", [])]
    return Selected(files, [f for f in gone if app_id_for(f) not in now], broken,
                    [(f, display_path(now[app_id_for(f)])) for f in gone if app_id_for(f) in now], against(result))


def repository_of(paths: list[str], loader: dict[str, Any]) -> RepoConfig:
    """``hako.toml`` of the repository the fleet deploys from, read once: an invalid one is one
    error, not one per app (the root as each definition's loader finds it; ``--root`` bounds it)."""
    first = Path(paths[0]) if paths else Path.cwd()
    start = (first if first.is_dir() else first.parent).resolve()
    bound: Path | None = loader.get("root")
    return load_config(config_root(start, bound.resolve()) if bound else find_root(start))


def definitions_of(config: RepoConfig, *named: list[str]) -> list[str]:
    """Every definition the fleet can see: the apps folder of ``hako.toml`` and the files named."""
    folder = config.root / config.apps
    return [*(expand_paths([str(folder)]) if folder.is_dir() else []), *(f for files in named for f in files)]


def refuse_overrides(tag: str | None, selected: Selected) -> None:
    """A per-app override given for many apps is refused: ``-t evil`` would have set every
    selected app's image tag (their definitions name their own)."""
    count = len(set(selected.files))
    if tag is not None and count > 1:
        raise UsageError(f"-t/--tag {tag!r} sets one app's image tag, and {count} apps are selected: "
                         "refused (it would set every app's). Deploy the app alone (hako deploy FILE -t TAG), or "
                         "set the tags in the definitions (e.g. an ext var: --ext-str KEY=VALUE)")
