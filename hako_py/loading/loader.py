"""Load one definition file into a dict, recording every file its output depends on."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hako_py.errors import HakoError, LoadError
from hako_py.loading.evaluation import Evaluated, Evaluation, Refused, TogetherEvaluation, evaluate, evaluate_revisions
from hako_py.loading.reading import file_kind
from hako_py.loading.repo import CONFIG_NAME, RepoConfig, config_root, find_root, load_config
from hako_py.paths import DEFINITION_SUFFIXES, JSONNET_SUFFIXES, app_id_for, display_path
from hako_py.redaction import code_literals, remember, remember_secret
from hako_py.secret_detection import looks_secret
from hako_py.workers.failure import Failure
from hako_py.workers.shared import imap_budgeted, run_budgeted


@dataclass(frozen=True)
class LoadOptions:
    """What the command line says about evaluation (shared by every loading command)."""

    ext_str: tuple[tuple[str, str], ...] = ()
    ext_code: tuple[tuple[str, str], ...] = ()
    jpath: tuple[Path, ...] = ()
    root: Path | None = None
    expand: bool = False
    #: look evaluations up in (and store them into) the render cache (see loading.render_cache)
    cache: bool = False


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition evaluated to plain data, plus where it came from."""

    file: str
    path: Path
    app_id: str
    data: dict[str, Any]
    config: RepoConfig
    imported_files: frozenset[Path] = field(default_factory=frozenset)
    #: the value providers (std.native('provide.NAME')) the evaluation called
    providers: frozenset[str] = field(default_factory=frozenset)
    #: the definition as written, when hako's legacy env form ('$providers') made *data* differ
    source_data: dict[str, Any] | None = None
    #: located warnings of loading (YAML values read as another type than written)
    load_warnings: tuple[str, ...] = ()

    @property
    def as_written(self) -> dict[str, Any]:
        """What ``show-definition`` prints: the definition before hako's ``'$providers'`` env
        resolution, as the original hako shows it."""
        return self.source_data if self.source_data is not None else self.data

    #: paths imports looked for and did not find (the render cache checks they are still absent)
    absent_files: frozenset[Path] = field(default_factory=frozenset)


def _config_for(root: Path) -> RepoConfig:
    """``hako.toml`` of *root*, read once per version of the file (a process may run several
    commands, as the tests do, and the file may change between them)."""
    try:
        info = (root / CONFIG_NAME).stat()
        version: tuple[int, int] = (info.st_mtime_ns, info.st_size)
    except OSError:
        version = (0, -1)
    return _config_version(root, version)


@lru_cache(maxsize=64)
def _config_version(root: Path, version: tuple[int, int]) -> RepoConfig:
    return load_config(root)


def load_definition(file: str | Path, options: LoadOptions = LoadOptions()) -> LoadedDefinition:
    """Evaluate *file*; raise :class:`LoadError` with a located message on any failure.

    What is cheap and trusted (the file's kind, its root, ``hako.toml``) is checked here;
    the evaluation itself runs within the budget of :mod:`hako_py.workers`.
    """
    prepared = _prepare(file, options)
    if not options.cache or hands_in_secrets(options.ext_str, options.ext_code):
        return _finish(prepared, run_budgeted(evaluate, prepared.request))
    from hako_py.loading.cached_evaluation import evaluate_cached  # only commands that use the cache

    return _finish(prepared, evaluate_cached(prepared.request, lambda: run_budgeted(evaluate, prepared.request)))


def load_definitions(files: list[str], options: LoadOptions = LoadOptions()) -> Iterator[LoadedDefinition | HakoError]:
    """:func:`load_definition` of each file, or the error it raised, in order; the shared worker
    evaluates the next files while the caller works on those already loaded."""
    prepared: list[_Prepared | HakoError] = []
    for file in files:
        try:
            prepared.append(_prepare(file, options))
        except HakoError as exc:
            prepared.append(exc)
    outcomes = imap_budgeted(evaluate, [p.request for p in prepared if isinstance(p, _Prepared)])
    for each in prepared:
        if isinstance(each, HakoError):
            yield each
            continue
        try:
            yield _finish(each, next(outcomes))
        except LoadError as exc:
            yield exc


@dataclass(frozen=True)
class _Prepared:
    """A definition that passed the cheap checks, and what a worker needs to evaluate it."""

    shown: str
    path: Path
    app_id: str
    config: RepoConfig
    request: Evaluation


def hands_in_secrets(ext_str: tuple[tuple[str, str], ...], ext_code: tuple[tuple[str, str], ...]) -> bool:
    """Whether a value handed in from outside is under a secret-looking name: what it
    renders is never written to the render cache, which is shared between runs and is
    plain JSON on disk."""
    return any(looks_secret(name) for name, _ in (*ext_str, *ext_code))


