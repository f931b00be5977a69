"""Turning a definition file into plain data: Jsonnet/JSON via gojsonnet, YAML via PyYAML.

The loader is imported on first use rather than with the package: the evaluation worker
(:mod:`hako_py.workers`) imports only what evaluates (``hako_py.loading.evaluation``), and
every millisecond of its start-up is spent on the critical path of single-file commands.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hako_py.loading.loader import LoadedDefinition, LoadOptions, load_definition

__all__ = ["LoadOptions", "LoadedDefinition", "load_definition"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hako_py.loading import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'hako_py.loading' has no attribute {name!r}")
