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
    _check_oneshots_stand_alone(config, apps)


def _check_oneshots_stand_alone(config: RepoConfig, apps: dict[str, str]) -> None:
    """A fleet takes each app once, at its first matching entry. So a oneshot entry after
    another entry matching its app never runs (``[["*"], [{ oneshot = "migrate" }]]``), and an
    entry naming the app itself after its oneshot is never deployed (``[[{ oneshot = "web" }],
    ["web"]]`` ran the oneshot and exited 0 without the service). A pattern after the oneshot
    (the ``["*"]`` of "migrations first, then the rest") is what it always was: the rest."""
    for app, path in sorted(apps.items()):
        found = [(number, entry) for number, wave in enumerate(config.waves, start=1) for entry in wave
                 if matches(entry, app, path)]
        oneshots = [(n, e) for n, e in found if isinstance(e, WaveOneshot)]
        if not oneshots:
            continue
        number, oneshot = oneshots[0]
        if found[0][1] is not oneshot:
            other_number, other = found[0]
            said = (f"comes after {_shown(other)} in wave {other_number}, which takes the app first: the oneshot "
                    "never runs")
        else:
            named = next(((n, e) for n, e in found[1:] if not _is_pattern(e)), None)
            if named is None:
                continue
            other_number, other = named
            said = (f"is followed by {_shown(other)} in wave {other_number}: a fleet deploy takes each app once, so "
                    "the service would never be deployed")
        raise HakoError(f"{_where(config, oneshot.pattern)}: deploy.waves: the oneshot entry {_shown(oneshot)} for app "
                        f"{app!r} in wave {number} {said}. Give the oneshot its own definition (e.g. "
                        f"apps/{app}-migrate.jsonnet importing {app}'s) and name that in the oneshot entry")


def _shown(entry: str | WaveOneshot) -> str:
    return f"{{ oneshot = {entry.pattern!r} }}" if isinstance(entry, WaveOneshot) else repr(entry)


def _is_pattern(entry: str | WaveOneshot) -> bool:
    text = entry.pattern if isinstance(entry, WaveOneshot) else entry
    return any(c in text for c in "*?[")


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
