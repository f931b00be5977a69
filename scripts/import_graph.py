"""hako_py's import graph: its cycles and its imports that go up the declared layers.

Why a script and not only a habit: a module that imports the command using it, or two
modules that import each other, make the code base harder to split, to test by injection
and to start fast (``hako --help`` imports nothing it does not need). Cycles and upward
imports creep in one convenient import at a time, so this script finds them and exits 1,
and ``tests/test_import_graph.py`` runs it so a new one fails CI.

What counts as an import: every ``import``/``from ... import`` of ``hako_py`` in a module,
wherever it is written (at the top, inside a function, under ``if TYPE_CHECKING``), since
a function-level import is the same dependency made later. Importing ``hako_py.a.b`` runs
``hako_py/a/__init__.py`` as well, so that is an edge too (except to the importer's own
packages, which are already being imported). ``from hako_py.a import b`` is an edge to the
module ``hako_py.a.b`` when there is one.

The layers (lowest first) are :data:`LAYERS`: a component (a top-level module or
subpackage of ``hako_py``) may import its own layer and the ones below it, never a higher
one. The sandbox (:data:`SANDBOX`) is separate: it stands for AWS in the tests and the
demo, so it may import only the product's public surface (:data:`SANDBOX_MAY_IMPORT`), and
only the CLI (``hako sandbox``) may import it. All of moto's internals are handled in
:data:`MOTO_INTERNALS_MODULES`: any other sandbox module that imports moto, sets an
attribute of an object it got from moto or uses its private names is reported too
(see :class:`_MotoReach` for how an object is told to be moto's).

Usage: ``python scripts/import_graph.py [--root DIR] [--graph]`` (``--graph`` also prints
every component's imports).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "hako_py"

# Lowest first. Each entry is one layer: its components may import each other (as long as
# that makes no cycle) and anything in the layers before it, never one after it.
LAYERS: tuple[tuple[str, ...], ...] = (
    # helpers that know nothing of definitions, AWS or commands
    ("errors", "paths", "printable", "units", "formatting", "interrupts", "reporter", "record",
     "credential_shapes", "secret_detection", "redaction", "outbound", "references", "ecr_images", "ecs_model",
     "cache_trust", "bytecode",
     "schedule_expressions", "schedule_targets", "hosts",
     "image_references"),
    ("definition",),  # the plain-data contract between validation and rendering
    ("specs", "compat"),  # what a definition asks for, in API terms; hako 2.18 spellings read as hako-py's (pure)
    ("workers",),  # budgeted evaluation processes
    ("loading",),  # file (and hako.toml) -> plain data
    ("schema",),
    ("checks",),
    ("render",),
    ("compare",),  # normalization, masking and diffs of ECS objects
    ("aws",),  # the only code calling boto3
    ("plan",),  # plans as data and the one executor that runs them through the facade (scripts plan writes too)
    ("local",),  # the only code calling Docker
    ("scripts",),  # the plugin framework and the plugins shipped with it
    ("pipeline", "preload"),  # one file: load -> validate -> render
    ("deploy", "traffic", "schedules", "oneshot", "review", "verify"),  # what commands do
    ("fleet",),  # many apps at once: fleet deploys and drift, over deploy and review
    ("cli", "__main__"),
)

# Modules (by prefix) only the listed ones may import, besides themselves: the sandbox stands
# for AWS (the CLI starts it), and plugins are found by the scripts registry, never imported
# by what uses them.
ONLY_IMPORTED_BY: dict[str, tuple[str, ...]] = {
    "sandbox": ("cli",),
    "scripts.builtin": ("scripts",),
}

SANDBOX = "sandbox"  # in no layer: it may import only the product's public surface below
# What of the product the sandbox may import (a package means its ``__init__``, not its modules):
# the definition it seeds from, the formats it shares with what it simulates, the AWS facade's
# session (seeding) and the Docker engine (tasks run as containers).
SANDBOX_MAY_IMPORT: tuple[str, ...] = (
    "errors", "definition", "references", "ecr_images", "aws", "local.engine", "local.output",
    "schedule_expressions", "schedule_targets",  # the sandbox fires schedules as EventBridge Scheduler does
    "local.ownership",
    "hosts",  # URLs of its own address (IPv6 in brackets)
)

# The only sandbox modules that may touch moto's internals (moto_glue and its partner, which
# hooks into moto's ECS request handling).
MOTO_INTERNALS_MODULES: tuple[str, ...] = ("sandbox.moto_glue", "sandbox.moto_ecs_hooks")


@dataclass(frozen=True)
class Edge:
    """One import of ``target`` by ``source`` (module names), at ``line`` of the source."""

    source: str
    target: str
    line: int
    nested: bool  # inside a function: imported when it is called


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root`` by its dotted name (packages by their own name)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imported_names(tree: ast.Module, module: str, path: Path) -> Iterator[tuple[list[str], int, bool]]:
    """(candidate module names, line, nested) for every import statement in the tree."""
    package = _package_of(module, path)

    def walk(node: ast.AST, nested: bool) -> Iterator[tuple[list[str], int, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield [alias.name], child.lineno, nested
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(child, package)
                # ``from a import b``: the module a.b if it exists, else a name in a
                yield [base, *(f"{base}.{alias.name}" for alias in child.names)], child.lineno, nested
            else:
                inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                yield from walk(child, inner)

    yield from walk(tree, False)


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]


def import_edges(modules: Mapping[str, Path], trees: Mapping[str, ast.Module]) -> list[Edge]:
    """Every import between the package's own modules (see the module docstring for what counts)."""
    edges: set[Edge] = set()
    for module, path in modules.items():
        own = {module, *_ancestors(module)}
        for candidates, line, nested in _imported_names(trees[module], module, path):
            base, *members = candidates
            targets = [m for m in members if m in modules] or [base]
            for target in targets:
                if target.split(".")[0] != PACKAGE:
                    continue
                while target not in modules and "." in target:  # a name inside a module
                    target = target.rpartition(".")[0]
                for reached in [*_ancestors(target), target]:
                    if reached in modules and reached not in own and reached != PACKAGE:
                        edges.add(Edge(module, reached, line, nested))
    return sorted(edges, key=lambda e: (e.source, e.target, e.line))


