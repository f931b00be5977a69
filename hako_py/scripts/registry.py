"""Installed script types (entry-point group ``hako_py.scripts``) and option validation."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.scripts.base import Script, ScriptContext, ScriptError

ENTRY_POINT_GROUP = "hako_py.scripts"


@cache
def installed_scripts() -> dict[str, type[Script]]:
    """Script types by name: the built-ins plus every installed entry point."""
    from hako_py.scripts.builtin import BUILTIN

    found: dict[str, type[Script]] = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in found:
            try:
                found[ep.name] = ep.load()
            except Exception as exc:  # a broken plugin must not break every command
                raise ScriptError(f"script type '{ep.name}' ({ep.value}) cannot be loaded: {exc}") from None
    return found


def script_problems(entries: list[dict[str, Any]], containers: Collection[str] = ()) -> list[Problem]:
    """Unknown types, invalid options and what a type needs of the definition (its
    *containers*), located like every validation error."""
    from jsonschema import Draft202012Validator

    from hako_py.schema.validate import located_problems

    types = installed_scripts()
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        path = join_path("scripts", index)
        name = entry.get("type")
        if name not in types:
            problems.append(Problem(join_path(path, "type"),
                                    f"unknown script type '{name}' (installed: {', '.join(sorted(types))})"))
            continue
        options = {k: v for k, v in entry.items() if k != "type"}
        validator = Draft202012Validator(types[str(name)].options_schema)
        found = located_problems(validator, options, path)
        if not found:
            found = [Problem(join_path(path, key) if key else path, message)
                     for key, message in types[str(name)].definition_problems(options, containers)]
        problems.extend(found)
    return problems


def instantiate(entries: tuple[dict[str, Any], ...], context: ScriptContext) -> list[Script]:
    types = installed_scripts()
    return [types[str(e["type"])]({k: v for k, v in e.items() if k != "type"}, context) for e in entries]
