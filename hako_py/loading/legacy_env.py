"""hako's legacy env form: providers listed under ``'$providers'`` and ``#{NAME}`` in values.

A definition written for the original hako may still say::

    app:
      env:
        $providers:
          - {type: file, path: hello.env}
        MESSAGE: 'Hello, #{username}'

hako 2.18 resolves this for every container's ``env``, in YAML and Jsonnet definitions
alike (``lib/hako/container.rb:48-50,250-273``, ``lib/hako/env_expander.rb``): the
``'$providers'`` entry is removed, each entry is a provider's options (its ``type`` picks
the provider), and each ``#{NAME}`` (the text up to the first ``}``, verbatim) is asked of
the providers in order, an earlier provider's answer winning. hako-py applies it here,
in the budgeted worker that evaluated the definition, so the files it reads are confined
and recorded like any other input and their values never reach an error message.

As with ``std.native('provide.*')``, values are read only when the definition is expanded
(deploy, oneshot, ``--expand``); otherwise the ``#{NAME}`` text is kept as written (what
hako's own dry-run shows) and the provider files are only recorded. Only an ``env`` that
has ``'$providers'`` is interpolated: elsewhere ``#{`` is plain text, as it always was in
hako-py (hako refused such a value, so no working hako definition has one).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.jsonnet import ProviderUsage
from hako_py.loading.providers import Provider, ProviderError, make_provider, record_provider_file
from hako_py.paths import join_path
from hako_py.redaction import remember

PROVIDERS_KEY = "$providers"


def variables_in(value: str) -> list[tuple[int, int, str]]:
    r"""Each ``#{NAME}`` in *value* as (start, end, NAME), as hako's ``/#\{(.*?)\}/`` finds them
    (env_expander.rb:112: non-greedy, so a name ends at the first '}', and never spans a line).

    Not that regex: each ``#{`` would look for its '}' to the end of the line, so a value of
    many ``#{`` and no '}' costs n². Here the line's end is looked up once per line, and a
    ``#{`` without its '}' on the line skips the rest of the line, as every later one there
    fails alike.
    """
    found: list[tuple[int, int, str]] = []
    position, line_end = 0, -1
    while (start := value.find("#{", position)) != -1:
        if line_end < start + 2:
            line_end = value.find("\n", start + 2)
            line_end = len(value) if line_end == -1 else line_end
        close = value.find("}", start + 2, line_end)
        if close == -1:
            position = line_end + 1
            continue
        found.append((start, close + 1, value[start + 2:close]))
        position = close + 1
    return found


class LegacyEnvError(Exception):
    """The legacy env form is malformed or a variable cannot be resolved; ``str()`` says where."""


def uses_legacy_env(data: Any) -> bool:
    return any(PROVIDERS_KEY in env for _, env in _envs(data))


def expand_legacy_env(data: Any, *, base_dir: Path, confinement: Confinement, expand: bool,
                      usage: ProviderUsage) -> Any:
    """*data* with every container ``env`` that has ``'$providers'`` resolved (see the module
    docstring); *data* itself when none has. Raises :class:`LegacyEnvError`."""
    if not uses_legacy_env(data):
        return data
    result = copy.deepcopy(data)  # a copy: the definition as written is shown by show-definition
    for path, env in _envs(result):
        if PROVIDERS_KEY in env:
            _resolve(path, env, base_dir, confinement, expand, usage)
    return result


def _envs(data: Any) -> list[tuple[str, dict[str, Any]]]:
    """(path, env) of each container whose env is a mapping."""
    found: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(data, dict):
        return found
    if isinstance(data.get("app"), dict) and isinstance(data["app"].get("env"), dict):
        found.append(("app.env", data["app"]["env"]))
    sidecars = data.get("sidecars", data.get("additional_containers"))  # hako's old name, still read
    if isinstance(sidecars, dict):
        for name, container in sidecars.items():
            if isinstance(container, dict) and isinstance(container.get("env"), dict):
                where = "sidecars" if "sidecars" in data else "additional_containers"
                found.append((join_path(join_path(where, str(name)), "env"), container["env"]))
    return found


def _resolve(path: str, env: dict[str, Any], base_dir: Path, confinement: Confinement, expand: bool,
             usage: ProviderUsage) -> None:
    configs = env.pop(PROVIDERS_KEY) or []
    where = join_path(path, PROVIDERS_KEY)
    if not isinstance(configs, list):
        raise LegacyEnvError(f"{where}: must be a list of providers ({{type: NAME, ...options}})")
    for index, config in enumerate(configs):
        if not isinstance(config, dict) or not isinstance(config.get("type"), str) or not config["type"]:
            raise LegacyEnvError(f"{join_path(where, index)}.type: is required (the provider's name, e.g. file)")
    wanted = {name: _names(join_path(path, name), value) for name, value in env.items() if isinstance(value, str)}
    variables = list(dict.fromkeys(v for names in wanted.values() for v in names))
    for config in configs:
        usage.names.add(config["type"])
    if not expand:
        for config in configs:
            record_provider_file(config["type"], config, base_dir, confinement)
        return
    values = _ask(where, configs, variables, base_dir, confinement, usage)
    for name, names in wanted.items():
        if names:
            env[name] = _substituted(env[name], values)


def _substituted(value: str, values: dict[str, str]) -> str:
    parts, done = [], 0
    for start, end, name in variables_in(value):
        parts += [value[done:start], values[name]]
        done = end
    return "".join(parts) + value[done:]


def _names(where: str, value: str) -> list[str]:
    names = [name for _, _, name in variables_in(value)]
    if "" in names:
        raise LegacyEnvError(f"{where}: empty interpolation #{{}} is not allowed (as in hako)")
    return names


def _ask(where: str, configs: list[dict[str, Any]], variables: list[str], base_dir: Path,
         confinement: Confinement, usage: ProviderUsage) -> dict[str, str]:
    """Ask the providers in order, each for what is still unresolved (env_expander.rb:23-54)."""
    values: dict[str, str] = {}
    missing = list(variables)
    for index, config in enumerate(configs):
        if not missing:
            break
        try:
            provider: Provider = make_provider(config["type"], base_dir, config, confinement, usage.env_policy)
            found = provider.ask(list(missing))
        except (ProviderError, ImportRefused, OSError, ValueError) as exc:
            raise LegacyEnvError(f"{join_path(where, index)}: {exc}") from None
        for name in list(missing):
            if name in found:
                values[name] = str(found[name])
                missing.remove(name)
    if missing:
        shown = ", ".join(f"#{{{name}}}" for name in missing)
        kinds = ", ".join(str(config["type"]) for config in configs) or "none"
        raise LegacyEnvError(f"{where}: could not resolve {shown} from the providers ({kinds})")
    remember(values.values())  # never quoted back in an error message
    usage.values.update(values.values())
    return values
