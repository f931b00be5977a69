"""Value providers behind ``std.native('provide.NAME')(std.toString(options), key)``.

Compatible with the original hako 2.18: ``file`` reads KEY=VALUE lines and ``yaml`` a
nested YAML mapping flattened to dotted keys (paths relative to the definition), exactly as
hako's ``lib/hako/env_providers/file.rb`` and ``yaml.rb`` read them, so a definition shared
with Ruby hako gets the same values byte for byte; ``env`` reads the process environment.
The same providers serve the legacy ``'$providers'`` env form (``legacy_env``). Teams add
providers through the entry-point group ``hako_py.env_providers``: a class taking
``(base_dir, options)`` with a method ``ask(keys) -> dict``.
"""

from __future__ import annotations

import decimal
import json
import os
import re
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
    secret (``TOKEN``, ``PASSWORD``, ``KEY``, ``CREDS``, ``LOGIN``, ``AUTH``, ``KUBECONFIG``,
    ``CERT``...), the credential namespaces of AWS and CI systems, values shaped like
    credentials and long random-looking values (32+ hex digits or base64 characters) are
    refused, unless ``hako.toml``'s
    ``[providers.env] allow`` (owned by the maintainers) lists the name (``NAME`` or
    ``PREFIX_*``). Secrets belong in ``secrets``, which ECS resolves at run time.
    """

    allow: tuple[str, ...] = ()

    def allowed(self, name: str) -> bool:
        return any(name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1]))
                   for pattern in self.allow)

    def refusal(self, name: str, value: str) -> str | None:
        """Why *name* may not be read, or None. Safe by construction: a name list cannot be
        complete (``DOCKERHUB_CREDS``, ``SONAR_LOGIN``, ``KUBE_CONFIG_DATA``), so a value is
        also refused by its own look: credential-shaped, or a long random-looking string
        (a key, a token, a base64-encoded file), whatever it is called."""
        from hako_py.credential_shapes import looks_random
        from hako_py.secret_detection import has_secret_shape, looks_secret

        if self.allowed(name):
            return None
        upper = name.upper()
        if looks_secret(name) or PROVIDER_SECRET_NAME.search(name) or upper.startswith(CREDENTIAL_PREFIXES):
            why = "its name says it may hold a credential"
        elif has_secret_shape(value):
            why = "its value is shaped like a credential"
        elif looks_random(value):
            why = "its value looks like a key or token (a long random-looking string)"
        else:
            return None
        return (f"provider 'env': ${name} cannot be read by a definition: {why} (a definition must not copy "
                "credentials of the deploy into a task definition or a request; use secrets, or, if it is no "
                f"secret, allow it in hako.toml: [providers.env] allow = [\"{name}\"])")


# Environment variables of AWS and of CI systems that carry credentials or their locations.
CREDENTIAL_PREFIXES = ("AWS_", "ACTIONS_", "GITHUB_", "RUNNER_", "CI_JOB_", "JENKINS_", "BUILDKITE_AGENT_",
                       "CIRCLE_TOKEN", "DOCKER_AUTH", "HAKO_WEBHOOK_URL")
# Names that say "credential" in more words than the masking's secret names (which decide what
# output hides, where a false alarm costs readability; here it costs an allow-list entry).
PROVIDER_SECRET_NAME = re.compile(
    r"CRED|LOGIN|AUTH|KUBE|CERT|PRIVATE|SIGNING|SESSION|COOKIE|SSH|GPG|PGP|NETRC|NPMRC|PYPIRC|DOCKER_?CONFIG|"
    r"CONN(?:ECTION)?_?STR|WEBHOOK|VAULT|KEYSTORE|TRUSTSTORE|JWT|BEARER|SEED|MNEMONIC|SALT|PEPPER|SIGNATURE|"
    r"(?:^|[_.-])(?:PAT|SAS|PEM|PFX|P12|JKS|OTP|TOTP)(?:$|[_.-])",
    re.IGNORECASE,
)


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
            self.values = parse_hako_env_file(read_limited_text(real))
        except ImportRefused as exc:
            raise ProviderError(f"provider 'file': {exc}") from None
        except UnicodeDecodeError as exc:
            raise ProviderError(f"provider 'file': {path} is not UTF-8 text (byte {exc.start})") from None

    def ask(self, keys: list[str]) -> dict[str, str]:
        return {k: self.values[k] for k in keys if k in self.values}


# Ruby's String#lstrip: leading "whitespace" is NUL and ASCII space, \t, \n, \v, \f and \r
# (unlike Python's str.lstrip(), which strips Unicode spaces too but not NUL).
_RUBY_LSTRIP = "\0 \t\n\v\f\r"


def parse_hako_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines read exactly as hako's file provider reads them
    (``lib/hako/env_providers/file.rb:51-67`` at v2.18.0): each line loses its line ending
    (``chomp!``) and its leading whitespace (``lstrip!``), a line then starting with ``#``
    is a comment, a line without ``=`` is skipped, and the rest is split at the first
    ``=``. Nothing else is trimmed: ``  K = v  `` gives the key ``"K "`` and the value
    ``" v  "``, as in hako; a repeated key keeps its last value."""
    values: dict[str, str] = {}
    for line in text.split("\n"):  # Ruby's each_line splits at \n only
        line = line.removesuffix("\r").lstrip(_RUBY_LSTRIP)
        if line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key] = value
    return values


