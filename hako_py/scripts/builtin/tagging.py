"""Shared by scripts that set the app container's image tag."""

from __future__ import annotations

from typing import Any

from hako_py.definition import APP_CONTAINER
from hako_py.render.requests import split_image
from hako_py.scripts.base import ScriptContext


def set_app_tag(context: ScriptContext, containers: dict[str, dict[str, Any]], tag: str, source: str) -> None:
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
