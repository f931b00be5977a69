"""The definition repository: where its root is and what ``hako.toml`` says.

The root matters for security: imports are confined to it, because rendered output
is posted in public pull-request comments and must never contain files from outside.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hako_py.errors import HakoError
from hako_py.paths import display_path

CONFIG_NAME = "hako.toml"
DEFAULT_PARAMETER_PREFIX = "/hako/{app_id}/"
DEFAULT_APPS_DIR = "apps"

_KNOWN_KEYS = {"region", "account_id", "parameter_prefix", "apps", "partition", "scripts", "providers", "deploy",
               "schedules"}
#: ``[schedules] group``: the schedule group of schedules that name none; ``{cluster}`` is the
#: app's cluster name (the default: one group per cluster), a name without it one group for the
#: whole repository
DEFAULT_SCHEDULE_GROUP = "hako-{cluster}"
CLUSTER_PLACEHOLDER = "{cluster}"


@dataclass(frozen=True)
class ScriptSettings:
    """The ``[scripts]`` table of ``hako.toml``: trusted because maintainers own that file."""

    allowed_servers: tuple[str, ...] = ()
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_type(self, type_name: str) -> dict[str, Any]:
        return dict(self.options.get(type_name) or {})


@dataclass(frozen=True)
class WaveOneshot:
    """A wave entry that runs the matching apps once with *command* (``hako oneshot``), e.g. a
    migration before the web services: ``{ oneshot = "migrate", command = ["rake", "db:migrate"] }``."""

    pattern: str
    command: tuple[str, ...]


@dataclass(frozen=True)
class RepoConfig:
    """Settings shared by every definition of a repository (``hako.toml``)."""

    root: Path
    region: str | None = None
    account_id: str | None = None
    partition: str = "aws"
    parameter_prefix: str = DEFAULT_PARAMETER_PREFIX
    apps: str = DEFAULT_APPS_DIR
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``[scripts]``: ``allowed_servers`` (URLs a definition may name for scripts that send
    #: credentials) and one table per script type of trusted options (``[scripts.jenkins_tag]``).
    #: Kept out of Jsonnet's view: it is settings for hako, not data for definitions.
    scripts: ScriptSettings = field(default_factory=lambda: ScriptSettings())
    #: ``[providers.env] allow``: environment variables definitions may read although their
    #: name or value looks like a credential (see loading.providers.EnvPolicy)
    env_allow: tuple[str, ...] = ()
    #: ``[deploy] waves``: the order of a deploy of many apps, each wave a list of app ids or
    #: glob patterns (``migrate``, ``web-*``, ``apps/jobs/*``), or oneshots to run (:class:`WaveOneshot`);
    #: apps in no wave come last
    waves: tuple[tuple[str | WaveOneshot, ...], ...] = ()
    #: ``[schedules] group``: the default schedule group, ``{cluster}`` standing for the cluster name
    schedule_group: str = DEFAULT_SCHEDULE_GROUP

    def for_app(self, app_id: str) -> dict[str, Any]:
        """The object Jsonnet code sees as ``std.extVar('hako')``."""
        prefix = self.parameter_prefix.replace("{app_id}", app_id).replace("{appId}", app_id)
        return {
            "app_id": app_id,
            "region": self.region,
            "account_id": self.account_id,
            "partition": self.partition,
            "parameter_prefix": prefix,
            **self.extra,
        }


def find_root(start: Path) -> Path:
    """The repository root of a definition in folder *start*.

    Inside a git repository: the folder of the *outermost* ``hako.toml`` between the git
    top level and *start*, else the top level. Outermost, not nearest: a pull request that
    adds ``apps/hako.toml`` must not get to choose the settings (trusted ``[scripts]``,
    ``apps``) or widen the import confinement of the definitions below it. Outside git:
    the nearest folder holding ``hako.toml``, else *start* itself (a lone definition is
    confined to its own folder).
    """
    start = start.resolve()
    ancestors = (start, *start.parents)
    top = next((folder for folder in ancestors if (folder / ".git").exists()), None)
    if top is None:
        return next((folder for folder in ancestors if (folder / CONFIG_NAME).is_file()), start)
    return config_root(start, top)


def config_root(start: Path, top: Path) -> Path:
    """The outermost folder from *top* down to *start* that holds ``hako.toml``, else *top*."""
    chain = [folder for folder in (start, *start.parents) if folder == top or folder.is_relative_to(top)]
    return next((folder for folder in reversed(chain) if (folder / CONFIG_NAME).is_file()), top)


def load_config(root: Path) -> RepoConfig:
    """Read ``hako.toml`` at *root*; a missing file means all defaults."""
    from hako_py.loading.confinement import ImportRefused
    from hako_py.loading.reading import read_limited_text

    path = root / CONFIG_NAME
    if not path.is_file():
        return RepoConfig(root=root)
    # hako.toml itself may not be a symlink out of the repository: its keys reach every
    # definition (std.extVar('hako')), and so the rendered output
    _check_inside(root, CONFIG_NAME, display_path(path))
    try:
        text = read_limited_text(path)
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HakoError(f"{display_path(path)}: invalid TOML: {exc}") from None
    except ImportRefused as exc:
        raise HakoError(str(exc)) from None
    except OSError as exc:
        raise HakoError(f"{display_path(path)}: {exc.strerror}") from None
    table = raw.get("hako", raw)
    if not isinstance(table, dict):
        raise HakoError(f"{display_path(path)}: [hako] must be a table")
    values: dict[str, Any] = {}
    for key in ("region", "account_id", "parameter_prefix", "apps", "partition"):
        if key in table:
            value = table[key]
            if key == "account_id" and isinstance(value, int):
                value = f"{value:012d}"
            if not isinstance(value, str):
                raise HakoError(f"{display_path(path)}: {key}: must be a string")
            values[key] = value
    if "apps" in values:
        _check_inside(root, values["apps"], f"{display_path(path)}: apps")
    _check_keys(path, text, table)
    # Jsonnet sees these as std.extVar('hako'): TOML dates and times become ISO 8601 strings
    extra = {k: _jsonable(v) for k, v in table.items() if k not in _KNOWN_KEYS}
    scripts = _script_settings(path, table.get("scripts", {}))
    env_allow = _env_allow(path, table.get("providers", {}))
    waves = _waves(path, table.get("deploy", {}), text)
    schedule_group = _schedule_group(path, table.get("schedules", {}))
    return RepoConfig(root=root, source=path, extra=extra, scripts=scripts, env_allow=env_allow, waves=waves,
                      schedule_group=schedule_group, **values)


def _schedule_group(path: Path, table: Any) -> str:
    """``[schedules] group``: a schedule group name (API ScheduleGroupName: 1-64 of
    ``[0-9a-zA-Z-_.]``), in which ``{cluster}`` may stand for the app's cluster name."""
    group = table.get("group", DEFAULT_SCHEDULE_GROUP) if isinstance(table, dict) else None
    literal = group.replace(CLUSTER_PLACEHOLDER, "") if isinstance(group, str) else None
    if literal is None or not re.fullmatch(r"[0-9A-Za-z_.-]{0,64}", literal) or not group:
        raise HakoError(f"{display_path(path)}: schedules.group: must be a schedule group name (letters, digits, "
                        "'-', '_', '.'), '{cluster}' standing for the app's cluster: 'hako-{cluster}' (the "
                        "default, one group per cluster) or e.g. 'hako-batch' (one for the repository)")
    return str(group)


