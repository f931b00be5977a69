"""Validate a loaded definition against the JSON Schema, reporting every problem at once.

jsonschema's messages are rewritten into the tool's voice and located by definition
path (``app.port_mappings[0].container_port``); unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from hako_py.ecs_model import cache_dir
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.schema.build import build_schema

# Keys of other tools or hako versions that users carry over, with what to write instead.
KNOWN_RENAMES = {
    "environment": "env (a map of name -> value)",
    "name": "the key under `sidecars` (the app container is always named 'app')",
    "image_uri": "image",
}


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(build_schema())


@cache
def _fast_is_valid() -> Any:
    """A compiled validity check (fastjsonschema, ~10x faster than jsonschema), or None.

    It only answers "valid or not"; problems are always located by jsonschema. The
    compiled module is cached per schema, so each process just imports it.
    """
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    schema = dict(build_schema())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # the keywords used are all draft-07
    schema.pop("$id", None)  # the compiled entry point is then called `validate`
    text = json.dumps(schema, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    # Cache the compiled bytecode ourselves: PYTHONDONTWRITEBYTECODE (common in containers)
    # would otherwise make every process recompile ~1 MB of generated source.
    tag = f"{sys.implementation.cache_tag}"
    path = cache_dir() / f"schema_validator_{digest}.{tag}.marshal"
    namespace: dict[str, Any] = {}
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        code = compile(fastjsonschema.compile_to_code(schema), f"<hako schema validator {digest}>", "exec")
        try:
            from hako_py.cache_trust import private_folder

            private_folder(path.parent)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
                handle.write(marshal.dumps(code))
            os.replace(handle.name, path)
        except OSError:
            pass  # an unwritable cache only costs speed
    exec(code, namespace)
    validate = namespace["validate"]
    error = fastjsonschema.JsonSchemaException

    def is_valid(data: Any) -> bool:
        try:
            validate(data)
        except error:
            return False
        return True

    return is_valid


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


def located_problems(validator: Any, data: Any, base: str = "") -> list[Problem]:
    """Problems of *data* under any validator, with paths below *base* (e.g. ``scripts[1]``)."""
    found: set[Problem] = set()
    for error in validator.iter_errors(data):
        found.update(_problems(error, base))
    return sorted(found)


def _problems(error: Any, base: str = "") -> Iterator[Problem]:
    path = base
    for part in error.absolute_path:
        path = join_path(path, part)
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
                      schema.get("x-hako-name-rule", "invalid container name: use 1-255 letters, digits, '-' and '_'"))
        return
    if kind in ("minimum", "maximum"):
        bound = schema[kind]
        word = "at least" if kind == "minimum" else "at most"
        yield Problem(path, f"must be {word} {bound}, got {_describe(error.instance)}")
        return
    yield Problem(path, error.message)


_FAST = {"enabled": False}


def use_fast_validation(enabled: bool = True) -> None:
    """Batch runs (many definitions per process) turn on the compiled validity check; loading
    it costs ~0.2 s, more than jsonschema spends on a few definitions."""
    _FAST["enabled"] = enabled


def schema_problems(data: dict[str, Any]) -> list[Problem]:
    """Every schema violation in *data*, located and deduplicated."""
    fast = _fast_is_valid() if _FAST["enabled"] else None
    if fast is not None and fast(data):
        return []
    validator = _validator()
    if validator.is_valid(data):
        return []
    return located_problems(validator, data)