def _remember_handed_in(options: LoadOptions) -> None:
    """Values handed in from outside the definition are never quoted by an error message,
    and those under a secret-looking name (``--ext-str DB_PASSWORD=...``) are hidden in every
    output too, also changed in case or cut (see :func:`hako_py.redaction.remember_secret`)."""
    remember(value for _, value in options.ext_str)
    remember(word for _, code in options.ext_code for word in code_literals(code))
    remember_secret(value for name, value in options.ext_str if looks_secret(name))
    remember_secret(word for name, code in options.ext_code if looks_secret(name) for word in code_literals(code))


def _prepare(file: str | Path, options: LoadOptions) -> _Prepared:
    _remember_handed_in(options)
    shown = display_path(file)
    path = Path(file).absolute()
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8: gojsonnet cannot even take the name
        raise LoadError(shown.encode("utf-8", "backslashreplace").decode("utf-8"),
                        "the file name is not UTF-8") from None
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise LoadError(shown, "no such file") from None
    except OSError as exc:
        raise LoadError(shown, f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise LoadError(shown, f"not a regular file ({file_kind(mode)})")
    suffix = path.suffix.lower()
    if suffix not in DEFINITION_SUFFIXES:
        raise LoadError(
            shown, f"unsupported file type '{suffix or path.name}' (use .jsonnet, .json, .yml or .yaml)"
        )
    # --root (or the review's side of a revision) bounds the search; the settings come from
    # the outermost hako.toml under it, as without it (see repo.find_root)
    root = config_root(path.parent.resolve(), options.root.resolve()) if options.root else find_root(path.parent)
    if not path.resolve().is_relative_to(root):
        raise LoadError(shown, f"the definition lies outside the repository root {root}")
    config = _config_for(root)
    app_id = app_id_for(path)
    yaml = suffix not in JSONNET_SUFFIXES
    request = Evaluation(
        path=path,
        yaml=yaml,
        root=root,
        jpath=options.jpath,
        ext_vars=() if yaml else (("appId", app_id), *options.ext_str),
        ext_codes=() if yaml else (("hako", json.dumps(config.for_app(app_id))), *options.ext_code),
        expand=options.expand,
        env_allow=config.env_allow,
    )
    return _Prepared(shown, path, app_id, config, request)


def _finish(prepared: _Prepared, outcome: Evaluated | Refused | Failure) -> LoadedDefinition:
    if isinstance(outcome, Failure | Refused):
        raise LoadError(prepared.shown, outcome.message)
    # values the worker's providers gave: validation here must not quote them either
    remember(outcome.provided)
    data = outcome.value
    if not isinstance(data, dict):
        kind = "null" if data is None else type(data).__name__.replace("dict", "object").replace("list", "array")
        raise LoadError(prepared.shown, f"a definition must evaluate to an object, got {kind}")
    return LoadedDefinition(
        file=prepared.shown,
        path=prepared.path,
        app_id=prepared.app_id,
        data=data,
        config=prepared.config,
        imported_files=outcome.read_files,
        providers=outcome.providers,
        source_data=outcome.source,
        absent_files=outcome.absent_files,
        load_warnings=outcome.warnings,
    )


def load_together(files: list[Path], roots: list[Path], options: LoadOptions = LoadOptions()) -> list[
        LoadedDefinition] | None:
    """Load the same app at several revisions (one root each) in one evaluation, or None when
    that cannot be done exactly like loading each alone (see ``evaluate_together``)."""
    if options.jpath or any(f.suffix.lower() not in JSONNET_SUFFIXES for f in files):
        return None
    _remember_handed_in(options)
    app_ids = {app_id_for(f) for f in files}
    roots = [config_root(f.absolute().parent.resolve(), r.resolve()) for f, r in zip(files, roots, strict=True)]
    configs = [_config_for(root) for root in roots]
    if len(app_ids) != 1:
        return None
    app_id = app_ids.pop()
    rendered_configs = {json.dumps(c.for_app(app_id), sort_keys=True) for c in configs}
    if len(rendered_configs) != 1:
        return None
    ext_vars = (("appId", app_id), *options.ext_str)
    ext_codes = (("hako", json.dumps(configs[-1].for_app(app_id))), *options.ext_code)
    request = TogetherEvaluation(tuple(f.absolute() for f in files), tuple(roots), ext_vars, ext_codes)  # real
    outcome = run_budgeted(evaluate_revisions, request)
    if not isinstance(outcome, Evaluated):
        return None  # failed or over budget: loading each alone says which and why
    values = outcome.value
    if not all(isinstance(v, dict) for v in values):
        return None
    return [
        LoadedDefinition(file=display_path(file), path=file.absolute(), app_id=app_id, data=value, config=config,
                         imported_files=outcome.read_files, absent_files=outcome.absent_files)
        for file, value, config in zip(files, values, configs, strict=True)
    ]
