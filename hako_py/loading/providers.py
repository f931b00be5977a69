"""Value providers behind ``std.native('provide.NAME')(std.toString(options), key)``.

Compatible with the original hako: ``file`` reads KEY=VALUE lines (path relative to the
definition), ``env`` reads the process environment. Teams add providers through the
entry-point group ``hako_py.env_providers``: a class taking ``(base_dir, options)``
with a method ``ask(keys) -> dict``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.reading import read_limited_text

ENTRY_POINT_GROUP = "hako_py.env_providers"


class ProviderError(Exception):
    """A provider could not answer; the message names the provider and key."""


class Provider(Protocol):
    def ask(self, keys: list[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class EnvPolicy:
    """Which environment variables a definition may read with ``provide.env``.

    Definitions come from pull requests while deploys run with credentials in the
    environment: ``std.native('provide.env')('{}', 'AWS_SECRET_ACCESS_KEY')`` would put the
    deploy key into a task definition (readable by anyone with ECS read access) or into a
    script option sent to a server the definition names. So variables whose name looks
    secret (``TOKEN``, ``PASSWORD``, ``KEY``...), the credential namespaces of AWS and CI
    systems, and values shaped like credentials are refused, unless ``hako.toml``'s
    ``[providers.env] allow`` (owned by the maintainers) lists the name (``NAME`` or
    ``PREFIX_*``). Secrets belong in ``secrets``, which ECS resolves at run time.
    """

    allow: tuple[str, ...] = ()

    def allowed(self, name: str) -> bool:
        return any(name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1]))
                   for pattern in self.allow)

    def refusal(self, name: str, value: str) -> str | None:
        """Why *name* may not be read, or None."""
        from hako_py.secret_detection import has_secret_shape, looks_secret

        if self.allowed(name):
            return None
        if looks_secret(name) or name.upper().startswith(CREDENTIAL_PREFIXES):
            why = "its name says it may hold a credential"
        elif has_secret_shape(value):
            why = "its value is shaped like a credential"
        else:
            return None
        return (f"provider 'env': ${name} cannot be read by a definition: {why} (a definition must not copy "
                "credentials of the deploy into a task definition or a request; use secrets, or list the name "
                "in hako.toml [providers.env] allow)")


# Environment variables of AWS and of CI systems that carry credentials or their locations.
CREDENTIAL_PREFIXES = ("AWS_", "ACTIONS_", "GITHUB_", "RUNNER_", "CI_JOB_", "JENKINS_", "BUILDKITE_AGENT_",
                       "CIRCLE_TOKEN", "DOCKER_AUTH", "HAKO_WEBHOOK_URL")


class EnvProvider:
    """Values from the process environment (hako's ``env`` provider), within :class:`EnvPolicy`."""

    def __init__(self, base_dir: Path, options: dict[str, Any], policy: EnvPolicy | None = None, **_: Any) -> None:
        self.prefix = str(options.get("prefix", ""))
        self.policy = policy or EnvPolicy()

    def ask(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for key in keys:
            name = self.prefix + key
            if name not in os.environ:
                continue
            refusal = self.policy.refusal(name, os.environ[name])
            if refusal:
                raise ProviderError(refusal)
            found[key] = os.environ[name]
        return found


class FileProvider:
    """Values from a KEY=VALUE file beside the definition (hako's ``file`` provider)."""

    def __init__(self, base_dir: Path, options: dict[str, Any], confinement: Confinement | None = None) -> None:
        path = options.get("path")
        if not isinstance(path, str) or not path:
            raise ProviderError("provider 'file' needs the option 'path'")
        candidate = os.path.join(base_dir, path)
        real = confinement.check(base_dir, path) if confinement else Path(candidate)
        if not real.exists() or real.is_dir():
            raise ProviderError(f"provider 'file': {path} does not exist")
        if confinement:
            confinement.record(real)
        try:
            self.values = parse_env_file(read_limited_text(real))
        except ImportRefused as exc:
            raise ProviderError(f"provider 'file': {exc}") from None
        except UnicodeDecodeError as exc:
            raise ProviderError(f"provider 'file': {path} is not UTF-8 text (byte {exc.start})") from None

    def ask(self, keys: list[str]) -> dict[str, str]:
        return {k: self.values[k] for k in keys if k in self.values}


def parse_env_file(text: str) -> dict[str, str]:
    """Parse KEY=VALUE lines; blank lines and ``#`` comments are skipped."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        values[key.strip()] = value.strip()
    return values


BUILTIN: dict[str, Callable[..., Provider]] = {"env": EnvProvider, "file": FileProvider}


def provider_class(name: str) -> Callable[..., Provider]:
    """Find a provider by name: built-ins first, then installed entry points."""
    if name in BUILTIN:
        return BUILTIN[name]
    from importlib.metadata import entry_points  # ~12 ms to import: only when a provider is used

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            loaded: Callable[..., Provider] = ep.load()
            return loaded
    known = sorted({*BUILTIN, *(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))})
    raise ProviderError(f"unknown provider '{name}' (installed: {', '.join(known)})")
