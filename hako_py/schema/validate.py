"""Validate a loaded definition against the JSON Schema, reporting every problem at once.

jsonschema's messages are rewritten into the tool's voice and located by definition
path (``app.port_mappings[0].container_port``); unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.schema.build import build_schema

# Keys of other tools or hako versions that users carry over, with what to write instead.
KNOWN_RENAMES = {
    "additional_containers": "sidecars (the hako v2 name)",
    "environment": "env (a map of name -> value)",
    "name": "the key under `sidecars` (the app container is always named 'app')",
    "image_uri": "image",
}


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(build_schema())


def format_path(parts: Iterable[str | int]) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    if word in KNOWN_RENAMES:
        return f"; use {KNOWN_RENAMES[word]}"
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def _describe(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, dict | list) else type(value).__name__
    text = text.replace("dict", "an object").replace("list", "an array")
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true/false)",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _expected(types: Any) -> str:
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_NAMES.get(t, t) for t in types)


def _problems(error: Any) -> Iterator[Problem]:
    path = format_path(error.absolute_path)
    schema = error.schema
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict) and "properties" in schema:
        allowed = schema["properties"]
        for key in error.instance:
            if key not in allowed and not any(re.search(p, key) for p in schema.get("patternProperties", {})):
                yield Problem(join_path(path, key), f"unknown key '{key}'{did_you_mean(key, allowed)}")
        return
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield Problem(join_path(path, missing), "is required")
        return
    if kind == "enum":
        choices = [str(c) for c in schema["enum"]]
        hint = did_you_mean(str(error.instance), choices)
        yield Problem(path, f"{_describe(error.instance)} is not one of {', '.join(choices)}{hint}")
        return
    if kind == "const":
        yield Problem(path, f"must be {json.dumps(schema['const'])}, got {_describe(error.instance)}")
        return
    if kind == "type":
        if schema.get("x-hako-kind") == "integer":
            expected = "an integer (or a string of digits)"
        else:
            expected = _expected(schema["type"])
        yield Problem(path, f"must be {expected}, got {_describe(error.instance)}")
        return
    if kind == "pattern" and schema.get("x-hako-kind") in ("integer", "number"):
        expected = "an integer" if schema["x-hako-kind"] == "integer" else "a number"
        yield Problem(path, f"must be {expected}, got {_describe(error.instance)}")
        return
    if schema.get("x-hako-kind") == "name":
        yield Problem(join_path(path, str(error.instance)),
                      "invalid container name: use 1-255 letters, digits, '-' and '_'")
        return
    if kind in ("minimum", "maximum"):
        bound = schema[kind]
        word = "at least" if kind == "minimum" else "at most"
        yield Problem(path, f"must be {word} {bound}, got {_describe(error.instance)}")
        return
    yield Problem(path, error.message)


def schema_problems(data: dict[str, Any]) -> list[Problem]:
    """Every schema violation in *data*, located and deduplicated."""
    validator = _validator()
    if validator.is_valid(data):
        return []
    found: set[Problem] = set()
    for error in validator.iter_errors(data):
        found.update(_problems(error))
    return sorted(found)
