"""The ``!include`` targets of a YAML definition, read from PyYAML's node graph.

The loader acts on a node's tag after resolution, so ``!include x``, the verbose
``!<!include> x`` and a ``%TAG`` shorthand (``%TAG !i! !inc`` then ``!i!lude x``) all
include a file. The parser resolves tags as the composer does, so the scan reads its
events (same single-document rule as the loader).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

INCLUDE_TAG = "!include"


class YamlScanError(Exception):
    """The YAML text cannot be composed (or an include is not a plain file name)."""


def includes(text: str) -> list[str]:
    """Every ``!include`` path of the document, in document order (see :func:`scan_yaml`)."""
    return scan_yaml(text)[0]


# hako's legacy env form: providers (which read files) listed under an env key '$providers'
# (hako_py.loading.legacy_env). A YAML key is always written out, so it is found by its value.
LEGACY_PROVIDERS = "$providers"


def scan_yaml(text: str) -> tuple[list[str], bool]:
    """Every ``!include`` path of the document, in document order, and whether a scalar is
    ``'$providers'`` (the document may read provider files).

    Read from PyYAML's *events*, whose tags are resolved exactly as the composer resolves
    them (verbose tags, ``%TAG`` handles), but one at a time: composing builds the whole node
    graph in the review's own process, outside any evaluation budget, and a 4 MiB flow
    sequence took 1.5 GB that way. libyaml's parser is used when PyYAML has it.
    """
    import yaml  # ~50 ms: only when a repository has YAML definitions, not for every review

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: list[str] = []
    providers = False
    documents = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlScanError("expected a single document in the stream")
            elif isinstance(event, yaml.ScalarEvent) and event.tag == INCLUDE_TAG:
                if not event.value:
                    raise YamlScanError(f"line {_line(event)}: !include needs a file name")
                found.append(event.value)
            elif isinstance(event, yaml.ScalarEvent) and event.value == LEGACY_PROVIDERS:
                providers = True
            elif isinstance(event, yaml.CollectionStartEvent) and event.tag == INCLUDE_TAG:
                raise YamlScanError(f"line {_line(event)}: !include needs a file name")
    except yaml.YAMLError as exc:
        raise YamlScanError(str(exc).replace("\n", " ")) from None
    return found, providers


def _line(event: yaml.Event) -> int | str:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else "?"