def parse_env_file(text: str) -> dict[str, str]:
    """Parse KEY=VALUE lines of hako-py's own files (``oneshot --local --secrets-file``):
    blank lines and ``#`` comments are skipped, keys and values trimmed. Definitions' ``file``
    provider reads hako's format instead (:func:`parse_hako_env_file`)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        values[key.strip()] = value.strip()
    return values


class YamlProvider:
    """Values from a YAML mapping beside the definition (hako's ``yaml`` provider,
    ``lib/hako/env_providers/yaml.rb`` at v2.18.0): nested keys joined with ``key_sep``
    (default ``.``: ``app.db.host``), a list joined into one value with ``ary_sep`` (default
    ``,``), every value as Ruby's ``to_s`` spells it (``3306`` -> ``'3306'``, ``true`` ->
    ``'true'``, null -> ``''``). An empty mapping gives no key; a mapping's own key
    (``app.db``) is no value."""

    def __init__(self, base_dir: Path, options: dict[str, Any], confinement: Confinement | None = None) -> None:
        import yaml

        path = options.get("path")
        if not isinstance(path, str) or not path:
            raise ProviderError("provider 'yaml' needs the option 'path'")
        real = confinement.check(base_dir, path) if confinement else Path(os.path.join(base_dir, path))
        if not real.exists() or real.is_dir():
            raise ProviderError(f"provider 'yaml': {path} does not exist")
        if confinement:
            confinement.record(real)
        try:
            # safe loading without aliases' expansion risk: hako (Psych 4) refuses aliases here too
            document = yaml.load(read_limited_text(real), Loader=_no_aliases())
        except ImportRefused as exc:
            raise ProviderError(f"provider 'yaml': {exc}") from None
        except UnicodeDecodeError as exc:
            raise ProviderError(f"provider 'yaml': {path} is not UTF-8 text (byte {exc.start})") from None
        except yaml.YAMLError as exc:
            raise ProviderError(f"provider 'yaml': {path}: {str(exc).splitlines()[0]}") from None
        if not isinstance(document, dict):
            raise ProviderError(f"provider 'yaml': {path}: the root must be a mapping (hako: 'Env yaml root must be "
                                "Hash')")
        self.values: dict[str, str] = {}
        _flatten(document, None, str(options.get("key_sep", ".")), str(options.get("ary_sep", ",")), self.values)

    def ask(self, keys: list[str]) -> dict[str, str]:
        return {k: self.values[k] for k in keys if k in self.values}


def _no_aliases() -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.YAMLError(f"aliases are not allowed (line {event.start_mark.line + 1})")
            return super().compose_node(parent, index)

    return Loader


def _flatten(value: Any, root: str | None, key_sep: str, ary_sep: str, into: dict[str, str]) -> None:
    """hako's ``Yaml#flatten`` (``yaml.rb:66-82``)."""
    if isinstance(value, list):
        into[str(root)] = _ruby_join(value, ary_sep)
    elif isinstance(value, dict):
        for key, item in value.items():
            parts = [part for part in (root, None if key is None else ruby_to_s(key)) if part is not None]
            _flatten(item, key_sep.join(parts), key_sep, ary_sep, into)
    else:
        into[str(root)] = ruby_to_s(value)


