"""The offline pipeline for one file: load -> validate -> AppDefinition -> render.

Commands call these functions instead of chaining stages themselves, so every command
reports the same problems the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hako_py.checks.families import oneshot_family_problems
from hako_py.checks.schedules import cross_account_warnings, default_group_problems
from hako_py.checks.semantic import semantic_problems
from hako_py.checks.warnings import definition_warnings
from hako_py.compare.masking import secret_values
from hako_py.compat import normalize
from hako_py.definition import APP_CONTAINER, AppDefinition, containers_of, strip_nulls
from hako_py.errors import DefinitionError, HakoError, Problem
from hako_py.loading import LoadedDefinition, LoadOptions, load_definition
from hako_py.loading.loader import load_definitions
from hako_py.paths import expand_paths as expand_paths  # re-exported: commands import it from here
from hako_py.redaction import remember
from hako_py.render import RenderedApp, RenderOptions, render_app
from hako_py.render.convert import ConversionError
from hako_py.schema.validate import schema_problems


@dataclass(frozen=True)
class CheckedApp:
    """A validated app, its warnings and the requests it renders to."""

    app: AppDefinition
    loaded: LoadedDefinition
    rendered: RenderedApp
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One error or warning of ``validate``: its line of text, and the same as path and message
    for ``--output json`` (path None: about the whole file, e.g. a syntax error)."""

    text: str
    path: str | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message or self.text}


@dataclass(frozen=True)
class FileReport:
    """What ``validate`` says about one file (picklable, for worker processes)."""

    file: str
    findings: tuple[Finding, ...] = ()
    warning_findings: tuple[Finding, ...] = ()
    imported_files: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(f.text for f in self.findings)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f.text for f in self.warning_findings)

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "valid": self.ok, "errors": [f.as_dict() for f in self.findings],
                "warnings": [f.as_dict() for f in self.warning_findings]}


def problem_finding(file: str, problem: Problem, severity: str = "") -> Finding:
    """A located problem (``app.image``) as a line and as data, with secrets hidden in both."""
    from hako_py.redaction import redact

    return Finding(problem.format(file, severity=severity), problem.path or None, redact(problem.message))


def error_finding(file: str, message: str) -> Finding:
    """An error not located by a definition path (the file cannot be read or evaluated)."""
    prefix = f"{file}: "
    return Finding(message, None, message[len(prefix):] if message.startswith(prefix) else message)


def to_app(loaded: LoadedDefinition, *, tag: str | None = None, warnings: bool = True
           ) -> tuple[AppDefinition, list[Problem]]:
    """Validate loaded data; raise :class:`DefinitionError` with every problem found. Its
    warnings only when asked for (PR review renders thousands of apps and shows none of them)."""
    # what render would hide, no problem, warning or later error about this app may quote
    remember(secret_values(loaded.data))
    data, compat_warnings = normalize(strip_nulls(loaded.data))
    problems = schema_problems(data)
    if not problems:
        problems = semantic_problems(loaded.app_id, data)
        problems += default_group_problems(data, loaded.config.schedule_group)
        problems += oneshot_family_problems(loaded.file, loaded.app_id, loaded.config.root / loaded.config.apps)
        if data.get("scripts"):
            from hako_py.scripts.registry import script_problems

            problems += script_problems(data["scripts"], containers_of(data))
    if problems:
        raise DefinitionError(loaded.file, problems)
    # in the definition's order, as hako lists its containers (definition_loader.rb:22-30): the
    # keys of a Jsonnet object are sorted, a YAML mapping keeps its own order
    containers = {APP_CONTAINER: data["app"], **(data.get("sidecars") or {})}
    app = AppDefinition(
        app_id=loaded.app_id,
        file=loaded.file,
        scheduler=data["scheduler"],
        containers=containers,
        volumes=data.get("volumes") or {},
        scripts=tuple(data.get("scripts") or ()),
        schedules=data.get("schedules") or {},
        schedules_declared="schedules" in data,
        imported_files=frozenset(str(p) for p in loaded.imported_files),
        schedule_group=loaded.config.schedule_group,
        account_id=loaded.config.account_id,
    )
    if not warnings:
        return app, []
    return app, [*_load_warnings(loaded), *compat_warnings, *definition_warnings(data, tag=tag),
                 *cross_account_warnings(data, loaded.config.account_id)]


def _load_warnings(loaded: LoadedDefinition) -> list[Problem]:
    """Loading's located warnings; one in the definition's own file as ``FILE: LINE:COLUMN: ...``."""
    problems = []
    for warning in loaded.load_warnings:
        where, sep, message = warning.removeprefix(f"{loaded.file}:").partition(": ")
        own = warning.startswith(f"{loaded.file}:") and sep
        problems.append(Problem(where, message) if own else Problem("", warning))
    return problems


def check_file(
    file: str | Path, options: LoadOptions | None = None, render: RenderOptions | None = None, *,
    warnings: bool = True,
) -> CheckedApp:
    """Load, validate and render *file* (its warnings only when asked for, see :func:`to_app`)."""
    return check_loaded(load_definition(file, options or LoadOptions()), render, warnings=warnings)


def check_loaded(loaded: LoadedDefinition, render: RenderOptions | None = None, *,
                 warnings: bool = True) -> CheckedApp:
    """Validate and render an already loaded definition (its warnings only when asked for)."""
    render = render or RenderOptions()
    app, found = to_app(loaded, tag=render.tag, warnings=warnings)
    try:
        rendered = render_app(app, render)
    except ConversionError as exc:  # pragma: no cover - validation rejects this first
        raise DefinitionError(loaded.file, [Problem("", str(exc))]) from None
    return CheckedApp(app=app, loaded=loaded, warnings=tuple(found), rendered=rendered)


def report_file(file: str, options: LoadOptions) -> FileReport:
    """``validate`` for one file, as data; never raises for definition problems."""
    try:
        return _report(file, load_definition(file, options))
    except HakoError as exc:
        return _failed(file, exc)


def report_files(files: list[str], options: LoadOptions) -> list[FileReport]:
    """:func:`report_file` for each file, one after another; the shared worker evaluates the
    next files while this process validates the ones it has evaluated."""
    return [_failed(file, loaded) if isinstance(loaded, HakoError) else _report(file, loaded)
            for file, loaded in zip(files, load_definitions(files, options), strict=True)]


def _report(file: str, loaded: LoadedDefinition) -> FileReport:
    try:
        checked = check_loaded(loaded)
    except HakoError as exc:
        return _failed(file, exc)
    return FileReport(
        file=checked.loaded.file,
        warning_findings=tuple(problem_finding(checked.loaded.file, w, "warning") for w in checked.warnings),
        imported_files=tuple(sorted(str(p) for p in checked.loaded.imported_files)),
    )


def _failed(file: str, exc: HakoError) -> FileReport:
    if isinstance(exc, DefinitionError):
        return FileReport(file=exc.file, findings=tuple(problem_finding(exc.file, p) for p in exc.problems))
    return FileReport(file=str(file), findings=(error_finding(str(file), str(exc)),))
