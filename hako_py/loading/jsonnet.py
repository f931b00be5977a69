"""Evaluate Jsonnet (and JSON) definitions with gojsonnet, confined to the repository.

gojsonnet (go-jsonnet) is used rather than the C++ ``jsonnet`` wheel: it evaluated a
small app definition in 0.37 ms against 43 ms (measured, see shared/README.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from hako_py.loading.bundled import BUNDLED_LIB_DIR
from hako_py.loading.confinement import Confinement, ImportRefused
from hako_py.loading.errors import format_jsonnet_error
from hako_py.loading.nesting import bytes_nesting_problem, nesting_problem
from hako_py.loading.providers import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    EnvPolicy,
    Provider,
    ProviderError,
    make_provider,
    record_provider_file,
)
from hako_py.loading.reading import MAX_OUTPUT_CHARS, read_limited
from hako_py.paths import display_path
from hako_py.redaction import remember

_PROVIDE = re.compile(r"""std\.native\(\s*['"]provide\.([A-Za-z0-9_.-]+)['"]""")
# What calling std.native('...') looks like when no callbacks were registered.
_NULL_CALL = re.compile(r"null|expected function|native", re.IGNORECASE)


class JsonnetError(Exception):
    """Evaluation failed; ``str()`` is the located, user-facing message."""


@cache
def provider_names() -> tuple[str, ...]:
    """Every provider a definition can call as ``std.native('provide.NAME')``."""
    names = set(BUILTIN)
    from importlib.metadata import entry_points  # ~12 ms to import: only when a definition uses natives

    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return tuple(sorted(names))


class _Importer:
    """gojsonnet import callback: search path, confinement and dependency recording."""

    def __init__(self, main_dir: Path, jpath: tuple[Path, ...], confinement: Confinement) -> None:
        self.main_dir = main_dir
        self.search = tuple(str(folder) for folder in (*jpath, BUNDLED_LIB_DIR))
        self.confinement = confinement
        self.failures: list[str] = []
        self.mentions_native = False

    def __call__(self, base: str, rel: str) -> tuple[str, bytes]:
        try:
            return self._resolve(base, rel)
        except (ImportRefused, OSError) as exc:
            # gojsonnet sometimes corrupts the text of a callback's exception, so keep it.
            self.failures.append(str(exc))
            raise ImportRefused(str(exc)) from None

    def _read(self, real: Path) -> bytes:
        content = read_limited(real)
        # Checked for every import kind: the callback cannot tell import from importstr.
        problem = bytes_nesting_problem(content, partial(display_path, real))
        if problem:
            raise ImportRefused(problem)
        self.mentions_native = self.mentions_native or b"native" in content
        return content

    def _confinement_for(self, base: str) -> Confinement:
        """The folders an import from folder *base* may read."""
        return self.confinement

    def _resolve(self, base: str, rel: str) -> tuple[str, bytes]:
        if os.path.isabs(rel):
            raise ImportRefused(f"import of absolute path '{rel}' is not allowed; "
                                "import files by a path relative to the definition")
        first: str = base or str(self.main_dir)
        confinement = self._confinement_for(first)
        tried = []
        for index, folder in enumerate((first, *self.search)):
            candidate = os.path.join(folder, rel)
            tried.append(folder)
            if index == 0 or os.path.exists(candidate):
                real = confinement.check(folder, rel)
                # Anything but a folder is read, so a FIFO or device is refused by name
                # rather than reported as "not found".
                if os.path.exists(real) and not os.path.isdir(real):
                    confinement.record(real)
                    return candidate, self._read(real)
            confinement.record_absent(os.path.normpath(candidate))
        raise ImportRefused(f"import '{rel}' not found (searched {', '.join(tried)})")


def _record_file(name: str, options: str, base_dir: Path, confinement: Confinement) -> None:
    """The file a ``file``/``yaml`` provider would read, recorded as an input even when its
    values are not (review must know the app depends on it)."""
    try:
        parsed = json.loads(options) if options else None
    except ValueError:
        return  # reported when the values are read
    if isinstance(parsed, dict):
        record_provider_file(name, parsed, base_dir, confinement)


@dataclass
class ProviderUsage:
    """Which providers an evaluation called and the values they gave: the values are never
    quoted in an error (the parent process remembers them too), and PR review must know an
    app's output depends on values it does not render."""

    env_policy: EnvPolicy = field(default_factory=EnvPolicy)
    names: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)