#: the keys of hako's own tables (``[scripts]`` holds one free-form table per script type)
_TABLE_KEYS: dict[str, set[str]] = {"deploy": {"waves"}, "providers": {"env"}, "providers.env": {"allow"}}


def _check_keys(path: Path, text: str, table: dict[str, Any]) -> None:
    """A misspelt key of hako's own tables is an error, not silently ignored (``[deploy] wavez``
    would drop the wave order). Other top-level keys are the repository's values for
    ``std.extVar('hako')``, so only one close to a hako key is taken for a typo (``[deplyo]``)."""
    for key in table:
        if key not in _KNOWN_KEYS:
            guess = difflib.get_close_matches(key, sorted(_KNOWN_KEYS), n=1, cutoff=0.8)
            if guess:
                raise HakoError(f"{_located(path, text, key)}: {key}: unknown key (did you mean {guess[0]!r}? other "
                                "top-level keys are values for std.extVar('hako'), this one is too close to a "
                                "setting of hako's)")
    for name, known in _TABLE_KEYS.items():
        found: Any = table
        for part in name.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if not isinstance(found, dict):
            continue
        for key in found:
            if key not in known:
                guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                hint = f"did you mean {guess[0]!r}?" if guess else f"known: {', '.join(sorted(known))}"
                raise HakoError(f"{_located(path, text, key)}: {name}.{key}: unknown key ({hint})")


