"""Turn gojsonnet and PyYAML error texts into ``file:line:column: message`` lines."""

from __future__ import annotations

import re

from hako_py.paths import display_path

_LOCATION = re.compile(
    r"^(?P<file>[^\t\n]+?):(?:(?P<line>\d+):(?P<col>\d+)(?:-\d+)?|\((?P<line2>\d+):(?P<col2>\d+)\)-\(\d+:\d+\))"
)
_FRAME = re.compile(r"^\t(?P<location>\S+)\t?(?P<what>.*)$")


def _location(text: str) -> tuple[str, str] | None:
    match = _LOCATION.match(text)
    if not match:
        return None
    line = match.group("line") or match.group("line2")
    col = match.group("col") or match.group("col2")
    return f"{display_path(match.group('file'))}:{line}:{col}", text[match.end():].strip()


def format_jsonnet_error(raw: str) -> str:
    """Rewrite a gojsonnet error so it starts with ``file:line:column:`` like a compiler's."""
    text = raw.rstrip()
    if text.startswith("RUNTIME ERROR: "):
        body, _, stack = text[len("RUNTIME ERROR: "):].partition("\n\t")
        frames = [f"\t{f}" for f in stack.split("\n\t")] if stack else []
        locations = []
        for frame in frames:
            match = _FRAME.match(frame.split("\n")[0])
            if not match:
                continue
            located = _location(match.group("location"))
            if located:
                locations.append(located[0])
        message = body.strip()
        if message.startswith("importer error: "):
            message = message[len("importer error: "):]
        if not locations:
            return message
        lines = [f"{locations[0]}: {message}"]
        lines += [f"  from {loc}" for loc in locations[1:6]]
        return "\n".join(lines)
    first = text.partition("\n")[0]
    for prefix in ("STATIC ERROR: ", "PARSE ERROR: "):
        if first.startswith(prefix):
            first = first[len(prefix):]
    located = _location(first)
    if located:
        return f"{located[0]}: {located[1]}"
    return first


def format_yaml_error(file: str, error: Exception) -> str:
    """``file:line:column: problem`` for PyYAML's marked errors, ``file: message`` otherwise."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{context}: {problem}" if context and problem else str(problem)
    if mark is not None:
        return f"{display_path(file)}:{mark.line + 1}:{mark.column + 1}: {message}"
    return f"{display_path(file)}: {message}"
