"""Turn gojsonnet and PyYAML error texts into ``file:line:column: message`` lines."""

from __future__ import annotations

import os
import re

from hako_py.loading.bundled import BUNDLED_LIB_DIR
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


_FIELD = re.compile(r'^Field "(?P<name>(?:[^"\\]|\\.)*)"$')
_ELEMENT = re.compile(r"^Array element (?P<index>\d+)$")


def _shown_file(file: str) -> str:
    """A frame's file as the user knows it: the bundled library by its import name."""
    bundled = str(BUNDLED_LIB_DIR)
    if file.startswith(bundled + "/"):
        return file[len(bundled) + 1:]
    return display_path(file)


def _manifest_path(frames: list[str]) -> str:
    """``app.secrets[0].value_from`` from go-jsonnet's ``Field "app"`` / ``Array element 0``
    frames (listed innermost first): where in the definition the failing value sits."""
    from hako_py.paths import join_path

    steps: list[str | int] = []
    for frame in frames:
        text = frame.strip()
        field = _FIELD.match(text)
        element = _ELEMENT.match(text)
        if field:
            steps.append(field.group("name").replace('\\"', '"'))
        elif element:
            steps.append(int(element.group("index")))
    path = ""
    for step in reversed(steps):
        path = join_path(path, step)
    return path


def format_jsonnet_error(raw: str, main_file: str | None = None) -> str:
    """Rewrite a gojsonnet error so it starts with ``file:line:column:`` like a compiler's.

    A runtime error raised in a library (``hako.libsonnet``'s ``error 'hako.toml: set
    region ...'``) is located in the user's definition first: at the innermost frame in
    *main_file*, else at the field being manifested (``apps/web.jsonnet:
    app.secrets[0].value_from: ...``); the library's frames follow as ``raised at``/``from``.
    """
    text = raw.rstrip()
    if text.startswith("RUNTIME ERROR: "):
        body, _, stack = text[len("RUNTIME ERROR: "):].partition("\n\t")
        frames = [f"\t{f}" for f in stack.split("\n\t")] if stack else []
        locations: list[tuple[str, str]] = []  # (file, "file:line:col")
        for frame in frames:
            match = _FRAME.match(frame.split("\n")[0])
            if not match:
                continue
            raw_location = _LOCATION.match(match.group("location"))
            located = _location(match.group("location"))
            if located and raw_location:
                locations.append((raw_location.group("file"), located[0]))
        message = body.strip()
        if message.startswith("importer error: "):
            message = message[len("importer error: "):]
        if not locations:
            return message
        first_file = locations[0][0]
        if main_file is None or os.path.abspath(first_file) == os.path.abspath(main_file):
            lines = [f"{locations[0][1]}: {message}"]
            lines += [f"  from {loc}" for _, loc in locations[1:6]]
            return "\n".join(lines)
        in_main = [loc for file, loc in locations if os.path.abspath(file) == os.path.abspath(main_file)]
        where = _manifest_path(frames)
        head = in_main[0] if in_main else f"{display_path(main_file)}{': ' + where if where else ''}"
        shown = [_shown_location(file, loc) for file, loc in locations if loc not in in_main[:1]]
        lines = [f"{head}: {message}", f"  raised at {shown[0]}"] if shown else [f"{head}: {message}"]
        lines += [f"  from {loc}" for loc in shown[1:5]]
        return "\n".join(lines)
    first = text.partition("\n")[0]
    for prefix in ("STATIC ERROR: ", "PARSE ERROR: "):
        if first.startswith(prefix):
            first = first[len(prefix):]
    located = _location(first)
    if located:
        return f"{located[0]}: {located[1]}"
    return first


def _shown_location(file: str, location: str) -> str:
    return _shown_file(file) + location[len(display_path(file)):]


def format_yaml_error(file: str, error: Exception) -> str:
    """``file:line:column: problem`` for PyYAML's marked errors, ``file: message`` otherwise."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{context}: {problem}" if context and problem else str(problem)
    if mark is not None:
        return f"{display_path(file)}:{mark.line + 1}:{mark.column + 1}: {message}"
    return f"{display_path(file)}: {message}"
