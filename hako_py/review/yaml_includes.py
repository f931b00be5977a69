"""The ``!include`` targets of a YAML definition, read from PyYAML's node graph.

The loader acts on a node's tag after resolution, so ``!include x``, the verbose
``!<!include> x`` and a ``%TAG`` shorthand (``%TAG !i! !inc`` then ``!i!lude x``) all
include a file. Only the composer knows which, so this composes the document exactly
as the loader does (same SafeLoader, same single-document rule) and walks the nodes.
"""

from __future__ import annotations

import yaml

INCLUDE_TAG = "!include"


class YamlScanError(Exception):
    """The YAML text cannot be composed (or an include is not a plain file name)."""


def includes(text: str) -> list[str]:
    """Every ``!include`` path of the document, in document order (aliases visited once)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlScanError(str(exc).replace("\n", " ")) from None
    except RecursionError:
        raise YamlScanError("nested too deeply") from None
    found: list[str] = []
    seen: set[int] = set()
    stack: list[yaml.Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag == INCLUDE_TAG:
            if not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str) or not node.value:
                raise YamlScanError(f"line {node.start_mark.line + 1}: !include needs a file name")
            found.append(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return found