def _native_callbacks(
    base_dir: Path, confinement: Confinement, expand: bool, failures: list[str], usage: ProviderUsage
) -> dict[str, Any]:
    """``provide.NAME`` functions; failures are also kept in *failures* because gojsonnet
    replaces a callback's exception text with "failed to execute native callback"."""
    providers: dict[tuple[str, str], Provider] = {}

    def make(name: str) -> Callable[[str, str], str]:
        def provide(options: str, key: str) -> str:
            usage.names.add(name)
            if not expand:
                _record_file(name, options, base_dir, confinement)
                return "${" + key + "}"
            try:
                provider = providers.get((name, options))
                if provider is None:
                    parsed = json.loads(options) if options else {}
                    if not isinstance(parsed, dict):
                        raise ProviderError(f"provider '{name}': options must be an object")
                    provider = make_provider(name, base_dir, parsed, confinement, usage.env_policy)
                    providers[(name, options)] = provider
                values = provider.ask([key])
            except (ProviderError, ImportRefused, OSError, ValueError) as exc:
                failures.append(str(exc))
                raise ProviderError(str(exc)) from None
            if key not in values:
                failures.append(f"provider '{name}' has no value for '{key}'")
                raise ProviderError(failures[-1])
            remember([values[key]])  # never quoted back in an error message
            usage.values.add(values[key])
            return values[key]

        return provide

    return {f"provide.{name}": (("options", "key"), make(name)) for name in provider_names()}


