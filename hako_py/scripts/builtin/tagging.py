"""Shared by scripts that set the app container's image tag."""

from __future__ import annotations

from typing import Any

from hako_py.definition import APP_CONTAINER
from hako_py.image_references import tag_problem
from hako_py.scripts.base import ScriptContext, ScriptError
from hako_py.specs.images import split_image


def set_app_tag(context: ScriptContext, containers: dict[str, dict[str, Any]], tag: str, source: str) -> None:
    # what a remote server answers becomes part of the image reference: a Docker tag, nothing else
    problem = tag_problem(tag)
    if problem:
        raise ScriptError(f"{source}: {problem}")
    app = containers[APP_CONTAINER]
    if "image_tag" in app:
        app["image_tag"] = f"{split_image(str(app['image_tag']))[0]}:{tag}"
    else:
        app["image"] = split_image(str(app["image"]))[0]
        app["tag"] = tag
    context.say(f"{source}: app image tag {tag}")


def app_repository(containers: dict[str, dict[str, Any]]) -> str:
    app = containers[APP_CONTAINER]
    return split_image(str(app.get("image_tag") or app.get("image")))[0]