def _ruby_join(items: list[Any], separator: str) -> str:
    """Ruby's Array#join: nested arrays are joined recursively with the same separator."""
    return separator.join(_ruby_join(item, separator) if isinstance(item, list) else ruby_to_s(item)
                          for item in items)


def ruby_to_s(value: Any) -> str:
    """How Ruby's ``to_s`` spells a YAML value (hako turns every provider value into one)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _ruby_float(value)
    if isinstance(value, dict | list):
        return _ruby_inspect(value)
    return str(value)


def _ruby_float(value: float) -> str:
    """Ruby's Float#to_s: the shortest digits, fixed notation from 1e-4 up to 1e16, else
    ``d.ddde+XX``; always with a fractional part (``1000.0``, ``1.0e+20``)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    text = "".join(str(d) for d in digits) or "0"
    assert isinstance(exponent, int)
    point = len(text) + exponent  # the decimal point's position within the digits
    minus = "-" if sign else ""
    if -4 < point <= 16:
        if point <= 0:
            return f"{minus}0.{'0' * -point}{text}"
        if point >= len(text):
            return f"{minus}{text}{'0' * (point - len(text))}.0"
        return f"{minus}{text[:point]}.{text[point:]}"
    mantissa = f"{text[0]}.{text[1:] or '0'}"
    return f"{minus}{mantissa}e{point - 1:+03d}"


def _ruby_inspect(value: Any) -> str:
    """Ruby's inspect of a list or mapping inside a YAML list (``{"a"=>1}``), as hako's
    provider turns it into text; no one should rely on it, but it is what hako gives."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_ruby_inspect(k)}=>{_ruby_inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_ruby_inspect(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "nil"
    return ruby_to_s(value)


BUILTIN: dict[str, Callable[..., Provider]] = {"env": EnvProvider, "file": FileProvider, "yaml": YamlProvider}


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


# The built-in providers that read a file named by their ``path`` option.
FILE_PROVIDERS = frozenset({"file", "yaml"})


def make_provider(name: str, base_dir: Path, options: dict[str, Any], confinement: Confinement,
                  env_policy: EnvPolicy) -> Provider:
    """The provider *name* with *options*, reading files within *confinement* (``env``
    within *env_policy*); :class:`ProviderError` for an unknown name or bad options."""
    cls = provider_class(name)
    if cls is EnvProvider:
        return EnvProvider(base_dir, options, policy=env_policy)
    return cls(base_dir, options, confinement=confinement)


def record_provider_file(name: str, options: dict[str, Any], base_dir: Path, confinement: Confinement) -> None:
    """The file a built-in provider would read, recorded as an input even when its values
    are not read (review must know the app depends on it)."""
    path = options.get("path") if name in FILE_PROVIDERS else None
    if not isinstance(path, str) or not path:
        return
    try:
        real = confinement.check(str(base_dir), path)
        if real.is_file():
            confinement.record(real)
    except (ImportRefused, OSError, ValueError):
        pass  # an unreadable provider file is reported when the values are read
