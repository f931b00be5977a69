"""Which image a container runs: ``image``, ``tag`` and ``image_tag`` as hako reads them.

Validation checks the reference ECS would get, rendering sends it, and the tag scripts
rewrite it; one definition of it here keeps the three from disagreeing.
"""

from __future__ import annotations

from typing import Any


def split_image(image: str) -> tuple[str, str | None]:
    """``repo:tag`` -> (repo, tag); a registry port (``host:5000/repo``) is not a tag."""
    if "@" in image:
        return image, None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repo, _, tag = image.rpartition(":")
        return repo, tag
    return image, None


def image_reference(container: dict[str, Any], tag_override: str | None) -> str:
    """The image a container runs: ``image_tag`` as is, else ``image`` + ``tag`` (default latest)."""
    if "image_tag" in container:
        reference = str(container["image_tag"])
        if tag_override and "@" not in reference:
            return f"{split_image(reference)[0]}:{tag_override}"
        return reference
    image = str(container["image"])
    repo, embedded = split_image(image)
    if "@" in image and not tag_override:
        return image
    tag = tag_override or container.get("tag") or embedded or "latest"
    return f"{repo}:{tag}"
