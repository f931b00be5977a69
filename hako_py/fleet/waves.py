"""``[deploy] waves`` entries that name no app: an error before any request, not an empty wave.

A oneshot entry is how a migration runs before the services that need it; a typo
(``migrat``) matched nothing, so the services deployed without their migration, exit 0.
An entry must match an app definition somewhere in the repository (the apps folder of
``hako.toml``, or a file the command named); matching none of the apps *selected* is fine
(``--changed-since`` often selects no migration).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from hako_py.errors import HakoError
from hako_py.fleet.plan import matches, repository_path
from hako_py.loading.repo import RepoConfig, WaveOneshot
from hako_py.paths import app_id_for, display_path


def check_waves(config: RepoConfig, files: Sequence[str]) -> None:
    """Raise, naming ``hako.toml`` and its line, for the first wave entry that matches none of *files*
    (every definition of the repository the command can see)."""
    apps = {app_id_for(f): repository_path(f, config.root) for f in files}
    for number, wave in enumerate(config.waves, start=1):
        for entry in wave:
            if any(matches(entry, app, path) for app, path in apps.items()):
                continue
            pattern = entry.pattern if isinstance(entry, WaveOneshot) else entry
            shown = f"{{ oneshot = {pattern!r} }}" if isinstance(entry, WaveOneshot) else repr(pattern)
            guess = difflib.get_close_matches(pattern, sorted(apps.values() if "/" in pattern else apps), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise HakoError(f"{_where(config, pattern)}: deploy.waves: wave {number}: {shown} matches no app in the "
                            f"repository{hint}: fix or remove the entry (an entry naming no app would let the "
                            "later waves deploy without it, e.g. services without their migration)")


def _where(config: RepoConfig, pattern: str) -> str:
    """``hako.toml:LINE`` of the first line quoting *pattern* (tomllib reports no positions)."""
    if config.source is None:
        return "hako.toml"
    try:
        lines = config.source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    quoted = (f'"{pattern}"', f"'{pattern}'")
    line = next((n for n, text in enumerate(lines, start=1) if any(q in text for q in quoted)), None)
    return f"{display_path(config.source)}:{line}" if line else display_path(config.source)
