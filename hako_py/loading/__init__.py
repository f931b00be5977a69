"""Turning a definition file into plain data: Jsonnet/JSON via gojsonnet, YAML via PyYAML."""

from hako_py.loading.loader import LoadedDefinition, LoadOptions, load_definition

__all__ = ["LoadOptions", "LoadedDefinition", "load_definition"]
