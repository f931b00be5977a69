"""Shared by scripts that set the app container's image tag."""

from __future__ import annotations

import re
from typing import Any

from hako_py.definition import APP_CONTAINER
from hako_py.scripts.base import ScriptContext, ScriptError
from hako_py.specs.images import split_image

# Docker's tag grammar (distribution/reference): what a remote server answers becomes part
# of the image reference, so it must be a tag and nothing else.
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def set_app_tag(context: ScriptContext, containers: dict[str, dict[str, Any]], tag: str, source: str) -> None:
    if not _TAG.match(tag):
        raise ScriptError(f"{source}: {tag[:80]!r} is not a valid image tag")
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