def _located(path: Path, text: str, key: str) -> str:
    """``hako.toml:LINE`` of the first line naming *key* (tomllib reports no positions)."""
    pattern = re.compile(rf"^\s*(\[+\s*)?([\w.\"' -]*\.)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return f"{display_path(path)}:{number}"
    return display_path(path)


def _waves(path: Path, table: Any, text: str) -> tuple[tuple[str | WaveOneshot, ...], ...]:
    where = _located(path, text, "waves")
    waves = table.get("waves", []) if isinstance(table, dict) else None
    if not isinstance(waves, list) or not all(isinstance(wave, list) for wave in waves):
        raise HakoError(f"{where}: deploy.waves: must be a list of lists of app names or patterns, "
                        'e.g. [["migrate"], ["web-*", "api"]]')
    return tuple(tuple(_wave_entry(where, entry) for entry in wave) for wave in waves)


def _wave_entry(where: str, entry: Any) -> str | WaveOneshot:
    if isinstance(entry, str) and entry:
        return _glob(where, entry)
    if isinstance(entry, dict) and set(entry) == {"oneshot", "command"}:
        pattern, command = entry["oneshot"], entry["command"]
        if isinstance(pattern, str) and pattern and isinstance(command, list) and command and all(
                isinstance(word, str) for word in command):
            return WaveOneshot(_glob(where, pattern), tuple(command))
    raise HakoError(f"{where}: deploy.waves: each entry must be an app name or pattern, or a oneshot "
                    'to run: { oneshot = "migrate", command = ["bundle", "exec", "rake", "db:migrate"] }')


def _glob(where: str, pattern: str) -> str:
    """A wave pattern whose every ``[`` opens a closed set: fnmatch takes ``web-[12`` for the
    literal text, which matches no app, so a typo would drop an app from its wave unnoticed."""
    index = 0
    while (index := pattern.find("[", index)) >= 0:
        end = index + 1
        end += pattern[end:end + 1] == "!"
        end += pattern[end:end + 1] == "]"
        close = pattern.find("]", end)
        if close < 0:
            raise HakoError(f"{where}: deploy.waves: {pattern!r}: unclosed '[' (a glob set such as "
                            "'web-[12]'; '[[]' matches a '[')")
        index = close + 1
    return pattern


def _env_allow(path: Path, table: Any) -> tuple[str, ...]:
    allow = table.get("env", {}).get("allow", []) if isinstance(table, dict) and isinstance(
        table.get("env", {}), dict) else None
    if not isinstance(allow, list) or not all(isinstance(name, str) and name for name in allow):
        raise HakoError(f"{display_path(path)}: providers.env.allow: must be a list of variable names (NAME or "
                        "PREFIX_*)")
    return tuple(allow)


def _script_settings(path: Path, table: Any) -> ScriptSettings:
    if not isinstance(table, dict):
        raise HakoError(f"{display_path(path)}: scripts: must be a table ([scripts])")
    allowed = table.get("allowed_servers", [])
    if not isinstance(allowed, list) or not all(isinstance(url, str) for url in allowed):
        raise HakoError(f"{display_path(path)}: scripts.allowed_servers: must be a list of URLs")
    from hako_py.outbound import OutboundError, check_allowed_server

    for url in allowed:
        try:
            check_allowed_server(url)
        except OutboundError as exc:
            raise HakoError(f"{display_path(path)}: scripts.allowed_servers: {exc}") from None
    options: dict[str, dict[str, Any]] = {}
    for name, value in table.items():
        if name == "allowed_servers":
            continue
        if not isinstance(value, dict):
            raise HakoError(f"{display_path(path)}: scripts.{name}: must be a table of options for the script type "
                            f"{name}")
        options[name] = value
    return ScriptSettings(allowed_servers=tuple(allowed), options=options)


def _check_inside(root: Path, value: str, where: str) -> None:
    """A path named by ``hako.toml`` (or ``hako.toml`` itself) must lie inside the repository, as
    written and through symlinks: the pull request that edits ``hako.toml`` must not make
    review list, render or name files outside it."""
    top = os.path.abspath(root)
    if not _inside(os.path.normpath(os.path.join(top, value)), top):
        raise HakoError(f"{where}: {value!r} escapes the repository root {root}")
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, value))
    if not _inside(real, real_root):
        raise HakoError(f"{where}: {value!r} resolves (through a symlink) to {real}, outside the repository root "
                        f"{root}")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _jsonable(value: Any) -> Any:
    """A TOML value as JSON: dates, times and datetimes as ISO 8601 strings."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value