def evaluate_jsonnet(
    path: Path,
    *,
    ext_vars: dict[str, str],
    ext_codes: dict[str, str],
    jpath: tuple[Path, ...],
    confinement: Confinement,
    expand: bool,
    usage: ProviderUsage | None = None,
) -> Any:
    """Evaluate *path* and return the manifested JSON value (*usage* collects what providers
    gave, see :class:`ProviderUsage`).

    Provider callbacks are registered only when some evaluated source mentions ``native``:
    registering them costs ~0.8 ms, a quarter of evaluating a typical definition. Without
    them ``std.native(...)`` is null, so an evaluation that used one fails and is re-run
    with them; one whose imports mention it is re-run too, so the result never depends on
    the shortcut.
    """
    source = read_limited(path)
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonnetError(f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise JsonnetError(f"not a text file: NUL byte at offset {text.index(chr(0))}")
    problem = nesting_problem(text, display_path(path))
    if problem:
        raise JsonnetError(problem)
    with_natives = "native" in text
    evaluate = partial(_evaluate, path, text, ext_vars, ext_codes, jpath, confinement, expand,
                       usage if usage is not None else ProviderUsage())
    try:
        output, importer = evaluate(with_natives)
    except JsonnetError as exc:
        if with_natives or not _NULL_CALL.search(str(exc)):
            raise
        output, importer = evaluate(True)
    if importer.mentions_native and not with_natives:
        output, importer = evaluate(True)
    if len(output) > MAX_OUTPUT_CHARS:
        raise JsonnetError(f"{display_path(path)}: evaluates to more than {MAX_OUTPUT_CHARS // 2**20} MiB of JSON "
                           "(hako's limit)")
    return json.loads(output)


def _evaluate(path: Path, text: str, ext_vars: dict[str, str], ext_codes: dict[str, str], jpath: tuple[Path, ...],
              confinement: Confinement, expand: bool, usage: ProviderUsage,
              with_natives: bool) -> tuple[str, _Importer]:
    import _gojsonnet

    importer = _Importer(path.parent, jpath, confinement)
    failures: list[str] = []
    natives = _native_callbacks(path.parent, confinement, expand, failures, usage) if with_natives else {}
    try:
        output: str = _gojsonnet.evaluate_snippet(
            str(path),
            text,
            ext_vars=ext_vars,
            ext_codes=ext_codes,
            native_callbacks=natives,
            import_callback=importer,
        )
    except (RuntimeError, UnicodeDecodeError) as exc:
        raw = exc.object if isinstance(exc, UnicodeDecodeError) else None
        message = bytes(raw).decode("utf-8", "replace") if raw is not None else str(exc)
        first_line = message.partition("\n")[0]
        if failures or importer.failures:
            # Jsonnet cannot catch an error, so a callback that failed is the error.
            message = restore_callback_message(message, (failures or importer.failures)[-1])
        elif "expected function" in first_line:
            unknown = sorted(set(_PROVIDE.findall(text)) - set(provider_names()))
            if unknown:
                message = message.replace(first_line, f"RUNTIME ERROR: unknown provider {', '.join(unknown)} "
                                          f"(installed: {', '.join(provider_names())})", 1)
        raise JsonnetError(format_jsonnet_error(message, str(path))) from None
    return output, importer


def restore_callback_message(message: str, failure: str) -> str:
    """*message* with its text before the stack trace replaced by the callback's own *failure*.

    gojsonnet sometimes corrupts the text of a callback's exception: under load its first
    line was garbled and bytes of the source (a lone ``}``) followed it as extra lines, so
    the whole head up to the first stack frame is replaced, not only the first line.
    """
    _, tab, stack = message.partition("\n\t")
    return "RUNTIME ERROR: " + failure + (tab + stack if tab else "")


class _ListedImporter(_Importer):
    """Also accepts the absolute paths of the files a combined evaluation lists, and confines
    each file to its own folder: one revision must never read another's files."""

    def __init__(self, main_dir: Path, sides: list[tuple[str, Confinement]], listed: set[str]) -> None:
        super().__init__(main_dir, (), sides[0][1])
        self.sides = sides
        self.listed = listed

    def _confinement_for(self, base: str) -> Confinement:
        for root, confinement in self.sides:
            if base == root or base.startswith(root.rstrip(os.sep) + os.sep):
                return confinement
        raise ImportRefused(f"import from {base} is outside every folder of this evaluation")

    def _resolve(self, base: str, rel: str) -> tuple[str, bytes]:
        if rel in self.listed:
            confinement = self._confinement_for(os.path.dirname(rel))
            return rel, self._read(confinement.check(os.path.dirname(rel), os.path.basename(rel)))
        return super()._resolve(base, rel)


def evaluate_together(paths: list[Path], *, ext_vars: dict[str, str], ext_codes: dict[str, str],
                      sides: list[tuple[Path, Confinement]]) -> list[Any] | None:
    """Evaluate files that share ext vars in one VM, so the libraries they share (the bundled
    hako.libsonnet above all) are parsed once: PR review renders each app at two revisions.

    None when that cannot give the same results as evaluating each file alone (one of them
    uses providers, whose base folder is per file) or when any fails: callers then evaluate
    them one by one, which also gives each its own located error. *sides* pairs each root
    folder with the confinement of the files under it.
    """
    import _gojsonnet

    listed = [str(p) for p in paths]
    snippet = "[" + ", ".join(f"import {json.dumps(p)}" for p in listed) + "]"
    importer = _ListedImporter(paths[0].parent, [(str(root), confinement) for root, confinement in sides],
                               set(listed))
    try:
        output = _gojsonnet.evaluate_snippet(str(paths[0].parent / ".hako-together.jsonnet"), snippet,
                                             ext_vars=ext_vars, ext_codes=ext_codes, native_callbacks={},
                                             import_callback=importer)
    except (RuntimeError, UnicodeDecodeError):
        return None
    if importer.mentions_native:
        return None
    if len(output) > MAX_OUTPUT_CHARS * len(paths):
        return None
    values = json.loads(output)
    return values if isinstance(values, list) and len(values) == len(paths) else None