def strongly_connected(nodes: Iterable[str], successors: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the components with more than one node (or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(successors.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(successors.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors.get(node, ()):
                    found.append(sorted(component))
    return sorted(found)


def _short(module: str) -> str:
    return module.removeprefix(f"{PACKAGE}.")


def _within(short: str, name: str) -> bool:
    return short == name or short.startswith(f"{name}.")


def component_of(module: str) -> str:
    """The unit a module is layered as: the longest name in :data:`LAYERS` (or the sandbox) holding
    it, else its top-level module or package (which then is in no layer, and reported)."""
    short = _short(module)
    declared = [name for layer in LAYERS for name in layer] + [SANDBOX]
    matches = [name for name in declared if _within(short, name)]
    return max(matches, key=len) if matches else short.split(".")[0]


def _in_sandbox_surface(target: str) -> bool:
    short = _short(target)
    return any(short == name or _within(name, short) for name in SANDBOX_MAY_IMPORT)  # or a package above it


def _restricted(edge: Edge) -> str | None:
    """The :data:`ONLY_IMPORTED_BY` entry *edge* breaks, if any."""
    source, target = _short(edge.source), _short(edge.target)
    for name, importers in ONLY_IMPORTED_BY.items():
        if _within(target, name) and not _within(source, name) and not any(_within(source, i) for i in importers):
            return name
    return None


def layer_violations(edges: Iterable[Edge]) -> list[str]:
    """Imports that go up the layers, of a component by one not allowed to import it, out of the
    sandbox beyond the product's public surface, or of a component in no layer."""
    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    found: list[str] = []
    seen: set[tuple[str, int, str]] = set()
    unplaced: set[str] = set()
    # one line per import statement and component: the module it names, not the packages above it
    for edge in sorted(edges, key=lambda e: (e.source, e.line, -len(e.target))):
        source, target = component_of(edge.source), component_of(edge.target)
        if source == target or (edge.source, edge.line, target) in seen:
            continue
        seen.add((edge.source, edge.line, target))
        where = f"{_short(edge.source)} -> {_short(edge.target)}  ({edge.source.replace('.', '/')}.py:{edge.line})"
        restricted = _restricted(edge)
        if restricted:
            found.append(f"only {', '.join(ONLY_IMPORTED_BY[restricted])} may import {restricted}: {where}")
        elif source == SANDBOX:
            if not _in_sandbox_surface(edge.target):
                found.append(f"sandbox beyond the product's public surface: {where}")
        elif target == SANDBOX:
            continue
        elif source not in layer or target not in layer:
            unplaced.update(c for c in (source, target) if c not in layer)
        elif layer[target] > layer[source]:
            found.append(f"upward ({source} below {target}): {where}")
    found += [f"in no layer (add it to LAYERS): {name}" for name in sorted(unplaced)]
    return found


def _assigned(node: ast.AST) -> Iterator[ast.Attribute]:
    """The attributes a statement assigns or deletes (``a.b = ...``, ``a.b += ...``, ``del a.b``)."""
    if isinstance(node, ast.Assign | ast.Delete):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Attribute):
            yield target
        elif isinstance(target, ast.Tuple | ast.List):
            stack.extend(target.elts)
        elif isinstance(target, ast.Starred):
            stack.append(target.value)


class _MotoReach(ast.NodeVisitor):
    """Finds where a module may be changing or reaching into an object it got from moto.

    moto has no type hints, so what the sandbox holds of moto's (a Service, a Task) is
    ``Any`` or untyped, while the sandbox's own objects are typed. A name is known not to be
    moto's when it is ``self``/``cls`` or a class; a parameter or variable annotated with a
    type other than ``Any``; bound to ``self`` or to an instance of a class of the module;
    or the loop variable over a ``self`` attribute annotated without ``Any``. On any other
    object (an expression counts by the name it starts from) these are reported: assigning
    or deleting an attribute, ``setattr``/``delattr``, reading a private (``_x``) name.
    Importing moto is always reported.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[str] = []
        self.scopes: list[set[str]] = [set()]  # names known not to be moto's, innermost last
        self.classes: set[str] = set()
        self.typed_attributes: set[str] = set()  # self.NAME annotated without Any

    def _known(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        if not isinstance(node, ast.Name):
            return False
        return node.id in ("self", "cls") or any(node.id in scope for scope in self.scopes)

    @staticmethod
    def _typed(annotation: ast.expr | None) -> bool:
        return annotation is not None and "Any" not in ast.unparse(annotation)

    def _typed_self_attribute(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args and node.func.id in (
                "list", "tuple", "sorted", "reversed"):
            node = node.args[0]
        return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                and node.attr in self.typed_attributes)

    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.where}:{getattr(node, 'lineno', 0)} {what}")

    def visit_Module(self, node: ast.Module) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.ClassDef):
                self.classes.add(inner.name)
            elif (isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Attribute)
                  and isinstance(inner.target.value, ast.Name) and inner.target.value.id == "self"
                  and self._typed(inner.annotation)):
                self.typed_attributes.add(inner.target.attr)
        self.scopes[0].update(self.classes)
        self._declare(node.body)
        self.generic_visit(node)

    def _declare(self, body: list[ast.stmt]) -> None:
        """Add the names *body* binds to something known (not descending into nested functions)."""
        scope = self.scopes[-1]
        stack: list[ast.AST] = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                continue
            stack.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and self._typed(node.annotation):
                scope.add(node.target.id)
            elif isinstance(node, ast.Assign) and (
                    (isinstance(node.value, ast.Name) and node.value.id == "self")
                    or (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                        and node.value.func.id in self.classes)):
                scope.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif (isinstance(node, ast.For) and isinstance(node.target, ast.Name)
                  and self._typed_self_attribute(node.iter)):
                scope.add(node.target.id)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        self.scopes.append({a.arg for a in arguments if self._typed(a.annotation)})
        self._declare(node.body)
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "moto":
                self._report(node, f"imports {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").split(".")[0] == "moto":
            self._report(node, f"imports from {node.module}")

    def generic_visit(self, node: ast.AST) -> None:
        for target in _assigned(node):
            if not self._known(target.value):
                self._report(target, f"sets {ast.unparse(target)} on an object of moto's (or of unknown type)")
        super().generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") and node.args
                and not self._known(node.args[0])):
            self._report(node, f"calls {node.func.id} on {ast.unparse(node.args[0])}")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_") and not node.attr.startswith("__") and not self._known(node.value):
            self._report(node, f"uses {ast.unparse(node)}, a private name of an object of moto's (or unknown)")
        self.generic_visit(node)


def moto_internals(trees: Mapping[str, ast.Module]) -> list[str]:
    """Sandbox modules other than :data:`MOTO_INTERNALS_MODULES` that reach into moto (see :class:`_MotoReach`)."""
    allowed = {f"{PACKAGE}.{name}" for name in MOTO_INTERNALS_MODULES}
    found: list[str] = []
    for module, tree in sorted(trees.items()):
        short = _short(module)
        if module in allowed or not (short == SANDBOX or short.startswith(f"{SANDBOX}.")):
            continue
        visitor = _MotoReach(short)
        visitor.visit(tree)
        found += sorted(set(visitor.found), key=lambda line: (line.split()[0].split(":")[0],
                                                                int(line.split()[0].split(":")[1]), line))
    return found


def text_report(root: Path, show_graph: bool) -> tuple[str, bool]:
    """The report and whether it is clean (no cycle, no layer violation, no moto internals outside the glue)."""
    modules = module_files(root)
    trees = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in modules.items()}
    edges = import_edges(modules, trees)

    by_module: dict[str, set[str]] = {}
    by_component: dict[str, set[str]] = {}
    for edge in edges:
        by_module.setdefault(edge.source, set()).add(edge.target)
        source, target = component_of(edge.source), component_of(edge.target)
        if source != target:
            by_component.setdefault(source, set()).add(target)
    module_cycles = strongly_connected(modules, by_module)
    component_cycles = strongly_connected({component_of(m) for m in modules}, by_component)
    violations = layer_violations(edges)
    moto = moto_internals(trees)

    lines = [f"{len(modules)} modules, {len(edges)} imports "
             f"({sum(e.nested for e in edges)} inside functions)"]
    lines.append(f"cycles between components: {len(component_cycles)}")
    for cycle in component_cycles:
        lines.append(f"  {' <-> '.join(cycle)}")
        example: dict[tuple[str, str], Edge] = {}
        for edge in edges:
            pair = (component_of(edge.source), component_of(edge.target))
            if pair[0] != pair[1] and set(pair) <= set(cycle) and (
                    pair not in example or len(edge.target) > len(example[pair].target)):
                example[pair] = edge
        lines += [f"      {s} -> {t}  (e.g. {_short(e.source)} -> {_short(e.target)}, line {e.line})"
                  for (s, t), e in sorted(example.items())]
    lines.append(f"cycles between modules: {len(module_cycles)}")
    for cycle in module_cycles:
        lines.append(f"  {' <-> '.join(_short(m) for m in cycle)}")
        members = set(cycle)
        lines += [f"      {_short(e.source)} -> {_short(e.target)}  (line {e.line}"
                  f"{', in a function' if e.nested else ''})"
                  for e in edges if e.source in members and e.target in members]
    lines.append(f"layer violations: {len(violations)}")
    lines += [f"  {v}" for v in violations]
    lines.append(f"moto internals outside {', '.join(MOTO_INTERNALS_MODULES)}: {len(moto)}")
    lines += [f"  {m}" for m in moto]
    if show_graph:
        lines.append("imports by component:")
        lines += [f"  {c} -> {', '.join(sorted(t))}" for c, t in sorted(by_component.items())]
    clean = not (component_cycles or module_cycles or violations or moto)
    return "\n".join(lines), clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the repository (holding hako_py/); default: this script's")
    parser.add_argument("--graph", action="store_true", help="also print every component's imports")
    args = parser.parse_args(argv)
    report, clean = text_report(args.root, args.graph)
    print(report)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
