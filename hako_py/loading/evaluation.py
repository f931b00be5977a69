"""What a budgeted worker evaluates: one definition, or one app at several revisions.

The requests and answers are plain picklable data, because they cross a process
boundary (see :mod:`hako_py.workers`); the loader checks everything cheap (the file
exists, is a definition, lies in the repository) before asking a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hako_py.loading.bundled import BUNDLED_LIB_DIR
from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.jsonnet import JsonnetError, ProviderUsage, evaluate_jsonnet, evaluate_together
from hako_py.loading.legacy_env import LegacyEnvError, expand_legacy_env, uses_legacy_env
from hako_py.loading.providers import EnvPolicy
from hako_py.loading.reading import read_limited_text
from hako_py.redaction import forget_all, redact, remember, secret_literals


@dataclass(frozen=True)
class Evaluation:
    """Evaluate the definition *path* (Jsonnet unless *yaml*) confined to *root* and *jpath*."""

    path: Path
    yaml: bool
    root: Path
    jpath: tuple[Path, ...]
    ext_vars: tuple[tuple[str, str], ...]
    ext_codes: tuple[tuple[str, str], ...]
    expand: bool
    env_allow: tuple[str, ...] = ()  # hako.toml [providers.env] allow


@dataclass(frozen=True)
class TogetherEvaluation:
    """Evaluate *paths* in one VM, confined to *roots* (see ``evaluate_together``)."""

    paths: tuple[Path, ...]
    roots: tuple[Path, ...]
    ext_vars: tuple[tuple[str, str], ...]
    ext_codes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Evaluated:
    """The evaluated value, every file it depends on, the providers it called and the values
    they gave (which the caller must never print in an error)."""

    value: Any
    read_files: frozenset[Path]
    providers: frozenset[str] = frozenset()
    provided: frozenset[str] = frozenset()
    #: the definition as written, when hako's legacy env form made *value* differ from it
    source: Any = None
    #: paths imports looked for and did not find (see Confinement.absent_files)
    absent_files: frozenset[Path] = frozenset()
    #: what loading changed silently (YAML: env values read as numbers, booleans), located
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refused:
    """The definition is wrong; *message* says where and why."""

    message: str


def evaluate(request: Evaluation) -> Evaluated | Refused:
    # PyYAML takes 50 ms to import, more than evaluating a definition: only for YAML ones.
    from hako_py.loading.yaml_loader import YamlError, load_yaml

    # Provider values this evaluation reads are remembered here, in the worker, so the error
    # text it sends back never quotes them (the parent hides its own ext var values).
    forget_all()
    confinement = Confinement(root=request.root, extra_dirs=request.jpath, trusted_dirs=(BUNDLED_LIB_DIR,))
    usage = ProviderUsage(env_policy=EnvPolicy(request.env_allow))
    warnings: list[str] = []
    try:
        if request.yaml:
            value = load_yaml(request.path, confinement, warnings)
        else:
            value = evaluate_jsonnet(request.path, ext_vars=dict(request.ext_vars), ext_codes=dict(request.ext_codes),
                                     jpath=request.jpath, confinement=confinement, expand=request.expand,
                                     usage=usage)
        resolved = expand_legacy_env(value, base_dir=request.path.parent, confinement=confinement,
                                     expand=request.expand, usage=usage)
    except (JsonnetError, YamlError, ImportRefused, LegacyEnvError) as exc:
        if not request.yaml:
            remember_source_secrets([request.path, *confinement.read_files])
        return Refused(redact(str(exc)))
    except RecursionError:
        return Refused("definition nested too deeply")
    except OSError as exc:
        return Refused(f"cannot read: {exc.strerror}")
    return Evaluated(resolved, frozenset(confinement.read_files), frozenset(usage.names), frozenset(usage.values),
                     source=value if resolved is not value else None, warnings=tuple(warnings),
                     absent_files=frozenset(confinement.absent_files))


def remember_source_secrets(files: list[Path]) -> None:
    """Hide the literals these Jsonnet files bind to secret-looking names in the error text
    (the evaluation failed, so no definition says which values are secret; see
    :func:`hako_py.redaction.secret_literals`). A file that cannot be read again is skipped:
    its error is what is being reported."""
    for file in files:
        if file.suffix.lower() in (".yml", ".yaml"):
            continue
        try:
            remember(secret_literals(read_limited_text(file)))
        except (OSError, ImportRefused, UnicodeDecodeError):
            continue


def evaluate_revisions(request: TogetherEvaluation) -> Evaluated | None:
    # each revision confined to its own root, as when loaded alone: one revision must never
    # read another's files (a base-side file could otherwise import the working tree's copy)
    sides = [(root, Confinement(root=root, trusted_dirs=(BUNDLED_LIB_DIR,))) for root in request.roots]
    values = evaluate_together(list(request.paths), ext_vars=dict(request.ext_vars),
                               ext_codes=dict(request.ext_codes), sides=sides)
    if values is None:
        return None
    if any(uses_legacy_env(value) for value in values):
        return None  # its provider files are per definition: loaded one by one (see evaluate)
    return Evaluated(values, frozenset(path for _, confinement in sides for path in confinement.read_files),
                     absent_files=frozenset(path for _, confinement in sides for path in confinement.absent_files))
