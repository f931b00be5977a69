"""Task definition families two definitions of one repository would share.

An app's own family is its app id; its oneshot runs and schedules register ``<appId>-oneshot``
(``AppDefinition.oneshot_family``, as the original hako's oneshot does). A file named
``web-oneshot`` next to ``web`` validates on its own, but both would write revisions into the
``web-oneshot`` family: deploying either one changes what the other's schedules and oneshot
runs start. Only the repository shows the clash, so it is checked against the definitions
beside the file and in hako.toml's apps folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from hako_py.errors import Problem
from hako_py.paths import app_id_for, display_path, expand_paths

ONESHOT_SUFFIX = "-oneshot"


def oneshot_family_problems(file: str, app_id: str, apps_folder: Path) -> Iterator[Problem]:
    """A problem when *app_id* is the oneshot family of another definition of the repository."""
    if not app_id.endswith(ONESHOT_SUFFIX):
        return
    owner = app_id.removesuffix(ONESHOT_SUFFIX)
    folders = {os.path.dirname(file) or ".", str(apps_folder)}
    for other in sorted({path for folder in folders if os.path.isdir(folder)
                          for path in map(display_path, expand_paths([folder]))}):
        if app_id_for(other) == owner:
            yield Problem("", f"app id '{app_id}' (the file name) is the task definition family {other}'s oneshot "
                          f"runs and schedules register ({owner}{ONESHOT_SUFFIX}): both would deploy into one family; "
                          "rename this file")
            return
