"""``hako.toml`` at both revisions of a review: the apps folders to look in, and what changed.

The pull request under review can edit ``hako.toml`` itself, so nothing in it may narrow
what review looks at: ``apps = "apps/lib"`` would otherwise hide every app in ``apps``
(``no changes; 0 definitions``) while the same pull request edits them. Review therefore
looks in the apps folders of *both* revisions, and reports a change of any setting as a
change of its own: most settings reach the rendered requests (and so show in the apps'
diffs), but some never do (``[scripts] allowed_servers``, ``[providers.env] allow``) and
are exactly what a reviewer must see. Comments and formatting are no setting change.
"""

from __future__ import annotations

import json
import posixpath
import tomllib
from typing import Any

from hako_py.loading.repo import CONFIG_NAME, DEFAULT_APPS_DIR
from hako_py.review.revision import Snapshot

MAX_SHOWN = 200  # characters of one setting's value in the report
_UNREADABLE = "<not valid TOML>"


def committed_config(snap: Snapshot) -> bytes | None:
    """The bytes of a revision's top-level ``hako.toml`` (through a symlink inside the revision)."""
    name = CONFIG_NAME
    for _ in range(40):  # as the kernel's ELOOP limit
        entry = snap.entries.get(name)
        if entry is None:
            return None
        if entry.kind == "file":
            return snap.file_bytes(name)
        target = entry.data.decode("utf-8", "surrogateescape")
        if posixpath.isabs(target):
            return None
        name = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    return None


def settings_of(data: bytes | None) -> dict[str, Any] | str:
    """The settings a ``hako.toml`` holds (its ``[hako]`` table or the whole file); ``{}`` for
    none, a marker string for one that is not valid TOML."""
    if data is None:
        return {}
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return _UNREADABLE
    table = raw.get("hako", raw)
    return table if isinstance(table, dict) else _UNREADABLE


def apps_folder(settings: dict[str, Any] | str) -> str | None:
    """The ``apps`` folder the settings name, repository-relative; None when it cannot be one
    (not a string, or outside the repository as written: the scan refuses symlinks out)."""
    value = settings.get("apps", DEFAULT_APPS_DIR) if isinstance(settings, dict) else DEFAULT_APPS_DIR
    if not isinstance(value, str) or posixpath.isabs(value) or "\0" in value:
        return None
    folder = posixpath.normpath(value)
    return None if folder == ".." or folder.startswith("../") else folder


def changed_settings(base: dict[str, Any] | str, head: dict[str, Any] | str) -> list[str]:
    """One line per setting that differs, ``key: base value → head value`` (values as JSON,
    shortened); empty when only comments or formatting changed."""
    if isinstance(base, str) or isinstance(head, str):
        if base == head:
            return []
        shown = [side if isinstance(side, str) else "valid" for side in (base, head)]
        return [f"{CONFIG_NAME}: {shown[0]} → {shown[1]}"]
    lines = []
    for key in sorted(set(base) | set(head)):
        if base.get(key, _MISSING) != head.get(key, _MISSING):
            lines.append(f"{key}: {_shown(base.get(key, _MISSING))} → {_shown(head.get(key, _MISSING))}")
    return lines


class _Missing:
    def __repr__(self) -> str:
        return "(not set)"


_MISSING: Any = _Missing()


def _shown(value: Any) -> str:
    if isinstance(value, _Missing):
        return "(not set)"
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"
